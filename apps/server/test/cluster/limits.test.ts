import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idem, type TestClient } from '../client.ts';
import { visitor } from './flows.ts';
import { printLogsOnFailure, startClusterEnv, type ClusterEnv } from './harness.ts';

/**
 * Abuse limits are per requester, not per process: a visitor who spreads conversation starts
 * over two nodes gets the allowance once (AJUDA_STARTS_PER_MINUTE=3 here), and losing Redis —
 * where the shared counters live — must not open the gate.
 */
let env: ClusterEnv | undefined;
beforeAll(async () => {
  env = await startClusterEnv({ nodes: 2, env: { AJUDA_STARTS_PER_MINUTE: '3' } });
});
afterAll(async () => {
  await env?.close();
});
printLogsOnFailure(() => env);

/** A new conversation.start: 'started', or the error frame's code and retryAfter. */
async function tryStart(c: TestClient): Promise<'started' | { code: string; retryAfter?: number }> {
  try {
    await c.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: { question: 'Another one?' } }, 'conversation.started', 15_000);
    return 'started';
  } catch (e) {
    const f = (e as { frame?: { code: string; retryAfter?: number } }).frame;
    if (!f) throw e;
    return { code: f.code, retryAfter: f.retryAfter };
  }
}

/** Redis is back for every node: each one's bus hears itself again (the shared counters reconnect alongside). */
async function busHealthy(): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (const n of env!.nodes) {
    for (;;) {
      const h = (await (await fetch(`${n.url}/healthz`)).json()) as { bus?: string };
      if (h.bus === 'ok') break;
      if (Date.now() > deadline) throw new Error(`node ${n.id}: bus not healthy again`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await new Promise((r) => setTimeout(r, 500));
}

describe('cluster rate limits', () => {
  it('conversation starts per requester are limited across nodes (the 4th anywhere is rate_limited), and still limited while Redis is down', async () => {
    const [a, b] = env!.nodes;
    const onA = await visitor(a!);
    const onB = await visitor(b!, onA.visitorToken);
    // 3 allowed in total: two on A, one on B.
    expect(await tryStart(onA)).toBe('started');
    expect(await tryStart(onB)).toBe('started');
    expect(await tryStart(onA)).toBe('started');
    // The 4th, on either node, is refused.
    for (const c of [onB, onA]) {
      const r = await tryStart(c);
      expect(r).toMatchObject({ code: 'rate_limited' });
      expect((r as { retryAfter?: number }).retryAfter).toBeGreaterThan(0);
    }
    // Another visitor is not limited by this one.
    const other = await visitor(b!);
    expect(await tryStart(other)).toBe('started');

    // Redis gone: the gate stays shut on both nodes (nothing is counted afresh per process).
    await env!.redis!.stop();
    try {
      for (const c of [onB, onA, onB]) expect(await tryStart(c)).toMatchObject({ code: 'rate_limited' });
      // A fresh visitor may still start a conversation without Redis: the limit refuses abuse, not service.
      const fresh = await visitor(a!);
      expect(await tryStart(fresh)).toBe('started');
      fresh.close();
    } finally {
      await env!.redis!.start();
      await busHealthy();
    }
    for (const c of [onA, onB, other]) c.close();
  });

  it('the limit reached through both nodes holds when Redis goes away before anyone was refused: the 4th start on the node that saw fewer of them is still rate_limited', async () => {
    const [a, b] = env!.nodes;
    const onA = await visitor(a!);
    const onB = await visitor(b!, onA.visitorToken);
    // 3 allowed in total: A, B, A — node B last heard from Redis that 2 were taken.
    expect(await tryStart(onA)).toBe('started');
    expect(await tryStart(onB)).toBe('started');
    expect(await tryStart(onA)).toBe('started');
    await env!.redis!.stop();
    try {
      expect(await tryStart(onB), 'a 4th start through node B while Redis is down').toMatchObject({ code: 'rate_limited' });
      expect(await tryStart(onA), 'a 4th start through node A while Redis is down').toMatchObject({ code: 'rate_limited' });
    } finally {
      await env!.redis!.start();
      await busHealthy();
    }
    onA.close();
    onB.close();
  });
});
