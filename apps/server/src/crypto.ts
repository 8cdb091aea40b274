import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** A random token with `bytes` of entropy (default 24 = 192 bits), base64url. */
export function randomToken(prefix: string, bytes = 24): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** Only hashes of tokens are stored. */
export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A short, unguessable, human-friendly id (60 random bits), e.g. `AJ-7K3F9QX2M4TB`. */
export function conversationId(): string {
  const b = randomBytes(12);
  let s = '';
  for (let i = 0; i < 12; i++) s += CROCKFORD[b[i]! & 31];
  return `AJ-${s}`;
}

export function shortId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };
/** scrypt password hash: `scrypt$N$r$p$salt$hash`. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const got = scryptSync(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(got, expected);
}

/** Constant-time string comparison (for shared secrets). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** A dummy hash so that a login for an unknown email costs the same as a wrong password. */
export const DUMMY_PASSWORD_HASH = hashPassword(randomBytes(16).toString('hex'));
