import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '@ajuda/protocol';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { agent, GENERAL, idem, requester, type TestClient } from './client.ts';

/** The POLICY.md rules driven end to end over real WebSockets. */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '500', AJUDA_FRAME_BURST: '500', AJUDA_STARTS_PER_MINUTE: '600' }, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

const ANA = { sub: 'u_ana', realm: 'acme', name: 'Ana Souza', email: 'ana@acme.example', locale: 'pt', perms: ['support.grant'] };
const BRUNO = { sub: 'u_bruno', realm: 'acme', name: 'Bruno Lima', email: 'bruno@acme.example', locale: 'en', perms: [] as string[] };
const user = async (claims: typeof ANA) => requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(claims) });
const ready = (c: TestClient) => c.frames.find((f) => f.type === 'session.ready') as Extract<ServerFrame, { type: 'session.ready' }>;

const INCIDENT = {
  pipeline: { name: 'Orders sync', key: 'ORD-SYNC-01' },
  environment: 'Prod',
  impact: 'total',
  workaround: 'no',
  errorMessage: 'HTTP 503 from the orders endpoint',
  errorAt: '2026-11-24T10:15:00Z',
  expected: 'Orders are synced every 5 minutes',
  observed: 'No order synced since 10:15',
  analysis: 'Replayed one order in Test: same 503. Logs attached.',
};

describe('requester classes and request types', () => {
  it('R2: a visitor with no contract may open only general information and general or technical questions (plus the login incident and the contract pointer)', async () => {
    const v = await requester(stack, { channel: 'website' });
    expect(ready(v).requestTypes?.sort()).toEqual(['auth_incident', 'contract_question', 'general_question', 'technical_question']);
    const e = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: INCIDENT }, 'error');
    expect(e.type === 'error' && e.code).toBe('request_type_not_allowed');
    v.close();
  });

  it('R3: a contract customer who is not logged in can open an auth incident from the login page and sees no realm data', async () => {
    const v = await requester(stack, { channel: 'login' });
    const started = await v.request(
      { type: 'conversation.start', idempotencyKey: idem(), requestType: 'auth_incident', claims: { email: 'ana@acme.example' }, answers: { email: 'ana@acme.example', whatHappens: 'The login page says my password is wrong', when: '2026-11-24T09:00:00Z' } },
      'conversation.started',
    );
    expect(started.conversation.status).not.toBe('intake');
    const dir = await v.request({ type: 'realm.directory.get' }, 'error');
    expect(dir.type === 'error' && dir.code).toBe('forbidden');
    // Only what they typed themselves comes back; nothing from the realm or its contract.
    expect(v.raw.join('\n').replaceAll('ana@acme.example', 'TYPED')).not.toMatch(/acme|Acme|ORD-SYNC|contract"/);
    v.close();
  });

  it('R4: a logged-in contract customer may open everything and pick from their own realm', async () => {
    const a = await user(ANA);
    expect(ready(a).requestTypes?.sort()).toEqual(['auth_incident', 'contract_question', 'dev_question', 'general_question', 'incident', 'technical_question']);
    const r = ready(a).principal;
    expect(r.kind === 'realm_user' && r.realmName).toBe('Acme Integrations');
    const started = await a.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: INCIDENT }, 'conversation.started');
    expect(started.conversation.priority).toBe('P1');
    a.close();
  });
});

