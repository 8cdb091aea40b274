import type { Catalog, Locale } from '@ajuda/i18n';

type Load = () => Promise<{ default: Catalog }>;

// R11: the widget downloads only the language it shows, and of it first only the texts of the first
// screen (home, the panel's bar and banners, every error); the rest comes when another screen opens.
const parts: Record<Locale, readonly [home: Load, more: Load]> = {
  pt: [() => import('@ajuda/i18n/widget/pt-home'), () => import('@ajuda/i18n/widget/pt-more')],
  en: [() => import('@ajuda/i18n/widget/en-home'), () => import('@ajuda/i18n/widget/en-more')],
  es: [() => import('@ajuda/i18n/widget/es-home'), () => import('@ajuda/i18n/widget/es-more')],
};

const cache = new Map<string, Promise<Catalog>>();

function part(locale: Locale, i: 0 | 1): Promise<Catalog> {
  const key = `${locale}${i}`;
  let p = cache.get(key);
  if (!p) {
    p = parts[locale][i]().then((m) => m.default);
    // A failed download (offline) is tried again next time.
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/**
 * The texts of one language: the first screen's, or (`all`) every text of the widget.
 * @example const catalog = await loadCatalog('pt'); const t = translator(catalog, 'pt');
 */
export function loadCatalog(locale: Locale, all = false): Promise<Catalog> {
  return all ? Promise.all([part(locale, 0), part(locale, 1)]).then(([home, more]) => ({ ...home, ...more })) : part(locale, 0);
}
