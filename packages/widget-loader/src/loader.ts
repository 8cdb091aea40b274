// The Ajuda loader: runs on the customer's page. It draws the "?" launcher in a Shadow DOM, creates
// the chat iframe lazily, and talks to it over postMessage (the bridge: @ajuda/protocol bridge.ts).
//
// Paranoid and tiny (DESIGN habit 9): no dependencies, no zod (budget ≤ 1.5 KB gzip, so the code is
// written for the minifier), every postMessage pinned to the Ajuda origin, every received message
// checked for exact origin, exact source window and shape; anything else is ignored. Identity
// tokens travel only in `host.identity`, never in a URL (R1).

/** Languages the widget speaks (R11). */
export type AjudaLocale = 'pt' | 'en' | 'es';
/** Where the widget is embedded (R1). */
export type AjudaChannel = 'platform' | 'login' | 'website';
export interface AjudaTheme {
  /** Accent colour: #hex, a named colour, rgb()/hsl() with numbers. Anything else is dropped. */
  primary?: string;
  position?: 'right' | 'left';
}
export interface BootOptions {
  channel: AjudaChannel;
  /** The Ajuda server's origin, e.g. "https://help.example.com". The snippet derives it from its own script URL. */
  ajudaOrigin?: string;
  /** A static identity token signed by your platform (channel `platform`). */
  identityToken?: string;
  /** Preferred over identityToken: returns a fresh identity token; called at boot and whenever the token expired. */
  getIdentityToken?: () => Promise<string> | string;
  locale?: AjudaLocale;
  theme?: AjudaTheme;
  /** When to load the chat iframe: on first open (default) or as soon as the browser is idle. */
  loadOn?: 'open' | 'idle';
}
export type UpdateOptions = { locale?: AjudaLocale; theme?: AjudaTheme };
/** `open`, `close`, `unreadCountChange` (count: number), `conversationStarted` (conversationId: string). */
export type AjudaEvent = 'open' | 'close' | 'unreadCountChange' | 'conversationStarted';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AjudaListener = (arg?: any) => void;

export interface AjudaApi {
  boot(o: BootOptions): void;
  show(): void;
  hide(): void;
  toggle(): void;
  update(o: UpdateOptions): void;
  shutdown(): void;
  on(event: AjudaEvent, fn: AjudaListener): void;
  off(event: AjudaEvent, fn: AjudaListener): void;
}

