import { afterEach, describe, expect, it, vi } from 'vitest';
import { AJUDA, fakeWindow, msg, setup, tick, widget } from './helpers.ts';

/** The launcher's stylesheet, as text. */
const css = () => [...(widget().root?.adoptedStyleSheets[0]?.cssRules ?? [])].map((r) => r.cssText).join('\n');

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('launcher', () => {
  it('renders the "?" button inside a shadow root, labelled in the chosen locale', () => {
    const { api } = setup();
    api.boot({ channel: 'website', locale: 'pt' });
    const w = widget();
    expect(w.root).not.toBeNull();
    expect(w.button?.textContent).toBe('?');
    expect(w.button?.getAttribute('aria-label')).toBe('Ajuda');
    expect(w.button?.getAttribute('aria-expanded')).toBe('false');
    // Scoped: the page's own queries and styles do not reach into it.
    expect(document.querySelector('button')).toBeNull();
    expect(css()).toContain(':host { all: initial; }');
  });

  it('R11: labels in en and es too, and falls back to en for other languages', () => {
    for (const [locale, label] of [['en', 'Help'], ['es', 'Ayuda'], ['fr', 'Help']] as const) {
      document.body.innerHTML = '';
      const { api } = setup();
      api.boot({ channel: 'website', locale: locale as 'en' });
      expect(widget().button?.getAttribute('aria-label')).toBe(label);
      vi.restoreAllMocks();
    }
  });

  it('does not boot without a valid channel or Ajuda origin', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { api } = setup();
    api.boot({ channel: 'intranet' as 'website' });
    api.boot({ channel: 'website', ajudaOrigin: 'not a url' });
    expect(widget().host).toBeUndefined();
    expect(err).toHaveBeenCalledTimes(2);
  });

  it('creates the iframe lazily, on first open, with channel, host and locale in its URL', () => {
    const { api, frames } = setup();
    api.boot({ channel: 'login', locale: 'es' });
    expect(frames).toHaveLength(0);
    expect(widget().iframe).toBeNull();
    widget().button!.click();
    expect(frames).toHaveLength(1);
    const f = widget().iframe!;
    expect(f.hidden).toBe(false);
    expect(f.title).toBe('Ayuda');
    // Only the clipboard (copy the conversation ID, R13), nothing else (no camera, no geolocation…).
    expect(f.getAttribute('allow')).toBe('clipboard-write');
    const url = new URL(f.src);
    expect(url.origin).toBe(AJUDA);
    expect(url.pathname).toBe('/widget/frame/');
    expect(Object.fromEntries(url.searchParams)).toEqual({ channel: 'login', host: location.origin, locale: 'es' });
    expect(widget().button?.getAttribute('aria-expanded')).toBe('true');
  });

  it("loadOn:'idle' creates the iframe hidden before any open", async () => {
    const { api, frames } = setup();
    api.boot({ channel: 'website', loadOn: 'idle' });
    expect(frames).toHaveLength(0);
    await tick(5);
    expect(frames).toHaveLength(1);
    expect(widget().iframe?.hidden).toBe(true);
    // Created while closed: the frame loads its code but connects only once shown (no socket, no visitor).
    expect(new URL(widget().iframe!.src).searchParams.get('preload')).toBe('1');
    api.show();
    expect(frames).toHaveLength(1);
    expect(widget().iframe?.hidden).toBe(false);
  });

  it('toggle, show and hide drive the panel and fire open/close events', async () => {
    const { api } = setup();
    const seen: string[] = [];
    const onOpen = () => seen.push('open');
    api.on('open', onOpen);
    api.on('close', () => seen.push('close'));
    api.boot({ channel: 'website' });
    api.toggle();
    api.show(); // already open: no second event
    api.toggle();
    await tick();
    expect(seen).toEqual(['open', 'close']);
    api.off('open', onOpen);
    api.show();
    await tick();
    expect(seen).toEqual(['open', 'close']);
    expect(widget().iframe?.hidden).toBe(false);
  });

  it('Escape closes the panel and focus returns to the launcher', () => {
    const { api } = setup();
    api.boot({ channel: 'website' });
    const { button, iframe } = { ...widget(), iframe: (api.show(), widget().iframe) };
    button!.focus();
    button!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    expect(iframe!.hidden).toBe(true);
    expect(button!.getAttribute('aria-expanded')).toBe('false');
    expect(widget().root!.activeElement).toBe(button);
  });

  it('keyboard: Enter, Space and Tab on the focused launcher are left to the browser (only Escape is ours)', () => {
    const { api } = setup();
    api.boot({ channel: 'website' });
    const { button } = widget();
    button!.focus();
    // A canceled keydown stops the button's own activation (Enter, Space) and focus moves (Tab).
    // (HTML: a handler property that returns false cancels the event too; happy-dom does not apply
    // that rule, so the host's handler is also asked directly.)
    const { host } = widget();
    const keys = () => {
      for (const key of ['Enter', ' ', 'Tab']) {
        const e = new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true });
        button!.dispatchEvent(e);
        expect(e.defaultPrevented, key).toBe(false);
        expect(host!.onkeydown?.call(host!, e), key).not.toBe(false);
      }
    };
    keys();
    expect(widget().iframe).toBeNull();
    // Open (the panel's part is mounted then): the same keys still belong to the browser.
    api.show();
    button!.focus();
    keys();
    expect(button!.getAttribute('aria-expanded')).toBe('true');
  });

  it('the open launcher is a close (×) button with its own name in pt, en and es, and aria-expanded', () => {
    for (const [locale, open, close] of [['pt', 'Ajuda', 'Fechar ajuda'], ['en', 'Help', 'Close help'], ['es', 'Ayuda', 'Cerrar ayuda']] as const) {
      document.body.innerHTML = '';
      const { api, fromFrame } = setup();
      api.boot({ channel: 'website', locale });
      const { button } = widget();
      // The glyph is the button's first text node (the unread badge follows it).
      const face = () => [button!.firstChild!.textContent, button!.getAttribute('aria-label'), button!.getAttribute('aria-expanded')];
      expect(face()).toEqual(['?', open, 'false']);
      button!.click();
      expect(face()).toEqual(['×', close, 'true']);
      fromFrame(msg('frame.unread', { count: 3 }));
      expect(button!.getAttribute('aria-label')).toBe(`${close} (3)`);
      fromFrame(msg('frame.close'));
      expect(face()).toEqual(['?', `${open} (3)`, 'false']);
      vi.restoreAllMocks();
    }
  });

  it('keyboard: the panel follows its launcher in focus order, and an opened panel has the focus', () => {
    const { api } = setup();
    api.boot({ channel: 'website' });
    const { button } = widget();
    button!.focus();
    button!.click();
    const { root, iframe } = widget();
    const order = [...root!.querySelectorAll('button, iframe')];
    expect(order.indexOf(iframe!)).toBeGreaterThan(order.indexOf(button!));
    expect(root!.activeElement).toBe(iframe);
  });

  it('a programmatic hide() does not steal focus from the page', () => {
    const { api } = setup();
    const input = document.createElement('input');
    document.body.append(input);
    api.boot({ channel: 'website' });
    api.show();
    input.focus();
    api.hide();
    expect(document.activeElement).toBe(input);
  });

  it('a host listener that throws does not break the widget or the other listeners', () => {
    vi.useFakeTimers();
    const { api } = setup();
    const good = vi.fn();
    api.on('open', () => {
      throw new Error('host bug');
    });
    api.on('open', good);
    api.boot({ channel: 'website' });
    api.show();
    // Each listener runs in its own task: the throw surfaces (as it would in the page's console) after the others ran.
    expect(() => vi.runAllTimers()).toThrow('host bug');
    vi.runAllTimers();
    expect(good).toHaveBeenCalledTimes(1);
    expect(widget().iframe?.hidden).toBe(false);
  });

  it('applies a valid theme colour and side, and refuses anything that could inject CSS', () => {
    const { api } = setup();
    api.boot({ channel: 'website', theme: { primary: '#0a7', position: 'left' } });
    expect(css()).toContain('background: #0a7');
    expect(css()).toMatch(/\.w,\s*\.p \{ left: 20px; \}/);
    api.update({ theme: { primary: 'red}*{display:none', position: 'top' as 'left' } });
    expect(css()).not.toContain('display:none');
    expect(css()).toMatch(/\.w,\s*\.p \{ right: 20px; \}/);
  });

  it('refuses theme and locale values that are not strings, whatever they stringify to', () => {
    const { api, fromFrame, sent } = setup();
    const sneaky = { toString: () => 'red}*{display:none' };
    api.boot({ channel: 'website', locale: ['es'] as unknown as 'es', theme: { primary: sneaky as unknown as string } });
    expect(css()).not.toContain('display:none');
    expect(widget().button?.getAttribute('aria-label')).not.toBe('Ayuda');
    api.update({ theme: { primary: 42 as unknown as string, position: ['left'] as unknown as 'left' } });
    expect(css()).not.toContain('42');
    expect(css()).toMatch(/\.w,\s*\.p \{ right: 20px; \}/);
    api.show();
    fromFrame(msg('frame.ready'));
    // What reaches the frame passes the protocol's own schema (sent() parses it).
    expect(sent()[0]).toMatchObject({ type: 'host.init', theme: {} });
  });
});

