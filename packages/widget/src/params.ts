import type { Channel, Locale } from '@ajuda/protocol';
import { CHANNELS, LOCALES, WEB_ORIGIN } from './guards.ts';

/** What the iframe URL says: `/widget/frame/?channel=<c>&host=<origin>&locale=<l>[&preload=1]`. */
export interface FrameParams {
  channel: Channel;
  /** The host page origin: the only targetOrigin we post to and the only origin we accept (DESIGN habit 9). */
  hostOrigin: string;
  locale: Locale | null;
  /**
   * The loader created this frame while the panel was closed (loadOn 'idle', or only to deliver
   * host.shutdown): it opens no socket until the panel is shown, unless there is something to watch.
   */
  preload?: boolean;
}

/**
 * Reads the iframe's query string. Returns null when `channel` or `host` is missing or malformed:
 * without a pinned host origin the frame must not talk to anyone.
 * @example parseFrameParams('?channel=login&host=https%3A%2F%2Fshop.example&locale=pt')
 */
export function parseFrameParams(search: string): FrameParams | null {
  const q = new URLSearchParams(search);
  const channel = q.get('channel') as Channel;
  const host = q.get('host') ?? '';
  const locale = q.get('locale') as Locale;
  // Same shape as the bridge's WebOrigin: scheme://host[:port], nothing else.
  if (!CHANNELS.includes(channel) || !WEB_ORIGIN.test(host)) return null;
  return { channel, hostOrigin: host, locale: LOCALES.includes(locale) ? locale : null, ...(q.get('preload') === '1' ? { preload: true } : {}) };
}
