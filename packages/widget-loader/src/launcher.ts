// Stage 1 of the Ajuda loader, the part every host page loads at start (budget ≤ 1.5 KB gzip):
// the public API, the events, and the "?" launcher in a Shadow DOM with its accessibility. The chat
// iframe and its postMessage bridge are stage 2 (frame.ts), mounted on first open, on idle with
// `loadOn: 'idle'`, or to deliver a shutdown. The snippet build fetches stage 2 from the Ajuda origin
// (dist/loader-frame.js); the ES module entry links it in directly (loader.ts).
//
// Paranoid and tiny (DESIGN habit 9): no dependencies, no zod, written for the minifier. Fields
// ending in `_` are shared with stage 2 and renamed by the minifier, consistently in both files
// (build.mjs). Identity tokens travel only in `host.identity`, never in a URL (R1).

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
  /** Opens the panel at a help-centre article (its slug); one the reader may not see shows as not found. */
  showArticle(slug: string): void;
  hide(): void;
  toggle(): void;
  update(o: UpdateOptions): void;
  shutdown(): void;
  on(event: AjudaEvent, fn: AjudaListener): void;
  off(event: AjudaEvent, fn: AjudaListener): void;
}

/** One boot's state, shared by stage 1 and stage 2 (a new one per boot(); the old one is then `gone_`). */
export interface Boot {
  o_: BootOptions;
  /** The Ajuda origin: every postMessage is pinned to it, every received one must come from it. */
  origin_: string;
  locale_: AjudaLocale;
  theme_: AjudaTheme;
  open_: boolean;
  unread_: number;
  host_: HTMLElement;
  root_: ShadowRoot;
  /** 1: replaced by another boot(); 2: shut down (the frame is still told to forget the visitor). */
  gone_?: 1 | 2;
  /** Stage 2 was asked for (loading or mounted); 0 again when fetching it failed. */
  asked_?: 0 | 1;
  /** The frame said frame.ready. */
  ready_?: 1;
  /** A help-centre article asked for (Ajuda('showArticle', slug)), until stage 2 has sent it (host.article). */
  a_?: unknown;
  /** Stage 2's iframe, once mounted. */
  el_?: HTMLIFrameElement;
  /**
   * Stage 2's sender, once mounted: syncs the panel's visibility with `open_`, and posts `host.<type>`
   * once the frame is ready (host.shutdown: once it has loaded).
   */
  tell_?: (type: 'show' | 'hide' | 'update' | 'shutdown', m?: object) => void;
  set_: (open: boolean) => void;
  emit_: (e: AjudaEvent, v?: unknown) => void;
  paint_: () => void;
}
/**
 * Stage 2 for boot `x`: mounts the iframe and its bridge and sets `x.tell_`, unless `x` was replaced
 * meanwhile (a shut-down boot still gets its frame, to be told to forget the visitor). Stage 1 gets it
 * at once (ES module: mountFrame itself) or through the snippet's loadFrame, which fetches
 * dist/loader-frame.js and clears `x.asked_` if that fails.
 */
export type MountFrame = (x: Boot) => void;

