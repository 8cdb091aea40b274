import fc from 'fast-check';
import { canGrant, mayAccessConversation, realmAccess, type GrantRecord, type Principal } from '@ajuda/policy';
import type { ConversationRow } from '@ajuda/db';
import type { Services } from '../../src/context.ts';
import type { ConnPrincipal } from '../../src/session/principal.ts';
import { realmUserOwnerKey, visitorOwnerKey } from '../../src/identity.ts';

/**
 * The authorization ORACLE, written from /work/shared/POLICY.md (not from the server's code):
 *
 * - R7/R7a: a visitor sees only conversations they started; a realm user only their own
 *   conversations of their own realm (the same user id in another realm is someone else).
 * - R7b: an agent sees the conversations they handle: assigned to them, or waiting in a queue
 *   they work — support agents the support queue, support leads every queue (R13: escalations),
 *   project-team members the project queue of their own team (R4a, R8b, R8c); a project-queue
 *   conversation without a known team is open to every project-team member. A disabled agent: nothing.
 * - R7b/R12a: realm data of a conversation is visible (read-only) to an agent who sees the
 *   conversation, when it belongs to a realm. Requesters: their own realm only; visitors: none (R7).
 * - R12b/R12c: a change needs a grant of that realm that is neither revoked nor expired; R12d:
 *   only small adjustments (restart, pause, resume).
 * - R12b: only a realm user whose verified token holds `support.grant` may grant or revoke.
 */
export type OPrincipal =
  | { kind: 'visitor'; visitorId: string }
  | { kind: 'realm_user'; realmId: string; userId: string; perms: string[] }
  | { kind: 'agent'; agentId: string; role: 'agent' | 'lead' | 'project-team'; teams: string[]; disabled: boolean };

export interface OConversation {
  visitorId: string | null;
  realmId: string | null;
  userId: string | null;
  queue: 'support' | 'project' | 'leads';
  team: string | null;
  assigneeId: string | null;
}

export interface OGrant {
  realmId: string;
  expired: boolean;
  revoked: boolean;
}

export type Operation = 'conversation.access' | 'realm.read' | 'realm.adjust' | 'grant.manage';
export const OPERATIONS: Operation[] = ['conversation.access', 'realm.read', 'realm.adjust', 'grant.manage'];
export const SMALL = ['restart', 'pause', 'resume'];

export function oracle(p: OPrincipal, c: OConversation, op: Operation, grants: OGrant[] = [], action = 'pause'): boolean {
  const sees = (() => {
    switch (p.kind) {
      case 'visitor':
        return c.visitorId !== null && c.visitorId === p.visitorId;
      case 'realm_user':
        return c.realmId !== null && c.userId !== null && c.realmId === p.realmId && c.userId === p.userId;
      case 'agent': {
        if (p.disabled) return false;
        if (c.assigneeId === p.agentId) return true;
        if (p.role === 'lead') return true;
        if (p.role === 'agent') return c.queue === 'support';
        return c.queue === 'project' && (c.team === null || p.teams.includes(c.team));
      }
    }
  })();
  switch (op) {
    case 'conversation.access':
      return sees;
    case 'realm.read':
      if (c.realmId === null) return false;
      if (p.kind === 'visitor') return false;
      if (p.kind === 'realm_user') return p.realmId === c.realmId;
      return sees;
    case 'realm.adjust':
      return p.kind === 'agent' && sees && c.realmId !== null && SMALL.includes(action) && grants.some((g) => g.realmId === c.realmId && !g.expired && !g.revoked);
    case 'grant.manage':
      return p.kind === 'realm_user' && p.perms.includes('support.grant');
  }
}

// ── generators ──
const ids = (prefix: string, n: number) => fc.constantFrom(...Array.from({ length: n }, (_, i) => `${prefix}${i}`));
const realm = fc.constantFrom('acme', 'globex', 'initech');
const team = fc.constantFrom('acme-migration', 'globex-rollout', 'other-team');

export const principalArb: fc.Arbitrary<OPrincipal> = fc.oneof(
  fc.record({ kind: fc.constant('visitor' as const), visitorId: ids('vis_', 3) }),
  fc.record({ kind: fc.constant('realm_user' as const), realmId: realm, userId: ids('u_', 3), perms: fc.subarray(['support.grant', 'support.view', 'admin']) }),
  fc.record({
    kind: fc.constant('agent' as const),
    agentId: ids('ag_', 4),
    role: fc.constantFrom('agent' as const, 'lead' as const, 'project-team' as const),
    teams: fc.subarray(['acme-migration', 'globex-rollout']),
    disabled: fc.boolean(),
  }),
);

