import type { Requester } from './requester.ts';

/** R12b: the identity-token permission that lets a platform user grant support write access. */
export const GRANT_PERMISSION = 'support.grant';

/** R12c: grant duration bounds in minutes (the wire protocol enforces the same range). */
export const GRANT_MINUTES = { min: 5, max: 60 * 24 * 30, default: 60 } as const;

/**
 * R12b: may this requester grant support access to their realm? Only an authenticated realm user
 * whose verified token carries `support.grant`.
 *
 * @example canGrant({ kind: 'realm_user', channel: 'platform', realmId: 'acme', userId: 'u_ana', perms: ['support.grant'] }) // true
 */
export function canGrant(r: Requester): boolean {
  return r.kind === 'realm_user' && r.perms.includes(GRANT_PERMISSION);
}

export interface GrantRecord {
  id: string;
  realmId: string;
  level: 'write';
  expiresAt: Date;
  revokedAt: Date | null;
}

/**
 * R12c: the grant in force for a realm at `now`: same realm, not revoked, not expired (expiry is
 * exclusive). With several, the one that lasts longest. Null when none.
 *
 * @example activeGrant(grants, 'acme', now)?.id
 */
export function activeGrant(grants: readonly GrantRecord[], realmId: string, now: Date): GrantRecord | null {
  let best: GrantRecord | null = null;
  for (const g of grants) {
    if (g.realmId !== realmId || g.revokedAt !== null || g.expiresAt.getTime() <= now.getTime()) continue;
    if (!best || g.expiresAt.getTime() > best.expiresAt.getTime()) best = g;
  }
  return best;
}

/**
 * R12a/R12b: agents read by default; they may change a realm only under an active customer grant.
 *
 * @example agentMayWrite([], 'acme', now) // false
 */
export function agentMayWrite(grants: readonly GrantRecord[], realmId: string, now: Date): boolean {
  return activeGrant(grants, realmId, now)?.level === 'write';
}

/** R12d: the adjustments support may make itself (under a grant). */
export const SMALL_ADJUSTMENTS = ['restart', 'pause', 'resume'] as const;

/**
 * R12d: is this a small adjustment support may do itself? Anything else goes to the project team (R8b).
 *
 * @example isSmallAdjustment('restart') // true
 */
export function isSmallAdjustment(action: string): boolean {
  return (SMALL_ADJUSTMENTS as readonly string[]).includes(action);
}

export type AdjustmentDecision =
  | { kind: 'allowed'; grantId: string }
  | { kind: 'grant_required' }
  | { kind: 'route_to_project'; rule: 'R12d' };

/**
 * R12b/R12d: may support make this realm change now? Complex actions go to the project team even
 * with a grant; small ones need an active grant.
 *
 * @example adjustmentDecision('pause', grants, 'acme', now) // { kind: 'allowed', grantId: 'g1' }
 */
export function adjustmentDecision(action: string, grants: readonly GrantRecord[], realmId: string, now: Date): AdjustmentDecision {
  if (!isSmallAdjustment(action)) return { kind: 'route_to_project', rule: 'R12d' };
  const g = activeGrant(grants, realmId, now);
  return g ? { kind: 'allowed', grantId: g.id } : { kind: 'grant_required' };
}

/**
 * R12c: the expiry of a grant created at `now` for `minutes`, or null when outside the bounds.
 *
 * @example grantExpiresAt(new Date(0), 60) // 1970-01-01T01:00:00.000Z
 */
export function grantExpiresAt(now: Date, minutes: number): Date | null {
  if (!Number.isInteger(minutes) || minutes < GRANT_MINUTES.min || minutes > GRANT_MINUTES.max) return null;
  return new Date(now.getTime() + minutes * 60_000);
}
