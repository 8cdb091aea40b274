// Cluster: Ajuda in cluster mode (AJUDA_REDIS_URL + AJUDA_DATABASE_URL) on one PostgreSQL
// database and one redis-server, with 1, 2 and 3 Ajuda processes. Everything is started here on
// loopback: a throwaway PostgreSQL cluster (Debian's package, fsync on, as bench/backends.ts),
// Debian's redis-server (apps/server/test/cluster/harness.ts) and the nodes (bench/servers/ajuda.ts
// with the cluster's environment: the real buildApp, IPC for gc and stats).
//
// Delivery: the load generator spreads requester sockets and agent sockets over the nodes so that
// about half of the conversations have their requester on one node and the agent who follows them
// on another (every message of those crosses Redis as a hint before it reaches the agent). CPU is
// read from /proc over each phase's measuring window, per component: each Ajuda node, PostgreSQL
// (postmaster and children), redis-server.
//
// Idle: authenticated idle visitor sockets spread evenly over three nodes, opened by worker
// processes (bench/lib/idle-worker.ts, two per node: the open-files limit is ~20,000 per process
// on both sides), RSS per node before and after, both after a full GC.
import { readdirSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { startCluster, type Cluster } from '../packages/db/src/pg-cluster.ts';
import { ADMIN_TOKEN, IDENTITY_KID, IDENTITY_SECRET, INBOUND_SECRET, startRedis, type RedisHandle } from '../apps/server/test/cluster/harness.ts';
import { clusterCpuMs } from './backends.ts';
import { ask, closeWorkers, spawnWorkers } from './idle.ts';
import { runLoad } from './lib/load.ts';
import type { LoadJob, Mark, Phase, PhaseResult } from './lib/loadgen.ts';
import { cpuMs, LIFTED_LIMITS, rssKiB, startServer, type ServerHandle } from './lib/proc.ts';
import { round, sleep } from './lib/stats.ts';

export const CLUSTER_OFFERED_RATE = 2000;
export const CLUSTER_IDLE_GOAL = 50_000;

/** The pid of the redis-server listening on `port` (its title is `redis-server 127.0.0.1:PORT`). */
export function redisPid(port: number): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'redis-server') continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`:${port}`)) return Number(d);
    } catch {
      /* exited meanwhile */
    }
  }
  throw new Error(`no redis-server process for port ${port}`);
}

/** The environment of one node: cluster mode, the same secrets on every node, durable acks, lifted limits. */
export function nodeEnv(databaseUrl: string, redisUrl: string, id: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...LIFTED_LIMITS,
    AJUDA_SYNCHRONOUS: 'FULL',
    AJUDA_DATABASE_URL: databaseUrl,
    AJUDA_REDIS_URL: redisUrl,
    AJUDA_NODE_ID: id,
    AJUDA_IDENTITY_KEYS: `${IDENTITY_KID}:${IDENTITY_SECRET}`,
    AJUDA_INBOUND_SECRET: INBOUND_SECRET,
    AJUDA_ADMIN_TOKEN: ADMIN_TOKEN,
    ...extra,
  };
}

/** Start `n` nodes one after the other (the first migrates and seeds; the others find it done). */
async function startNodes(n: number, databaseUrl: string, redis: RedisHandle, extra: Record<string, string> = {}): Promise<ServerHandle[]> {
  const nodes: ServerHandle[] = [];
  try {
    for (let k = 0; k < n; k++) nodes.push(await startServer('ajuda', nodeEnv(databaseUrl, redis.url, `n${k + 1}`, extra)));
    return nodes;
  } catch (e) {
    await Promise.all(nodes.map((s) => s.stop()));
    throw e;
  }
}

/**
 * Where each socket goes: requester i on node i mod n; agent socket k on node k mod n; conversation
 * i opened by an agent socket on the requester's own node for one block of n conversations and on
 * the next node for the next block (so every node has its share of both), round robin among that
 * node's agent sockets. With one node nothing crosses.
 */
