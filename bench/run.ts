// `pnpm bench` — every benchmark, results in bench/results/latest.json (+ latest.md, printed).
// `pnpm bench --quick` — the same shape, shorter runs (< 5 minutes).
// `pnpm bench --only=delivery,idle` — a subset (other sections are kept from the previous file);
// sections: widget, console, preload, delivery, persistence, backends, cluster, idle, crash.
// `pnpm bench --cpu-prof` — also write a V8 CPU profile of the Ajuda server during delivery
// (bench/results/profiles/), for finding what limits a missed target.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { backends } from './backends.ts';
import { cluster } from './cluster.ts';
import { consoleBundle } from './console.ts';
import { delivery } from './delivery.ts';
import { idle } from './idle.ts';
import { ROOT } from './lib/proc.ts';
import { persistence } from './persistence.ts';
import { peers } from './peers.ts';
import { idlePreload, widget } from './widget.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const cpuProf = args.includes('--cpu-prof');
const RESULTS = join(ROOT, 'bench', 'results');
const LATEST = join(RESULTS, 'latest.json');
mkdirSync(RESULTS, { recursive: true });

const log = (s: string) => console.log(s);
const want = (s: string) => !only || only.includes(s);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const previous: Json = existsSync(LATEST) ? JSON.parse(readFileSync(LATEST, 'utf8')) : {};
const git = (a: string[]) => {
  try {
    return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
const out: Json = {
  mode: quick ? 'quick' : 'full',
  startedAt: new Date().toISOString(),
  commit: git(['rev-parse', '--short', 'HEAD']),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100) },
  widget: previous.widget ?? null,
  console: previous.console ?? null,
  preload: previous.preload ?? null,
  delivery: previous.delivery ?? null,
  idle: previous.idle ?? null,
  persistence: previous.persistence ?? null,
  backends: previous.backends ?? null,
  cluster: previous.cluster ?? null,
  crash: previous.crash ?? null,
  // Written by pnpm bench:reliability; kept as they are.
  clusterCrash: previous.clusterCrash ?? null,
  security: previous.security ?? null,
};

async function section(name: string, fn: () => Promise<Json>): Promise<Json | null> {
  const t0 = Date.now();
  const load = loadavg()[0]!;
  log(`▶ ${name}`);
  try {
    const r = await fn();
    r.seconds = Math.round((Date.now() - t0) / 1000);
    r.loadavg1mAtStart = Math.round(load * 100) / 100;
    log(`  ${name} done in ${r.seconds} s`);
    return r;
  } catch (e) {
    log(`  ${name} FAILED: ${(e as Error).stack ?? e}`);
    return { error: String((e as Error).message ?? e).slice(0, 500), seconds: Math.round((Date.now() - t0) / 1000) };
  }
}

const t0 = Date.now();
if (want('widget')) {
  out.widget = await section('widget', async () => {
    const w = await widget({ quick, log });
    w.peers = await peers(log);
    return w;
  });
}
// The console's initial download against its budget, and its lazy chunks.
if (want('console')) out.console = await section('console', () => consoleBundle({ log }));
// loadOn: 'idle' at scale: 200 page views nobody clicks open no socket and create no visitor.
if (want('preload')) out.preload = await section('preload', () => idlePreload({ quick, log, build: !want('widget') }));
if (want('delivery')) {
  const dir = cpuProf ? join(RESULTS, 'profiles') : undefined;
  out.delivery = await section('delivery', () => delivery({ quick, log, ...(dir ? { cpuProfDir: dir } : {}) }));
}
if (want('persistence')) out.persistence = await section('persistence', () => persistence({ quick, log }));
if (want('backends')) out.backends = await section('backends', () => backends({ quick, log }));
if (want('cluster')) out.cluster = await section('cluster', () => cluster({ quick, log }));
if (want('idle')) out.idle = await section('idle', () => idle({ quick, log }));
if (want('crash')) {
  // Crash-consistency rounds belong to `pnpm bench:reliability`, which merges its own section;
  // a full run of it is kept. Without one, run 3 quick rounds if it exposes runCrashRounds.
  const kept = previous.crash as Json | null;
  if (kept && !kept.error && (kept.rounds ?? 0) >= 3) log('▶ crash: kept the section written by pnpm bench:reliability');
  else if (existsSync(join(ROOT, 'bench', 'reliability.ts'))) {
    const mod = (await import('./reliability.ts' as string).catch(() => ({}))) as { runCrashRounds?: (o: { rounds: number }) => Promise<Json> };
    if (typeof mod.runCrashRounds === 'function') out.crash = await section('crash (3 rounds)', () => mod.runCrashRounds!({ rounds: 3 }));
    else log('▶ crash: bench/reliability.ts has no runCrashRounds export; run pnpm bench:reliability');
  } else log('▶ crash: bench/reliability.ts does not exist yet; run pnpm bench:reliability when it does');
}
out.machine.loadavgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
out.totalSeconds = Math.round((Date.now() - t0) / 1000);
out.targets = targets(out);
writeFileSync(LATEST, JSON.stringify(out, null, 2) + '\n');
const md = summary(out);
writeFileSync(join(RESULTS, 'latest.md'), md);
log('\n' + md);
log(`written: ${LATEST}`);
process.exit(0);