describe('intake and visibility', () => {
  it('R6: a conversation stays in intake until its required fields are valid, with errors keyed by field', async () => {
    const a = await user(ANA);
    const key = idem();
    const { pipeline: _p, errorAt: _e, ...partial } = INCIDENT;
    const from = a.frames.length;
    a.send({ type: 'conversation.start', ref: 'x1', idempotencyKey: key, requestType: 'incident', answers: partial });
    const started = await a.wait('conversation.started', (f) => f.ref === 'x1', 5000, from);
    const err = await a.wait('error', (f) => f.ref === 'x1', 5000, from);
    expect(started.conversation.status).toBe('intake');
    expect(err.code).toBe('intake_invalid');
    expect(Object.keys(err.fields ?? {}).sort()).toEqual(['errorAt', 'pipeline']);
    expect(err.fields?.pipeline?.i18nKey).toBe('intake.error.required');
    // Messages wait for intake.
    const m = await a.request({ type: 'message.send', conversationId: started.conversation.id, clientMsgId: 'm', body: 'hi' }, 'error');
    expect(m.type === 'error' && m.code).toBe('intake_pending');
    const bad = await a.request({ type: 'intake.submit', conversationId: started.conversation.id, answers: { ...INCIDENT, errorAt: 'yesterday' } }, 'error');
    expect(bad.type === 'error' && bad.fields?.errorAt?.code).toBe('invalid_datetime');
    const ok = await a.request({ type: 'intake.submit', conversationId: started.conversation.id, answers: INCIDENT }, 'conversation.updated');
    expect(['queued', 'assigned']).toContain(ok.conversation.status);
    a.close();
  });

  it('R7: nothing an anonymous requester receives contains realm data', async () => {
    const v = await requester(stack, { channel: 'website' });
    const c = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'technical_question', claims: { realm: 'acme', email: 'ana@acme.example' }, answers: { question: 'Does ORD-SYNC-01 exist?' } }, 'conversation.started');
    await v.request({ type: 'realm.directory.get' }, 'error');
    await v.request({ type: 'grant.list.get' }, 'error');
    await v.request({ type: 'conversation.list' }, 'conversation.list.result');
    const text = v.raw.join('\n');
    for (const s of ['Acme Integrations', 'Orders sync', 'pl_orders', 'prj_migration', 'u_ana', 'contractMatch', 'contract_match']) expect(text).not.toContain(s);
    expect(c.conversation.answers).toEqual({ question: 'Does ORD-SYNC-01 exist?' }); // only what they typed themselves
    v.close();
  });

  it('R5: an unauthenticated visitor cannot tell from any response whether an email or realm has a contract', async () => {
    const transcript = async (claims: Record<string, string>) => {
      const v = await requester(stack, { channel: 'login' });
      const started = await v.request({ type: 'conversation.start', idempotencyKey: 'same-key-r5-0001', requestType: 'auth_incident', claims, answers: { email: claims.email, whatHappens: 'cannot log in', when: '2026-11-24T09:00:00Z' } }, 'conversation.started');
      const id = started.conversation.id;
      await v.wait('message.created', (f) => f.message.body.includes('queue'));
      const norm = (s: string) =>
        s
          .replaceAll(id, 'ID')
          .replace(/"ref":"[^"]+"/g, '')
          .replace(/"visitorToken":"[^"]+"/g, '')
          .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T')
          .replaceAll(claims.email!, 'EMAIL')
          .replace(/"(name|assignee)":[^,}]+/g, '');
      v.close();
      return v.raw.map(norm).filter((l) => !l.includes('"system.assigned"')).map((l) => l.replace(/"body":"[^"]*is now looking after[^"]*"/, 'assigned'));
    };
    const withContract = await transcript({ email: 'someone@acme.example', realm: 'acme' });
    const without = await transcript({ email: 'someone@nowhere.example', realm: 'nowhere' });
    expect(withContract).toEqual(without);
  });
});

