// Stage 2 of the Ajuda loader (dist/loader-frame.js for the snippet; linked in for the ES module):
// the chat iframe and the postMessage bridge (@ajuda/protocol bridge.ts) for one boot.
//
// Every postMessage is pinned to the Ajuda origin (never '*'); every received message must come
// from the Ajuda origin AND from our own iframe's window AND have the bridge's shape, or it is
// ignored (DESIGN habit 9). Identity tokens travel only in `host.identity`, never in a URL (R1).
import { LABELS, str, type Boot, type MountFrame } from './launcher.ts';

// The panel's size and look (stage 1's stylesheet has its position, side and stacking). Above the
// launcher, never taller than the window. On a phone (narrow, or short in landscape) the open panel
// takes the whole screen and the launcher steps aside: nothing of the host lies over the panel (its
// Send button), and the panel's header has its own close button.
const CSS =
  '.p{bottom:88px;width:380px;height:min(600px,calc(100vh - 108px));border-radius:9px;box-shadow:0 4px 24px #0005}' +
  '@media(max-width:480px),(max-height:480px){.p{inset:0;width:100%;height:100%;border-radius:0}.w[aria-expanded=true]{display:none}}';

/**
 * Creates boot `x`'s iframe in its shadow root, answers the frame, and gives stage 1 its sender `x.tell_`.
 * @example mountFrame(boot); boot.tell_?.('update', { locale: 'es' });
 */
export const mountFrame: MountFrame = (x) => {
  // Replaced by another boot before stage 2 arrived: its launcher is gone, nothing to mount.
  if (x.gone_ == 1) return;
  const doc = document;
  const root = x.root_;
  const el = (x.el_ = doc.createElement('iframe'));
  const post = (type: string, m?: object) => el.contentWindow?.postMessage({ ...m, ajuda: 1, type }, x.origin_);

  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  el.className = 'p';
  el.hidden = !x.open_;
  el.title = LABELS[x.locale_]!;
  // "Copy conversation ID" (R13): Chromium refuses the clipboard to a cross-origin frame without it.
  el.allow = 'clipboard-write';
  // R1: channel, host origin and locale only; a token never goes in a URL. (An origin is scheme, host
  // and port only: nothing in it needs escaping in a query string.) `preload=1`: created while the
  // panel is closed (on idle, or for a shutdown), so the frame waits for host.show to connect.
  el.src = `${x.origin_}/widget/frame/?channel=${x.o_.channel}&host=${location.origin}&locale=${x.locale_}${x.open_ ? '' : '&preload=1'}`;
  // After the launcher: next in focus order, and painted over it where they overlap.
  root.append(el);
  // Stage 2 may arrive after the user opened the panel (snippet): the panel takes focus then.
  if (x.open_) el.focus();

  // Escape on the launcher closes the open panel (in the panel, the frame asks for it: frame.close).
  // Key events in the shadow root are composed: they reach the host element. Only Escape is ours:
  // the handler returns nothing, since returning false would cancel every other key (Enter and
  // Space activate the launcher, Tab moves on).
  x.host_.onkeydown = (e) => {
    e.key == 'Escape' && x.set_(false);
  };

  const identity = async (reason: string) => {
    const get = x.o_.getIdentityToken;
    // A static token that expired cannot become valid again: only a getter helps then.
    const token = str(get ? await get() : reason == 'boot' && x.o_.identityToken);
    // Still this boot (not shut down or replaced meanwhile), and a string: then it goes to our frame only.
    if (token && !x.gone_) post('host.identity', { identityToken: token });
  };

  addEventListener('message', (e) => {
    const d = e.data;
    const t = d && d.ajuda === 1 && d.type;
    const w = el.contentWindow;
    // R1/R7: only our own frame, of this live boot, may drive the launcher or ask for the identity token.
    if (x.gone_ || e.origin !== x.origin_ || !w || e.source !== w || !t) return;
    if (t == 'frame.ready') {
      x.ready_ = 1;
      post('host.init', { channel: x.o_.channel, locale: x.locale_, theme: x.theme_, hostOrigin: location.origin });
      if (x.open_) x.tell_!('show');
    }
    if (t == 'frame.needIdentity' && (d.reason === 'boot' || d.reason === 'expired')) void identity(d.reason);
    if (t == 'frame.open') x.set_(true);
    if (t == 'frame.close') x.set_(false);
    const n = d.count;
    if (t == 'frame.unread' && n === n >>> 0 && n != x.unread_) {
      x.unread_ = n;
      x.paint_();
      x.emit_('unreadCountChange', n);
    }
    const id = str(d.conversationId);
    if (t == 'frame.conversationStarted' && id) x.emit_('conversationStarted', id);
  });

  x.tell_ = (type, m) => {
    el.hidden = !x.open_;
    const t = 'host.' + type;
    // host.shutdown must reach a frame that never said frame.ready: it goes as soon as the frame has loaded.
    x.ready_ ? post(t, m) : type == 'shutdown' && (el.onload = () => post(t));
    // Ajuda('showArticle', slug): once the frame is ready, after host.show; sent once.
    if (x.ready_ && x.a_) post('host.article', { slug: x.a_ }), (x.a_ = 0);
  };
  // Shut down before stage 2 arrived: the frame loads hidden only to be told to forget the visitor.
  if (x.gone_) x.tell_('shutdown');
};