/** Each target of the issue, with the measured value and whether it is met (null: not measured). */
function targets(r: Json) {
  const w = r.widget ?? {};
  const d = r.delivery ?? {};
  const i = r.idle ?? {};
  const p = r.persistence ?? {};
  const pre = r.preload ?? {};
  const pg = r.backends?.pg ?? {};
  const c3 = ((r.cluster?.runs ?? []) as Json[]).find((x) => x.nodes === 3 && x.cluster !== false) ?? {};
  const ci = r.cluster?.idle ?? {};
  const sio = d.peers?.['socket.io+better-sqlite3'];
  const t = (name: string, target: string, value: unknown, ok: boolean | null) => ({ name, target, value: value ?? null, met: value === null || value === undefined ? null : ok });
  return [
    t('loader gzip', '≤ 1,536 B', w.loaderGzipBytes, w.loaderGzipBytes <= 1536),
    t('iframe app initial gzip (static: html + entry + css)', '≤ 20,480 B', w.appInitialGzipBytes, w.appInitialGzipBytes <= 20480),
    t('iframe app loaded before usable gzip (measured)', '≤ 20,480 B', w.appLoadedBeforeUsableGzipBytes, w.appLoadedBeforeUsableGzipBytes <= 20480),
    t('click to usable, median', '≤ 150 ms', w.clickToUsableMsMedian, w.clickToUsableMsMedian <= 150),
    t('host TBT delta', '≤ 10 ms', w.hostTbtDeltaMs, w.hostTbtDeltaMs <= 10),
    t('console initial download gzip (entry JS + CSS)', '≤ 76,800 B', r.console?.initialGzipBytes, r.console?.initialGzipBytes <= 76800),
    t(`sockets opened by ${pre.loads ?? 200} /site loads (loadOn idle), no click`, '0', pre.socketsOpened, pre.socketsOpened === 0),
    t(`visitor rows created by ${pre.loads ?? 200} /site loads (loadOn idle), no click`, '0', pre.visitorRowsCreated, pre.visitorRowsCreated === 0),
    t('delivered at 5,000/s offered (FULL)', '≥ 4,950/s', d.deliveredPerSec, d.deliveredPerSec >= 4950),
    t('p99 at 5,000/s offered (FULL)', '≤ 50 ms', d.p99Ms, d.p99Ms !== null && d.p99Ms <= 50),
    t('saturation vs raw ws', '≥ 0.35×', d.ratioToRawWs, d.ratioToRawWs >= 0.35),
    t('saturation vs Socket.IO + SQLite', '> 1×', sio?.ratio, sio?.ratio > 1),
    t(`idle RSS per socket (${i.connections ?? '?'} sockets)`, '≤ 12 KiB', i.rssPerConnKiB, i.rssPerConnKiB <= 12),
    t('persistence acked/s FULL', '≥ 20,000/s', p.ackedPerSecFull, p.ackedPerSecFull >= 20000),
    t('persistence FULL vs Socket.IO one-commit-per-message', '≥ 2×', p.ratioToSocketIo, p.ratioToSocketIo >= 2),
    t('PostgreSQL: delivered at 2,000/s offered (synchronous_commit=on)', '≥ 1,980/s, none late', pg.deliveredPerSec, pg.deliveredPerSec >= 1980 && pg.late === 0),
    t('PostgreSQL: p99 at 2,000/s offered', '≤ 50 ms', pg.p99Ms, pg.p99Ms !== null && pg.p99Ms <= 50),
    t('cluster: delivered at 2,000/s offered with 3 nodes', '≥ 1,980/s, none late', c3.deliveredPerSec, c3.deliveredPerSec >= 1980 && c3.late === 0),
    t(
      'idle sockets across 3 nodes ≥ 50,000 at ≤ 10 KiB each',
      '≥ 50,000, ≤ 10 KiB',
      ci.connections === undefined ? null : `${ci.connections} @ ${ci.rssPerConnKiB} KiB`,
      ci.connections >= 50000 && ci.rssPerConnKiB !== null && ci.rssPerConnKiB <= 10,
    ),
  ];
}