export function spread(n: number, requesters: number, agentSockets: number) {
  const requesterNode = Array.from({ length: requesters }, (_, i) => i % n);
  const agentNode = Array.from({ length: agentSockets }, (_, k) => k % n);
  const on = Array.from({ length: n }, (_, node) => agentNode.flatMap((x, k) => (x === node ? [k] : [])));
  const next = new Array<number>(n).fill(0);
  const agentOf = requesterNode.map((node, i) => {
    const target = Math.floor(i / n) % 2 === 0 ? node : (node + 1) % n;
    const list = on[target]!;
    return list[next[target]!++ % list.length]!;
  });
  const crossing = agentOf.filter((k, i) => agentNode[k] !== requesterNode[i]).length;
  return { requesterNode, agentNode, agentOf, crossFraction: round(crossing / Math.max(1, requesters), 3)! };
}

interface CpuSample {
  nodes: number[];
  postgres: number;
  redis: number;
  loadgen: number;
  /** The whole machine (/proc/stat): busy and stolen CPU-ms over all cores. */
  machineBusy: number;
  machineSteal: number;
  at: number;
}

/** The load generator this process forked (bench/lib/load.ts), or null. */
function loadgenPid(): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('loadgen.ts')) return Number(d);
    } catch {
      /* exited meanwhile */
    }
  }
  return null;
}

/** CPU-ms the whole machine spent busy (user, nice, system, irq, softirq) and stolen by the hypervisor. */
function machineCpu(): { busy: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return { busy: (user + nice + system + irq + softirq) * 10, steal: steal * 10 };
}

function sampleCpu(nodes: ServerHandle[], pgc: Cluster, redis: number, loadgen: number | null): CpuSample {
  const m = machineCpu();
  let lg = 0;
  try {
    lg = loadgen ? cpuMs(loadgen) : 0;
  } catch {
    /* exited */
  }
  return { nodes: nodes.map((s) => cpuMs(s.pid)), postgres: clusterCpuMs(pgc), redis: cpuMs(redis), loadgen: lg, machineBusy: m.busy, machineSteal: m.steal, at: Date.now() };
}

/** CPU-ms per 1,000 messages of each component over a window, and the share of one core each used. */
function perThousand(a: CpuSample, b: CpuSample, messages: number) {
  const per = (ms: number) => (messages > 0 ? round((ms / messages) * 1000, 1) : null);
  const core = (ms: number) => round(ms / Math.max(1, b.at - a.at), 2);
  const nodes = b.nodes.map((x, k) => x - a.nodes[k]!);
  const ajuda = nodes.reduce((s, x) => s + x, 0);
  const postgres = b.postgres - a.postgres;
  const redis = b.redis - a.redis;
  const loadgen = b.loadgen - a.loadgen;
  const machine = b.machineBusy - a.machineBusy;
  return {
    cpuMsPer1000: { nodes: nodes.map(per), ajudaTotal: per(ajuda), postgres: per(postgres), redis: per(redis), total: per(ajuda + postgres + redis), loadgen: per(loadgen) },
    /**
     * Cores each used over the window; `machine` is everything busy on the machine, `others` what
     * was neither the cluster nor the load generator (other work sharing the machine), `steal` what
     * the hypervisor took.
     */
    coresUsed: {
      nodes: nodes.map(core),
      postgres: core(postgres),
      redis: core(redis),
      cluster: core(ajuda + postgres + redis),
      loadgen: core(loadgen),
      others: core(Math.max(0, machine - ajuda - postgres - redis - loadgen)),
      machine: core(machine),
      steal: core(b.machineSteal - a.machineSteal),
    },
  };
}

const byName = (rs: PhaseResult[], name: string) => rs.find((r) => r.name === name)!;

