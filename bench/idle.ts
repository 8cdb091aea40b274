// Idle: authenticated idle visitor sockets (after session.hello) held with the server's
// heartbeats; RSS per connection of the server process = (RSS after − RSS before) / N, both
// read after a full GC. The clients live in several worker processes.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, LIFTED_LIMITS, ROOT, rssKiB, startServer } from './lib/proc.ts';
import { round, sleep } from './lib/stats.ts';

// The hard RLIMIT_NOFILE here is 20,000 per process and cannot be raised without privileges;
// the server needs a few dozen descriptors of its own (stdio, IPC, epoll, SQLite files, esbuild).
const FULL_N = 19_900;

export async function idle(o: { quick: boolean; log: (s: string) => void }) {
  const n = o.quick ? 5_000 : FULL_N;
  const workers = 4;
  const holdMs = o.quick ? 6_000 : 15_000;
  const s = await startServer('ajuda', { ...LIFTED_LIMITS, AJUDA_HEARTBEAT_MS: '5000' });
  const children: ChildProcess[] = [];
  try {
    const wsUrl = `${s.url.replace(/^http/, 'ws')}/ws`;
    // Warm the code paths (JIT, prepared statements) with a few sockets, then take the baseline.
    const warm = await spawnWorkers(1, 50, wsUrl, s.url, children);
    await closeWorkers(warm);
    await sleep(1000);
    await s.ask('gc');
    const before = rssKiB(s.pid);
    o.log(`  idle: server RSS before ${Math.round(before / 1024)} MiB; opening ${n} sockets`);
    const t0 = Date.now();
    const ws = await spawnWorkers(workers, Math.ceil(n / workers), wsUrl, s.url, children);
    const connectSeconds = (Date.now() - t0) / 1000;
    const connected = ws.reduce((a, w) => a + w.ready, 0);
    o.log(`  idle: ${connected} ready in ${connectSeconds.toFixed(1)} s; holding ${holdMs / 1000} s through heartbeats`);
    await sleep(holdMs);
    const held = (await Promise.all(ws.map((w) => ask(w.child, 'count')))).reduce((a, c) => a + (c.ready as number), 0);
    await s.ask('gc');
    const after = rssKiB(s.pid);
    const stats = await s.ask('stats');
    await closeWorkers(ws);
    return {
      connections: held,
      requested: n,
      rssBeforeMiB: round(before / 1024, 1),
      rssAfterMiB: round(after / 1024, 1),
      rssPerConnKiB: round((after - before) / Math.max(1, held), 2),
      connectSeconds: round(connectSeconds, 1),
      serverConns: stats.conns,
      note: n < 20_000 ? `${n} sockets: this machine's hard open-files limit is 20,000 per process` : undefined,
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await s.stop();
  }
}

export function ask(child: ChildProcess, type: string): Promise<Record<string, unknown>> {
  return new Promise((res) => {
    const on = (m: Record<string, unknown>) => {
      if (m.type === type) {
        child.off('message', on);
        res(m);
      }
    };
    child.on('message', on);
    child.send({ type });
  });
}

export async function spawnWorkers(k: number, each: number, wsUrl: string, origin: string, all: ChildProcess[]) {
  return Promise.all(
    Array.from({ length: k }, async () => {
      const child = fork(join(BENCH_DIR, 'lib', 'idle-worker.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      all.push(child);
      const first = new Promise<Record<string, unknown>>((res, rej) => {
        const t = setTimeout(() => rej(new Error('idle worker: connecting took over 5 minutes')), 300_000);
        child.once('message', (m: Record<string, unknown>) => {
          clearTimeout(t);
          res(m);
        });
      });
      child.send({ wsUrl, origin, count: each, concurrency: 50 });
      const m = await first;
      return { child, ready: m.ready as number, failed: m.failed as number };
    }),
  );
}

export async function closeWorkers(ws: Array<{ child: ChildProcess }>) {
  await Promise.all(ws.map((w) => new Promise<void>((r) => { w.child.once('exit', () => r()); w.child.send({ type: 'close' }); })));
}
