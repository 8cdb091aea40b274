import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiStack, OPERATOR, type ApiStack } from './helpers.ts';

/**
 * The authorization matrix of the public API, by property: token scope × acting agent × token
 * state × resource × action. No token reads or writes outside its scopes, no token reaches a
 * conversation its agent may not see (R7: answered as not found), a revoked or expired token gets
 * 401 — and a refused write changes nothing.
 */

const SCOPE_SETS = [
  ['conversations:read'],
  ['conversations:write'],
  ['admin'],
  ['conversations:read', 'conversations:write'],
  ['conversations:read', 'admin'],
  ['conversations:write', 'admin'],
  ['conversations:read', 'conversations:write', 'admin'],
] as const;
const ACTORS = ['ag_emma', 'ag_pedro', 'ag_lea', null] as const; // a support agent, a project-team member (acme-migration), a lead, the system
const STATES = ['valid', 'revoked', 'expired'] as const;
const CONVS = ['support', 'project', 'projectOther', 'leads'] as const;
const ACTIONS = ['list', 'get', 'messages', 'escalations', 'note', 'priority', 'tokens', 'agents'] as const;

type Actor = (typeof ACTORS)[number];
type ConvKey = (typeof CONVS)[number];

/** What each acting agent may see (R7): the queues they serve. */
function visible(actor: Actor, c: ConvKey): boolean {
  switch (actor) {
    case 'ag_emma':
      return c === 'support';
    case 'ag_pedro':
      return c === 'project'; // the project queue without a team, or acme-migration's; not another team's
    default:
      return true; // a lead, and the system
  }
}

let s: ApiStack;
const ids = {} as Record<ConvKey, string>;
const tokens = new Map<string, string>();
const key = (actor: Actor, scopes: number, state: string) => `${actor ?? 'system'}|${scopes}|${state}`;

beforeAll(async () => {
  s = await apiStack({ AJUDA_API_REQUESTS_PER_MINUTE: '100000' });
  const sys = await s.token(['conversations:write'], null);
  for (const c of CONVS) ids[c] = await s.conversation();
  for (const c of ['project', 'projectOther'] as const) {
    const r = await s.call('POST', `/api/v1/conversations/${ids[c]}/transfer`, sys, { queue: 'project', reason: 'complex change' });
    expect(r.statusCode).toBe(200);
  }
  await s.app.ajuda.svc.store.testing.sql('UPDATE conversations SET team = ? WHERE id = ?', 'globex-squad', ids.projectOther);
  // Escalated by the requester: in the leads' queue.
  await s.app.ajuda.svc.store.escalate(ids.leads, {}, (cur) => ({
    at: new Date().toISOString(),
    escalation: { id: 'esc_matrix', reason: 'other_engineer', description: 'd', environment: 'Prod', justification: 'j', source: 'api', createdAt: new Date().toISOString() },
    patch: { escalated: true, queue: 'leads', team: null, updatedAt: new Date(Date.parse(cur.updatedAt) + 1).toISOString() },
  }));
  for (const actor of ACTORS)
    for (let i = 0; i < SCOPE_SETS.length; i++)
      for (const state of STATES) {
        const t = await s.token([...SCOPE_SETS[i]!], actor, {
          name: key(actor, i, state),
          ...(state === 'expired' ? { expiresAt: new Date(Date.now() + 60_000).toISOString() } : {}),
        });
        tokens.set(key(actor, i, state), t);
      }
  const list = (await s.call('GET', '/api/v1/tokens', OPERATOR)).json<{ tokens: Array<{ id: string; name: string }> }>().tokens;
  for (const t of list) if (t.name.endsWith('|revoked')) expect((await s.call('DELETE', `/api/v1/tokens/${t.id}`, OPERATOR)).statusCode).toBe(204);
  s.advance(120_000);
});
afterAll(async () => {
  await s?.close();
});

async function snapshot() {
  const out: Record<string, { lastSeq: number; priority: string | null }> = {};
  for (const c of CONVS) {
    const row = (await s.app.ajuda.svc.store.getConversation(ids[c]))!;
    out[c] = { lastSeq: row.lastSeq, priority: row.priority };
  }
  return out;
}

describe('the API authorization matrix', () => {
  it('scope × agent × token state × resource × action: nothing outside the scope or the agent’s access, refused writes change nothing', async () => {
    const reads = new Set(['list', 'get', 'messages', 'escalations']);
    const writes = new Set(['note', 'priority']);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ACTORS),
        fc.integer({ min: 0, max: SCOPE_SETS.length - 1 }),
        fc.constantFrom(...STATES),
        fc.constantFrom(...ACTIONS),
        fc.constantFrom(...CONVS),
        fc.constantFrom('P1', 'P2', 'P3', 'P4'),
        async (actor, scopeIx, state, action, conv, priority) => {
          const scopes: readonly string[] = SCOPE_SETS[scopeIx]!;
          const token = tokens.get(key(actor, scopeIx, state))!;
          const id = ids[conv];
          const before = await snapshot();
          const r =
            action === 'list'
              ? await s.call('GET', '/api/v1/conversations?limit=100', token)
              : action === 'get'
                ? await s.call('GET', `/api/v1/conversations/${id}`, token)
                : action === 'messages'
                  ? await s.call('GET', `/api/v1/conversations/${id}/messages`, token)
                  : action === 'escalations'
                    ? await s.call('GET', '/api/v1/escalations?limit=100', token)
                    : action === 'note'
                      ? await s.call('POST', `/api/v1/conversations/${id}/notes`, token, { body: `note by ${actor}` })
                      : action === 'priority'
                        ? await s.call('POST', `/api/v1/conversations/${id}/priority`, token, { priority, reason: 'matrix' })
                        : action === 'tokens'
                          ? await s.call('GET', '/api/v1/tokens', token)
                          : await s.call('GET', '/api/v1/agents', token);
          const admin = scopes.includes('admin');
          const may = reads.has(action) ? admin || scopes.includes('conversations:read') : writes.has(action) ? admin || scopes.includes('conversations:write') : admin;
          const perConversation = action === 'get' || action === 'messages' || writes.has(action);
          const expected = state !== 'valid' ? 401 : !may ? 403 : perConversation && !visible(actor, conv) ? 404 : action === 'note' ? 201 : 200;
          expect(r.statusCode, `${action} on ${conv} by ${actor ?? 'system'} [${scopes}] ${state}: ${r.body}`).toBe(expected);
          if (expected >= 400) expect(r.headers['content-type']).toContain('application/problem+json');
          // Reads: never an object of a conversation the agent may not see.
          if (expected === 200 && (action === 'list' || action === 'escalations')) {
            for (const c of CONVS) expect(r.body.includes(ids[c]), `${action} by ${actor ?? 'system'} shows ${c}`).toBe(visible(actor, c) && (action === 'list' || c === 'leads'));
          }
          // Writes: a refused one wrote nothing anywhere; an allowed one only where it was aimed.
          const after = await snapshot();
          for (const c of CONVS) {
            if (expected < 400 && c === conv && action === 'note') expect(after[c]!.lastSeq).toBe(before[c]!.lastSeq + 1);
            else if (expected < 400 && c === conv && action === 'priority') expect(after[c]!.priority).toBe(priority);
            else expect(after[c]).toEqual(before[c]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
