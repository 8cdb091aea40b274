import { describe, expect, it } from 'vitest';
import {
  GRANT_MINUTES,
  GRANT_PERMISSION,
  activeGrant,
  adjustmentDecision,
  agentMayWrite,
  canGrant,
  grantExpiresAt,
  isSmallAdjustment,
  type GrantRecord,
  type Requester,
} from '../src/index.ts';
import { ana, bruno, visitor } from './fixtures.ts';

const now = new Date('2025-03-10T12:00:00Z');
const min = (m: number) => new Date(now.getTime() + m * 60_000);
const g = (id: string, over: Partial<GrantRecord> = {}): GrantRecord => ({ id, realmId: 'acme', level: 'write', expiresAt: min(60), revokedAt: null, ...over });

describe('permissions', () => {
  it('R12: the grant permission is named support.grant', () => {
    expect(GRANT_PERMISSION).toBe('support.grant');
  });
  it('R12a: without any grant an agent may not write to a realm', () => {
    expect(agentMayWrite([], 'acme', now)).toBe(false);
    expect(activeGrant([], 'acme', now)).toBeNull();
  });
  const granters: Array<[what: string, r: Requester, want: boolean]> = [
    ['a realm user whose token carries support.grant may grant', ana, true],
    ['a realm user without the permission may not grant', bruno, false],
    ['a visitor claiming to be that user may not grant', visitor({ email: 'ana@acme.example', realm: 'acme' }, 'login'), false],
    ['a similar-looking permission is not enough', { ...bruno, perms: ['support.grants', 'Support.Grant'] } as Requester, false],
  ];
  for (const [what, r, want] of granters) {
    it(`R12b: ${what}`, () => {
      expect(canGrant(r)).toBe(want);
    });
  }
  const grants: Array<[what: string, list: GrantRecord[], want: string | null]> = [
    ['a live grant for the realm is in force', [g('g1')], 'g1'],
    ['an expired grant is not', [g('g1', { expiresAt: min(-1) })], null],
    ['a grant expiring exactly now is not', [g('g1', { expiresAt: now })], null],
    ['a revoked grant is not', [g('g1', { revokedAt: min(-5) })], null],
    ['a grant for another realm is not', [g('g1', { realmId: 'globex' })], null],
    ['of two live grants the longer-lasting wins', [g('g1', { expiresAt: min(30) }), g('g2', { expiresAt: min(90) })], 'g2'],
    ['revoking one grant leaves another live one', [g('g1', { revokedAt: min(-1) }), g('g2')], 'g2'],
  ];
  for (const [what, list, want] of grants) {
    it(`R12c: ${what}`, () => {
      expect(activeGrant(list, 'acme', now)?.id ?? null).toBe(want);
      expect(agentMayWrite(list, 'acme', now)).toBe(want !== null);
    });
  }
  it('R12c: grants are time-bounded: between 5 minutes and 30 days', () => {
    expect(grantExpiresAt(now, 60)).toEqual(min(60));
    expect(grantExpiresAt(now, GRANT_MINUTES.min)).toEqual(min(5));
    expect(grantExpiresAt(now, GRANT_MINUTES.max)).toEqual(min(60 * 24 * 30));
    for (const bad of [0, 4, GRANT_MINUTES.max + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(grantExpiresAt(now, bad)).toBeNull();
  });
  const actions: Array<[action: string, small: boolean]> = [
    ['restart', true],
    ['pause', true],
    ['resume', true],
    ['change_mapping', false],
    ['redeploy', false],
    ['delete', false],
    ['RESTART', false],
  ];
  for (const [action, small] of actions) {
    it(`R12d: ${action} is ${small ? 'a small adjustment support may do itself' : 'not small: it goes to the project team'}`, () => {
      expect(isSmallAdjustment(action)).toBe(small);
      expect(adjustmentDecision(action, [g('g1')], 'acme', now)).toEqual(small ? { kind: 'allowed', grantId: 'g1' } : { kind: 'route_to_project', rule: 'R12d' });
    });
  }
  it('R12d: even a small adjustment needs an active grant (support guides first)', () => {
    expect(adjustmentDecision('restart', [], 'acme', now)).toEqual({ kind: 'grant_required' });
    expect(adjustmentDecision('restart', [g('g1', { revokedAt: min(-1) })], 'acme', now)).toEqual({ kind: 'grant_required' });
  });
});
