// `pnpm bench:reliability` — the long reliability and security runs:
//   crash: 20 SIGKILL rounds, 200 sockets across 20 conversations in 5 realms (child server);
//   security: a 10,000-case authorization matrix against the POLICY.md oracle and 100,000 fuzzed frames.
// Merges { crash, security } into bench/results/latest.json (other sections kept) and exits 1 when
// any must-be-zero figure is not zero. `--quick` runs a small version; `--only crash|security`.
// `--cluster` runs the cluster crash rounds instead (bench/cluster-crash.ts: three nodes on
// PostgreSQL + Redis, a random node SIGKILLed and restarted every few seconds, clients moving to
// another node) and merges them as `clusterCrash`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runCrashRounds as crashRounds, type CrashReport } from '../apps/server/test/reliability/crash.ts';
import { runAuthzMatrix } from '../apps/server/test/reliability/authz.ts';
import { payloadLimit, prototypeIntact, runFuzz } from '../apps/server/test/reliability/fuzz.ts';
import { startTestStack } from '../apps/server/src/testing.ts';
import { runClusterCrash, type ClusterCrashSection } from './cluster-crash.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LATEST = join(ROOT, 'bench', 'results', 'latest.json');

export interface CrashSection {
  rounds: number;
  sockets: number;
  conversations: number;
  realms: number;
  acked: number;
  ackedLost: number;
  ackSeqMismatch: number;
  duplicates: number;
  seqGaps: number;
  integrityOk: boolean;
  restartToReadyMsMedian: number;
  restartToReadyMsMax: number;
  clientErrors: Record<string, number>;
  detail: string[];
}

/**
 * Crash-consistency rounds against a child server (SIGKILL at random moments under load).
 *
 * @example const crash = await runCrashRounds({ rounds: 3 }); crash.ackedLost // 0
 */
export async function runCrashRounds(opts: { rounds: number; sockets?: number; conversations?: number; realms?: number; log?: (s: string) => void }): Promise<CrashSection> {
  const sockets = opts.sockets ?? 200;
  const conversations = opts.conversations ?? 20;
  const realms = opts.realms ?? 5;
  const r: CrashReport = await crashRounds({ rounds: opts.rounds, sockets, conversations, realms, loadMs: [500, 2500], window: 2, log: opts.log });
  return {
    rounds: r.rounds,
    sockets,
    conversations,
    realms,
    acked: r.acked,
    ackedLost: r.ackedLost,
    ackSeqMismatch: r.ackSeqMismatch,
    duplicates: r.duplicates,
    seqGaps: r.seqGaps,
    integrityOk: r.integrityOk,
    restartToReadyMsMedian: Math.round(r.restartToReadyMsMedian),
    restartToReadyMsMax: Math.round(Math.max(0, ...r.restartToReadyMs)),
    clientErrors: r.errors,
    detail: r.detail,
  };
}

export interface SecuritySection {
  authzCases: number;
  authzMismatches: number;
  fuzzFrames: number;
  fuzzInvalid: number;
  fuzzReplies: number;
  fuzzBadReplies: number;
  fuzzMissingErrors: number;
  fuzzInternalErrors: number;
  unhandledRejections: number;
  prototypeIntact: boolean;
  serverAnswersAfter: boolean;
  payloadAtLimitProcessed: boolean;
  payloadOverLimitClose: number;
  examples: string[];
}

/** The authorization matrix and the frame fuzz, against an in-process server. */
export async function runSecurity(opts: { authzCases: number; fuzzFrames: number; log?: (s: string) => void }): Promise<SecuritySection> {
  const log = opts.log ?? (() => {});
  const unhandled: unknown[] = [];
  const on = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', on);
  process.on('uncaughtException', on);
  const stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '1000000', AJUDA_FRAME_BURST: '1000000', AJUDA_STARTS_PER_MINUTE: '1000000' }, { demo: false });
  try {
    log(`authz: ${opts.authzCases} cases`);
    const authz = runAuthzMatrix(opts.authzCases, stack.app.ajuda.svc);
    log(`authz: ${authz.mismatches} mismatches; fuzz: ${opts.fuzzFrames} frames`);
    const fuzz = await runFuzz(stack, opts.fuzzFrames);
    log(`fuzz: ${fuzz.invalid} invalid, ${fuzz.badReplies} bad replies, ${fuzz.missingErrors} missing errors, ${fuzz.internalErrors} internal`);
    const limit = await payloadLimit(stack);
    // Still answering a ping on a fresh socket?
    const { TestClient, V } = await import('../apps/server/test/client.ts');
    const c = await TestClient.connect(stack.wsUrl, stack.url);
    await c.request({ type: 'session.hello', v: V, channel: 'website' }, 'session.ready');
    const pong = await c.request({ type: 'ping' }, 'pong').then(() => true, () => false);
    c.close();
    return {
      authzCases: authz.cases,
      authzMismatches: authz.mismatches,
      fuzzFrames: fuzz.frames,
      fuzzInvalid: fuzz.invalid,
      fuzzReplies: fuzz.replies,
      fuzzBadReplies: fuzz.badReplies,
      fuzzMissingErrors: fuzz.missingErrors,
      fuzzInternalErrors: fuzz.internalErrors,
      unhandledRejections: unhandled.length,
      prototypeIntact: fuzz.prototypeIntact && prototypeIntact(),
      serverAnswersAfter: pong,
      payloadAtLimitProcessed: JSON.parse(limit.atLimit).type === 'pong',
      payloadOverLimitClose: limit.overLimitClose,
      examples: [...authz.examples, ...fuzz.examples].slice(0, 10),
    };
  } finally {
    await stack.close();
    process.off('unhandledRejection', on);
    process.off('uncaughtException', on);
  }
}

