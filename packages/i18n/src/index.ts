/**
 * Tiny message catalogs for pt / en / es (R11), shared by the widget, the console and the
 * server's system messages. Each surface keeps one flat catalog per language under
 * `src/<surface>/<locale>.ts` (a default export of `Record<string, string>`), so a client
 * bundles or lazy-loads only the language it shows.
 *
 * @example
 *   const t = translator(en, 'en');
 *   t('widget.greeting', { name: 'Ana' }) // "Hello, Ana"
 */
export type Locale = 'pt' | 'en' | 'es';
export const LOCALES: readonly Locale[] = ['pt', 'en', 'es'];
export type Catalog = Readonly<Record<string, string>>;
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** Build `t()` over one catalog; `{name}` placeholders are replaced, a missing key shows itself. */
export function translator(catalog: Catalog, _locale: Locale): Translate {
  return (key, params) => {
    const text = catalog[key];
    if (text === undefined) return key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : m));
  };
}

/** Pick the first supported language from a list of BCP 47 tags (`pt-BR` → `pt`). */
export function pickLocale(...candidates: Array<string | null | undefined>): Locale | null {
  for (const c of candidates) {
    const base = c?.toLowerCase().split(/[-_]/)[0];
    if (base === 'pt' || base === 'en' || base === 'es') return base;
  }
  return null;
}

/** Keys present in one catalog and missing in another: used by the "no missing key" tests. */
export function missingKeys(reference: Catalog, other: Catalog): string[] {
  return Object.keys(reference).filter((k) => !Object.hasOwn(other, k) || other[k] === '');
}

/** The params of a stored system line: plain strings and numbers (JSON), never rendered text. */
export type LineParams = Readonly<Record<string, string | number>>;

/**
 * Render a stored system line (an i18n key and its params) with one surface's translator, in the
 * viewer's language (R11). Each param is shown as is, except:
 * - `minutes` (a number) also gives `{time}`, worded with `time.minutes` / `time.hours` / `time.days`;
 * - a string param `p` with value `v` is replaced by the text of `param.p.v` when the catalog has it
 *   (a code such as a queue, a language or a request type, in words).
 * Null when the catalog does not know the key: the caller shows the text stored with the line.
 *
 * @example renderSystemLine(translator(pt, 'pt'), 'system.assigned', { name: 'Sofía' }) // "Sofía está agora cuidando da sua conversa."
 */
export function renderSystemLine(t: Translate, key: string, params?: LineParams | null): string | null {
  if (t(key) === key) return null;
  const words: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string') {
      const k = `param.${name}.${value}`;
      const text = t(k);
      words[name] = text === k ? value : text;
    } else words[name] = value;
  }
  const minutes = params?.minutes;
  if (typeof minutes === 'number' && Number.isFinite(minutes)) words.time = durationWords(t, minutes);
  return t(key, words);
}

/** A target duration in words: minutes below two hours, hours below three days, then days. */
export function durationWords(t: Translate, minutes: number): string {
  if (minutes < 120) return t('time.minutes', { n: Math.round(minutes) });
  if (minutes < 72 * 60) return t('time.hours', { n: Math.round(minutes / 60) });
  return t('time.days', { n: Math.round(minutes / 1440) });
}
