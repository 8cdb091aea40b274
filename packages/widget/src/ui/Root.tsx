import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
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

/**
 * Subscribes to the controller's store, loads the active catalog, provides the app context.
 * `initialCatalog` holds the first screen's texts; the rest loads once another screen is shown.
 */
export function Root({ controller, initialCatalog }: { controller: Controller; initialCatalog: Catalog }) {
  const [state, setState] = useState(controller.store.get());
  const [catalog, setCatalog] = useState({ locale: state.locale, all: false, failed: false, catalog: initialCatalog });
  // Once a screen past home has been shown, keep every text (across language changes too).
  const wantAll = useRef(false);
  const away = state.view.name !== 'home';
  if (away) wantAll.current = true;

  useEffect(() => {
    const off = controller.store.subscribe(() => setState(controller.store.get()));
    // Frames (e.g. the conversation list) may have changed the store between the first render and
    // this effect, which runs after paint: take the current state, or that update is lost.
    setState(controller.store.get());
    return off;
  }, []);

  useEffect(() => {
    const all = wantAll.current;
    if (catalog.locale === state.locale && (catalog.all || !all)) return;
    let live = true;
    loadCatalog(state.locale, all).then(
      (c) => live && setCatalog({ locale: state.locale, all, failed: false, catalog: c }),
      () => live && setCatalog((cur) => ({ ...cur, failed: true })),
    );
    return () => {
      live = false;
    };
  }, [state.locale, away]);

  useEffect(() => {
    const root = document.documentElement.style;
    if (!state.primaryColor) return;
    // The colour passed the bridge's CssColor schema (no url(), no ';'): safe as a custom property.
    root.setProperty('--ajuda-primary', state.primaryColor);
    root.setProperty('--ajuda-on-primary', onColor(state.primaryColor));
  }, [state.primaryColor]);

  const t = useMemo(() => translator(catalog.catalog, state.locale), [catalog]);
  const texts = catalog.all ? undefined : catalog.failed ? ('failed' as const) : ('partial' as const);
  const value = useMemo(() => ({ state, actions: controller, t, ...(texts ? { texts } : {}) }), [state, t, texts]);
  return (
    <AppContext.Provider value={value}>
      <App />
    </AppContext.Provider>
  );
}