export const conversationArb: fc.Arbitrary<OConversation> = fc.oneof(
  fc.record({ visitorId: ids('vis_', 3), realmId: fc.constant(null), userId: fc.constant(null) }),
  fc.record({ visitorId: fc.constant(null), realmId: realm, userId: ids('u_', 3) }),
).chain((owner) =>
  fc.record({
    visitorId: fc.constant(owner.visitorId),
    realmId: fc.constant(owner.realmId),
    userId: fc.constant(owner.userId),
    queue: fc.constantFrom('support' as const, 'project' as const, 'leads' as const),
    team: fc.option(team, { nil: null }),
    assigneeId: fc.option(ids('ag_', 4), { nil: null }),
  }),
);

export const grantsArb: fc.Arbitrary<OGrant[]> = fc.array(fc.record({ realmId: realm, expired: fc.boolean(), revoked: fc.boolean() }), { maxLength: 3 });

/** The server's decision layer for one case: the policy functions the handlers call. */
export function serverDecision(p: OPrincipal, c: OConversation, op: Operation, grants: OGrant[], action: string, now: Date, svc?: Services): boolean {
  const principal: Principal =
    p.kind === 'visitor'
      ? { kind: 'visitor', visitorId: p.visitorId }
      : p.kind === 'realm_user'
        ? { kind: 'realm_user', realmId: p.realmId, userId: p.userId, perms: p.perms }
        : { kind: 'agent', agentId: p.agentId, role: p.role, teams: p.teams, disabled: p.disabled };
  const facts = { requesterVisitorId: c.visitorId, requesterUserId: c.userId, realmId: c.realmId, queue: c.queue, team: c.team, assigneeId: c.assigneeId };
  const records: GrantRecord[] = grants.map((g, i) => ({
    id: `g${i}`,
    realmId: g.realmId,
    level: 'write',
    expiresAt: new Date(now.getTime() + (g.expired ? -60_000 : 3600_000)),
    revokedAt: g.revoked ? new Date(now.getTime() - 1000) : null,
  }));
  switch (op) {
    case 'conversation.access': {
      const policy = mayAccessConversation(principal, facts);
      if (!svc || p.kind === 'agent') return policy;
      // Through the server's Services too (the path every handler takes via loadFor).
      const conn: ConnPrincipal =
        p.kind === 'visitor'
          ? { kind: 'visitor', visitorId: p.visitorId, ownerKey: visitorOwnerKey(p.visitorId), channel: 'website', locale: null }
          : { kind: 'realm_user', realmId: p.realmId, userId: p.userId, perms: p.perms, name: null, email: null, ownerKey: realmUserOwnerKey(p.realmId, p.userId), channel: 'platform', tokenLocale: null, locale: null, expiresAt: new Date(now.getTime() + 60_000) };
      const viaSvc = svc.access.mayAccess(conn, c as unknown as ConversationRow);
      return policy && viaSvc ? true : !policy && !viaSvc ? false : (null as unknown as boolean);
    }
    case 'realm.read':
      return realmAccess(principal, facts, records, now) !== 'none';
    case 'realm.adjust':
      return p.kind === 'agent' && SMALL.includes(action) && realmAccess(principal, facts, records, now) === 'write';
    case 'grant.manage':
      return p.kind === 'realm_user' && canGrant({ kind: 'realm_user', channel: 'platform', realmId: p.realmId, userId: p.userId, perms: p.perms });
  }
}

export interface MatrixResult {
  cases: number;
  mismatches: number;
  examples: string[];
}

/**
 * Run `numRuns` random (principal × operation × conversation × grants) cases against the oracle.
 *
 * @example runAuthzMatrix(10_000).mismatches // 0
 */
export function runAuthzMatrix(numRuns: number, svc?: Services, seed?: number): MatrixResult {
  const now = new Date();
  let cases = 0;
  let mismatches = 0;
  const examples: string[] = [];
  fc.assert(
    fc.property(principalArb, conversationArb, fc.constantFrom(...OPERATIONS), grantsArb, fc.constantFrom('restart', 'pause', 'resume', 'redesign', 'delete'), (p, c, op, grants, action) => {
      cases++;
      const want = oracle(p, c, op, grants, action);
      const got = serverDecision(p, c, op, grants, action, now, svc);
      if (want !== got) {
        mismatches++;
        if (examples.length < 10) examples.push(JSON.stringify({ p, c, op, grants, action, want, got }));
      }
      return true;
    }),
    { numRuns, seed },
  );
  return { cases, mismatches, examples };
}
