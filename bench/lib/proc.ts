import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BENCH_DIR = resolve(new URL('..', import.meta.url).pathname);
export const ROOT = resolve(BENCH_DIR, '..');

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** Resident set size of a process in KiB (Linux /proc). */
export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** CPU time (user+system) of a process in milliseconds (Linux /proc, clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

export interface ServerHandle {
  kind: string;
  url: string;
  pid: number;
  dir: string;
  child: ChildProcess;
  /** Ask the child something over IPC (servers in bench/servers answer `gc` and `stats`). */
  ask<T = Record<string, unknown>>(cmd: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Start one of bench/servers/*.ts as a child Node process (tsx loader, IPC channel) on a free
 * loopback port, in its own temp directory. Resolves when the child reports it listens.
 *
 * @example const s = await startServer('ajuda', { AJUDA_SYNCHRONOUS: 'FULL' }); … await s.stop();
 */
export async function startServer(kind: 'ajuda' | 'ws-relay' | 'socketio-sqlite', env: Record<string, string> = {}, opts: { cpuProfDir?: string; execArgv?: string[] } = {}): Promise<ServerHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `ajuda-bench-${kind}-`));
  const execArgv = ['--import', 'tsx', '--expose-gc', ...(opts.execArgv ?? [])];
  if (opts.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
  const child = fork(join(BENCH_DIR, 'servers', `${kind}.ts`), [], {
    cwd: ROOT,
    execArgv,
    env: { ...process.env, PORT: String(port), BENCH_DIR_TMP: dir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const pending = new Map<number, (v: unknown) => void>();
  const ready = new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${kind} did not start within 60 s`)), 60_000);
    child.on('message', (m: { type: string; id?: number; data?: unknown }) => {
      if (m.type === 'ready') {
        clearTimeout(t);
        res();
      } else if (m.type === 'reply' && m.id !== undefined) {
        pending.get(m.id)?.(m.data);
        pending.delete(m.id);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      rej(new Error(`${kind} exited with ${code} before it was ready`));
    });
  });
  await ready;
  let stopped = false;
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    dir,
    child,
    ask<T>(cmd: string, timeoutMs = 30_000) {
      const id = ++seq;
      return new Promise<T>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`${kind}: no answer to ${cmd}`)), timeoutMs);
        pending.set(id, (v) => {
          clearTimeout(t);
          res(v as T);
        });
        child.send({ type: cmd, id });
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Environment that lifts Ajuda's abuse limits so they do not cap a benchmark. */
export const LIFTED_LIMITS: Record<string, string> = {
  AJUDA_FRAMES_PER_SECOND: '1000000',
  AJUDA_FRAME_BURST: '1000000',
  AJUDA_UPGRADES_PER_MINUTE: '10000000',
  AJUDA_STARTS_PER_MINUTE: '1000000',
  AJUDA_LOGIN_PER_MINUTE: '1000',
  AJUDA_DEMO: 'off',
};
