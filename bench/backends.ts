// Backends: the same delivery and persistence workloads on SQLite and on PostgreSQL, one Ajuda
// process each, durable acks on both (SQLite synchronous=FULL, PostgreSQL synchronous_commit=on
// with fsync on), side by side in one run. PostgreSQL is a throwaway cluster from Debian's
// package on loopback, started here (as the tests do). CPU is read from /proc for Ajuda and for
// every PostgreSQL process (the postmaster and its children: backends, WAL writer, checkpointer).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../packages/db/src/pg-cluster.ts';
import { runLoad } from './lib/load.ts';
import type { Phase, PhaseResult } from './lib/loadgen.ts';
import { cpuMs, LIFTED_LIMITS, startServer } from './lib/proc.ts';
import { round } from './lib/stats.ts';

export const BACKEND_OFFERED_RATE = 2000;

/** CPU-ms of the cluster: the postmaster and its children. */
export function clusterCpuMs(c: Cluster): number {
  const postmaster = Number(readFileSync(join(c.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (pid === postmaster || ppid === postmaster) total += cpuMs(pid);
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

const byName = (rs: PhaseResult[], name: string) => rs.find((r) => r.name === name)!;
/** Messages a phase moved (delivered, or acked when nobody receives). */
const moved = (r: PhaseResult, acked = false) => (acked ? r.ackedPerSec : r.deliveredPerSec) * r.seconds;

export async function backends(o: { quick: boolean; log: (s: string) => void }) {
  const requesters = o.quick ? 100 : 200;
  const agentSockets = 20;
  const warmup = o.quick ? 2 : 3;
  const rate: Phase = { name: 'rate', mode: 'rate', rate: BACKEND_OFFERED_RATE, seconds: o.quick ? 8 : 20, warmup };
  const closed: Phase = { name: 'saturation', mode: 'closed', window: 8, seconds: o.quick ? 6 : 15, warmup };
  const acked: Phase = { name: 'acked', mode: 'closed', window: 16, seconds: o.quick ? 5 : 12, warmup };

  const cluster = await startCluster({ fsync: true, settings: { shared_buffers: '256MB', max_wal_size: '2GB' } });
  try {
    let n = 0;
    const run = async (backend: 'sqlite' | 'pg', job: { requesters: number; agentSockets: number; phases: Phase[] }) => {
      const env: Record<string, string> = { ...LIFTED_LIMITS, AJUDA_SYNCHRONOUS: 'FULL' };
      if (backend === 'pg') env.AJUDA_DATABASE_URL = await cluster.createDatabase(`bench_${++n}`);
      const server = await startServer('ajuda', env);
      try {
        const cpu0 = { ajuda: cpuMs(server.pid), pg: clusterCpuMs(cluster) };
        const results = await runLoad({ target: 'ajuda', url: server.url, ...job }, { log: (s) => o.log(`  [${backend}]${s}`) });
        const cpu = { ajuda: cpuMs(server.pid) - cpu0.ajuda, pg: clusterCpuMs(cluster) - cpu0.pg };
        return { results, cpu };
      } finally {
        await server.stop();
      }
    };
    const side = async (backend: 'sqlite' | 'pg') => {
      o.log(`  backends: ${backend} delivery (${BACKEND_OFFERED_RATE}/s offered, then closed loop)`);
      const d = await run(backend, { requesters, agentSockets, phases: [rate, closed] });
      o.log(`  backends: ${backend} persistence (acked/s, nobody receiving)`);
      const p = await run(backend, { requesters, agentSockets: 0, phases: [acked] });
      const r = byName(d.results, 'rate');
      const s = byName(d.results, 'saturation');
      const a = byName(p.results, 'acked');
      const msgs = d.results.reduce((sum, x) => sum + moved(x), 0);
      const per1000 = (ms: number, count: number) => (count > 0 ? round((ms / count) * 1000, 1) : null);
      return {
        offeredPerSec: r.offeredPerSec,
        deliveredPerSec: r.deliveredPerSec,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        late: r.late,
        errors: r.errors + s.errors + a.errors,
        saturationPerSec: s.deliveredPerSec,
        saturationP99Ms: s.p99Ms,
        ackedPerSec: a.ackedPerSec,
        ackP99Ms: a.ackP99Ms,
        cpuMsPer1000: {
          delivery: { ajuda: per1000(d.cpu.ajuda, msgs), database: backend === 'pg' ? per1000(d.cpu.pg, msgs) : null },
          persistence: { ajuda: per1000(p.cpu.ajuda, moved(a, true)), database: backend === 'pg' ? per1000(p.cpu.pg, moved(a, true)) : null },
        },
      };
    };
    const sqlite = await side('sqlite');
    const pg = await side('pg');
    return { synchronous: 'FULL' as const, offeredPerSec: BACKEND_OFFERED_RATE, requesterSockets: requesters, agentSockets, sqlite, pg };
  } finally {
    await cluster.stop();
  }
}