// The launcher labels, hardcoded: the i18n catalogs would blow the size budget (R11).
const LABELS: Record<string, string> = { pt: 'Ajuda', en: 'Help', es: 'Ayuda' };
const LOCALE = /^(pt|en|es)$/;
// Same rule as CssColor in @ajuda/protocol: a theme can never inject CSS (it is written into our
// stylesheet), and the frame would refuse host.init otherwise.
const COLOR = /^(#([\da-f]{3,4}|[\da-f]{6}|[\da-f]{8})|[a-z]{3,24}|(rgb|hsl)a?\([\d.,%\s/deg]+\))$/i;
const CHANNEL = /^(platform|login|website)$/;

// Scoped both ways: the shadow root keeps page CSS out and ours in; `all:initial` stops inherited page styles.
// The side (right/left) and the accent colour are appended by paint().
const CSS =
  ':host{all:initial}' +
  '.w,.p{position:fixed;z-index:2147483647;bottom:20px}' +
  '.l{width:56px;height:56px;border-radius:50%;border:0;color:#fff;font:24px system-ui;cursor:pointer}' +
  '.b{position:absolute;top:0;right:0;padding:0 5px;border-radius:9px;background:#c00;color:#fff;font:12px/18px system-ui}' +
  '.p{bottom:88px;width:380px;height:600px;max-height:80vh;border:0;border-radius:9px;box-shadow:0 4px 24px #0005}' +
  '@media(max-width:480px){.p{inset:0;width:100%;height:100%;max-height:none}}';

const pickLocale = (l: unknown) => (LOCALE.test(l as string) ? (l as AjudaLocale) : undefined);

/** Keeps only theme fields the bridge accepts (strings only: `p === '' + p`). */
const cleanTheme = (t?: AjudaTheme): AjudaTheme => {
  const p = t?.primary;
  const q = t?.position;
  return { primary: p === '' + p && COLOR.test(p) ? p : undefined, position: q == 'left' || q == 'right' ? q : undefined };
};

/**
 * Creates an independent loader instance (the snippet and the ESM entry each make one).
 * @example
 * const ajuda = createAjuda('https://help.example.com');
 * ajuda.boot({ channel: 'website' });
 */
export function createAjuda(defaultOrigin?: string): AjudaApi {
  const doc = document;
  const listeners: Partial<Record<AjudaEvent, AjudaListener[]>> = {};
  // Each listener runs in its own task: a broken host handler cannot break the widget or the others.
  const emit = (e: AjudaEvent, v?: unknown) => listeners[e]?.map((f) => setTimeout(f, 0, v));

  // State of the current boot; `o` is undefined when not booted (or after shutdown).
  let o: BootOptions | undefined;
  let origin: string;
  let locale: AjudaLocale;
  let theme: AjudaTheme;
  let host: HTMLElement | undefined;
  let sheet: CSSStyleSheet;
  let root: ShadowRoot;
  let box: HTMLElement;
  let btn: HTMLElement;
  let badge: HTMLElement;
  let frame: HTMLIFrameElement | undefined;
  let ready: unknown;
  let open: boolean;
  let unread: number;

  const paint = () => {
    sheet.replaceSync(`${CSS}.w,.p{${theme.position || 'right'}:20px}.l{background:${theme.primary || '#1f5eff'}}`);
    btn.setAttribute('aria-label', LABELS[locale] + (unread ? ` (${unread})` : ''));
    badge.textContent = '' + unread;
    badge.hidden = !unread;
  };

  const post = (type: string, m?: object) =>
    // Pinned targetOrigin: only the Ajuda origin can receive it (never '*').
    frame?.contentWindow?.postMessage({ ...m, ajuda: 1, type }, origin);

  const makeFrame = () => {
    if (!frame) {
      frame = doc.createElement('iframe');
      frame.className = 'p';
      frame.hidden = !open;
      frame.title = LABELS[locale]!;
      // R1: channel, host origin and locale only; a token never goes in a URL.
      frame.src = `${origin}/widget/frame/?channel=${o!.channel}&host=${encodeURIComponent(location.origin)}&locale=${locale}`;
      root.prepend(frame);
    }
    return frame;
  };

  /** Opens (true) or closes (false) the panel. */
  const set = (v: boolean) => {
    if (!o) return;
    if (v) makeFrame();
    if (v != open) {
      open = v;
      frame!.hidden = !v;
      btn.setAttribute('aria-expanded', '' + v);
      if (ready) post(v ? 'host.show' : 'host.hide');
      emit(v ? 'open' : 'close');
      // Focus returns to the launcher only if it was inside the widget: a programmatic hide() must not steal it.
      if (!v && doc.activeElement == host) btn.focus();
    }
    if (v) frame!.focus();
  };

  const identity = async (reason: string) => {
    const opts = o!;
    const get = opts.getIdentityToken;
    // A static token that expired cannot become valid again: only a getter helps then.
    const token = get ? await get() : reason == 'boot' && opts.identityToken;
    // Still the same boot (not shut down meanwhile), and a string: then it goes to our frame only.
    if (token && token === '' + token && opts == o) post('host.identity', { identityToken: token });
  };

  window.addEventListener('message', (e) => {
    const d = e.data;
    const t = d && d.ajuda === 1 && d.type;
    // R1/R7: only our own frame may drive the launcher or ask for the identity token.
    if (e.origin !== origin || !frame || e.source !== frame.contentWindow || !t) return;
    if (t == 'frame.ready') {
      ready = 1;
      post('host.init', { channel: o!.channel, locale, theme, hostOrigin: location.origin });
      if (open) post('host.show');
    }
    if (t == 'frame.needIdentity' && /^(boot|expired)$/.test(d.reason)) void identity(d.reason);
    if (t == 'frame.open') set(true);
    if (t == 'frame.close') set(false);
    if (t == 'frame.unread' && d.count === d.count >>> 0 && d.count != unread) {
      unread = d.count;
      paint();
      emit('unreadCountChange', unread);
    }
    const id = d.conversationId;
    if (t == 'frame.conversationStarted' && id && id === '' + id) emit('conversationStarted', id);
  });

  return {
    boot(opts) {
      let orig;
      try {
        orig = new URL(opts.ajudaOrigin || defaultOrigin!).origin;
      } catch {
        /* invalid or missing: refused below */
      }
      if (!orig || !CHANNEL.test(opts.channel)) return console.error('Ajuda: bad boot');
      // Booting again replaces the launcher quietly; only shutdown() forgets the visitor.
      host?.remove();
      o = opts;
      origin = orig;
      locale = pickLocale(opts.locale) || pickLocale(navigator.language.slice(0, 2)) || 'en';
      theme = cleanTheme(opts.theme);
      frame = ready = undefined;
      open = false;
      unread = 0;
      root = (host = doc.createElement('div')).attachShadow({ mode: 'open' });
      // A constructed stylesheet, not a <style> element: host pages need no style-src exception in their CSP.
      root.adoptedStyleSheets = [(sheet = new CSSStyleSheet())];
      root.innerHTML = '<div class=w><button class=l aria-expanded=false>?</button><span class=b aria-hidden=true hidden></span></div>';
      box = root.firstChild as HTMLElement;
      btn = box.firstChild as HTMLElement;
      badge = box.lastChild as HTMLElement;
      paint();
      btn.onclick = () => set(!open);
      root.addEventListener('keydown', (e) => (e as KeyboardEvent).key == 'Escape' && set(false));
      (doc.body || doc.documentElement).append(host);
      if (opts.loadOn == 'idle') (window.requestIdleCallback || setTimeout)(makeFrame);
    },
    show: () => set(true),
    hide: () => set(false),
    toggle: () => set(!open),
    update(u) {
      if (!o) return;
      locale = pickLocale(u?.locale) || locale;
      theme = cleanTheme(u?.theme || theme);
      paint();
      if (ready) post('host.update', { locale, theme });
    },
    shutdown() {
      if (!o) return;
      set(false);
      box.remove();
      // The visitor token lives in the frame's storage: to forget it the frame must hear host.shutdown,
      // so load the frame (hidden) if this page never did, and tell it once it has loaded.
      const f = makeFrame();
      const h = host!;
      const to = origin;
      const bye = () => f.contentWindow?.postMessage({ ajuda: 1, type: 'host.shutdown' }, to);
      ready ? bye() : (f.onload = bye);
      // Removal waits for delivery. From now on the old frame's messages are ignored (frame is cleared).
      setTimeout(() => h.remove(), ready ? 500 : 1e4);
      o = frame = host = undefined;
    },
    on(e, f) {
      (listeners[e] ||= []).push(f);
    },
    off(e, f) {
      listeners[e] = listeners[e]?.filter((g) => g !== f);
    },
  };
}
