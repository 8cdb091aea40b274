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
