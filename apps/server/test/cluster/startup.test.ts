import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS } from '@ajuda/db';
import { printLogsOnFailure, ROOT, startClusterEnv, type ClusterEnv } from './harness.ts';

/**
 * Three processes started at the same moment on one empty PostgreSQL database: each applies the
 * migrations at start (AJUDA_MIGRATE defaults to on) under the migration advisory lock, so one
 * applies them and the others find nothing left to do; the demo seed, run by all three, leaves
 * one copy of everything.
 */
let env: ClusterEnv | undefined;
beforeAll(async () => {
  env = await startClusterEnv({ nodes: 3 });
});
afterAll(async () => {
  await env?.close();
});
printLogsOnFailure(() => env);

const journal = JSON.parse(readFileSync(join(ROOT, 'packages/db/drizzle-pg/meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string; when: number }> };

describe('cluster start', () => {
  it('three nodes starting concurrently on an empty database migrate it once and all become healthy', async () => {
    const { nodes } = env!;
    expect(nodes).toHaveLength(3);
    expect(new Set(nodes.map((n) => n.port)).size).toBe(3);
    for (const n of nodes) {
      expect(n.exited).toBe(false);
      // Each answers for itself (cluster mode: its node id, and its bus once it hears its own heartbeat).
      expect(await n.health()).toMatchObject({ status: 200, body: { status: 'ok', node: n.id } });
    }
    const store = await env!.store();
    // drizzle's migrations table (schema "drizzle"): one row per migration, each applied once.
    const rows = await store.testing.sql<{ hash: string; created_at: string }>('SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id');
    expect(rows).toHaveLength(journal.entries.length);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(journal.entries.length);
    expect(rows.map((r) => Number(r.created_at))).toEqual(journal.entries.map((e) => e.when));
    // The seed ran on all three: one copy of each demo agent.
    const agents = await store.testing.sql<{ email: string; n: string }>('SELECT email, count(*) AS n FROM agents GROUP BY email ORDER BY email');
    expect(agents.map((a) => [a.email, Number(a.n)])).toEqual(DEMO_AGENTS.map((a) => a.email as string).sort().map((e) => [e, 1]));
    // Every node answers with the same data: an agent logs in on each.
    for (const n of nodes) {
      const res = await fetch(`${n.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'emma@ajuda.local', password: 'ajuda-demo' }) });
      expect(res.status).toBe(200);
    }
  });
});
