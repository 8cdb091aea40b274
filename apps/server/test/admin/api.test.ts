import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto.ts';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { agent as agentSocket, idem, requester } from '../client.ts';

/**
 * The administration API over real HTTP (and sockets where a change must reach them): who may call
 * what, agents from invitation to sign-in, resets, disable/enable, teams, canned replies, SLA tiers
 * wired into the SLA clocks (R10), and the realm directory one realm at a time. SQLite here; the same
 * file runs on PostgreSQL under `pnpm test:pg`.
 */
let stack: TestStack;
const ADMIN = { email: 'ada@ajuda.local', password: 'admin-password-1' };
const TOKEN = 'admin-token-0123456789abcdefghij';

beforeAll(async () => {
  // AJUDA_SLA overrides P4 of the default tier: the operator's word beats a stored default.
  stack = await startTestStack({ AJUDA_SLA: JSON.stringify({ P4: { firstResponseMin: 999, nextResponseMin: 999, resolutionMin: 9999 } }), AJUDA_STARTS_PER_MINUTE: '600', AJUDA_LOGIN_PER_MINUTE: '600' }, { demo: false });
  await stack.app.ajuda.svc.store.admin.createAgent(
    { id: 'ag_ada', email: ADMIN.email, name: 'Ada Admin', passwordHash: hashPassword(ADMIN.password), role: 'admin', languages: ['en'], teams: [], available: true, disabled: false },
    new Date().toISOString(),
    { actor: 'test', action: 'agent.created' },
  );
});
afterAll(async () => {
  await stack?.close();
});

