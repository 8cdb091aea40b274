import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { agent, GENERAL, idem, requester, TestClient, V } from './client.ts';

let stack: TestStack;
beforeAll(async () => {
  // Generous limits: these tests send in bursts; the limits have tests of their own.
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '2000', AJUDA_FRAME_BURST: '2000' }, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

async function openConversation(a: TestClient, r: TestClient) {
  const started = await r.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL() }, 'conversation.started');
  const id = started.conversation.id;
  await a.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
  return id;
}

describe('delivery', () => {
  it('a requester and an agent exchange 100 messages each way: same order on both sides, seq 1..n without gaps', async () => {
    const a = await agent(stack, 'emma@ajuda.local');
    const r = await requester(stack, { locale: 'en' });
    const id = await openConversation(a, r);
    const base = (await a.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot')).conversation.lastSeq;
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      acks.push(r.request({ type: 'message.send', conversationId: id, clientMsgId: `r-${i}`, body: `from requester ${i}` }, 'message.ack'));
      acks.push(a.request({ type: 'message.send', conversationId: id, clientMsgId: `a-${i}`, body: `from agent ${i}` }, 'message.ack'));
    }
    await Promise.all(acks);
    const last = base + 200;
    // Each side sees the other's messages via message.created and its own via acks.
    const seen = (c: TestClient, mine: string) => {
      const other = c.frames.filter((f) => f.type === 'message.created' && f.message.conversationId === id && f.message.seq > base).map((f) => (f as { message: { seq: number; body: string } }).message);
      const own = c.frames.filter((f) => f.type === 'message.ack' && f.conversationId === id).map((f) => (f as { seq: number; clientMsgId: string }));
      const all = new Map<number, string>();
      for (const m of other) all.set(m.seq, m.body);
      for (const o of own) all.set(o.seq, `${mine}:${o.clientMsgId}`);
      return [...all.keys()].sort((x, y) => x - y);
    };
    await a.wait('message.created', (f) => f.message.seq === last || (f.message.conversationId === id && f.message.body === 'from requester 99'));
    await r.wait('message.created', (f) => f.message.conversationId === id && f.message.body === 'from agent 99');
    const expected = Array.from({ length: 200 }, (_, i) => base + i + 1);
    expect(seen(a, 'a')).toEqual(expected);
    expect(seen(r, 'r')).toEqual(expected);
    // Both sides resume from 0 and get the identical ordered history.
    const ra = await requester(stack, {}, stack.url);
    void ra;
    const history = async (c: TestClient) => {
      const from = c.frames.length;
      await c.request({ type: 'session.resume', conversationId: id, lastSeq: 0 }, 'resume.done');
      return c.frames.slice(from).filter((f) => f.type === 'message.created').map((f) => (f as { message: { seq: number; body: string } }).message);
    };
    const ha = await history(a);
    const hr = await history(r);
    expect(ha.map((m) => m.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(hr).toEqual(ha); // no notes here, so the requester's view is the same
    a.close();
    r.close();
    ra.close();
  });

  it('the same clientMsgId sent 5 times across 2 reconnects is stored once and every ack carries the same seq', async () => {
    const a = await agent(stack, 'emma@ajuda.local');
    let r = await requester(stack, { locale: 'en' });
    const visitorToken = (r.frames.find((f) => f.type === 'session.ready') as { visitorToken?: string }).visitorToken!;
    const id = await openConversation(a, r);
    const seqs: number[] = [];
    const frame = { type: 'message.send', conversationId: id, clientMsgId: 'same-1', body: 'only once please' };
    for (let round = 0; round < 3; round++) {
      if (round > 0) {
        r.close();
        await r.waitClose();
        r = await requester(stack, { visitorToken });
      }
      for (let k = 0; k < (round === 0 ? 1 : 2); k++) seqs.push((await r.request(frame, 'message.ack')).seq);
    }
    expect(seqs).toHaveLength(5);
    expect(new Set(seqs).size).toBe(1);
    const snap = await a.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    expect(snap.messages.filter((m) => m.body === 'only once please')).toHaveLength(1);
    a.close();
    r.close();
  });

  it('20 parallel conversation.start with one idempotency key create exactly one conversation', async () => {
    const r = await requester(stack, { locale: 'en' });
    const key = idem();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => r.request({ type: 'conversation.start', idempotencyKey: key, requestType: 'general_question', answers: GENERAL() }, 'conversation.started')),
    );
    expect(new Set(replies.map((x) => x.conversation.id)).size).toBe(1);
    const list = await r.request({ type: 'conversation.list' }, 'conversation.list.result');
    expect(list.conversations.filter((c) => c.id === replies[0]!.conversation.id)).toHaveLength(1);
    expect(list.conversations).toHaveLength(1);
    r.close();
  });

  it('a requester who disconnects gets exactly the 50 messages the agent sent meanwhile, in order, on resume', async () => {
    const a = await agent(stack, 'emma@ajuda.local');
    let r = await requester(stack, { locale: 'en' });
    const visitorToken = (r.frames.find((f) => f.type === 'session.ready') as { visitorToken?: string }).visitorToken!;
    const id = await openConversation(a, r);
    await r.request({ type: 'message.send', conversationId: id, clientMsgId: 'hello', body: 'hello' }, 'message.ack');
    const lastSeq = (await a.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot')).conversation.lastSeq;
    r.close();
    await r.waitClose();
    for (let i = 0; i < 50; i++) await a.request({ type: 'message.send', conversationId: id, clientMsgId: `m${i}`, body: `missed ${i}` }, 'message.ack');
    r = await requester(stack, { visitorToken });
    const from = r.frames.length;
    const done = await r.request({ type: 'session.resume', conversationId: id, lastSeq }, 'resume.done');
    const got = r.frames.slice(from).filter((f) => f.type === 'message.created').map((f) => (f as { message: { seq: number; body: string } }).message);
    expect(got.map((m) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => `missed ${i}`));
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => lastSeq + i + 1));
    expect(done.replayed).toBe(50);
    expect(done.lastSeq).toBe(lastSeq + 50);
    a.close();
    r.close();
  });

  it('an internal note never reaches the requester socket (checked on the wire)', async () => {
    const a = await agent(stack, 'emma@ajuda.local');
    const r = await requester(stack, { locale: 'en' });
    const id = await openConversation(a, r);
    await a.request({ type: 'message.send', conversationId: id, clientMsgId: 'n1', body: 'SECRET-NOTE-XYZ', kind: 'note' }, 'message.ack');
    await a.request({ type: 'message.send', conversationId: id, clientMsgId: 't1', body: 'visible reply' }, 'message.ack');
    await r.wait('message.created', (f) => f.message.body === 'visible reply');
    await r.request({ type: 'session.resume', conversationId: id, lastSeq: 0 }, 'resume.done');
    expect(r.raw.join('\n')).not.toContain('SECRET-NOTE-XYZ');
    // A requester cannot write a note.
    const err = await r.request({ type: 'message.send', conversationId: id, clientMsgId: 'x', body: 'x', kind: 'note' }, 'error');
    expect(err.code).toBe('forbidden');
    a.close();
    r.close();
  });
});

export { V };
