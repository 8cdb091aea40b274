import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '@ajuda/db/pg-cluster';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { agent, GENERAL, idem, requester, type TestClient } from '../client.ts';

/**
 * PostgreSQL killed under load (`pg_ctl stop -m immediate`: no checkpoint, a crash) and started
 * again. Ajuda must keep its promises: while the database is gone clients get the documented
 * transient error (`unavailable`) and retry with the same clientMsgId; afterwards every acked
 * message is stored exactly once, seqs are gapless, and nothing unacked was reported as sent.
 * This cluster is the test's own (the shared one of `pnpm test:pg` must not be killed).
 */
let cluster: Cluster;
let stack: TestStack;
beforeAll(async () => {
  cluster = await startCluster();
  const url = await cluster.createDatabase('ajuda');
  stack = await startTestStack({ AJUDA_DATABASE_URL: url, AJUDA_BUSY_TIMEOUT_MS: '500', AJUDA_FRAMES_PER_SECOND: '1000', AJUDA_FRAME_BURST: '1000' }, { demo: false });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

/** Send until acked, as the widget's outbox does: the same clientMsgId after every transient error. */
async function sendUntilAcked(c: TestClient, conversationId: string, clientMsgId: string, transient: string[]): Promise<number> {
  for (;;) {
    try {
      const ack = await c.request({ type: 'message.send', conversationId, clientMsgId, body: `body ${clientMsgId}` }, 'message.ack', 20_000);
      return ack.seq;
    } catch (e) {
      const code = (e as { frame?: { code?: string } }).frame?.code;
      if (!code) throw e;
      transient.push(code);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('PostgreSQL failover', () => {
  it('killed under load and restarted: clients see `unavailable`, retry, and every acked message is there exactly once with gapless seqs', async () => {
    const a = await agent(stack, 'emma@ajuda.local');
    const people = await Promise.all(Array.from({ length: 4 }, () => requester(stack, { locale: 'en' })));
    const ids: string[] = [];
    for (const r of people) {
      const started = await r.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL() }, 'conversation.started');
      ids.push(started.conversation.id);
    }
    const transient: string[] = [];
    const acked = new Map<string, number>();
    const PER = 60;
    let sent = 0;
    const load = people.map(async (r, i) => {
      for (let n = 0; n < PER; n++) {
        const clientMsgId = `p${i}-m${n}`;
        acked.set(clientMsgId, await sendUntilAcked(r, ids[i]!, clientMsgId, transient));
        sent++;
      }
    });
    // Kill once the load is well under way, keep it down a moment, start it again.
    while (sent < 40) await new Promise((r) => setTimeout(r, 20));
    await cluster.kill();
    const health = await fetch(`${stack.url}/healthz`);
    await new Promise((r) => setTimeout(r, 1500));
    await cluster.restart();
    await Promise.all(load);

    expect(health.status).toBe(503);
    expect(transient.length).toBeGreaterThan(0);
    // Only the documented transient error: never `internal`, never a lost ack.
    expect([...new Set(transient)]).toEqual(['unavailable']);
    expect(acked.size).toBe(people.length * PER);

    const store = stack.app.ajuda.svc.store;
    for (const [i, id] of ids.entries()) {
      const rows = await store.messagesAfter(id, 0, 10_000, true);
      // Gapless 1..n, each message once, each at the seq its ack carried.
      expect(rows.map((m) => m.seq)).toEqual(Array.from({ length: rows.length }, (_, k) => k + 1));
      const mine = rows.filter((m) => m.sender === 'requester');
      expect(mine.map((m) => m.clientMsgId)).toEqual(Array.from({ length: PER }, (_, n) => `p${i}-m${n}`));
      for (const m of mine) expect(acked.get(m.clientMsgId!)).toBe(m.seq);
    }
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    a.close();
    for (const r of people) r.close();
  }, 120_000);
});