async function deliveryRun(n: number, o: { quick: boolean; log: (s: string) => void }, pgc: Cluster, redis: RedisHandle, redisPidNow: number) {
  const requesters = o.quick ? 100 : 200;
  const agentSockets = 20; // the four demo agents, five sockets (console tabs) each, as bench/delivery.ts
  const warmup = o.quick ? 2 : 3;
  const rate: Phase = { name: 'rate', mode: 'rate', rate: CLUSTER_OFFERED_RATE, seconds: o.quick ? 8 : 20, warmup };
  const closed: Phase = { name: 'saturation', mode: 'closed', window: 8, seconds: o.quick ? 6 : 12, warmup };
  const databaseUrl = await pgc.createDatabase(`cluster_${n}_${Date.now().toString(36)}`);
  const nodes = await startNodes(n, databaseUrl, redis);
  try {
    const s = spread(n, requesters, agentSockets);
    const job: LoadJob = {
      target: 'ajuda',
      url: nodes[0]!.url,
      requesters,
      agentSockets,
      phases: [rate, closed],
      nodes: { urls: nodes.map((x) => x.url), requesterNode: s.requesterNode, agentNode: s.agentNode, agentOf: s.agentOf },
    };
    o.log(`  cluster: ${n} node(s), ${requesters} requester + ${agentSockets} agent sockets, ${Math.round(s.crossFraction * 100)}% of conversations cross nodes`);
    const samples = new Map<string, CpuSample>();
    let lg: number | null = null;
    const onMark = (m: Mark) => {
      lg ??= loadgenPid();
      samples.set(`${m.phase}/${m.at}`, sampleCpu(nodes, pgc, redisPidNow, lg));
    };
    const results = await runLoad(job, { log: (x) => o.log(`  [${n} node${n > 1 ? 's' : ''}]${x}`), onMark });
    const cpu = (phase: string) => {
      const a = samples.get(`${phase}/window-start`);
      const b = samples.get(`${phase}/window-end`);
      const r = byName(results, phase);
      return a && b ? perThousand(a, b, r.deliveredPerSec * r.seconds) : null;
    };
    const r = byName(results, 'rate');
    const sat = byName(results, 'saturation');
    return {
      nodes: n,
      requesterSockets: requesters,
      agentSockets,
      crossFraction: s.crossFraction,
      requestersPerNode: nodes.map((_, k) => s.requesterNode.filter((x) => x === k).length),
      agentSocketsPerNode: nodes.map((_, k) => s.agentNode.filter((x) => x === k).length),
      offeredPerSec: r.offeredPerSec,
      deliveredPerSec: r.deliveredPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      maxMs: r.maxMs,
      late: r.late,
      errors: r.errors + sat.errors,
      atRate: cpu('rate'),
      saturationPerSec: sat.deliveredPerSec,
      saturationP99Ms: sat.p99Ms,
      atSaturation: cpu('saturation'),
      phases: results,
    };
  } finally {
    await Promise.all(nodes.map((x) => x.stop()));
  }
}

