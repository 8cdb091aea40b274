import { SignJWT } from 'jose';
import type { DemoUser } from './users.ts';

/** The key the platform shares with Ajuda (AJUDA_IDENTITY_KEYS on the server). */
export interface IdentityKey {
  kid: string;
  secret: Uint8Array | string;
}

/** How long an identity token lives: short, the widget asks for a fresh one when it expires. */
export const TOKEN_TTL_SECONDS = 10 * 60;

/**
 * Signs an identity token for a platform user, as a customer's backend would (R1, R4):
 * HS256 with a `kid` header, `sub`, `realm`, `exp` and the optional profile claims.
 * @example const token = await signIdentityToken(DEMO_USERS.u_ana, { kid: 'demo-1', secret });
 */
export async function signIdentityToken(user: DemoUser, key: IdentityKey, now = new Date()): Promise<string> {
  const secret = typeof key.secret === 'string' ? new TextEncoder().encode(key.secret) : key.secret;
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ realm: user.realm, name: user.name, email: user.email, locale: user.locale, perms: user.perms })
    .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_TTL_SECONDS)
    .sign(secret);
}