/** The cluster crash rounds' must-be-zero figures, with their names. */
export function clusterViolations(c: ClusterCrashSection): string[] {
  const v: string[] = [];
  for (const k of ['ackedLost', 'ackSeqMismatch', 'duplicates', 'seqGaps', 'clientMissing', 'clientOutOfOrder', 'neverAcked'] as const) if (c[k] !== 0) v.push(`clusterCrash.${k} = ${c[k]}`);
  if (c.acked === 0) v.push('clusterCrash.acked = 0 (no load?)');
  if (c.reconnects === 0) v.push('clusterCrash.reconnects = 0 (no client lost its node?)');
  return v;
}

/** Every figure that must be zero (or true), with its name, for the exit code. */
export function violations(crash: CrashSection | null, security: SecuritySection | null): string[] {
  const v: string[] = [];
  if (crash) {
    for (const k of ['ackedLost', 'ackSeqMismatch', 'duplicates', 'seqGaps'] as const) if (crash[k] !== 0) v.push(`crash.${k} = ${crash[k]}`);
    if (!crash.integrityOk) v.push('crash.integrityOk = false');
    if (crash.acked === 0) v.push('crash.acked = 0 (no load?)');
  }
  if (security) {
    for (const k of ['authzMismatches', 'fuzzBadReplies', 'fuzzMissingErrors', 'fuzzInternalErrors', 'unhandledRejections'] as const) if (security[k] !== 0) v.push(`security.${k} = ${security[k]}`);
    if (!security.prototypeIntact) v.push('security.prototypeIntact = false');
    if (!security.serverAnswersAfter) v.push('security.serverAnswersAfter = false');
    if (!security.payloadAtLimitProcessed) v.push('security.payloadAtLimitProcessed = false');
    if (security.payloadOverLimitClose !== 1009) v.push(`security.payloadOverLimitClose = ${security.payloadOverLimitClose}`);
  }
  return v;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
  const t0 = Date.now();
  const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);
  if (args.includes('--cluster')) return clusterMain(quick, log);
  let crash: CrashSection | null = null;
  let security: SecuritySection | null = null;
  if (!only || only === 'crash') {
    const o = quick ? { rounds: 3, sockets: 40, conversations: 8, realms: 2 } : { rounds: 20, sockets: 200, conversations: 20, realms: 5 };
    log(`crash: ${o.rounds} rounds, ${o.sockets} sockets, ${o.conversations} conversations, ${o.realms} realms`);
    crash = await runCrashRounds({ ...o, log });
    log(`crash: ${JSON.stringify({ ...crash, detail: crash.detail.slice(0, 5) })}`);
  }
  if (!only || only === 'security') {
    security = await runSecurity({ authzCases: quick ? 1000 : 10_000, fuzzFrames: quick ? 5000 : 100_000, log });
    log(`security: ${JSON.stringify(security)}`);
  }
  const latest = existsSync(LATEST) ? (JSON.parse(readFileSync(LATEST, 'utf8')) as Record<string, unknown>) : {};
  if (crash) latest.crash = { ...crash, mode: quick ? 'quick' : 'full', at: new Date().toISOString() };
  if (security) latest.security = { ...security, mode: quick ? 'quick' : 'full', at: new Date().toISOString() };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(LATEST, JSON.stringify(latest, null, 2) + '\n');
  const bad = violations(crash, security);
  log(bad.length ? `FAILED: ${bad.join(', ')}` : `all must-be-zero figures are zero (${LATEST})`);
  return bad.length ? 1 : 0;
}

async function clusterMain(quick: boolean, log: (s: string) => void): Promise<number> {
  const o = quick
    ? { rounds: 5, requesters: 30, agentSockets: 6, intervalMs: [2000, 4000] as [number, number], requesterPaceMs: 200, agentPaceMs: 500, window: 3 }
    : { rounds: 12, requesters: 90, agentSockets: 12, intervalMs: [3000, 6000] as [number, number], requesterPaceMs: 200, agentPaceMs: 400, window: 3 };
  const la0 = loadavg().map((x) => Math.round(x * 100) / 100);
  log(`cluster crash: ${o.rounds} rounds, ${o.requesters} requesters, ${o.agentSockets} agent sockets, 3 nodes; load average ${la0.join(' / ')}`);
  const c = await runClusterCrash({ ...o, log });
  log(`cluster crash: ${JSON.stringify({ ...c, detail: c.detail.slice(0, 10) })}`);
  const latest = existsSync(LATEST) ? (JSON.parse(readFileSync(LATEST, 'utf8')) as Record<string, unknown>) : {};
  latest.clusterCrash = { ...c, mode: quick ? 'quick' : 'full', at: new Date().toISOString(), loadavgAtStart: la0, loadavgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(LATEST, JSON.stringify(latest, null, 2) + '\n');
  const bad = clusterViolations(c);
  log(bad.length ? `FAILED: ${bad.join(', ')}` : `all must-be-zero figures are zero (${LATEST})`);
  return bad.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