function clusterLine(c: Json | null | undefined): string {
  if (!c) return 'not run';
  if (c.error) return `failed: ${c.error}`;
  const runs = ((c.runs ?? []) as Json[]).map((x) => {
    const k = x.atRate?.cpuMsPer1000 ?? {};
    const cores = x.atRate?.coresUsed ?? {};
    const label = x.cluster === false ? '1 node without Redis (control)' : `${x.nodes} node${x.nodes > 1 ? 's' : ''} (${Math.round(x.crossFraction * 100)}% crossing)`;
    return `${label} delivered ${x.deliveredPerSec}/s p50 ${x.p50Ms} ms p99 ${x.p99Ms} ms (late ${x.late}), CPU-ms/1000 msgs Ajuda ${(k.nodes ?? []).join(' + ')} + PostgreSQL ${k.postgres} + Redis ${k.redis}, cores: cluster ${cores.cluster}, load generator ${cores.loadgen}, other work ${cores.others}; saturation ${x.saturationPerSec}/s`;
  });
  const i = c.idle;
  return [...runs, i ? `idle ${i.connections} sockets across ${i.nodes} nodes at ${i.rssPerConnKiB} KiB each` : 'idle not run'].join('; ');
}

function summary(r: Json): string {
  const rows = (r.targets as Json[]).map((t) => `| ${t.name} | ${t.target} | ${t.value ?? '—'} | ${t.met === null ? 'not measured' : t.met ? 'met' : '**missed**'} |`);
  const d = r.delivery ?? {};
  const lines = [
    `# Ajuda benchmarks (${r.mode}, ${r.startedAt}, commit ${r.commit})`,
    '',
    `Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memGiB} GiB, Node ${r.machine.node}; load average at start ${r.machine.loadavgAtStart.join(' / ')}, at end ${r.machine.loadavgAtEnd.join(' / ')}.`,
    '',
    '| target | goal | measured | |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `Delivery (${d.requesterSockets ?? '?'} requester + ${d.agentSockets ?? '?'} agent sockets): offered ${d.offeredPerSec ?? '—'}/s, delivered ${d.deliveredPerSec ?? '—'}/s, p50 ${d.p50Ms ?? '—'} ms, p99 ${d.p99Ms ?? '—'} ms; saturation ${d.saturationPerSec ?? '—'}/s, raw ws ${d.rawWsSaturationPerSec ?? '—'}/s, Socket.IO + SQLite ${d.peers?.['socket.io+better-sqlite3']?.saturationPerSec ?? '—'}/s.`,
    `Peers' host-page weight (gzip): ${Object.entries((r.widget?.peers ?? {}) as Json)
      .map(([k, v]) => `${k} ${v.hostPageGzipBytes ?? `null (${v.reason ?? '?'})`} B`)
      .join('; ')}.`,
    `Console bundle (gzip -9): ${r.console && !r.console.error ? `initial ${r.console.initialGzipBytes} B (JS ${r.console.initialJsGzipBytes} + CSS ${r.console.initialCssGzipBytes}); lazy ${Object.entries(r.console.lazyGzipBytes as Json).map(([k, v]) => `${k} ${v} B`).join(', ')}` : 'not run'}.`,
    `Idle preload (/site, loadOn idle): ${r.preload ? `${r.preload.loads} loads with no click opened ${r.preload.socketsOpened ?? '—'} sockets and created ${r.preload.visitorRowsCreated ?? '—'} visitor rows; the control open opened ${r.preload.controlOpenSockets ?? '—'} socket(s), ${r.preload.controlOpenVisitorRows ?? '—'} visitor row(s)` : 'not run'}.`,
    `Backends (FULL, ${r.backends?.offeredPerSec ?? '—'}/s offered): ${['sqlite', 'pg']
      .map((k) => {
        const b = r.backends?.[k];
        return b ? `${k} delivered ${b.deliveredPerSec}/s p50 ${b.p50Ms} ms p99 ${b.p99Ms} ms, saturation ${b.saturationPerSec}/s, acked ${b.ackedPerSec}/s, CPU-ms/1000 msgs Ajuda ${b.cpuMsPer1000.delivery.ajuda}${b.cpuMsPer1000.delivery.database !== null ? ` + PostgreSQL ${b.cpuMsPer1000.delivery.database}` : ''}` : `${k} not run`;
      })
      .join('; ')}.`,
    `Cluster (PostgreSQL + Redis, FULL, ${r.cluster?.offeredPerSec ?? '—'}/s offered; one 2-core machine, so per-message CPU is the figure that extrapolates): ${clusterLine(r.cluster)}.`,
    `Crash: ${r.crash ? JSON.stringify(r.crash) : 'not run (pnpm bench:reliability)'}.`,
    `Cluster crash: ${r.clusterCrash ? `${r.clusterCrash.rounds} SIGKILL rounds on ${r.clusterCrash.nodes} nodes, ${r.clusterCrash.acked} acked, ${r.clusterCrash.ackedLost} lost, ${r.clusterCrash.duplicates} duplicates, ${r.clusterCrash.seqGaps} seq gaps, reconnect to ready median ${r.clusterCrash.reconnectToReadyMsMedian} ms (max ${r.clusterCrash.reconnectToReadyMsMax} ms)` : 'not run (pnpm bench:reliability --cluster)'}.`,
    `Total ${r.totalSeconds} s.`,
    '',
  ];
  return lines.join('\n');
}
