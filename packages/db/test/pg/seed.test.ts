import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS, oneAtATime, PgStore, seedDemoStore } from '../../src/index.ts';
import { testDatabase } from '../../src/pg-cluster.ts';

/**
 * Several processes starting together on one empty database (a cluster's first start) all seed the
 * demo. Each store here is a process: its own pool, and its own session for the turn it waits for.
 */
const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('PostgreSQL: seeding from several processes at once', () => {
  it('turns of one job never overlap across processes, and every process gets its turn', async () => {
    const db = await testDatabase();
    cleanup.push(() => db.drop());
    const stores = await Promise.all([0, 1, 2].map(() => PgStore.open({ url: db.url })));
    for (const s of stores) cleanup.push(() => s.close());
    const turns: Array<[number, number]> = [];
    await Promise.all(
      stores.map((s, i) =>
        oneAtATime(s, 'demo-seed', async () => {
          const start = performance.now();
          await new Promise((r) => setTimeout(r, 150));
          turns.push([start, performance.now()]);
          return i;
        }, 20),
      ),
    );
    expect(turns).toHaveLength(3);
    turns.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < turns.length; i++) expect(turns[i]![0], `turn ${i} starts after turn ${i - 1} ends`).toBeGreaterThanOrEqual(turns[i - 1]![1]);
  });

  it('four processes seeding one empty database at the same moment all succeed, and every demo row is there once', async () => {
    const db = await testDatabase();
    cleanup.push(() => db.drop());
    const stores = await Promise.all([0, 1, 2, 3].map(() => PgStore.open({ url: db.url })));
    for (const s of stores) cleanup.push(() => s.close());
    const results = await Promise.allSettled(stores.map((s) => seedDemoStore(s, (pw) => `test:${pw}`)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const agents = await stores[0]!.listAgents();
    expect(agents.map((a) => a.email).sort()).toEqual(DEMO_AGENTS.map((a) => a.email).sort());
    // And once more later (a restart): nothing changes.
    await seedDemoStore(stores[1]!, (pw) => `test:${pw}`);
    expect((await stores[2]!.listAgents()).length).toBe(DEMO_AGENTS.length);
  });
});