async function idleRun(o: { quick: boolean; log: (s: string) => void }, pgc: Cluster, redis: RedisHandle) {
  const n = 3;
  // 2% over the goal: on this shared machine a few hellos fail or a socket misses a heartbeat
  // while 50,000 are being opened; what counts is how many are held at the end (reported with the failures).
  const perNode = o.quick ? 4_000 : Math.ceil((CLUSTER_IDLE_GOAL * 1.02) / n);
  const workersPerNode = 2;
  const holdMs = o.quick ? 6_000 : 15_000;
  const databaseUrl = await pgc.createDatabase(`cluster_idle_${Date.now().toString(36)}`);
  const nodes = await startNodes(n, databaseUrl, redis, { AJUDA_HEARTBEAT_MS: '5000' });
  const children: ChildProcess[] = [];
  try {
    const wsUrl = (s: ServerHandle) => `${s.url.replace(/^http/, 'ws')}/ws`;
    // Warm each node's paths (JIT, prepared statements) with a few sockets, then the baseline.
    await Promise.all(nodes.map(async (s) => closeWorkers(await spawnWorkers(1, 50, wsUrl(s), s.url, children))));
    await sleep(1000);
    const before: number[] = [];
    for (const s of nodes) {
      await s.ask('gc');
      before.push(rssKiB(s.pid));
    }
    o.log(`  cluster idle: node RSS before ${before.map((x) => `${Math.round(x / 1024)} MiB`).join(', ')}; opening ${perNode * n} sockets (${perNode} per node, ${workersPerNode} workers each)`);
    const t0 = Date.now();
    const perWorker = Math.ceil(perNode / workersPerNode);
    const workers = await Promise.all(nodes.map((s) => spawnWorkers(workersPerNode, perWorker, wsUrl(s), s.url, children)));
    const connectSeconds = (Date.now() - t0) / 1000;
    const failed = workers.flat().reduce((a, w) => a + w.failed, 0);
    o.log(`  cluster idle: ${workers.flat().reduce((a, w) => a + w.ready, 0)} ready (${failed} failed) in ${connectSeconds.toFixed(1)} s; holding ${holdMs / 1000} s through heartbeats`);
    await sleep(holdMs);
    const counts = await Promise.all(workers.map((ws) => Promise.all(ws.map((w) => ask(w.child, 'count')))));
    const held = counts.map((cs) => cs.reduce((a, c) => a + (c.ready as number), 0));
    const reasons: Record<string, number> = {};
    for (const c of counts.flat()) for (const [k, v] of Object.entries((c.reasons ?? {}) as Record<string, number>)) reasons[k] = (reasons[k] ?? 0) + v;
    const after: number[] = [];
    const conns: number[] = [];
    for (const s of nodes) {
      await s.ask('gc');
      after.push(rssKiB(s.pid));
      conns.push(((await s.ask('stats')) as { conns: number }).conns);
    }
    await Promise.all(workers.map((ws) => closeWorkers(ws)));
    const total = held.reduce((a, x) => a + x, 0);
    const grew = after.reduce((a, x, k) => a + x - before[k]!, 0);
    return {
      nodes: n,
      requested: perNode * n,
      connections: total,
      failed,
      droppedWhileHeld: workers.flat().reduce((a, w) => a + w.ready, 0) - total,
      reasons,
      heartbeatMs: 5000,
      holdSeconds: holdMs / 1000,
      connectSeconds: round(connectSeconds, 1),
      rssPerConnKiB: round(grew / Math.max(1, total), 2),
      perNode: nodes.map((_, k) => ({
        connections: held[k],
        serverConns: conns[k],
        rssBeforeMiB: round(before[k]! / 1024, 1),
        rssAfterMiB: round(after[k]! / 1024, 1),
        rssPerConnKiB: round((after[k]! - before[k]!) / Math.max(1, held[k]!), 2),
      })),
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all(nodes.map((x) => x.stop()));
  }
}

/**
 * The cluster section: delivery on 1, 2 and 3 nodes (fresh database each), then idle sockets
 * across three nodes.
 *
 * @example const c = await cluster({ quick: true, log: console.log }); c.runs[2].deliveredPerSec
 */
export async function cluster(o: { quick: boolean; log: (s: string) => void; only?: 'delivery' | 'idle' }) {
  const pgc = await startCluster({ fsync: true, settings: { shared_buffers: '256MB', max_wal_size: '2GB' } });
  let redis: RedisHandle | null = null;
  try {
    redis = await startRedis();
    const pid = redisPid(redis.port);
    const runs = [];
    if (o.only !== 'idle') for (const n of [1, 2, 3]) runs.push(await deliveryRun(n, o, pgc, redis, pid));
    const idle = o.only !== 'delivery' ? await idleRun(o, pgc, redis) : null;
    return {
      synchronous: 'FULL' as const,
      offeredPerSec: CLUSTER_OFFERED_RATE,
      note: 'all on one 2-core machine: the nodes, PostgreSQL, redis-server and the load generator share two cores, so more nodes cannot add throughput here; the per-message CPU of each component is what extrapolates',
      runs,
      idle,
    };
  } finally {
    await redis?.close();
    await pgc.stop();
  }
}
