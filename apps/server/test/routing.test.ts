import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slaTick } from '../src/domains/sla/sla.ts';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { agent, GENERAL, idem, requester } from './client.ts';

let stack: TestStack;
let offsetMs = 0;
beforeAll(async () => {
  stack = await startTestStack(
    { AJUDA_FRAMES_PER_SECOND: '500', AJUDA_FRAME_BURST: '500', AJUDA_STARTS_PER_MINUTE: '600', AJUDA_SLA_TICK_MS: '3600000' },
    { demo: false, now: () => new Date(Date.now() + offsetMs) },
  );
});
afterAll(async () => {
  await stack?.close();
});

const BRUNO = { sub: 'u_bruno', realm: 'acme', name: 'Bruno Lima', email: 'bruno@acme.example', locale: 'en', perms: [] as string[] };
const INCIDENT = {
  pipeline: { name: 'x', key: 'INV-EXP-02' },
  environment: 'Prod',
  impact: 'total',
  workaround: 'no',
  errorMessage: 'Timeout',
  errorAt: '2026-11-24T10:15:00Z',
  expected: 'Exports run',
  observed: 'Nothing runs',
  analysis: 'Checked credentials',
};

describe('routing and SLA', () => {
  it('R10: a breached first-response target is recorded as an event and raised to the leads, at any hour', async () => {
    const u = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(BRUNO) });
    const started = await u.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: INCIDENT }, 'conversation.started');
    expect(started.conversation.priority).toBe('P1');
    // Names are filled from the realm directory: key and name go together.
    expect(started.conversation.answers.pipeline).toEqual({ name: 'Invoice export', key: 'INV-EXP-02' });
    const lea = await agent(stack, 'lea@ajuda.local');
    await lea.request({ type: 'inbox.get' }, 'inbox');
    offsetMs = 16 * 60_000; // P1 first response is due in 15 minutes
    expect(await slaTick(stack.app.ajuda.svc)).toBeGreaterThanOrEqual(1);
    const breach = await lea.wait('sla.breached', (f) => f.conversationId === started.conversation.id);
    expect(breach.clock).toBe('first_response');
    const row = await lea.wait('agent.conversation.updated', (f) => f.conversation.id === started.conversation.id && f.conversation.sla.breached.includes('first_response'));
    expect(row.conversation.routingLog.at(-1)?.reason).toMatch(/R10/);
    expect((await stack.app.ajuda.svc.store.auditOf(started.conversation.id)).map((a) => a.action)).toContain('sla.breached');
    // Recorded once.
    expect(await slaTick(stack.app.ajuda.svc)).toBe(0);
    offsetMs = 0;
    u.close();
    lea.close();
  });

  it('R11: when nobody who speaks the language is available the conversation waits, then goes to the first who comes online', async () => {
    const v = await requester(stack, { channel: 'website', locale: 'es' });
    const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL('¿Hola?') }, 'conversation.started');
    expect(started.conversation.status).toBe('queued');
    const sofia = await agent(stack, 'sofia@ajuda.local');
    const upd = await v.wait('conversation.updated', (f) => f.conversation.id === started.conversation.id && f.conversation.status === 'assigned');
    expect(upd.conversation.assignee?.name).toBe('Sofía Romero');
    const msg = await v.wait('message.created', (f) => f.message.conversationId === started.conversation.id && f.message.body.includes('Sofía'));
    expect(msg.message.kind).toBe('system');
    sofia.close();
    v.close();
  });

  it('R8b: an agent transfers a complex change to the project team; the transfer is audited and logged', async () => {
    const joao = await agent(stack, 'joao@ajuda.local');
    const pedro = await agent(stack, 'pedro@ajuda.local');
    const u = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(BRUNO) });
    const other = await u.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'dev_question', answers: { question: 'Change the retry strategy?', logic: 'Retries', pipeline: { name: 'x', key: 'ORD-SYNC-01' }, environment: 'Prod' } }, 'conversation.started');
    await joao.request({ type: 'conversation.open', conversationId: other.conversation.id }, 'conversation.snapshot');
    joao.send({ type: 'conversation.transfer', conversationId: other.conversation.id, queue: 'project', reason: 'Changes the designed strategy' });
    const removed = await joao.wait('agent.conversation.removed', (f) => f.conversationId === other.conversation.id);
    expect(removed).toBeTruthy();
    const snap = await pedro.request({ type: 'conversation.open', conversationId: other.conversation.id }, 'conversation.snapshot');
    // Orders sync's project has no team of its own: any project-team member may take it.
    expect(snap.conversation).toMatchObject({ queue: 'project', team: null });
    const transferred = snap.conversation.routingLog.find((r) => r.code === 'transferred_to_queue');
    expect(transferred?.params).toEqual({ by: 'João Pereira', queue: 'project', note: 'Changes the designed strategy' });
    expect((await stack.app.ajuda.svc.store.auditOf(other.conversation.id)).map((a) => a.action)).toContain('conversation.transferred');
    // João handled it: he may still read it (R13), no longer write to it; someone who never handled it gets "not found".
    // (The only English support agent online, he was its assignee.)
    expect(snap.conversation.routingLog.map((r) => r.assigneeId)).toContain('ag_joao');
    const read = await joao.request({ type: 'conversation.open', conversationId: other.conversation.id }, 'conversation.snapshot');
    expect(read.access).toBe('read');
    const w = await joao.request({ type: 'message.send', conversationId: other.conversation.id, clientMsgId: 'r8b-late', body: 'x' }, 'error');
    expect(w.type === 'error' && w.code).toBe('not_found');
    const sofia = await agent(stack, 'sofia@ajuda.local');
    const e = await sofia.request({ type: 'conversation.open', conversationId: other.conversation.id }, 'error');
    expect(e.type === 'error' && e.code).toBe('not_found');
    for (const c of [joao, pedro, u, sofia]) c.close();
  });
});
