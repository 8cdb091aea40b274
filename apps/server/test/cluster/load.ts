import { expect, vi } from 'vitest';
import { agent, type TestClient } from '../client.ts';
import { holdsExactlyOnce, newSendLog, sendUntilAcked, startQuestion, visitor, type SendLog } from './flows.ts';
import type { AjudaNode, ClusterEnv } from './harness.ts';

/**
 * Two-way traffic across two nodes, for the tests that break Redis under it: a requester on each
 * node with a conversation of their own, an agent on each node who opened both conversations, and
 * every one of them sending in a loop (one message in flight per loop, as a person types).
 */
export interface Load {
  convs: string[];
  /** Who follows which conversation, and the seq each conversation was at when everyone followed it. */
  followers: Array<{ name: string; client: TestClient; conversationId: string; base: number }>;
  log: SendLog;
  /** Acks so far. */
  readonly acked: number;
  /** Resolves once `n` more acks than now have arrived (or rejects after `timeoutMs`, saying how many did). */
  moreAcks(n: number, timeoutMs: number, what: string): Promise<void>;
  /** Stop the loops and wait for the sends in flight. */
  stop(): Promise<void>;
  close(): void;
}

export async function startLoad(a: AjudaNode, b: AjudaNode, paceMs = 40): Promise<Load> {
  const emma = await agent(a, 'emma@ajuda.local');
  const joao = await agent(b, 'joao@ajuda.local');
  const r1 = await visitor(a);
  const r2 = await visitor(b);
  const c1 = (await startQuestion(r1, { question: 'Question asked on node A' })).id;
  const c2 = (await startQuestion(r2, { question: 'Question asked on node B' })).id;
  const bases = new Map<string, number>();
  for (const ag of [emma, joao])
    for (const id of [c1, c2]) {
      const snap = await ag.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
      bases.set(id, Math.max(bases.get(id) ?? 0, snap.conversation.lastSeq));
    }
  const followers = [
    { name: 'requester 1 (A)', client: r1, conversationId: c1 },
    { name: 'requester 2 (B)', client: r2, conversationId: c2 },
    { name: 'emma (A)', client: emma, conversationId: c1 },
    { name: 'emma (A)', client: emma, conversationId: c2 },
    { name: 'joão (B)', client: joao, conversationId: c1 },
    { name: 'joão (B)', client: joao, conversationId: c2 },
  ].map((f) => ({ ...f, base: bases.get(f.conversationId)! }));

  const log = newSendLog();
  let running = true;
  const waiters: Array<() => void> = [];
  const loop = async (c: TestClient, conversationId: string, prefix: string) => {
    for (let i = 0; running; i++) {
      await sendUntilAcked(c, conversationId, `${prefix}-${i}`, log, 10_000);
      for (const w of waiters.splice(0)) w();
      await new Promise((r) => setTimeout(r, paceMs));
    }
  };
  const loops = [
    loop(r1, c1, 'r1'),
    loop(r2, c2, 'r2'),
    loop(emma, c1, 'emma-c1'),
    loop(emma, c2, 'emma-c2'),
    loop(joao, c1, 'joao-c1'),
    loop(joao, c2, 'joao-c2'),
  ];
  // A failing loop fails the test when stop() is awaited; meanwhile it must not go unhandled.
  const all = Promise.all(loops);
  all.catch(() => undefined);
  return {
    convs: [c1, c2],
    followers,
    log,
    get acked() {
      return log.acked.size;
    },
    async moreAcks(n, timeoutMs, what) {
      const target = log.acked.size + n;
      const t0 = Date.now();
      while (log.acked.size < target) {
        if (Date.now() - t0 > timeoutMs)
          throw new Error(`${what}: ${log.acked.size - (target - n)} of ${n} acks in ${timeoutMs} ms (transient errors ${log.transient.length}, timeouts ${log.timeouts.length})`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), all, new Promise((r) => setTimeout(r, 200))]);
      }
    },
    async stop() {
      running = false;
      await all;
    },
    close() {
      for (const c of [emma, joao, r1, r2]) c.close();
    },
  };
}

/**
 * Wait until every node's /healthz reports the bus as `state` (cluster mode: `ok` once it hears
 * its own heartbeat through Redis, `degraded` once it noticed it does not).
 */
export async function busIs(nodes: AjudaNode[], state: 'ok' | 'degraded', timeoutMs: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const seen = await Promise.all(nodes.map(async (n) => `${n.id}: ${(await n.health()).body.bus}`));
      expect(seen).toEqual(nodes.map((n) => `${n.id}: ${state}`));
    },
    { timeout: timeoutMs, interval: 100 },
  );
}

/**
 * After the load: PostgreSQL holds every acked message once at its acked seq (gapless), and every
 * follower — once the cluster has healed — holds every message of its conversation once, in order.
 */
export async function expectEveryoneHasEverything(env: ClusterEnv, load: Load, timeoutMs = 30_000): Promise<void> {
  const store = await env.store();
  const last = new Map<string, number>();
  for (const id of load.convs) {
    const rows = await store.messagesAfter(id, 0, 100_000, true);
    expect(rows.map((m) => m.seq)).toEqual(Array.from({ length: rows.length }, (_, k) => k + 1));
    const withId = rows.filter((m) => m.clientMsgId);
    expect(new Set(withId.map((m) => `${m.sender}/${m.clientMsgId}`)).size).toBe(withId.length);
    for (const m of withId) if (load.log.acked.has(m.clientMsgId!)) expect(load.log.acked.get(m.clientMsgId!), m.clientMsgId!).toBe(m.seq);
    last.set(id, rows.at(-1)!.seq);
  }
  // Every acked message is stored.
  const stored = new Set<string>();
  for (const id of load.convs) for (const m of await store.messagesAfter(id, 0, 100_000, true)) if (m.clientMsgId) stored.add(m.clientMsgId);
  expect([...load.log.acked.keys()].filter((k) => !stored.has(k))).toEqual([]);
  const converged = () =>
    vi.waitFor(
      () => {
        const wrong = load.followers
          .map((f) => ({ f, problem: holdsExactlyOnce(f.client, f.conversationId, last.get(f.conversationId)!, f.base) }))
          .filter((x) => x.problem)
          .map((x) => `${x.f.name} in ${x.f.conversationId}: ${x.problem}`);
        expect(wrong).toEqual([]);
      },
      { timeout: timeoutMs, interval: 200 },
    );
  await converged();
  // A last message in each conversation from its requester, after everything healed: once every
  // follower has it, anything still in flight from the outage (a late second copy) has arrived
  // too, and the exactly-once check is made again up to it.
  for (const [i, id] of load.convs.entries()) {
    const r = load.followers.find((f) => f.conversationId === id && f.name.startsWith('requester'))!.client;
    last.set(id, await sendUntilAcked(r, id, `final-${i}`, load.log));
  }
  await converged();
}
