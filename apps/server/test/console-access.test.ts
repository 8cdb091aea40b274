import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { agent, GENERAL, idem, requester, type TestClient } from './client.ts';

/** What the agent console needs from the server, over real sockets: read access, previews, grant traces, feedback. */
let stack: TestStack;
const open: TestClient[] = [];
beforeAll(async () => {
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '500', AJUDA_FRAME_BURST: '500', AJUDA_STARTS_PER_MINUTE: '600' }, { demo: false });
});
afterAll(async () => {
  for (const c of open) c.close();
  await stack?.close();
});

const track = <T extends TestClient>(c: T): T => {
  open.push(c);
  return c;
};

const ANA = { sub: 'u_ana', realm: 'acme', name: 'Ana Souza', email: 'ana@acme.example', locale: 'pt', perms: ['support.grant'] };
const BRUNO = { sub: 'u_bruno', realm: 'acme', name: 'Bruno Lima', email: 'bruno@acme.example', locale: 'en', perms: [] as string[] };
const user = async (claims: typeof ANA) => track(await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(claims) }));

/** A visitor's English general question, answered by Emma (the only English agent online): she is its assignee. */
async function handledByEmma(emma: TestClient, question = 'How do I configure retries?') {
  const v = track(await requester(stack, { channel: 'website', locale: 'en' }));
  const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL(question) }, 'conversation.started');
  const id = started.conversation.id;
  const snap = await emma.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
  if (snap.conversation.assignee?.name !== 'Emma Clarke') await emma.request({ type: 'conversation.assign', conversationId: id }, 'agent.conversation.updated');
  return { v, id };
}

const ESCALATION = { reason: 'other_engineer', description: 'Still failing', environment: 'Prod', justification: 'Need another look' } as const;

describe('the agent who handled an escalated conversation', () => {
  it('R13: keeps following it read-only — live messages, open and resume by seq — but can no longer write to it', async () => {
    const emma = track(await agent(stack, 'emma@ajuda.local'));
    const { v, id } = await handledByEmma(emma);
    await v.request({ type: 'escalation.create', conversationId: id, ...ESCALATION }, 'escalation.created');
    // It leaves her queues (she no longer handles it)…
    await emma.wait('agent.conversation.removed', (f) => f.conversationId === id);
    // …but what the requester writes next still reaches her open pane.
    const from = emma.frames.length;
    await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'after-esc-1', body: 'Anyone there?' }, 'message.ack');
    const live = await emma.wait('message.created', (f) => f.message.conversationId === id && f.message.body === 'Anyone there?', 5_000, from);
    const snap = await emma.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    expect(snap.access).toBe('read');
    expect(snap.conversation.escalated).toBe(true);
    expect(snap.messages.map((m) => m.body)).toContain('Anyone there?');
    const resumed = await emma.request({ type: 'session.resume', conversationId: id, lastSeq: live.message.seq - 1 }, 'resume.done');
    expect(resumed.replayed).toBe(1);
    // No write: no reply, no note, no read receipt, no assignment, no realm.
    for (const frame of [
      { type: 'message.send', conversationId: id, clientMsgId: 'emma-write', body: 'I am still here' },
      { type: 'message.send', conversationId: id, clientMsgId: 'emma-note', body: 'note', kind: 'note' },
      { type: 'read', conversationId: id, lastReadSeq: live.message.seq },
      { type: 'conversation.assign', conversationId: id },
      { type: 'conversation.resolve', conversationId: id },
    ]) {
      const e = await emma.request(frame, 'error');
      expect(e.type === 'error' && e.code, frame.type).toBe('not_found');
    }
  });

  it('R7a: an agent who never handled it gets "not found", exactly as for a conversation that does not exist', async () => {
    const emma = track(await agent(stack, 'emma@ajuda.local'));
    const { v, id } = await handledByEmma(emma, 'Another question');
    await v.request({ type: 'escalation.create', conversationId: id, ...ESCALATION }, 'escalation.created');
    const joao = track(await agent(stack, 'joao@ajuda.local'));
    const a = await joao.request({ type: 'conversation.open', conversationId: id }, 'error');
    const b = await joao.request({ type: 'conversation.open', conversationId: 'AJ-NOPE-0000' }, 'error');
    expect(a.type === 'error' && a.code).toBe('not_found');
    expect(b.type === 'error' && b.code).toBe('not_found');
    const r = await joao.request({ type: 'session.resume', conversationId: id, lastSeq: 0 }, 'error');
    expect(r.type === 'error' && r.code).toBe('not_found');
  });
});