describe('bridge', () => {
  const ready = msg('frame.ready');

  it('answers a well-formed frame.ready with host.init pinned to the Ajuda origin', () => {
    const { api, fromFrame, sent } = setup();
    api.boot({ channel: 'platform', locale: 'pt', theme: { primary: 'rgb(10, 20, 30)' } });
    api.show();
    fromFrame(ready);
    expect(sent()).toEqual([
      { ajuda: 1, type: 'host.init', channel: 'platform', locale: 'pt', theme: { primary: 'rgb(10, 20, 30)' }, hostOrigin: location.origin },
      { ajuda: 1, type: 'host.show' },
    ]);
  });

  it('R1: refuses messages from another origin, even with the right window', () => {
    const { api, fromFrame, types } = setup();
    api.boot({ channel: 'website' });
    api.show();
    fromFrame(ready, { origin: 'https://evil.test' });
    fromFrame(ready, { origin: 'https://help.ajuda.test.evil.test' });
    fromFrame(ready, { origin: 'http://help.ajuda.test' });
    fromFrame(ready, { origin: AJUDA + '/' });
    expect(types()).toEqual([]);
  });

  it('R1: refuses messages from the right origin but another window (another frame, a popup, the page itself)', () => {
    const { api, fromFrame, types } = setup();
    api.boot({ channel: 'website' });
    api.show();
    fromFrame(ready, { source: fakeWindow() });
    fromFrame(ready, { source: window });
    fromFrame(ready, { source: null });
    expect(types()).toEqual([]);
  });

  it('refuses malformed shapes and non-objects', async () => {
    const { api, fromFrame, types } = setup();
    const events = vi.fn();
    api.on('unreadCountChange', events);
    api.on('conversationStarted', events);
    api.on('close', events);
    api.boot({ channel: 'platform', identityToken: 'tok' });
    api.show();
    const forged: unknown[] = [
      null,
      undefined,
      0,
      'frame.ready',
      '{"ajuda":1,"type":"frame.ready"}',
      ['frame.ready'],
      { type: 'frame.ready' },
      { ajuda: '1', type: 'frame.ready' },
      { ajuda: 2, type: 'frame.ready' },
      { ajuda: 1 },
      { ajuda: 1, type: 'host.init' },
      { ajuda: 1, type: 'frame.needIdentity' },
      { ajuda: 1, type: 'frame.needIdentity', reason: 'please' },
      { ajuda: 1, type: 'frame.unread', count: -1 },
      { ajuda: 1, type: 'frame.unread', count: 1.5 },
      { ajuda: 1, type: 'frame.unread', count: '3' },
      { ajuda: 1, type: 'frame.conversationStarted', conversationId: 42 },
      { ajuda: 1, type: 'frame.conversationStarted', conversationId: '' },
      { ajuda: 1, type: 'frame.conversationStarted' },
    ];
    for (const data of forged) fromFrame(data);
    await tick();
    expect(types()).toEqual([]);
    expect(events).not.toHaveBeenCalled();
    expect(widget().badge?.hidden).toBe(true);
    expect(widget().iframe?.hidden).toBe(false);
  });

  it('ignores every message before boot and after shutdown', () => {
    const { api, fromFrame, frames } = setup();
    fromFrame(msg('frame.open'), { source: fakeWindow() });
    api.boot({ channel: 'website' });
    expect(frames).toHaveLength(0);
    api.show();
    const old = frames[0]!;
    api.shutdown();
    const before = old.win.posted.length;
    fromFrame(msg('frame.ready'), { source: old.win });
    fromFrame(msg('frame.open'), { source: old.win });
    expect(old.win.posted.length).toBe(before);
  });

  it('shows the unread count on the badge and in the label, and reports changes', async () => {
    const { api, fromFrame } = setup();
    const counts: number[] = [];
    api.on('unreadCountChange', (n) => counts.push(n));
    api.boot({ channel: 'website', locale: 'en' });
    api.show();
    fromFrame(msg('frame.unread', { count: 3 }));
    fromFrame(msg('frame.unread', { count: 3 }));
    const { badge, button } = widget();
    expect(badge?.hidden).toBe(false);
    expect(badge?.textContent).toBe('3');
    expect(button?.getAttribute('aria-label')).toBe('Close help (3)');
    fromFrame(msg('frame.unread', { count: 0 }));
    expect(badge?.hidden).toBe(true);
    await tick();
    expect(counts).toEqual([3, 0]);
  });

  it('R13: reports conversationStarted with the conversation id', async () => {
    const { api, fromFrame } = setup();
    const ids: string[] = [];
    api.on('conversationStarted', (id) => ids.push(id));
    api.boot({ channel: 'website' });
    api.show();
    fromFrame(msg('frame.conversationStarted', { conversationId: 'c_123' }));
    await tick();
    expect(ids).toEqual(['c_123']);
  });

  it('frame.close closes the panel and returns focus to the launcher; frame.open opens it', () => {
    const { api, fromFrame, types } = setup();
    api.boot({ channel: 'website' });
    api.show();
    fromFrame(msg('frame.ready'));
    widget().iframe!.focus();
    fromFrame(msg('frame.close'));
    expect(widget().iframe?.hidden).toBe(true);
    expect(widget().root!.activeElement).toBe(widget().button);
    fromFrame(msg('frame.open'));
    expect(widget().iframe?.hidden).toBe(false);
    expect(types()).toEqual(['host.init', 'host.show', 'host.hide', 'host.show']);
  });

  it('update() sends host.update with the new locale and theme once the frame is ready', () => {
    const { api, fromFrame, sent } = setup();
    api.boot({ channel: 'website', locale: 'en' });
    api.show();
    fromFrame(msg('frame.ready'));
    api.update({ locale: 'es', theme: { primary: 'teal' } });
    expect(sent().at(-1)).toEqual({ ajuda: 1, type: 'host.update', locale: 'es', theme: { primary: 'teal' } });
    expect(widget().button?.getAttribute('aria-label')).toBe('Cerrar ayuda');
  });
});

