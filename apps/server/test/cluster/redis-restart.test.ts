import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printLogsOnFailure, startClusterEnv, type ClusterEnv } from './harness.ts';
import { busIs, expectEveryoneHasEverything, startLoad } from './load.ts';

/**
 * Redis is only for hints: stopped under load (a restart of the Redis server, empty afterwards:
 * no persistence), sends are still acked — PostgreSQL is the truth — and once it is back every
 * client holds every message of its conversations exactly once, whatever hints were lost.
 */
let env: ClusterEnv | undefined;
beforeAll(async () => {
  env = await startClusterEnv({ nodes: 2 });
});
afterAll(async () => {
  await env?.close();
});
printLogsOnFailure(() => env);

describe('cluster: Redis restarted mid-load', () => {
  it('requesters and agents on two nodes keep sending while Redis is stopped (every send acked) and after it restarts everyone has every message exactly once', async () => {
    const [a, b] = env!.nodes;
    const load = await startLoad(a!, b!);
    try {
      // A cluster in working order: each node hears its own heartbeats through Redis.
      await load.moreAcks(60, 30_000, 'before the cut');
      await busIs(env!.nodes, 'ok', 15_000);
      await env!.redis!.stop();
      // Down until every node has noticed (/healthz: bus "degraded"), with traffic all along.
      await load.moreAcks(60, 30_000, 'while Redis is down');
      await busIs(env!.nodes, 'degraded', 20_000);
      await load.moreAcks(6, 30_000, 'while Redis is down, after the nodes noticed');
      await env!.redis!.start();
      await busIs(env!.nodes, 'ok', 20_000);
      await load.moreAcks(60, 30_000, 'after Redis is back');
    } finally {
      await load.stop();
    }
    expect(load.log.timeouts, 'sends that got no answer in 10 s').toEqual([]);
    await expectEveryoneHasEverything(env!, load);
    for (const n of env!.nodes) expect(await n.health()).toMatchObject({ status: 200, body: { status: 'ok', node: n.id, bus: 'ok' } });
    load.close();
  });
});
