import type { Catalog, Locale } from '@ajuda/i18n';

// One chunk per language: the widget downloads only the catalog it shows (R11).
const loaders: Record<Locale, () => Promise<{ default: Catalog }>> = {
  pt: () => import('@ajuda/i18n/widget/pt'),
  en: () => import('@ajuda/i18n/widget/en'),
  es: () => import('@ajuda/i18n/widget/es'),
};

const cache = new Map<Locale, Promise<Catalog>>();

/** @example const catalog = await loadCatalog('pt'); const t = translator(catalog, 'pt'); */
export function loadCatalog(locale: Locale): Promise<Catalog> {
  let p = cache.get(locale);
  if (!p) {
    p = loaders[locale]().then((m) => m.default);
    cache.set(locale, p);
  }
  return p;
}
