import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { GENERAL, idem, requester, type TestClient } from '../client.ts';

/** How long a command waits for a lock another connection holds (AJUDA_BUSY_TIMEOUT_MS), kept short here. */
const BUSY_TIMEOUT_MS = 200;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '5000', AJUDA_FRAME_BURST: '5000', AJUDA_BUSY_TIMEOUT_MS: String(BUSY_TIMEOUT_MS) }, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

/** What is stored, read through the store's test seam (committed rows only). */
const store = () => stack.app.ajuda.svc.store;
const rows = async (conversationId: string, clientMsgId: string) =>
  (await store().testing.sql<{ seq: number }>("SELECT seq FROM messages WHERE conversation_id = ? AND sender = 'requester' AND client_msg_id = ?", conversationId, clientMsgId)).map((r) => Number(r.seq));
const lastSeqOf = async (id: string) => Number((await store().testing.sql<{ s: number }>('SELECT last_seq AS s FROM conversations WHERE id = ?', id))[0]!.s);

async function queued(): Promise<{ r: TestClient; id: string }> {
  const r = await requester(stack, { locale: 'en' });
  const s = await r.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL() }, 'conversation.started');
  return { r, id: s.conversation.id };
}

describe('ack only after commit', () => {
  it('a failure right before COMMIT: no ack, an error frame, no row; the retry with the same clientMsgId is stored once', async () => {
    const { r, id } = await queued();
    const writer = stack.app.ajuda.svc.store.testing;
    let calls = 0;
    writer.beforeCommit = () => {
      calls++;
      throw new Error('injected: disk full');
    };
    try {
      const from = r.frames.length;
      const err = await r.request({ type: 'message.send', conversationId: id, clientMsgId: 'c1', body: 'first try' }, 'error');
      expect(calls).toBeGreaterThan(0);
      expect(err.code).toBe('internal');
      expect(err.incident).toMatch(/^inc_/);
      // The internal detail stays in the server log.
      expect(JSON.stringify(err)).not.toContain('disk full');
      expect(r.frames.slice(from).some((f) => f.type === 'message.ack')).toBe(false);
      expect(await rows(id, 'c1')).toEqual([]);
    } finally {
      writer.beforeCommit = null;
    }
    const ack = await r.request({ type: 'message.send', conversationId: id, clientMsgId: 'c1', body: 'first try' }, 'message.ack');
    expect(await rows(id, 'c1')).toEqual([ack.seq]);
    const again = await r.request({ type: 'message.send', conversationId: id, clientMsgId: 'c1', body: 'first try' }, 'message.ack');
    expect(again.seq).toBe(ack.seq);
    expect(await rows(id, 'c1')).toEqual([ack.seq]);
    r.close();
  });

  it('a failed batch fails every write in it: 20 concurrent sends, none acked, none stored; all 20 retries succeed once each', async () => {
    const { r, id } = await queued();
    const writer = stack.app.ajuda.svc.store.testing;
    writer.beforeCommit = () => {
      throw new Error('injected');
    };
    let replies;
    try {
      replies = await Promise.all(Array.from({ length: 20 }, (_, i) => r.request({ type: 'message.send', conversationId: id, clientMsgId: `b${i}`, body: `b${i}` }, 'error')));
    } finally {
      writer.beforeCommit = null;
    }
    expect(replies.every((x) => x.type === 'error')).toBe(true);
    expect(r.frames.some((f) => f.type === 'message.ack')).toBe(false);
    const lastSeq = await lastSeqOf(id);
    const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => r.request({ type: 'message.send', conversationId: id, clientMsgId: `b${i}`, body: `b${i}` }, 'message.ack')));
    // The failed batch left no hole: the retries take the next seqs, gapless.
    expect(acks.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => lastSeq + i + 1));
    for (let i = 0; i < 20; i++) expect(await rows(id, `b${i}`)).toHaveLength(1);
    r.close();
  });

  it('a busy store (another connection holds the write lock past the busy timeout): an `unavailable` error, no ack, no row; the retry succeeds', async () => {
    const { r, id } = await queued();
    const lastSeq = await lastSeqOf(id);
    const release = await store().testing.holdWriteLock();
    let err;
    try {
      err = await r.request({ type: 'message.send', conversationId: id, clientMsgId: 'busy-1', body: 'while locked' }, 'error', 10_000);
    } finally {
      await release();
    }
    expect(err.type).toBe('error');
    expect(err.code).toBe('unavailable');
    expect(r.frames.some((f) => f.type === 'message.ack' && f.clientMsgId === 'busy-1')).toBe(false);
    expect(await rows(id, 'busy-1')).toEqual([]);
    const ack = await r.request({ type: 'message.send', conversationId: id, clientMsgId: 'busy-1', body: 'while locked' }, 'message.ack');
    // The refused send took no seq: the retry has the next one.
    expect(ack.seq).toBe(lastSeq + 1);
    expect(await rows(id, 'busy-1')).toEqual([ack.seq]);
    r.close();
  });
});
