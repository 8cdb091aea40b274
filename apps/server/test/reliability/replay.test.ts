import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { agent, GENERAL, idem, requester, type TestClient } from '../client.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '5000', AJUDA_FRAME_BURST: '5000', AJUDA_MAX_REPLAY: '600' }, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

type Msg = { seq: number; body: string; kind: string };
const created = (c: TestClient, id: string, from = 0): Msg[] =>
  c.frames.slice(from).flatMap((f) => (f.type === 'message.created' && f.message.conversationId === id ? [f.message] : []));

describe('reconnect replay', () => {
  it('a requester reconnecting while the agent sends 500 messages gets every one exactly once, in order (live + replay, deduplicated by seq)', async () => {
    const a = await agent(stack, 'emma@ajuda.local');
    let r = await requester(stack, { locale: 'en' });
    const visitorToken = (r.frames.find((f) => f.type === 'session.ready') as { visitorToken?: string }).visitorToken!;
    const started = await r.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL() }, 'conversation.started');
    const id = started.conversation.id;
    await a.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    await r.request({ type: 'message.send', conversationId: id, clientMsgId: 'before', body: 'before the gap' }, 'message.ack');
    const seen = new Map<number, Msg>();
    for (const m of created(r, id)) seen.set(m.seq, m);
    // What the requester had when its socket dropped.
    const lastSeq = Math.max(...seen.keys(), (await r.request({ type: 'conversation.list' }, 'conversation.list.result')).conversations.find((c) => c.id === id)!.lastSeq);
    r.close();
    await r.waitClose();

    // The agent sends 500 (plus internal notes that must never be replayed to the requester);
    // the requester comes back half-way through.
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 500; i++) {
      sends.push(a.request({ type: 'message.send', conversationId: id, clientMsgId: `g${i}`, body: `gap ${i}` }, 'message.ack'));
      if (i % 50 === 0) sends.push(a.request({ type: 'message.send', conversationId: id, clientMsgId: `n${i}`, body: `NOTE-${i}`, kind: 'note' }, 'message.ack'));
      if (i === 250) {
        await Promise.all(sends.splice(0));
        r = await requester(stack, { visitorToken });
      }
    }
    const done = await r.request({ type: 'session.resume', conversationId: id, lastSeq }, 'resume.done');
    await Promise.all(sends);
    // Anything sent after the replay arrives live.
    await r.wait('message.created', (f) => f.message.body === 'gap 499');
    const replay = r.frames.slice(0, r.frames.indexOf(done)).filter((f) => f.type === 'message.created');
    const replaySeqs = replay.map((f) => (f as { message: Msg }).message.seq);
    // The replay itself is strictly increasing: in order, nothing twice.
    expect(replaySeqs.every((s, i) => i === 0 || s > replaySeqs[i - 1]!)).toBe(true);
    for (const m of created(r, id)) {
      const prev = seen.get(m.seq);
      if (prev) expect(prev).toEqual(m); // a seq seen twice (live and replayed) is the same message
      seen.set(m.seq, m);
    }
    const gap = [...seen.values()].filter((m) => m.body.startsWith('gap '));
    expect(gap.map((m) => m.body).sort()).toEqual(Array.from({ length: 500 }, (_, i) => `gap ${i}`).sort());
    expect(gap.map((m) => m.body)).toEqual([...gap].sort((x, y) => x.seq - y.seq).map((m) => m.body));
    expect(new Set(gap.map((m) => m.body)).size).toBe(500);
    // Notes are never sent to the requester; every public seq is covered without holes.
    expect(r.raw.some((x) => x.includes('NOTE-'))).toBe(false);
    const notes = 10;
    const publicSeqs = [...seen.keys()].filter((s) => s > lastSeq).sort((x, y) => x - y);
    expect(publicSeqs.length).toBe(500);
    expect(publicSeqs.at(-1)).toBe(lastSeq + 500 + notes);
    expect(done.lastSeq).toBeGreaterThanOrEqual(lastSeq + 251);
    a.close();
    r.close();
  }, 60_000);

  it('past AJUDA_MAX_REPLAY (600) missed messages the client gets `snapshot_required`; within it, the replay', async () => {
    const a = await agent(stack, 'emma@ajuda.local');
    const r = await requester(stack, { locale: 'en' });
    const started = await r.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL() }, 'conversation.started');
    const id = started.conversation.id;
    await a.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    const acks = await Promise.all(Array.from({ length: 700 }, (_, i) => a.request({ type: 'message.send', conversationId: id, clientMsgId: `m${i}`, body: `m${i}` }, 'message.ack')));
    const last = Math.max(...acks.map((x) => x.seq));
    const err = await r.request({ type: 'session.resume', conversationId: id, lastSeq: last - 601 }, 'error');
    expect(err.code).toBe('snapshot_required');
    expect(err.conversationId).toBe(id);
    const from = r.frames.length;
    const done = await r.request({ type: 'session.resume', conversationId: id, lastSeq: last - 600 }, 'resume.done');
    expect(done.replayed).toBe(600);
    expect(created(r, id, from).map((m) => m.seq)).toEqual(Array.from({ length: 600 }, (_, i) => last - 599 + i));
    a.close();
    r.close();
  }, 60_000);
});
