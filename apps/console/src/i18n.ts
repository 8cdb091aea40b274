import { pickLocale, renderSystemLine, translator, type Catalog, type LineParams, type Locale, type Translate } from '@ajuda/i18n';
import en from '@ajuda/i18n/console/en';
import es from '@ajuda/i18n/console/es';
import pt from '@ajuda/i18n/console/pt';

/**
 * The console's texts (R11). All three catalogs are bundled: canned replies are written in the
 * conversation's language, which is often not the agent's interface language.
 */
export const CATALOGS: Readonly<Record<Locale, Catalog>> = { pt, en, es };

/**
 * Add a lazy chunk's texts to the three catalogs (the Admin area, the alert preferences): a screen's
 * module calls it when it loads, before it renders, so the entry bundle carries only the texts of
 * what it shows itself. Keys already there are kept.
 *
 * @example addTexts({ pt, en, es })
 */
export function addTexts(more: Readonly<Record<Locale, Catalog>>): void {
  for (const l of ['pt', 'en', 'es'] as const) {
    const c = CATALOGS[l] as Record<string, string>;
    for (const k in more[l]) if (!Object.hasOwn(c, k)) c[k] = more[l][k]!;
  }
}

/** Locale tags for Intl formatting. */
export const INTL_TAG: Readonly<Record<Locale, string>> = { pt: 'pt-BR', en: 'en', es: 'es' };

export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { pt: 'Português', en: 'English', es: 'Español' };

/** Keys asked for but absent from a catalog, collected for the "no missing key" tests. */
export const missingSeen = new Set<string>();

/**
 * `t()` over one console catalog; a missing key shows itself and is recorded.
 *
 * @example makeT('es')('signin.submit') // "Entrar"
 */
export function makeT(locale: Locale): Translate {
  const catalog = CATALOGS[locale];
  const base = translator(catalog, locale);
  return (key, params) => {
    if (!Object.hasOwn(catalog, key)) missingSeen.add(`${locale}:${key}`);
    return base(key, params);
  };
}

/** `t(key)` when the catalog has the key, else the fallback (for server-provided codes). */
export function tOr(locale: Locale, key: string, fallback: string, params?: Record<string, string | number>): string {
  return Object.hasOwn(CATALOGS[locale], key) ? translator(CATALOGS[locale], locale)(key, params) : fallback;
}

const plain: Record<Locale, Translate> = { pt: translator(pt, 'pt'), en: translator(en, 'en'), es: translator(es, 'es') };

/**
 * A stored coded line in the console's language (R11): a system message's key, or a rule, routing or
 * priority code under `line.`; null when the catalog does not know it (the caller shows what was stored).
 *
 * @example lineText('pt', 'line.R11.assigned', { name: 'Sofía', language: 'es' }) // "R11: atribuída a Sofía: disponível, fala espanhol, …"
 */
export function lineText(locale: Locale, key: string, params?: LineParams | null): string | null {
  return renderSystemLine(plain[locale], key, params);
}

/**
 * Default language: the agent's explicit choice, then their first language, then the browser.
 *
 * @example initialLocale(null, ['es', 'en'], ['pt-BR']) // "es"
 */
export function initialLocale(stored: string | null, agentLanguages: readonly string[] | undefined, browser: readonly string[]): Locale {
  return pickLocale(stored, agentLanguages?.[0], ...browser) ?? 'en';
}

export const LOCALE_STORAGE_KEY = 'ajuda.console.locale';