// The launcher labels, hardcoded: the i18n catalogs would blow the size budget (R11). While the
// panel is open the launcher is its close (×) button and says so.
export const LABELS: Record<string, string> = { pt: 'Ajuda', en: 'Help', es: 'Ayuda' };
const CLOSE: Record<string, string> = { pt: 'Fechar ajuda', en: 'Close help', es: 'Cerrar ayuda' };
const LOCALE = /^(pt|en|es)$/;
// Same rule as CssColor in @ajuda/protocol: a theme can never inject CSS (it is written into our
// stylesheet), and the frame would refuse host.init otherwise.
const COLOR = /^(#([\da-f]{3,4}|[\da-f]{6}|[\da-f]{8})|[a-z]{3,24}|(rgb|hsl)a?\([\d.,%\s/deg]+\))$/i;
const CHANNEL = /^(platform|login|website)$/;

// Scoped both ways: the shadow root keeps page CSS out and ours in; `all:initial` stops inherited page styles.
// `.w` is the launcher button (the unread badge `.b` sits inside it), `.p` the panel (stage 2 adds its size).
// The side (right/left) and the accent colour are appended by paint().
const CSS =
  ':host{all:initial}' +
  '.w,.p{position:fixed;z-index:2147483647;bottom:20px;border:0}' +
  '.w{width:56px;height:56px;border-radius:50%;color:#fff;font:24px system-ui;cursor:pointer}' +
  '.b{position:absolute;top:0;right:0;padding:0 5px;border-radius:9px;background:#c00;font:12px/18px system-ui}';

/** `x` when it is a non-empty string, else falsy: what crosses the bridge is checked by type, never coerced. */
export const str = (x: unknown) => x === '' + x && (x as string);

const pickLocale = (l: unknown) => str(l) && LOCALE.test(l as string) && (l as AjudaLocale);

/** Keeps only theme fields the bridge accepts. Strings only: an object's toString() could say anything later. */
const cleanTheme = (t?: AjudaTheme): AjudaTheme => {
  const p = t?.primary;
  const q = t?.position;
  return { primary: str(p) && COLOR.test(p!) ? p : undefined, position: q === 'left' || q === 'right' ? q : undefined };
};

/**
 * Stage 1: an independent loader instance; `load` mounts its iframe part (stage 2).
 * `defaultOrigin` is the Ajuda origin, or any URL on it (the snippet passes its own script URL).
 * @example
 * const ajuda = createLauncher('https://help.example.com', mountFrame);
 * ajuda.boot({ channel: 'website' });
 */
export function createLauncher(defaultOrigin: string | undefined, load: MountFrame): AjudaApi {
  const doc = document;
  let listeners: [AjudaEvent, AjudaListener][] = [];
  // Each listener runs in its own task: a broken host handler cannot break the widget or the others.
  const emit = (e: AjudaEvent, v?: unknown) => {
    listeners.map(([k, f]) => k == e && setTimeout(f, 0, v));
  };

  // The current boot (undefined before boot and after shutdown) and its launcher.
  let b: Boot | undefined;
  let sheet: CSSStyleSheet;
  let btn: HTMLElement;
  let badge: HTMLElement;

  const paint = () => {
    const { theme_: t, unread_: n, locale_: l, open_: o } = b!;
    sheet.replaceSync(`${CSS}.w,.p{${t.position || 'right'}:20px}.w{background:${t.primary || '#1f5eff'}}`);
    btn.setAttribute('aria-label', (o ? CLOSE : LABELS)[l] + (n ? ` (${n})` : ''));
    // setAttribute makes the boolean its text ("true" / "false").
    btn.setAttribute('aria-expanded', o as unknown as string);
    (btn.firstChild as Text).data = o ? '×' : '?';
    badge.textContent = (n || '') as string;
    badge.hidden = !n;
  };

  /** Asks stage 2 for boot `x`'s frame, once. */
  const need = (x: Boot) => {
    if (!x.asked_) {
      x.asked_ = 1;
      load(x);
    }
  };

  /** Opens (true) or closes (false) the panel. */
  const set = (v: boolean) => {
    const x = b;
    if (!x) return;
    if (v != x.open_) {
      // Focus returns to the launcher only if it was inside the widget: a programmatic hide() must not steal it.
      const inside = doc.activeElement == x.host_;
      x.open_ = v;
      paint();
      emit(v ? 'open' : 'close');
      if (!v && inside) btn.focus();
    }
    // Told even when unchanged: stage 2 sends an article asked for meanwhile with host.show.
    x.tell_?.(v ? 'show' : 'hide');
    // Stage 2 is asked for once the panel is open, so it mounts the frame as an open panel's.
    if (v) need(x), x.el_?.focus();
  };

  return {
    boot(opts) {
      let origin;
      try {
        origin = new URL(opts.ajudaOrigin || defaultOrigin!).origin;
      } catch {
        /* invalid or missing: refused below */
      }
      if (!origin || !CHANNEL.test(opts.channel)) return console.error('Ajuda: bad boot');
      // Booting again replaces the launcher (and its frame) quietly; only shutdown() forgets the visitor.
      if (b) {
        b.gone_ = 1;
        b.host_.remove();
      }
      const host = doc.createElement('div');
      const root = host.attachShadow({ mode: 'open' });
      const x: Boot = (b = {
        o_: opts,
        origin_: origin,
        locale_: pickLocale(opts.locale) || pickLocale(navigator.language.slice(0, 2)) || 'en',
        theme_: cleanTheme(opts.theme),
        open_: false,
        unread_: 0,
        host_: host,
        root_: root,
        set_: set,
        emit_: emit,
        paint_: paint,
      });
      // A constructed stylesheet, not a <style> element: host pages need no style-src exception in their CSP.
      root.adoptedStyleSheets = [(sheet = new CSSStyleSheet())];
      root.innerHTML = '<button class=w>?<span class=b aria-hidden=true></span></button>';
      btn = root.firstChild as HTMLElement;
      badge = btn.lastChild as HTMLElement;
      paint();
      btn.onclick = () => set(!x.open_);
      (doc.body || doc.documentElement).append(host);
      if (opts.loadOn == 'idle') (self.requestIdleCallback || setTimeout)(() => need(x));
    },
    show: () => set(true),
    // Stage 2 sends `a_` as host.article with the next host.show, once the frame is ready (the frame checks it).
    showArticle(s) {
      b && (b.a_ = s);
      set(true);
    },
    hide: () => set(false),
    toggle: () => set(!b?.open_),
    update(u) {
      const x = b;
      if (!x) return;
      x.locale_ = pickLocale(u?.locale) || x.locale_;
      x.theme_ = cleanTheme(u?.theme || x.theme_);
      paint();
      x.tell_?.('update', { locale: x.locale_, theme: x.theme_ });
    },
    shutdown() {
      const x = b;
      if (!x) return;
      set(false);
      btn.remove();
      // From now on the frame's messages are ignored, and a late identity token goes nowhere.
      x.gone_ = 2;
      b = undefined;
      // The visitor token lives in the frame's storage: to forget it the frame must hear host.shutdown,
      // so mount the frame (hidden) if this page never did; it is told once it has loaded.
      x.tell_ ? x.tell_('shutdown') : need(x);
      // Removal waits for delivery.
      setTimeout(() => x.host_.remove(), x.ready_ ? 500 : 1e4);
    },
    on(e, f) {
      listeners.push([e, f]);
    },
    off(e, f) {
      listeners = listeners.filter(([k, g]) => k != e || g != f);
    },
  };
}