describe('routing, priority and scope', () => {
  it('R4a: a matter about a pipeline of an ongoing project goes to that project team, not to support', async () => {
    const pedro = await agent(stack, 'pedro@ajuda.local');
    const a = await user(ANA);
    const started = await a.request(
      { type: 'conversation.start', idempotencyKey: idem(), requestType: 'dev_question', answers: { question: 'How to map the legacy fields?', logic: 'Copy ERP customers to the new CRM', pipeline: { name: 'Legacy migration', key: 'MIG-LEG-04' }, environment: 'Test' } },
      'conversation.started',
    );
    const snap = await pedro.request({ type: 'conversation.open', conversationId: started.conversation.id }, 'conversation.snapshot');
    expect(snap.conversation.queue).toBe('project');
    expect(snap.conversation.team).toBe('acme-migration');
    expect(snap.conversation.routingLog[0]?.reason).toMatch(/R8c|R4a/);
    // An agent outside that queue gets exactly "not found".
    const emma = await agent(stack, 'emma@ajuda.local');
    const e = await emma.request({ type: 'conversation.open', conversationId: started.conversation.id }, 'error');
    expect(e.type === 'error' && e.code).toBe('not_found');
    expect(emma.raw.join('\n')).not.toContain('MIG-LEG-04');
    for (const c of [pedro, a, emma]) c.close();
  });

  it('R8a: a contract question gets an immediate polite system answer in the requester language and is closed', async () => {
    const v = await requester(stack, { channel: 'website', locale: 'es' });
    const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'contract_question', answers: { question: '¿Cuánto cuesta renovar?' } }, 'conversation.started');
    expect(started.conversation.status).toBe('closed');
    const msg = await v.wait('message.created', (f) => f.message.conversationId === started.conversation.id);
    expect(msg.message.kind).toBe('system');
    // A website prospect is pointed to sales, not to an account manager they may not have (R5).
    expect(msg.message.key).toBe('system.contract_question.website');
    expect(msg.message.body).toMatch(/contacto comercial/);
    v.close();
  });

  it('R9: an agent override of the priority is audited with its reason and shown in the trace', async () => {
    const lea = await agent(stack, 'lea@ajuda.local');
    const a = await user(BRUNO);
    const started = await a.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: { ...INCIDENT, environment: 'Test', impact: 'partial' } }, 'conversation.started');
    expect(started.conversation.priority).toBe('P3');
    await lea.request({ type: 'conversation.open', conversationId: started.conversation.id }, 'conversation.snapshot');
    lea.send({ type: 'priority.set', conversationId: started.conversation.id, priority: 'P2', reason: 'Go-live tomorrow' });
    const upd = await lea.wait('agent.conversation.updated', (f) => f.conversation.id === started.conversation.id && f.conversation.priority === 'P2');
    // Stored as a code: the console words it in the agent's language; the agent's note stays as typed.
    expect(upd.conversation.priorityLines?.at(-1)).toEqual({ code: 'R9.changed', params: { name: 'Léa Martins', from: 'P3', to: 'P2', note: 'Go-live tomorrow' } });
    const audit = (await stack.app.ajuda.svc.store.auditOf(started.conversation.id)).find((r) => r.action === 'priority.changed');
    expect(audit!.detail).toMatchObject({ from: 'P3', to: 'P2', reason: 'Go-live tomorrow' });
    lea.close();
    a.close();
  });

  it('R11: a conversation goes to an agent who speaks its language', async () => {
    const sofia = await agent(stack, 'sofia@ajuda.local');
    const joao = await agent(stack, 'joao@ajuda.local');
    const v = await requester(stack, { channel: 'website', locale: 'es' });
    const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL('¿Cómo reintento?') }, 'conversation.started');
    expect(started.conversation.language).toBe('es');
    const snap = await sofia.request({ type: 'conversation.open', conversationId: started.conversation.id }, 'conversation.snapshot');
    expect(snap.conversation.assignee?.id).toBe('ag_sofia');
    for (const c of [sofia, joao, v]) c.close();
  });
});

