import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { backupDatabase, createStore, type Store } from '@ajuda/db';
import type { TestClient } from '../client.ts';

/** The repository root (…/apps/server/test/reliability → …). */
export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export const IDENTITY_SECRET = 'reliability-identity-secret-0123456789abcdef';
export const IDENTITY_KID = 'rel-1';
export const ADMIN_TOKEN = 'reliability-admin-token-0123456789abcdef';

/** Sign an identity token as a host platform would (HS256, kid), for a child server started with `childEnv`. */
export async function signIdentity(
  claims: { sub: string; realm: string; name?: string; email?: string; locale?: string; perms?: string[] },
  opts: { expiresIn?: string | number; kid?: string; secret?: string } = {},
): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', kid: opts.kid ?? IDENTITY_KID })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '2h')
    .sign(new TextEncoder().encode(opts.secret ?? IDENTITY_SECRET));
}

export interface ChildServer {
  url: string;
  wsUrl: string;
  port: number;
  dbFile: string;
  dir: string;
  env: Record<string, string>;
  proc: ChildProcess | null;
  /** stderr/stdout of every incarnation, for diagnostics. */
  output: string[];
  /** Start (or restart) the server process and wait until /healthz answers. Returns ms from spawn to ready. */
  start(): Promise<number>;
  /** SIGKILL: no drain, no close — a crash. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful path. */
  stop(): Promise<void>;
  /** Kill if running and remove the temp directory. */
  dispose(): Promise<void>;
}

/**
 * The server entry the child runs. `apps/server/src/server.ts` is the real one; it also starts
 * the demo pages and so needs `@ajuda/demo`. While that app is absent, a minimal entry with the
 * same buildApp + listen path is used (the crash semantics are identical: the demo is another port).
 */
export function serverEntry(): string {
  const demo = join(ROOT, 'apps/demo/src/index.ts');
  return existsSync(demo) ? join(ROOT, 'apps/server/src/server.ts') : join(ROOT, 'apps/server/test/reliability/child-entry.ts');
}

/**
 * A server as a child process on a temp database file (the bundled entry, or `node --import tsx
 * <entry>`), so it can be SIGKILLed at any moment and restarted on the same file.
 */
let bundled: Promise<string> | null = null;
/** The entry bundled once per process (see bundle.ts); `AJUDA_REL_TSX=1` runs the sources through tsx instead. */
function entryCommand(): Promise<string[]> {
  if (process.env.AJUDA_REL_TSX === '1') return Promise.resolve(['--import', 'tsx', serverEntry()]);
  bundled ??= import('./bundle.ts').then((m) => m.bundleEntry(serverEntry(), mkdtempSync(join(tmpdir(), 'ajuda-rel-bundle-'))));
  return bundled.then((f) => [f]);
}

export async function childServer(extraEnv: Record<string, string> = {}): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ajuda-rel-'));
  const dbFile = join(dir, 'ajuda.db');
  const port = await freePort();
  const demoPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMO_PORT: String(demoPort),
    AJUDA_PUBLIC_URL: url,
    AJUDA_DB_FILE: dbFile,
    AJUDA_DEMO: 'on',
    AJUDA_IDENTITY_KEYS: `${IDENTITY_KID}:${IDENTITY_SECRET}`,
    AJUDA_ADMIN_TOKEN: ADMIN_TOKEN,
    AJUDA_INBOUND_SECRET: 'reliability-inbound-secret-0123456789',
    AJUDA_FRAMES_PER_SECOND: '100000',
    AJUDA_FRAME_BURST: '100000',
    AJUDA_STARTS_PER_MINUTE: '100000',
    AJUDA_UPGRADES_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const output: string[] = [];
  const s: ChildServer = {
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dbFile,
    dir,
    env,
    proc: null,
    output,
    async start() {
      const args = await entryCommand();
      const t0 = performance.now();
      const proc = spawn(process.execPath, args, {
        cwd: ROOT,
        env: { ...process.env, ...env, NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      s.proc = proc;
      proc.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
      proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      let exited = false;
      proc.once('exit', () => (exited = true));
      for (;;) {
        if (exited) throw new Error(`server exited during start:\n${output.join('').slice(-3000)}`);
        try {
          const r = await fetch(`${url}/healthz`);
          if (r.status === 200) return performance.now() - t0;
        } catch {
          /* not yet listening */
        }
        if (performance.now() - t0 > 60_000) throw new Error(`server not ready after 60 s:\n${output.join('').slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async kill() {
      const p = s.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGKILL');
      await gone;
      s.proc = null;
    },
    async stop() {
      const p = s.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      await gone;
      s.proc = null;
    },
    async dispose() {
      await s.kill();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  return s;
}

/**
 * The database a child server left behind (stopped or killed), opened through the store port: a
 * fresh read that sees exactly what was committed. Close it when done.
 */
export async function openStoreAt(file: string): Promise<Store> {
  return await createStore(file, { synchronous: 'NORMAL' });
}

/**
 * Whole-database check a crash must never break: the operator's online backup of the file (what
 * `ajuda backup` runs) verifies its copy's integrity, page for page what the file holds.
 */
export async function integrityOk(file: string): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'ajuda-check-'));
  try {
    return (await backupDatabase(file, join(dir, 'check.db'))).integrity === 'ok';
  } finally {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** Per conversation: are the seqs exactly 1..last_seq? Returns the number of conversations with a gap or mismatch. */
export async function seqGaps(store: Store): Promise<{ gaps: number; detail: string[] }> {
  const convs = await store.testing.sql<{ id: string; last_seq: number }>('SELECT id, last_seq FROM conversations');
  const detail: string[] = [];
  for (const c of convs) {
    const lastSeq = Number(c.last_seq);
    const list = (await store.testing.sql<{ seq: number }>('SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq', c.id)).map((r) => Number(r.seq));
    const ok = list.length === lastSeq && list.every((s, i) => s === i + 1);
    if (!ok) detail.push(`${c.id}: last_seq=${lastSeq}, seqs=${list.length} (first bad at ${list.findIndex((s, i) => s !== i + 1)})`);
  }
  return { gaps: detail.length, detail };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ids that look like the server's but are random. */
export function randomConversationId(): string {
  const A = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let s = 'AJ-';
  for (let i = 0; i < 12; i++) s += A[Math.floor(Math.random() * 32)];
  return s;
}

/** A reply frame, loosely typed: tests look at `type`, `code` and a few fields. */
export type Reply = { type: string; code?: string; ref?: string; retryAfter?: number } & Record<string, unknown>;

/** Send a frame with a fresh ref and resolve with whatever reply carries that ref (success or error). */
export async function reply(c: TestClient, frame: Record<string, unknown>, timeoutMs = 10_000): Promise<Reply> {
  const ref = `x${Math.random().toString(36).slice(2)}`;
  const from = c.frames.length;
  c.send({ ...frame, ref } as never);
  return (await c.waitAny((f) => 'ref' in f && f.ref === ref, timeoutMs, from)) as unknown as Reply;
}
