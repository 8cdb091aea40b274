import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/preact';
import { render as preactRender } from 'preact';
import { LOCALES, translator, type Catalog, type Locale } from '@ajuda/i18n';
import { ERROR_CODES, REQUEST_TYPES } from '@ajuda/protocol';
import enHome from '@ajuda/i18n/widget/en-home';
import enMore from '@ajuda/i18n/widget/en-more';
import ptHome from '@ajuda/i18n/widget/pt-home';
import ptMore from '@ajuda/i18n/widget/pt-more';
import esHome from '@ajuda/i18n/widget/es-home';
import esMore from '@ajuda/i18n/widget/es-more';
import { App } from '../src/ui/App.tsx';
import { Root } from '../src/ui/Root.tsx';
import { AppContext } from '../src/ui/context.ts';
import { Controller } from '../src/controller.ts';
import { initialState, type AppState } from '../src/state.ts';
import { loadCatalog } from '../src/i18n.ts';
import { CATALOGS, RAW_KEY, conv, fakeActions, realmUser, visibleStrings, visitor } from './helpers.tsx';
import { FakeSocket, MemoryStorage, flush, ready } from './fake-socket.ts';

/** Dynamic imports (screens, catalogs) can be slow on a busy machine. */
const SLOW = { timeout: 10_000 };

// The first screen loads only its own texts (R11, size budget); the rest comes with the other screens.
const PARTS: Record<Locale, { home: Catalog; more: Catalog }> = {
  en: { home: enHome, more: enMore },
  pt: { home: ptHome, more: ptMore },
  es: { home: esHome, more: esMore },
};

/**
 * Errors that can reach the first screen before anything else loads: the connection's own (hello,
 * version, identity, limits, server trouble). Every other code answers an action on a later screen,
 * whose texts are loaded by then.
 */
const EARLY_ERRORS = ['unsupported_version', 'hello_required', 'auth_failed', 'token_expired', 'session_ended', 'origin_not_allowed', 'rate_limited', 'unavailable', 'db_busy', 'internal'] as const;

/** Home in every state it can show: every request type, status, error notice, banner and the live region. */
function homeStates(): Array<Partial<AppState>> {
  const statuses = ['intake', 'queued', 'assigned', 'resolved', 'closed'] as const;
  const conversations = Object.fromEntries(
    REQUEST_TYPES.flatMap((d, i) => statuses.map((status, j) => conv({ id: `c_${i}_${j}`, requestType: d.id, status }))).map((c) => [c.id, c]),
  );
  const base = { principal: realmUser, requestTypes: REQUEST_TYPES.map((d) => d.id), listLoaded: true, conversations, announcement: 'Joao  Hi' };
  return [
    { ...base, status: 'offline' },
    { ...base, status: 'connecting', principal: null, listLoaded: false, conversations: {} },
    { ...base, principal: { ...realmUser, name: null } },
    { principal: visitor, requestTypes: ['general_question'], listLoaded: true, status: 'online' },
    { ...base, notice: { code: 'rate_limited', retryAfter: 12 } },
    ...EARLY_ERRORS.map((code): Partial<AppState> => ({ ...base, notice: { code } })),
    { ...base, notice: { code: 'offline' } },
    { ...base, notice: { code: 'timeout' } },
  ];
}

function renderWith(catalog: Catalog, locale: Locale, state: Partial<AppState>, texts?: 'partial' | 'failed') {
  const missing: string[] = [];
  const base = translator(catalog, locale);
  const t = (key: string, params?: Record<string, string | number>) => {
    if (!Object.hasOwn(catalog, key)) missing.push(key);
    return base(key, params);
  };
  const value = { state: { ...initialState(locale), status: 'online' as const, ...state, locale }, actions: fakeActions(), t, ...(texts ? { texts } : {}) };
  const utils = render(
    <AppContext.Provider value={value}>
      <App />
    </AppContext.Provider>,
  );
  return { ...utils, missing };
}

