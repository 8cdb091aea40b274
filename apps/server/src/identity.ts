import { errors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { containsNul } from '@ajuda/protocol';
import type { IdentityKey } from './config.ts';

/** The claims Ajuda reads from a host platform's identity token. */
const Claims = z.object({
  sub: z.string().min(1).max(128),
  realm: z.string().min(1).max(128),
  exp: z.number(),
  name: z.string().max(200).optional(),
  email: z.string().max(200).optional(),
  locale: z.string().max(20).optional(),
  perms: z.array(z.string().max(100)).max(100).optional(),
});
export type IdentityClaims = z.infer<typeof Claims>;

export type IdentityResult = { ok: true; claims: IdentityClaims } | { ok: false; code: 'auth_failed' | 'token_expired' };

/**
 * Verify an identity token (R1): HS256 only, key chosen by `kid` (so keys rotate), `exp`,
 * `sub` and `realm` required. Anything else — `alg: none`, an unknown kid, a bad signature,
 * altered claims — is refused.
 *
 * @example const r = await verifyIdentity(token, config.identityKeys);
 */
export async function verifyIdentity(token: string, keys: readonly IdentityKey[], now = new Date()): Promise<IdentityResult> {
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = keys.find((k) => k.kid === header.kid);
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key.secret;
      },
      { algorithms: ['HS256'], requiredClaims: ['exp', 'sub', 'realm'], currentDate: now, clockTolerance: 5 },
    );
    const claims = Claims.safeParse(payload satisfies JWTPayload);
    // Text never holds U+0000 (see containsNul): such a token is refused like a malformed one.
    if (!claims.success || containsNul(claims.data)) return { ok: false, code: 'auth_failed' };
    // The tolerance above absorbs clock skew on iat/nbf only: past `exp` a token opens no session,
    // the same instant its open sessions end (R1; no replay window after expiry).
    if (claims.data.exp * 1000 <= now.getTime()) return { ok: false, code: 'token_expired' };
    return { ok: true, claims: claims.data };
  } catch (e) {
    return { ok: false, code: e instanceof errors.JWTExpired ? 'token_expired' : 'auth_failed' };
  }
}

/**
 * The owner key of a signed-in realm user: every requester lookup (conversation list, start
 * idempotency, live topic, rate buckets) is scoped by it, so distinct (realm, user) pairs must never
 * share one (R7). The realm is percent-escaped for `%` and `:`, so the first `:` after `u:` always
 * ends it and the user id follows verbatim: injective for any strings. Ordinary realm ids (no `:` or
 * `%`) keep the original `u:<realm>:<user>` form, so stored conversations stay their owner's; rows of
 * other realms are re-keyed by the `0002_owner_key_escape` migration with the same escaping.
 *
 * @example realmUserOwnerKey('acme:x', 'y') // 'u:acme%3Ax:y' — not realmUserOwnerKey('acme', 'x:y') = 'u:acme:x:y'
 */
export function realmUserOwnerKey(realm: string, sub: string): string {
  return `u:${realm.replaceAll('%', '%25').replaceAll(':', '%3A')}:${sub}`;
}

/** The owner key of a visitor (its id is minted by the server). */
export function visitorOwnerKey(visitorId: string): string {
  return `v:${visitorId}`;
}