describe('showArticle', () => {
  it("Ajuda('showArticle', slug) before the frame is ready: the panel opens, and host.article follows host.show once the frame says frame.ready, once", () => {
    const { api, fromFrame, sent } = setup();
    api.boot({ channel: 'website', locale: 'en' });
    api.showArticle('support-hours');
    expect(widget().button?.getAttribute('aria-expanded')).toBe('true');
    expect(sent()).toEqual([]);
    fromFrame(msg('frame.ready'));
    expect(sent().map((m) => m.type)).toEqual(['host.init', 'host.show', 'host.article']);
    expect(sent().at(-1)).toEqual({ ajuda: 1, type: 'host.article', slug: 'support-hours' });
    // Sent once: hiding and showing again does not repeat it.
    api.hide();
    api.show();
    expect(sent().filter((m) => m.type === 'host.article')).toHaveLength(1);
  });

  it('with the panel already open and the frame ready, another article goes at once (after host.show)', () => {
    const { api, fromFrame, sent } = setup();
    api.boot({ channel: 'website', locale: 'en' });
    api.show();
    fromFrame(msg('frame.ready'));
    api.showArticle('who-may-ask');
    expect(sent().slice(-2)).toEqual([
      { ajuda: 1, type: 'host.show' },
      { ajuda: 1, type: 'host.article', slug: 'who-may-ask' },
    ]);
    expect(widget().iframe?.hidden).toBe(false);
  });

  it('before boot it does nothing', () => {
    const { api, sent } = setup();
    api.showArticle('support-hours');
    expect(widget().host).toBeUndefined();
    expect(sent()).toEqual([]);
  });
});

