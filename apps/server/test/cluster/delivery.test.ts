import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { agent, idem, requester, type TestClient } from '../client.ts';
import { holdsExactlyOnce, newSendLog, sendUntilAcked, startQuestion, visitor } from './flows.ts';
import { printLogsOnFailure, startClusterEnv, type ClusterEnv } from './harness.ts';

/**
 * Two nodes on one PostgreSQL and one Redis: a conversation's people may be connected to
 * different processes, or one person to both at once. PostgreSQL decides every seq and every
 * idempotency key; Redis only tells the other process to look.
 */
let env: ClusterEnv | undefined;
beforeAll(async () => {
  env = await startClusterEnv({ nodes: 2 });
});
afterAll(async () => {
  await env?.close();
});
printLogsOnFailure(() => env);

const closeAll = (...cs: TestClient[]) => cs.forEach((c) => c.close());

describe('cluster delivery', () => {
  it('a message a requester sends on node A reaches the agent on node B, and the agent’s reply on B reaches the requester on A', async () => {
    const [a, b] = env!.nodes as [NonNullable<ClusterEnv>['nodes'][number], NonNullable<ClusterEnv>['nodes'][number]];
    const emma = await agent(b, 'emma@ajuda.local');
    const r = await visitor(a);
    const conv = await startQuestion(r);
    const snap = await emma.request({ type: 'conversation.open', conversationId: conv.id }, 'conversation.snapshot');
    const base = snap.conversation.lastSeq;

    const sent = await r.request({ type: 'message.send', conversationId: conv.id, clientMsgId: 'hello-a', body: 'hello from node A' }, 'message.ack');
    const got = await emma.wait('message.created', (f) => f.message.conversationId === conv.id && f.message.seq === sent.seq, 10_000);
    expect(got.message.body).toBe('hello from node A');
    expect(got.message.sender.role).toBe('requester');

    const reply = await emma.request({ type: 'message.send', conversationId: conv.id, clientMsgId: 'reply-b', body: 'answer from node B' }, 'message.ack');
    expect(reply.seq).toBe(sent.seq + 1);
    const back = await r.wait('message.created', (f) => f.message.conversationId === conv.id && f.message.seq === reply.seq, 10_000);
    expect(back.message.body).toBe('answer from node B');
    expect(back.message.sender.role).toBe('agent');

    // Then 30 each way at once: both sides end with every message once, in seq order.
    const log = newSendLog();
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => sendUntilAcked(r, conv.id, `r-${i}`, log)),
      ...Array.from({ length: 30 }, (_, i) => sendUntilAcked(emma, conv.id, `e-${i}`, log)),
    ]);
    const last = Math.max(...log.acked.values());
    expect(last).toBe(base + 2 + 60);
    await vi.waitFor(() => {
      expect(holdsExactlyOnce(r, conv.id, last, base)).toBeNull();
      expect(holdsExactlyOnce(emma, conv.id, last, base)).toBeNull();
    }, { timeout: 15_000, interval: 100 });
    closeAll(emma, r);
  });

  it('the same requester sending 2×100 messages at once through A and B: seq gapless 1..N, each clientMsgId stored once, a resend on the other node gets the same seq', async () => {
    const [a, b] = env!.nodes;
    const onA = await visitor(a!);
    const onB = await visitor(b!, onA.visitorToken);
    const conv = await startQuestion(onA);
    // The same person on the other process sees the conversation.
    const list = await onB.request({ type: 'conversation.list' }, 'conversation.list.result');
    expect(list.conversations.map((c) => c.id)).toContain(conv.id);

    const PER = 100;
    const log = newSendLog();
    await Promise.all([
      ...Array.from({ length: PER }, (_, i) => sendUntilAcked(onA, conv.id, `a-${i}`, log, 20_000)),
      ...Array.from({ length: PER }, (_, i) => sendUntilAcked(onB, conv.id, `b-${i}`, log, 20_000)),
    ]);
    expect(log.acked.size).toBe(2 * PER);
    expect(new Set(log.acked.values()).size).toBe(2 * PER); // no two clientMsgIds share a seq

    const store = await env!.store();
    const rows = await store.messagesAfter(conv.id, 0, 10_000, true);
    expect(rows.map((m) => m.seq)).toEqual(Array.from({ length: rows.length }, (_, k) => k + 1));
    const mine = rows.filter((m) => m.sender === 'requester' && m.clientMsgId);
    expect(mine).toHaveLength(2 * PER);
    expect(new Set(mine.map((m) => m.clientMsgId)).size).toBe(2 * PER);
    for (const m of mine) expect(log.acked.get(m.clientMsgId!)).toBe(m.seq);
    const last = rows.at(-1)!.seq;

    // Each socket of the person sees the other socket's messages and its own acks: all, once, in order.
    const first = Math.min(...log.acked.values()) - 1;
    await vi.waitFor(() => {
      expect(holdsExactlyOnce(onA, conv.id, last, first)).toBeNull();
      expect(holdsExactlyOnce(onB, conv.id, last, first)).toBeNull();
    }, { timeout: 15_000, interval: 100 });

    // Resends across nodes: the seq of the first ack, nothing stored again.
    for (const [id, via] of [['a-3', onB], ['a-57', onB], ['b-0', onA], ['b-99', onA]] as const) {
      const again = await via.request({ type: 'message.send', conversationId: conv.id, clientMsgId: id, body: `body ${id}` }, 'message.ack');
      expect(again.seq).toBe(log.acked.get(id));
    }
    // One new clientMsgId sent through both nodes at the same moment: one row, one seq for both.
    const [x, y] = await Promise.all(
      [onA, onB].map((c) => c.request({ type: 'message.send', conversationId: conv.id, clientMsgId: 'race-1', body: 'sent twice at once' }, 'message.ack')),
    );
    expect(x!.seq).toBe(y!.seq);
    const after = await store.messagesAfter(conv.id, 0, 10_000, true);
    expect(after).toHaveLength(rows.length + 1);
    expect(after.filter((m) => m.clientMsgId === 'race-1')).toHaveLength(1);
    closeAll(onA, onB);
  });

  it('the same conversation.start idempotency key sent through two nodes at once creates one conversation', async () => {
    const [a, b] = env!.nodes;
    const token = await a!.signIdentity({ sub: 'u_cluster_idem', realm: 'acme', name: 'Idem Potent', email: 'idem@acme.example', locale: 'en' });
    const onA = await requester(a!, { channel: 'platform', identityToken: token });
    const onB = await requester(b!, { channel: 'platform', identityToken: token });
    const key = idem();
    const start = (c: TestClient) =>
      c.request({ type: 'conversation.start', idempotencyKey: key, requestType: 'general_question', locale: 'en', answers: { question: 'Once only?' } }, 'conversation.started', 20_000);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => start(i % 2 ? onB : onA)));
    const ids = new Set(replies.map((r) => r.conversation.id));
    expect(ids.size).toBe(1);
    for (const c of [onA, onB]) {
      const list = await c.request({ type: 'conversation.list' }, 'conversation.list.result');
      expect(list.conversations.map((x) => x.id)).toEqual([...ids]);
    }
    const store = await env!.store();
    const rows = await store.testing.sql<{ n: string }>('SELECT count(*) AS n FROM conversations WHERE user_id = ?', 'u_cluster_idem');
    expect(Number(rows[0]!.n)).toBe(1);
    closeAll(onA, onB);
  });
});
