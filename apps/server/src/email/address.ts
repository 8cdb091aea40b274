import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed per-conversation reply addresses: `reply+<conversationId>.<kid>.<mac>@<domain>`, where
 * `mac` is the first 80 bits of HMAC-SHA256(key[kid], conversationId) in lowercase hex. A forged or
 * altered address is refused from its text alone (no lookup); keys rotate by kid (the first key
 * signs, every listed key verifies). Lowercase throughout: relays may fold the local part's case.
 *
 * @example replyAddress('C7QK2M', keys, 'mail.example.com') // 'reply+c7qk2m.k1.3f…@mail.example.com'
 */
export interface ReplyKey {
  kid: string;
  secret: string;
}

function mac(key: ReplyKey, conversationId: string): string {
  return createHmac('sha256', key.secret).update(conversationId.toUpperCase()).digest('hex').slice(0, 20);
}

export function replyAddress(conversationId: string, keys: readonly ReplyKey[], domain: string): string {
  const key = keys[0];
  if (!key) throw new Error('no reply key');
  return `reply+${conversationId.toLowerCase()}.${key.kid}.${mac(key, conversationId)}@${domain}`;
}

export type ReplyCheck = { ok: true; conversationId: string } | { ok: false; reason: 'not_reply' | 'malformed' | 'unknown_key' | 'bad_mac' | 'wrong_domain' };

/** Check one recipient address: the conversation it names when its signature holds. */
export function verifyReplyAddress(address: string, keys: readonly ReplyKey[], domain: string): ReplyCheck {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at < 0) return { ok: false, reason: 'malformed' };
  const local = a.slice(0, at);
  if (!local.startsWith('reply+')) return { ok: false, reason: 'not_reply' };
  if (a.slice(at + 1) !== domain.toLowerCase()) return { ok: false, reason: 'wrong_domain' };
  const m = /^reply\+([a-z0-9_-]{1,64})\.([a-z0-9]{1,8})\.([0-9a-f]{20})$/.exec(local);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, conv, kid, given] = m as unknown as [string, string, string, string];
  const key = keys.find((k) => k.kid === kid);
  if (!key) return { ok: false, reason: 'unknown_key' };
  const want = Buffer.from(mac(key, conv), 'hex');
  if (!timingSafeEqual(want, Buffer.from(given, 'hex'))) return { ok: false, reason: 'bad_mac' };
  return { ok: true, conversationId: conv.toUpperCase() };
}
