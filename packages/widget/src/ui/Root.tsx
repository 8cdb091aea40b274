import { useEffect, useMemo, useState } from 'preact/hooks';
import { translator, type Catalog } from '@ajuda/i18n';
import type { Controller } from '../controller.ts';
import { loadCatalog } from '../i18n.ts';
import { AppContext } from './context.ts';
import { App } from './App.tsx';

/** Reads a CSS colour's luminance so text on the host's primary colour keeps its contrast. */
function onColor(color: string): string {
  const probe = document.createElement('span');
  probe.style.color = color;
  document.body.appendChild(probe);
  const rgb = getComputedStyle(probe).color.match(/[\d.]+/g)?.map(Number) ?? [];
  probe.remove();
  if (rgb.length < 3) return '#fff';
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // White text needs L ≤ ~0.18 for 4.5:1; otherwise use near-black.
  return l > 0.18 ? '#111827' : '#ffffff';
}

/** Subscribes to the controller's store, loads the active catalog, provides the app context. */
export function Root({ controller, initialCatalog }: { controller: Controller; initialCatalog: Catalog }) {
  const [state, setState] = useState(controller.store.get());
  const [catalog, setCatalog] = useState<{ locale: string; catalog: Catalog }>({ locale: state.locale, catalog: initialCatalog });

  useEffect(() => controller.store.subscribe(() => setState(controller.store.get())), []);

  useEffect(() => {
    if (catalog.locale === state.locale) return;
    let live = true;
    loadCatalog(state.locale).then((c) => live && setCatalog({ locale: state.locale, catalog: c }));
    return () => {
      live = false;
    };
  }, [state.locale]);

  useEffect(() => {
    const root = document.documentElement.style;
    if (!state.primaryColor) return;
    // The colour passed the bridge's CssColor schema (no url(), no ';'): safe as a custom property.
    root.setProperty('--ajuda-primary', state.primaryColor);
    root.setProperty('--ajuda-on-primary', onColor(state.primaryColor));
  }, [state.primaryColor]);

  const t = useMemo(() => translator(catalog.catalog, state.locale), [catalog]);
  const value = useMemo(() => ({ state, actions: controller, t }), [state, t]);
  return (
    <AppContext.Provider value={value}>
      <App />
    </AppContext.Provider>
  );
}