describe('identity', () => {
  it('R1: getIdentityToken is asked at boot and again when the token expired; each token goes in host.identity', async () => {
    const { api, fromFrame, sent } = setup();
    let n = 0;
    const getIdentityToken = vi.fn(async () => `jwt-${++n}`);
    api.boot({ channel: 'platform', getIdentityToken });
    api.show();
    fromFrame(msg('frame.ready'));
    fromFrame(msg('frame.needIdentity', { reason: 'boot' }));
    await tick();
    fromFrame(msg('frame.needIdentity', { reason: 'expired' }));
    await tick();
    expect(getIdentityToken).toHaveBeenCalledTimes(2);
    expect(sent().filter((m) => m.type === 'host.identity')).toEqual([
      { ajuda: 1, type: 'host.identity', identityToken: 'jwt-1' },
      { ajuda: 1, type: 'host.identity', identityToken: 'jwt-2' },
    ]);
  });

  it('a static identityToken is sent at boot, not re-sent as if an expired token could become valid', async () => {
    const { api, fromFrame, sent } = setup();
    api.boot({ channel: 'platform', identityToken: 'static.jwt' });
    api.show();
    fromFrame(msg('frame.needIdentity', { reason: 'boot' }));
    fromFrame(msg('frame.needIdentity', { reason: 'expired' }));
    await tick();
    expect(sent()).toEqual([{ ajuda: 1, type: 'host.identity', identityToken: 'static.jwt' }]);
  });

  it('R2: without a token source the requester stays anonymous (nothing is sent)', async () => {
    const { api, fromFrame, types } = setup();
    api.boot({ channel: 'website' });
    api.show();
    fromFrame(msg('frame.needIdentity', { reason: 'boot' }));
    await tick();
    expect(types()).toEqual([]);
  });

  it('a getter that fails or yields a non-string sends nothing', async () => {
    const { api, fromFrame, types } = setup();
    let call = 0;
    api.boot({
      channel: 'platform',
      getIdentityToken: () => (++call === 1 ? Promise.reject(new Error('offline')) : (42 as unknown as string)),
    });
    api.show();
    const rejections: unknown[] = [];
    const onRej = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRej);
    fromFrame(msg('frame.needIdentity', { reason: 'boot' }));
    fromFrame(msg('frame.needIdentity', { reason: 'expired' }));
    await tick(5);
    process.off('unhandledRejection', onRej);
    expect(call).toBe(2);
    expect(types()).toEqual([]);
  });

  it('a token that arrives after shutdown is not sent to anyone', async () => {
    const { api, fromFrame, frame } = setup();
    let release!: (t: string) => void;
    api.boot({ channel: 'platform', getIdentityToken: () => new Promise<string>((r) => (release = r)) });
    api.show();
    fromFrame(msg('frame.ready'));
    fromFrame(msg('frame.needIdentity', { reason: 'boot' }));
    api.shutdown();
    release('late.jwt');
    await tick();
    expect(frame()!.win.posted.map((p) => p.data.type)).toEqual(['host.init', 'host.show', 'host.hide', 'host.shutdown']);
  });

  it('R1: no URL the loader builds ever contains a token', async () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.SECRET-PAYLOAD.sig';
    const { api, fromFrame, frames } = setup();
    api.boot({ channel: 'platform', identityToken: secret, loadOn: 'idle' });
    await tick(5);
    api.show();
    fromFrame(msg('frame.ready'));
    fromFrame(msg('frame.needIdentity', { reason: 'boot' }));
    api.update({ locale: 'pt' });
    await tick();
    api.boot({ channel: 'platform', getIdentityToken: async () => secret });
    api.show();
    fromFrame(msg('frame.needIdentity', { reason: 'boot' }));
    await tick();
    expect(frames.length).toBeGreaterThan(1);
    // The token did travel, in host.identity only…
    expect(frames.some((f) => f.win.posted.some((p) => p.data.identityToken === secret))).toBe(true);
    // …and never in an address or anywhere in the DOM.
    for (const f of frames) expect(f.el.src).not.toContain('SECRET');
    const html = [...document.querySelectorAll('*')].map((e) => e.outerHTML + (e.shadowRoot?.innerHTML ?? '')).join('');
    expect(html).not.toContain('SECRET');
  });
});