describe('grants, escalation and feedback', () => {
  it('R12: agents are read-only until a user holding the permission grants write access; revocation applies from the next frame', async () => {
    const joao = await agent(stack, 'joao@ajuda.local');
    const ana = await user(ANA);
    const bruno = await user(BRUNO);
    const started = await bruno.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: INCIDENT }, 'conversation.started');
    const id = started.conversation.id;
    await joao.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    const view = await joao.request({ type: 'realm.view', conversationId: id }, 'realm.snapshot');
    expect(view.grant).toBeNull();
    const adjust = { type: 'realm.adjust', conversationId: id, pipelineId: 'pl_orders', action: 'restart' };
    expect((await joao.request(adjust, 'error')).type === 'error' && 'grant_required').toBeTruthy();
    const refused = await bruno.request({ type: 'grant.create', level: 'write', minutes: 60 }, 'error');
    expect(refused.type === 'error' && refused.code).toBe('forbidden');
    const granted = await ana.request({ type: 'grant.create', level: 'write', minutes: 60 }, 'grant.list');
    const grantId = granted.grants[0]!.id;
    // The grants view names who granted it for people (the widget shows it), not only their user id.
    expect(granted.grants[0]).toMatchObject({ grantedBy: ANA.sub, grantedByName: ANA.name });
    const after = await joao.request(adjust, 'realm.snapshot');
    expect(after.grant?.id).toBe(grantId);
    await ana.request({ type: 'grant.revoke', grantId }, 'grant.list');
    const e = await joao.request(adjust, 'error');
    expect(e.type === 'error' && e.code).toBe('grant_required');
    const actions = (await stack.app.ajuda.svc.store.auditOfRealm('acme')).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['grant.created', 'grant.used', 'grant.revoked']));
    for (const c of [joao, ana, bruno]) c.close();
  });

  it('R13: a requester escalates an open conversation; it reaches a lead, the priority stays; the API accepts the same by ID', async () => {
    const lea = await agent(stack, 'lea@ajuda.local');
    const v = await user(BRUNO);
    const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: { ...INCIDENT, impact: 'degradation' } }, 'conversation.started');
    const id = started.conversation.id;
    const esc = await v.request({ type: 'escalation.create', conversationId: id, reason: 'other_engineer', description: 'Still failing', environment: 'Prod', justification: 'Need another look' }, 'escalation.created');
    expect(esc.escalation.conversationId).toBe(id);
    const pushed = await lea.wait('agent.escalation', (f) => f.escalation.conversationId === id);
    expect(pushed.escalation.reason).toBe('other_engineer');
    const snap = await lea.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    expect(snap.conversation.queue).toBe('leads');
    expect(snap.conversation.priority).toBe(started.conversation.priority);
    const res = await fetch(`${stack.url}/api/escalations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer inbound-secret-0123456789abcdef' },
      body: JSON.stringify({ conversationId: id, reason: 'scenario_changed', description: 'By email', environment: 'Prod', justification: 'New data', source: 'email' }),
    });
    expect(res.status).toBe(201);
    const unauth = await fetch(`${stack.url}/api/escalations`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{}' });
    expect(unauth.status).toBe(401);
    // A conversation still in intake cannot be escalated.
    const pending = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident' }, 'conversation.started');
    const e = await v.request({ type: 'escalation.create', conversationId: pending.conversation.id, reason: 'disagree', description: 'x', environment: 'Test', justification: 'y' }, 'error');
    expect(e.type === 'error' && e.code).toBe('invalid_state');
    lea.close();
    v.close();
  });

  it('R14: on resolve the requester is asked whether it answered the question and can answer yes/no with a comment', async () => {
    const emma = await agent(stack, 'emma@ajuda.local');
    const v = await requester(stack, { channel: 'website', locale: 'en' });
    const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
    const id = started.conversation.id;
    await emma.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    emma.send({ type: 'conversation.resolve', conversationId: id });
    await v.wait('feedback.requested', (f) => f.conversationId === id);
    const fb = await v.request({ type: 'feedback.submit', conversationId: id, answered: false, comment: 'Not quite' }, 'feedback.recorded');
    expect(fb).toMatchObject({ answered: false, comment: 'Not quite' });
    await emma.wait('feedback.recorded', (f) => f.conversationId === id);
    const reopened = await v.request({ type: 'conversation.reopen', conversationId: id }, 'conversation.updated');
    expect(reopened.conversation.status).toBe('assigned');
    emma.close();
    v.close();
  });

  it('R15: agents get the intake answers as structured fields, not buried in chat text', async () => {
    const joao = await agent(stack, 'joao@ajuda.local');
    const a = await user(ANA);
    const started = await a.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: INCIDENT }, 'conversation.started');
    const snap = await joao.request({ type: 'conversation.open', conversationId: started.conversation.id }, 'conversation.snapshot');
    expect(snap.conversation.answers).toMatchObject({ pipeline: { name: 'Orders sync', key: 'ORD-SYNC-01' }, environment: 'Prod', analysis: INCIDENT.analysis });
    expect(snap.conversation.requester).toMatchObject({ kind: 'realm_user', verified: true, name: 'Ana Souza' });
    joao.close();
    a.close();
  });
});
