import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printLogsOnFailure, startClusterEnv, type ClusterEnv } from './harness.ts';
import { busIs, expectEveryoneHasEverything, startLoad } from './load.ts';

/**
 * The nasty failure: the link to Redis stays connected but goes deaf (a partition, a stuck
 * middlebox) — nothing is refused, nothing arrives. The nodes reach Redis through the test's
 * proxy, which black-holes every connection until every node has noticed (its own heartbeats
 * no longer come back: /healthz reports the bus `degraded`) and then heals (the black-holed connections are reset, as TCP would after such a cut).
 * Sends must still be acked throughout, and afterwards everyone holds every message exactly once.
 */
let env: ClusterEnv | undefined;
beforeAll(async () => {
  env = await startClusterEnv({ nodes: 2, proxy: true });
});
afterAll(async () => {
  await env?.close();
});
printLogsOnFailure(() => env);

describe('cluster: black-holed Redis link', () => {
  it('requesters and agents on two nodes keep sending while the Redis link is deaf (every send acked) and after it heals everyone has every message exactly once', async () => {
    const [a, b] = env!.nodes;
    const proxy = env!.proxy!;
    const load = await startLoad(a!, b!);
    try {
      // A cluster in working order: each node hears its own heartbeats through Redis.
      await load.moreAcks(60, 30_000, 'before the cut');
      await busIs(env!.nodes, 'ok', 15_000);
      proxy.blackhole();
      // The partition lasts until every node has noticed it is deaf (its own heartbeats unheard
      // for three beats: /healthz says bus "degraded") and traffic went on meanwhile.
      await load.moreAcks(60, 30_000, 'while the link is black-holed');
      await busIs(env!.nodes, 'degraded', 20_000);
      await load.moreAcks(6, 30_000, 'while the link is black-holed, after the nodes noticed');
      proxy.heal();
      await busIs(env!.nodes, 'ok', 20_000);
      await load.moreAcks(60, 30_000, 'after healing');
    } finally {
      if (proxy.blackholed) proxy.heal();
      await load.stop();
    }
    expect(load.log.timeouts, 'sends that got no answer in 10 s').toEqual([]);
    await expectEveryoneHasEverything(env!, load);
    for (const n of env!.nodes) expect(await n.health()).toMatchObject({ status: 200, body: { status: 'ok', node: n.id, bus: 'ok' } });
    load.close();
  });
});