async function login(email: string, password: string): Promise<{ status: number; cookie: string }> {
  const res = await fetch(`${stack.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '' };
}
type As = { cookie: string } | { token: string } | null;
async function call(as: As, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (as && 'cookie' in as) headers.cookie = as.cookie;
  if (as && 'token' in as) headers.authorization = `Bearer ${as.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${stack.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : null) as any };
}
const tokenOf = (link: string) => link.split('#/set-password/')[1]!;
let admin: { cookie: string };

describe('administration API', () => {
  it('answers an admin signed in to the console and the AJUDA_ADMIN_TOKEN; refuses others with problem+json', async () => {
    const a = await login(ADMIN.email, ADMIN.password);
    expect(a.status).toBe(200);
    admin = { cookie: a.cookie };
    expect((await call(admin, 'GET', '/api/admin/agents')).status).toBe(200);
    expect((await call({ token: TOKEN }, 'GET', '/api/admin/teams')).status).toBe(200);
    const none = await call(null, 'GET', '/api/admin/agents');
    expect(none.status).toBe(401);
    expect(none.type).toContain('application/problem+json');
    expect((await call({ token: 'wrong-token-0123456789abcdefghij' }, 'GET', '/api/admin/agents')).status).toBe(401);
    const joao = { cookie: (await login('joao@ajuda.local', 'ajuda-demo')).cookie };
    const refused = await call(joao, 'GET', '/api/admin/agents');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    const lea = { cookie: (await login('lea@ajuda.local', 'ajuda-demo')).cookie };
    expect((await call(lea, 'GET', '/api/admin/agents')).status).toBe(200);
    expect((await call(lea, 'POST', '/api/admin/teams', { name: 'Nope' })).status).toBe(403);
    expect((await call(lea, 'GET', '/api/admin/canned')).status).toBe(403);
    expect((await call(lea, 'GET', '/api/admin/sla-tiers')).status).toBe(403);
    const bad = await call(admin, 'POST', '/api/admin/teams', { name: '', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(bad.body.detail).toBeTruthy();
  });

  it('invites an agent: a one-time link sets the password once, then they sign in; each step audited', async () => {
    const team = await call(admin, 'POST', '/api/admin/teams', { name: 'Équipe Rouge' });
    expect(team.status).toBe(201);
    expect(team.body.team.id).toBe('equipe-rouge');
    expect((await call(admin, 'POST', '/api/admin/teams', { id: 'equipe-rouge', name: 'Dup' })).status).toBe(409);
    expect((await call(admin, 'POST', '/api/admin/agents', { email: 'x@example.com', name: 'X', role: 'agent', languages: ['en'], teams: ['nope'] })).status).toBe(400);
    const inv = await call(admin, 'POST', '/api/admin/agents', { email: 'Rui@Example.com', name: 'Rui Costa', role: 'agent', languages: ['pt', 'en'], teams: ['equipe-rouge'] });
    expect(inv.status).toBe(201);
    expect(inv.body.agent).toMatchObject({ email: 'rui@example.com', role: 'agent', teams: ['equipe-rouge'], disabled: false });
    expect(inv.body.agent.passwordHash).toBeUndefined();
    expect(inv.body.invite.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/console\/#\/set-password\/pw_/);
    expect((await call(admin, 'POST', '/api/admin/agents', { email: 'rui@example.com', name: 'Again', role: 'agent', languages: ['en'] })).status).toBe(409);
    const token = tokenOf(inv.body.invite.link);
    // Only the hash is stored.
    const rows = await stack.app.ajuda.svc.store.testing.sql<{ token_hash: string }>('SELECT token_hash FROM agent_invites');
    expect(rows.map((r) => r.token_hash).join()).not.toContain(token);
    expect((await call(null, 'POST', '/api/agent/invite', { token })).body).toMatchObject({ name: 'Rui Costa', email: 'rui@example.com', purpose: 'invite' });
    expect((await login('rui@example.com', 'anything-at-all')).status).toBe(401);
    const short = await call(null, 'POST', '/api/agent/password', { token, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.detail).toMatch(/at least 12/);
    expect((await call(null, 'POST', '/api/agent/password', { token, password: 'rui-chose-this-one' })).status).toBe(200);
    expect((await call(null, 'POST', '/api/agent/password', { token, password: 'someone-else-now' })).status).toBe(404);
    expect((await call(null, 'POST', '/api/agent/invite', { token })).status).toBe(404);
    expect((await login('rui@example.com', 'rui-chose-this-one')).status).toBe(200);
    const audit = await call(admin, 'GET', '/api/admin/audit?limit=20');
    const actions = audit.body.audit.map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['team.created', 'agent.created', 'agent.invited', 'agent.password_set', 'agent.login']));
    expect(audit.body.audit.find((a: { action: string }) => a.action === 'agent.invited').actor).toBe('agent:ag_ada');
  });

  it('a reset link signs the agent out everywhere (their socket is told) and replaces the password; disable ends sockets, enable lets them back', async () => {
    const rui = (await call(admin, 'GET', '/api/admin/agents')).body.agents.find((a: { email: string }) => a.email === 'rui@example.com');
    const sock = await agentSocket(stack, 'rui@example.com', 'rui-chose-this-one');
    const reset = await call(admin, 'POST', `/api/admin/agents/${rui.id}/reset`, {});
    expect(reset.status).toBe(201);
    // Until used, the old password still works (a reset link is not a lock-out).
    expect((await login('rui@example.com', 'rui-chose-this-one')).status).toBe(200);
    expect((await call(null, 'POST', '/api/agent/password', { token: tokenOf(reset.body.reset.link), password: 'rui-new-password' })).status).toBe(200);
    expect((await sock.wait('session.ended')).reason).toBe('logout');
    expect((await login('rui@example.com', 'rui-chose-this-one')).status).toBe(401);
    const again = await agentSocket(stack, 'rui@example.com', 'rui-new-password');
    expect((await call(admin, 'POST', `/api/admin/agents/${admin && 'ag_ada'}/disable`, {})).status).toBe(403);
    expect((await call(admin, 'POST', `/api/admin/agents/${rui.id}/disable`, {})).status).toBe(204);
    expect((await again.wait('session.ended')).reason).toBe('disabled');
    expect((await login('rui@example.com', 'rui-new-password')).status).toBe(401);
    expect((await call(admin, 'POST', `/api/admin/agents/${rui.id}/enable`, {})).status).toBe(204);
    expect((await login('rui@example.com', 'rui-new-password')).status).toBe(200);
    expect((await call(admin, 'POST', '/api/admin/agents/ag_ghost/disable', {})).status).toBe(404);
    // The bearer token still disables, as before.
    expect((await call({ token: TOKEN }, 'POST', `/api/admin/agents/${rui.id}/disable`)).status).toBe(204);
    expect((await call({ token: TOKEN }, 'POST', `/api/admin/agents/${rui.id}/enable`)).status).toBe(204);
  });

  it('a lead manages the members of their own teams only', async () => {
    await call(admin, 'POST', '/api/admin/teams', { id: 'blue', name: 'Blue' });
    const lea = (await call(admin, 'GET', '/api/admin/agents')).body.agents.find((a: { email: string }) => a.email === 'lea@ajuda.local');
    expect((await call(admin, 'PATCH', `/api/admin/agents/${lea.id}`, { teams: ['equipe-rouge'] })).status).toBe(200);
    const leaS = { cookie: (await login('lea@ajuda.local', 'ajuda-demo')).cookie };
    const seen = (await call(leaS, 'GET', '/api/admin/agents')).body.agents.map((a: { email: string }) => a.email).sort();
    expect(seen).toEqual(['lea@ajuda.local', 'rui@example.com']);
    expect((await call(leaS, 'GET', '/api/admin/teams')).body.teams.map((t: { id: string }) => t.id)).toEqual(['equipe-rouge']);
    const joao = (await call(admin, 'GET', '/api/admin/agents')).body.agents.find((a: { email: string }) => a.email === 'joao@ajuda.local');
    expect((await call(leaS, 'PATCH', `/api/admin/agents/${joao.id}`, { languages: ['es'] })).status).toBe(404);
    expect((await call(leaS, 'POST', `/api/admin/agents/${joao.id}/disable`)).status).toBe(404);
    expect((await call(leaS, 'POST', '/api/admin/agents', { email: 'b@example.com', name: 'B', role: 'agent', languages: ['en'], teams: ['blue'] })).status).toBe(403);
    expect((await call(leaS, 'POST', '/api/admin/agents', { email: 'l@example.com', name: 'L', role: 'lead', languages: ['en'], teams: ['equipe-rouge'] })).status).toBe(403);
    const made = await call(leaS, 'POST', '/api/admin/agents', { email: 'nina@example.com', name: 'Nina', role: 'project-team', languages: ['en'], teams: ['equipe-rouge'] });
    expect(made.status).toBe(201);
    expect(made.body.invite.link).toContain('#/set-password/');
    const rui = (await call(leaS, 'GET', '/api/admin/agents')).body.agents.find((a: { email: string }) => a.email === 'rui@example.com');
    expect((await call(leaS, 'PATCH', `/api/admin/agents/${rui.id}`, { languages: ['es'], role: 'project-team' })).body.agent).toMatchObject({ languages: ['es'], role: 'project-team' });
    expect((await call(leaS, 'PATCH', `/api/admin/agents/${rui.id}`, { role: 'admin' })).status).toBe(403);
    expect((await call(leaS, 'PATCH', `/api/admin/agents/${rui.id}`, { teams: ['blue'] })).status).toBe(403);
    expect((await call(leaS, 'POST', `/api/admin/agents/${rui.id}/reset`)).status).toBe(201);
    // Teams in use are not deleted; an empty one is.
    expect((await call(admin, 'DELETE', '/api/admin/teams/equipe-rouge')).status).toBe(409);
    expect((await call(admin, 'PATCH', '/api/admin/teams/blue', { name: 'Azul' })).body.team).toMatchObject({ id: 'blue', name: 'Azul', members: 0 });
    expect((await call(admin, 'DELETE', '/api/admin/teams/blue')).status).toBe(204);
    expect((await call(admin, 'DELETE', '/api/admin/teams/blue')).status).toBe(404);
  });

  it('canned replies per language: one shortcut each, read by any signed-in agent', async () => {
    const mk = await call(admin, 'POST', '/api/admin/canned', { language: 'en', shortcut: 'refund', title: 'Refund policy', body: 'Refunds take 5 business days.' });
    expect(mk.status).toBe(201);
    await call(admin, 'POST', '/api/admin/canned', { language: 'pt', shortcut: 'refund', title: 'Reembolso', body: 'Reembolsos levam 5 dias úteis.' });
    expect((await call(admin, 'POST', '/api/admin/canned', { language: 'en', shortcut: 'refund', title: 'Dup', body: 'x' })).status).toBe(409);
    expect((await call(admin, 'POST', '/api/admin/canned', { language: 'en', shortcut: 'Bad Shortcut', title: 'x', body: 'x' })).status).toBe(400);
    expect((await call(admin, 'PATCH', `/api/admin/canned/${mk.body.canned.id}`, { body: 'Refunds take 3 business days.' })).body.canned.body).toBe('Refunds take 3 business days.');
    const joao = { cookie: (await login('joao@ajuda.local', 'ajuda-demo')).cookie };
    const en = await call(joao, 'GET', '/api/agent/canned?language=en');
    expect(en.body.canned.find((c: { shortcut: string }) => c.shortcut === 'refund')).toMatchObject({ language: 'en', body: 'Refunds take 3 business days.' });
    expect(en.body.canned.every((c: { language: string }) => c.language === 'en')).toBe(true);
    expect((await call(null, 'GET', '/api/agent/canned?language=en')).status).toBe(401);
    expect((await call(joao, 'GET', '/api/agent/canned?language=xx')).status).toBe(400);
    expect((await call(admin, 'DELETE', `/api/admin/canned/${mk.body.canned.id}`)).status).toBe(204);
  });

  it('R10: the realm contract\'s tier decides the SLA targets; the default tier is the built-in one, a stored default, then AJUDA_SLA', async () => {
    const t = (m: number) => ({ firstResponseMin: m, nextResponseMin: m * 2, resolutionMin: m * 10 });
    expect((await call(admin, 'PUT', '/api/admin/sla-tiers/gold', { name: 'Gold', targets: { P1: t(5), P2: t(10), P3: t(20), P4: t(40) } })).status).toBe(201);
    expect((await call(admin, 'PUT', '/api/admin/sla-tiers/gold', { name: 'Gold', targets: { P1: t(5), P2: t(10), P3: t(20), P4: t(40) } })).status).toBe(200);
    expect((await call(admin, 'PUT', '/api/admin/sla-tiers/gold', { name: 'Gold', targets: { P1: t(0), P2: t(10), P3: t(20), P4: t(40) } })).status).toBe(400);
    // A stored default changes P1..P3; P4 stays what AJUDA_SLA says.
    await call(admin, 'PUT', '/api/admin/sla-tiers/default', { name: 'Standard', targets: { P1: t(7), P2: t(8), P3: t(9), P4: t(10) } });
    const tiers = (await call(admin, 'GET', '/api/admin/sla-tiers')).body.tiers;
    expect(tiers[0]).toMatchObject({ id: 'default', name: 'Standard', builtIn: true, overridden: ['P4'], targets: { P1: t(7), P4: { firstResponseMin: 999 } } });
    expect(tiers.find((x: { id: string }) => x.id === 'gold')).toMatchObject({ realms: 0, targets: { P1: t(5) } });
    // Contracts naming an unknown tier are refused.
    const realm = { name: 'Acme Integrations', contract: { emailDomains: ['acme.example'], active: true, tier: 'platinum' }, projects: [], pipelines: [{ id: 'pl_orders', name: 'Orders sync', key: 'ORD-SYNC-01', environment: 'Prod', status: 'running', projectId: null, inProjectPhase: false }] };
    expect((await call(admin, 'PUT', '/api/admin/realms/acme', realm)).status).toBe(400);
    expect((await call(admin, 'PUT', '/api/admin/realms/acme', { ...realm, contract: { ...realm.contract, tier: 'gold' } })).status).toBe(200);
    expect((await call(admin, 'DELETE', '/api/admin/sla-tiers/gold')).status).toBe(409);
    // A P1 incident from Acme is due 5 minutes after it was queued (gold), and says so in the queued line.
    const ana = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_ana', realm: 'acme', name: 'Ana', email: 'ana@acme.example', locale: 'en' }) });
    const before = Date.now();
    const started = await ana.request(
      { type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: { pipeline: { name: 'Orders sync', key: 'ORD-SYNC-01' }, environment: 'Prod', impact: 'total', workaround: 'no', errorMessage: 'HTTP 503', errorAt: '2026-11-24T10:15:00Z', expected: 'synced', observed: 'not synced', analysis: 'Replayed: same 503.' } },
      'conversation.started',
    );
    expect(started.conversation.priority).toBe('P1');
    const due = Date.parse(started.conversation.firstResponseDueAt!);
    expect(due).toBeGreaterThanOrEqual(before + 5 * 60_000 - 1000);
    expect(due).toBeLessThanOrEqual(Date.now() + 5 * 60_000 + 1000);
    const queued = await ana.wait('message.created', (f) => f.message.kind === 'system' && /5/.test(f.message.body));
    expect(queued.message.body).toMatch(/\b5\b/);
    ana.close();
    // Without a contract tier (a visitor): the default tier as stored and overridden.
    const svc = stack.app.ajuda.svc;
    expect(svc.slaTiers.policyFor(null).P1).toEqual(t(7));
    expect(svc.slaTiers.policyFor(null).P4.firstResponseMin).toBe(999);
    expect(svc.slaTiers.policyFor('acme').P1).toEqual(t(5));
    expect(svc.slaTiers.policyFor('unknown-realm').P2).toEqual(t(8));
    // Back to the default tier: gold may go.
    await call(admin, 'PUT', '/api/admin/realms/acme', { ...realm, contract: { ...realm.contract, tier: undefined } });
    expect((await call(admin, 'DELETE', '/api/admin/sla-tiers/gold')).status).toBe(204);
    expect((await call(admin, 'DELETE', '/api/admin/sla-tiers/default')).status).toBe(409);
  });

  it('the realm directory: one realm upserted and deleted idempotently, the bulk load still works, both audited', async () => {
    const body = { name: 'Initech', contract: { emailDomains: ['initech.example'], active: true }, projects: [{ id: 'prj_i', name: 'TPS', ongoing: false, team: null }], pipelines: [{ id: 'pl_tps', name: 'TPS reports', key: 'TPS-01', environment: 'Test', status: 'running', projectId: 'prj_i', inProjectPhase: false }] };
    const first = await call({ token: TOKEN }, 'PUT', '/api/admin/realms/initech', body);
    expect(first.status).toBe(201);
    const second = await call({ token: TOKEN }, 'PUT', '/api/admin/realms/initech', body);
    expect(second.status).toBe(200);
    expect(second.body.realm).toEqual(first.body.realm);
    expect(second.body.realm).toMatchObject({ id: 'initech', contract: { tier: 'default' }, projects: [{ id: 'prj_i' }], pipelines: [{ id: 'pl_tps' }] });
    expect((await call({ token: TOKEN }, 'PUT', '/api/admin/realms/initech', { ...body, id: 'other' })).status).toBe(400);
    expect((await call(admin, 'GET', '/api/admin/realms')).body.realms.map((r: { id: string }) => r.id)).toContain('initech');
    expect((await call({ token: TOKEN }, 'DELETE', '/api/admin/realms/initech')).status).toBe(204);
    expect((await call({ token: TOKEN }, 'DELETE', '/api/admin/realms/initech')).status).toBe(204);
    expect((await call(admin, 'GET', '/api/admin/realms')).body.realms.map((r: { id: string }) => r.id)).not.toContain('initech');
    const bulk = await call({ token: TOKEN }, 'POST', '/api/admin/realms', [{ id: 'initech', ...body }]);
    expect(bulk.body).toEqual({ loaded: 1 });
    const audit = (await stack.app.ajuda.svc.store.auditOfRealm('initech')).map((a) => `${a.actor} ${a.action}`);
    expect(audit).toEqual(['admin-token realm.put', 'admin-token realm.put', 'admin-token realm.deleted']);
    const all = (await call(admin, 'GET', '/api/admin/audit?limit=5')).body.audit;
    expect(all[0]).toMatchObject({ actor: 'admin-token', action: 'realms.loaded', detail: { realms: ['initech'] } });
  });
});