describe('shutdown', () => {
  it('tells a ready frame to forget the visitor, removes the launcher at once and the frame after delivery', () => {
    vi.useFakeTimers();
    const { api, fromFrame, types } = setup();
    api.boot({ channel: 'website' });
    api.show();
    fromFrame(msg('frame.ready'));
    api.shutdown();
    expect(types().at(-1)).toBe('host.shutdown');
    expect(widget().button).toBeNull();
    expect(widget().host).toBeDefined();
    vi.advanceTimersByTime(1000);
    expect(widget().host).toBeUndefined();
    // Nothing is left to drive.
    api.show();
    api.toggle();
    expect(widget().host).toBeUndefined();
  });

  it('loads the frame hidden to deliver host.shutdown when this page never opened it', async () => {
    const { api, frames } = setup();
    api.boot({ channel: 'login' });
    api.shutdown();
    expect(frames).toHaveLength(1);
    const { el, win } = frames[0]!;
    expect(el.hidden).toBe(true);
    expect(widget().button).toBeNull();
    expect(win.posted).toEqual([]);
    await new Promise((r) => el.addEventListener('load', r));
    expect(win.posted).toEqual([{ data: { ajuda: 1, type: 'host.shutdown' }, targetOrigin: AJUDA }]);
  });

  it('boot after shutdown starts clean (new launcher, new frame, no unread)', () => {
    const { api, fromFrame, frames } = setup();
    api.boot({ channel: 'website' });
    api.show();
    fromFrame(msg('frame.unread', { count: 2 }));
    api.shutdown();
    api.boot({ channel: 'website' });
    const launchers = [...document.body.children].filter((e) => e.shadowRoot?.querySelector('button'));
    expect(launchers).toHaveLength(1);
    expect(widget().badge?.hidden).toBe(true);
    api.show();
    expect(frames).toHaveLength(2);
  });

  it('booting again replaces the launcher without forgetting the visitor', () => {
    const { api, fromFrame, frame } = setup();
    api.boot({ channel: 'website' });
    api.show();
    fromFrame(msg('frame.ready'));
    const first = frame()!;
    api.boot({ channel: 'website', locale: 'es' });
    expect(first.win.posted.map((p) => p.data.type)).not.toContain('host.shutdown');
    expect([...document.body.children].filter((e) => e.shadowRoot)).toHaveLength(1);
    expect(widget().button?.getAttribute('aria-label')).toBe('Ayuda');
  });
});