describe('texts split in two downloads (R11)', () => {
  it.each(LOCALES)('R11: %s: the first screen\'s texts and the rest make the whole catalog, without overlap', (l) => {
    const { home, more } = PARTS[l];
    expect(Object.keys(home).filter((k) => Object.hasOwn(more, k))).toEqual([]);
    expect({ ...home, ...more }).toEqual(CATALOGS[l]);
    expect(Object.keys(home).length).toBeLessThan(Object.keys(more).length);
  });

  it.each(LOCALES)('R11: %s: home renders every state from the first screen\'s texts alone', (l) => {
    for (const state of homeStates()) {
      const { container, missing, unmount } = renderWith(PARTS[l].home, l, state);
      expect(missing, JSON.stringify(state.notice ?? state.status)).toEqual([]);
      for (const text of visibleStrings(container)) expect(text).not.toMatch(RAW_KEY);
      unmount();
    }
  });

  it.each(LOCALES)('R11: %s: any other error reaching home before the rest of the texts reads as a sentence, never a raw key', (l) => {
    for (const code of ERROR_CODES.filter((c) => !(EARLY_ERRORS as readonly string[]).includes(c))) {
      const { container, unmount } = renderWith(PARTS[l].home, l, { principal: realmUser, listLoaded: true, notice: { code } });
      const alert = container.querySelector('[role="alert"]')!.textContent!;
      expect(alert, code).toContain(PARTS[l].home['error.internal']!);
      for (const text of visibleStrings(container)) expect(text).not.toMatch(RAW_KEY);
      unmount();
      // With the whole catalog, its own sentence.
      const full = renderWith(CATALOGS[l], l, { principal: realmUser, listLoaded: true, notice: { code } });
      expect(full.container.querySelector('[role="alert"]')!.textContent, code).toContain(CATALOGS[l][`error.${code}`]!);
      full.unmount();
    }
  });

  it('another screen waits for the rest of the texts (never shows raw keys), and says so if they cannot load', async () => {
    const state = { principal: realmUser, view: { name: 'grants' } as const, grants: [] };
    // With every text, the screen shows once its code is there (loaded from now on).
    const full = renderWith(CATALOGS.en, 'en', state);
    await waitFor(() => expect(full.getByRole('button', { name: 'Grant write access' })).toBeTruthy(), SLOW);
    full.unmount();
    // Code loaded, texts still partial: a loading status, never raw keys.
    const partial = renderWith(enHome, 'en', state, 'partial');
    await flush();
    expect(partial.container.querySelector('main')!.textContent).toBe('Loading…');
    expect(partial.missing).toEqual([]);
    partial.unmount();
    const failed = renderWith(enHome, 'en', state, 'failed');
    expect(failed.container.querySelector('main')!.textContent).toBe(enHome['error.unavailable']);
    failed.unmount();
  });

  it('loadCatalog gives the first screen\'s texts, or all of them', async () => {
    await expect(loadCatalog('pt')).resolves.toEqual(ptHome);
    await expect(loadCatalog('es', true)).resolves.toEqual(CATALOGS.es);
  });

  it('Root starts with the first screen\'s texts and fetches the rest when another screen opens', async () => {
    FakeSocket.all = [];
    const parent = { postMessage: vi.fn() };
    const win = Object.assign(new EventTarget(), {
      parent,
      navigator: { languages: ['en'], language: 'en' },
      location: { protocol: 'https:', host: 'ajuda.example' },
    }) as unknown as Window;
    const c = new Controller({ params: { channel: 'platform', hostOrigin: 'https://app.acme.example', locale: null }, win, storage: new MemoryStorage(), createSocket: (u) => new FakeSocket(u) });
    c.boot();
    c.conn.setIdentityToken('jwt.x.y');
    await flush();
    FakeSocket.all.at(-1)!.open();
    await flush();
    FakeSocket.all.at(-1)!.push(ready({ principal: realmUser, requestTypes: ['incident'] }));
    await flush();
    render(<Root controller={c} initialCatalog={enHome} />);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Access for support' })).toBeTruthy(), SLOW);
    c.go({ name: 'grants' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Grant write access' })).toBeTruthy(), SLOW);
    // Back home and to another language: the new language comes whole, every screen keeps its texts.
    c.go({ name: 'home' });
    c.setLocale('pt');
    await waitFor(() => expect(screen.getByRole('button', { name: ptHome['grants.open']! })).toBeTruthy(), SLOW);
    c.go({ name: 'grants' });
    await waitFor(() => expect(screen.getByRole('button', { name: ptMore['grants.create']! })).toBeTruthy(), SLOW);
    c.conn.stop();
  });
});

describe('Root', () => {
  it('keeps a store update that lands between the first render and its subscription (the list after a reload)', async () => {
    FakeSocket.all = [];
    const win = Object.assign(new EventTarget(), {
      parent: { postMessage: vi.fn() },
      navigator: { languages: ['en'], language: 'en' },
      location: { protocol: 'https:', host: 'ajuda.example' },
    }) as unknown as Window;
    const c = new Controller({ params: { channel: 'website', hostOrigin: 'https://shop.example', locale: null }, win, storage: new MemoryStorage(), createSocket: (u) => new FakeSocket(u) });
    const el = document.createElement('div');
    document.body.appendChild(el);
    // Preact renders now and subscribes in an effect after paint; the list arrives in between.
    preactRender(<Root controller={c} initialCatalog={enHome} />, el);
    c.store.set({ principal: visitor, requestTypes: ['general_question'], listLoaded: true, conversations: { c_7Hx2Q: conv() } });
    await waitFor(() => expect(el.textContent).toContain('c_7Hx2Q'), SLOW);
    preactRender(null, el);
    el.remove();
  });
});