describe('inbox rows and leads', () => {
  it('an inbox row carries the last message: sender and first line, truncated', async () => {
    const emma = track(await agent(stack, 'emma@ajuda.local'));
    const { v, id } = await handledByEmma(emma, 'Preview question');
    const long = `${'Retries fail after the third attempt '.repeat(8)}\nsecond line`;
    await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'prev-1', body: long }, 'message.ack');
    const row = await emma.wait('agent.conversation.updated', (f) => f.conversation.id === id && f.conversation.lastMessage?.role === 'requester');
    const preview = row.conversation.lastMessage!;
    expect(preview.text.endsWith('…')).toBe(true);
    expect([...preview.text].length).toBeLessThanOrEqual(120);
    expect(preview.text).not.toContain('second line');
    // A note is not a preview: the last public message stays.
    await emma.request({ type: 'message.send', conversationId: id, clientMsgId: 'prev-note', body: 'internal', kind: 'note' }, 'message.ack');
    await emma.request({ type: 'message.send', conversationId: id, clientMsgId: 'prev-2', body: 'Looking into it\nmore' }, 'message.ack');
    const mine = await emma.wait('agent.conversation.updated', (f) => f.conversation.id === id && f.conversation.lastMessage?.role === 'agent');
    expect(mine.conversation.lastMessage).toMatchObject({ role: 'agent', name: 'Emma Clarke', text: 'Looking into it' });
    const inbox = await emma.request({ type: 'inbox.get' }, 'inbox');
    expect(inbox.conversations.find((c) => c.id === id)?.lastMessage?.text).toBe('Looking into it');
  });

  it('R14: a "No" with its comment reaches a lead live', async () => {
    const lea = track(await agent(stack, 'lea@ajuda.local'));
    const emma = track(await agent(stack, 'emma@ajuda.local'));
    const { v, id } = await handledByEmma(emma, 'Feedback question');
    await emma.request({ type: 'conversation.resolve', conversationId: id }, 'agent.conversation.updated');
    const from = lea.frames.length;
    await v.request({ type: 'feedback.submit', conversationId: id, answered: false, comment: 'The retry setting is still ignored' }, 'feedback.recorded');
    const row = await lea.wait('agent.conversation.updated', (f) => f.conversation.id === id && f.conversation.feedback !== null, 5_000, from);
    expect(row.conversation.feedback).toEqual({ answered: false, comment: 'The retry setting is still ignored' });
  });
});

describe('a change made under a grant', () => {
  it('R12c: is recorded where the customer sees it — a line in their conversation and the use in their grant list', async () => {
    const joao = track(await agent(stack, 'joao@ajuda.local'));
    const ana = await user(ANA);
    const bruno = await user(BRUNO);
    const started = await bruno.request(
      { type: 'conversation.start', idempotencyKey: idem(), requestType: 'dev_question', answers: { question: 'Why does it stop?', logic: 'Copy orders', pipeline: { name: 'Orders sync', key: 'ORD-SYNC-01' }, environment: 'Test' } },
      'conversation.started',
    );
    const id = started.conversation.id;
    await joao.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    const granted = await ana.request({ type: 'grant.create', level: 'write', minutes: 60 }, 'grant.list');
    const grantId = granted.grants[0]!.id;
    expect(granted.grants[0]!.uses).toEqual([]);
    const from = bruno.frames.length;
    await joao.request({ type: 'realm.adjust', conversationId: id, pipelineId: 'pl_orders', action: 'pause' }, 'realm.snapshot');
    const line = await bruno.wait('message.created', (f) => f.message.conversationId === id && f.message.kind === 'system' && f.message.body.includes('Orders sync'), 5_000, from);
    // Bruno's conversation is in English: the agent, what was done and to which pipeline.
    expect(line.message.body).toBe('João Pereira from support paused the pipeline Orders sync using the access you granted.');
    const list = await ana.request({ type: 'grant.list.get' }, 'grant.list');
    const g = list.grants.find((x) => x.id === grantId)!;
    expect(g.uses).toEqual([{ at: expect.any(String), action: 'pause', target: 'Orders sync', by: 'João Pereira' }]);
  });
});
