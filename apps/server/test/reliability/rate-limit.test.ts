import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { GENERAL, idem, requester, type TestClient } from '../client.ts';

// Default limits: AJUDA_FRAMES_PER_SECOND=30, AJUDA_FRAME_BURST=60, AJUDA_STARTS_PER_MINUTE=10.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errors = (c: TestClient, code: string) => c.frames.filter((f) => f.type === 'error' && f.code === code) as Array<{ ref?: string; retryAfter?: number }>;

describe('rate limits', () => {
  it('a visitor flooding message.send gets rate_limited with retryAfter (and the ref of each refused frame); another visitor at the same time is not slowed', async () => {
    const flood = await requester(stack, { locale: 'en' });
    const calm = await requester(stack, { locale: 'en' });
    const fid = (await flood.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started')).conversation.id;
    const cid = (await calm.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started')).conversation.id;
    await sleep(1100); // let the buckets refill after the setup frames

    const calmAcks: Promise<unknown>[] = [];
    const calmSends = (async () => {
      for (let i = 0; i < 20; i++) {
        calmAcks.push(calm.request({ type: 'message.send', conversationId: cid, clientMsgId: `calm-${i}`, body: `calm ${i}` }, 'message.ack'));
        await sleep(60); // ~16 frames/s, under the limit
      }
    })();
    for (let i = 0; i < 300; i++) flood.send({ type: 'message.send', conversationId: fid, clientMsgId: `f-${i}`, body: `flood ${i}`, ref: `f-${i}` });
    await calmSends;
    await Promise.all(calmAcks); // every calm send acked: none refused
    await flood.request({ type: 'conversation.list' }, 'conversation.list.result').catch(() => undefined);
    await sleep(200);

    const limited = errors(flood, 'rate_limited');
    expect(limited.length).toBeGreaterThan(100);
    expect(limited.every((e) => typeof e.retryAfter === 'number' && e.retryAfter > 0)).toBe(true);
    // Each refusal names the frame it refused, so the widget's outbox knows what to resend.
    expect(limited.every((e) => typeof e.ref === 'string' && e.ref.startsWith('f-'))).toBe(true);
    const acked = flood.frames.filter((f) => f.type === 'message.ack').length;
    expect(acked + limited.length).toBe(300);
    expect(errors(calm, 'rate_limited')).toEqual([]);
    // Refused frames were not stored.
    const stored = (await stack.app.ajuda.svc.store.messagesAfter(fid, 0, 10_000, false)).filter((m) => m.sender === 'requester').length;
    expect(stored).toBe(acked);
    flood.close();
    calm.close();
  });

  it('a visitor flooding conversation.start gets rate_limited with retryAfter after the allowance; another visitor can still start', async () => {
    const flood = await requester(stack, { locale: 'en' });
    const calm = await requester(stack, { locale: 'en' });
    const replies = await Promise.all(
      Array.from({ length: 15 }, () =>
        flood.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started').then(
          () => 'started',
          (e: { frame?: { code: string; retryAfter?: number } }) => e.frame,
        ),
      ),
    );
    expect(replies.filter((r) => r === 'started')).toHaveLength(10);
    const refused = replies.filter((r) => r !== 'started') as Array<{ code: string; retryAfter?: number }>;
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expect(r.code).toBe('rate_limited');
      expect(r.retryAfter).toBeGreaterThan(0);
    }
    // A retry of an existing start (same idempotency key) is not a new start: still answered.
    const again = await calm.request({ type: 'conversation.start', idempotencyKey: 'calm-start-1', requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
    expect(again.conversation.status).not.toBe('intake');
    flood.close();
    calm.close();
  });
});
