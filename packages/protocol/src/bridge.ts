import { z } from 'zod';
import { Channel, Id, Locale } from './common.ts';

// The iframe ↔ host-page bridge: every window.postMessage between the loader (on the customer's
// page) and the widget app (inside the iframe served from the Ajuda origin).
//
// Rules both sides follow (DESIGN habit 9):
// - send with a pinned targetOrigin, never '*';
// - on receive check event.origin AND event.source (the exact window), then the shape below;
//   anything else is ignored silently;
// - identity tokens only ever travel in `host.identity`, never in a URL (R1: only a verified
//   token makes a requester authenticated, so it must not leak through logs, Referer or history).
//
// The loader validates by hand (no zod on customer pages: size budget); these schemas are the
// reference it is tested against, and what the widget app uses.

/** Namespace marker: every bridge message carries `ajuda: 1`, so unrelated postMessage traffic is ignored. */
export const BRIDGE_NS = 1 as const;

const msg = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ ajuda: z.literal(BRIDGE_NS), type: z.literal(type), ...shape });

/**
 * A CSS colour the host may pass as the accent: hex (#rgb, #rgba, #rrggbb, #rrggbbaa), a named
 * colour, or rgb()/rgba()/hsl()/hsla() with digits only. Anything else (url(), var(), `;`, `}`) is
 * refused so a theme can never inject CSS.
 */
export const CssColor = z
  .string()
  .max(64)
  .regex(/^(#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,24}|(?:rgba?|hsla?)\([0-9.,%\s/deg]+\))$/, 'invalid_color');

/** Visual options the host may set. */
export const BridgeTheme = z.object({
  primary: CssColor.optional(),
  position: z.enum(['right', 'left']).optional(),
});
export type BridgeTheme = z.infer<typeof BridgeTheme>;

/** A web origin: scheme://host[:port], no path. */
export const WebOrigin = z
  .string()
  .max(300)
  .regex(/^https?:\/\/[^/\s?#]+$/, 'invalid_origin');

// ───────────── host (loader) → frame (widget app) ─────────────

/**
 * First message after `frame.ready`: which channel the page embeds (R1) and its preferences.
 * `hostOrigin` is the page's location.origin, as the loader sees it (the frame also gets it in its URL
 * and checks that both agree, then pins every postMessage to it).
 */
export const HostInit = msg('host.init', {
  channel: Channel,
  locale: Locale.optional(),
  theme: BridgeTheme.optional(),
  hostOrigin: WebOrigin,
});
/** The host platform's identity token (R1, R4). Sent in reply to `frame.needIdentity`, and whenever a new one is obtained. */
export const HostIdentity = msg('host.identity', { identityToken: z.string().min(1).max(8192) });
/** The panel became visible (the frame may focus its composer and mark messages read). */
export const HostShow = msg('host.show', {});
/** The panel was hidden. */
export const HostHide = msg('host.hide', {});
/** Locale or theme changed on the host page. */
export const HostUpdate = msg('host.update', { locale: Locale.optional(), theme: BridgeTheme.optional() });
/** Logout on the host: forget the visitor on this browser (drop the stored visitor token, close the socket). */
export const HostShutdown = msg('host.shutdown', {});
/** `Ajuda('showArticle', slug)`: open the panel at that help-centre article (one the reader may not see shows as not found). */
export const HostArticle = msg('host.article', { slug: z.string().min(1).max(200) });

export const HostToFrame = z.discriminatedUnion('type', [HostInit, HostIdentity, HostShow, HostHide, HostUpdate, HostShutdown, HostArticle]);
export type HostToFrame = z.infer<typeof HostToFrame>;

// ───────────── frame (widget app) → host (loader) ─────────────

/** The widget app has loaded and listens; the loader answers with `host.init`. */
export const FrameReady = msg('frame.ready', {});
/**
 * The frame needs an identity token: at boot, or because the server said the previous one expired.
 * The loader answers with `host.identity` when the page gave `identityToken` / `getIdentityToken`
 * (channel `platform`), and stays silent otherwise (the requester stays anonymous).
 */
export const FrameNeedIdentity = msg('frame.needIdentity', { reason: z.enum(['boot', 'expired']) });
/** The user asked, inside the frame, to open the panel (e.g. a deep link). */
export const FrameOpen = msg('frame.open', {});
/** The user asked, inside the frame, to close the panel (close button or Escape inside the frame). */
export const FrameClose = msg('frame.close', {});
/** Unread messages from agents, for the launcher badge. */
export const FrameUnread = msg('frame.unread', { count: z.number().int().min(0).max(9999) });
/** A conversation was created; its id is always visible to the requester (R13). */
export const FrameConversationStarted = msg('frame.conversationStarted', { conversationId: Id });
/** Optional: the frame's preferred panel height in CSS pixels (the loader clamps it to the viewport). */
export const FrameResize = msg('frame.resize', { height: z.number().int().min(200).max(2000) });

export const FrameToHost = z.discriminatedUnion('type', [
  FrameReady,
  FrameNeedIdentity,
  FrameOpen,
  FrameClose,
  FrameUnread,
  FrameConversationStarted,
  FrameResize,
]);
export type FrameToHost = z.infer<typeof FrameToHost>;

/** Any bridge message, either direction. */
export const BridgeMessage = z.union([HostToFrame, FrameToHost]);
export type BridgeMessage = z.infer<typeof BridgeMessage>;

/**
 * True when `data` is a well-formed bridge message (either direction). Check the event's origin
 * and source window first; this only checks the shape.
 * @example
 * window.addEventListener('message', (e) => {
 *   if (e.origin !== hostOrigin || e.source !== window.parent || !isBridgeMessage(e.data)) return;
 *   ...
 * });
 */
export function isBridgeMessage(data: unknown): data is BridgeMessage {
  return BridgeMessage.safeParse(data).success;
}

/**
 * Parses a message the frame received from the host; `null` when malformed.
 * @example const m = parseHostToFrame(event.data); if (m?.type === 'host.identity') hello(m.identityToken);
 */
export function parseHostToFrame(data: unknown): HostToFrame | null {
  const r = HostToFrame.safeParse(data);
  return r.success ? r.data : null;
}

/**
 * Parses a message the host received from the frame; `null` when malformed.
 * @example const m = parseFrameToHost(event.data);
 */
export function parseFrameToHost(data: unknown): FrameToHost | null {
  const r = FrameToHost.safeParse(data);
  return r.success ? r.data : null;
}

/**
 * Builds a frame → host message with the namespace marker.
 * @example window.parent.postMessage(frameMessage({ type: 'frame.unread', count: 2 }), hostOrigin);
 */
export function frameMessage<M extends WithoutNs<FrameToHost>>(m: M): M & { ajuda: typeof BRIDGE_NS } {
  return { ...m, ajuda: BRIDGE_NS };
}

/** A bridge message type without its namespace marker (distributes over unions). */
export type WithoutNs<T> = T extends unknown ? Omit<T, 'ajuda'> : never;
