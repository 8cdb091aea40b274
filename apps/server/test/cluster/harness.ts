import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { beforeEach } from 'vitest';
import { PgStore, type Store } from '@ajuda/db';
import { startCluster, type Cluster } from '@ajuda/db/pg-cluster';
import type { Stackish } from '../client.ts';

/**
 * Cluster mode under test: real processes on loopback, started by the tests themselves —
 * Debian's redis-server, a throwaway PostgreSQL cluster (`@ajuda/db/pg-cluster`), several Ajuda
 * server processes (`node --import tsx apps/server/src/server.ts`, as `pnpm start` runs it) and a
 * test-owned TCP proxy that can cut the link to Redis without closing it. Nothing is imitated.
 */

/** The repository root (…/apps/server/test/cluster → …). */
export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
export const REDIS_SERVER = '/usr/bin/redis-server';

export const IDENTITY_KID = 'test-1';
export const IDENTITY_SECRET = 'test-identity-secret-0123456789abcdef';
export const INBOUND_SECRET = 'cluster-inbound-secret-0123456789abcdef';
export const ADMIN_TOKEN = 'cluster-admin-token-0123456789abcdefghij';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Ports handed out in this process, so nodes started at once never get the same one twice. */
const handedOut = new Set<number>();

/** A free TCP port on loopback (as bench/lib/proc.ts), never one this process handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res, rej) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
      s.on('error', rej);
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** The last `lines` lines of a log file ('' when it does not exist). */
export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
}

function exited(p: ChildProcess): boolean {
  return p.exitCode !== null || p.signalCode !== null;
}

/** Signal a child and wait for its exit; SIGKILL after `graceMs` if it does not go. */
async function terminate(p: ChildProcess, signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
  if (exited(p)) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(signal);
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}

// ── Redis ──

export interface RedisHandle {
  port: number;
  /** redis://127.0.0.1:PORT */
  url: string;
  dir: string;
  logFile: string;
  /** Is the server process running? */
  readonly running: boolean;
  /** SIGTERM and wait for the exit (nothing is saved: no persistence). */
  stop(): Promise<void>;
  /** Start again on the same port (clients that reconnect find it where it was). */
  start(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** Stop and remove the directory. */
  close(): Promise<void>;
}

/** Send one inline command and read one reply line (enough for PING). */
export function redisCommand(port: number, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((res, rej) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    const t = setTimeout(() => {
      s.destroy();
      rej(new Error(`redis on ${port}: no answer to ${command}`));
    }, timeoutMs);
    s.on('connect', () => s.write(`${command}\r\n`));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) {
        clearTimeout(t);
        s.destroy();
        res(buf.slice(0, buf.indexOf('\r\n')));
      }
    });
    s.on('error', (e) => {
      clearTimeout(t);
      rej(e);
    });
  });
}

/**
 * Debian's redis-server on a free loopback port in a temp directory, without persistence
 * (`--save "" --appendonly no`): a restart starts empty, as a lost Redis would.
 *
 * @example const redis = await startRedis(); … await redis.stop(); await redis.start(); … await redis.close();
 */
export async function startRedis(): Promise<RedisHandle> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is missing (apt-get install -y redis-server)`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ajuda-redis-'));
  const logFile = join(dir, 'redis.log');
  let proc: ChildProcess | null = null;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', logFile];
  const start = async () => {
    if (proc && !exited(proc)) return;
    const p = spawn(REDIS_SERVER, args, { cwd: dir, stdio: 'ignore' });
    proc = p;
    let exitCode: number | null | undefined;
    p.once('exit', (code) => (exitCode = code));
    const t0 = Date.now();
    for (;;) {
      if (exitCode !== undefined) throw new Error(`redis-server exited with ${exitCode} during start:\n${tail(logFile)}`);
      try {
        if ((await redisCommand(port, 'PING', 500)) === '+PONG') return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() - t0 > 20_000) throw new Error(`redis-server not ready on ${port} after 20 s:\n${tail(logFile)}`);
      await sleep(20);
    }
  };
  await start();
  let closed = false;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    logFile,
    get running() {
      return !!proc && !exited(proc);
    },
    async stop() {
      if (proc) await terminate(proc, 'SIGTERM');
    },
    start,
    async kill() {
      if (proc) await terminate(proc, 'SIGKILL');
    },
    async close() {
      if (closed) return;
      closed = true;
      if (proc) await terminate(proc, 'SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

// ── TCP proxy ──

export interface ProxyHandle {
  port: number;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  /** Is the link cut? */
  readonly blackholed: boolean;
  /**
   * Cut the link without closing it: every open connection (and every new one) stays open and
   * accepted, but bytes in both directions are silently dropped — a connected-but-deaf peer, as a
   * network partition or a stuck middlebox looks to a client with no deadline of its own.
   */
  blackhole(): void;
  /**
   * Forward again. Connections that were open while the link was cut are reset (destroyed on both
   * sides): TCP never hands on a stream with a hole in it, so a real connection whose bytes were
   * lost ends by retransmission timeout or keepalive, never resumes mid-stream. Clients notice the
   * reset, reconnect, and their new connections are forwarded. The dropped bytes are lost.
   */
  heal(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on a free loopback port forwarding to 127.0.0.1:targetPort (node:net), which the
 * test can black-hole and heal. Used between Ajuda's nodes and Redis.
 *
 * @example const p = await startProxy(redis.port); p.blackhole(); … p.heal(); await p.close();
 */
export async function startProxy(targetPort: number): Promise<ProxyHandle> {
  interface Pair {
    client: Socket;
    upstream: Socket | null;
    /** Opened or alive while the link was cut: reset at heal. */
    tainted: boolean;
  }
  const pairs = new Set<Pair>();
  let holed = false;
  const end = (p: Pair) => {
    pairs.delete(p);
    p.client.destroy();
    p.upstream?.destroy();
  };
  const server: Server = createServer((client) => {
    const p: Pair = { client, upstream: null, tainted: holed };
    pairs.add(p);
    client.setNoDelay(true);
    client.on('error', () => end(p));
    client.on('close', () => end(p));
    // Bytes before the upstream is connected wait in this queue (only while forwarding).
    const early: Buffer[] = [];
    client.on('data', (d: Buffer) => {
      if (holed || p.tainted) return; // dropped
      if (p.upstream && !p.upstream.connecting) p.upstream.write(d);
      else early.push(d);
    });
    if (holed) return; // a deaf link: accepted, never connected onwards
    const up = connect(targetPort, '127.0.0.1');
    p.upstream = up;
    up.setNoDelay(true);
    up.on('connect', () => {
      for (const d of early.splice(0)) if (!holed && !p.tainted) up.write(d);
    });
    up.on('data', (d: Buffer) => {
      if (holed || p.tainted) return; // dropped
      client.write(d);
    });
    up.on('error', () => end(p));
    up.on('close', () => end(p));
  });
  const port = await freePort();
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, '127.0.0.1', () => res());
  });
  return {
    port,
    get connections() {
      return pairs.size;
    },
    get blackholed() {
      return holed;
    },
    blackhole() {
      holed = true;
      for (const p of pairs) p.tainted = true;
    },
    heal() {
      holed = false;
      for (const p of [...pairs]) if (p.tainted) end(p);
    },
    async close() {
      for (const p of [...pairs]) end(p);
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// ── Ajuda nodes ──

export interface IdentityClaims {
  sub: string;
  realm: string;
  name?: string;
  email?: string;
  locale?: string;
  perms?: string[];
}

export interface NodeOptions {
  /** AJUDA_DATABASE_URL (PostgreSQL). */
  databaseUrl: string;
  /** AJUDA_REDIS_URL; omitted: a single process, no cluster mode. */
  redisUrl?: string;
  /** AJUDA_NODE_ID (default: node-<port>). */
  id?: string;
  /** PORT; default a free one. */
  port?: number;
  /** Extra host-page origins to allow (each node's own URL is allowed already as its public URL). */
  origins?: string[];
  /** Extra environment (wins over the defaults). */
  env?: Record<string, string>;
  /** How long to wait for /healthz (default 120 s: several nodes compile at once on 2 cores). */
  readyTimeoutMs?: number;
}

export interface AjudaNode extends Stackish {
  id: string;
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT/ws */
  wsUrl: string;
  port: number;
  pid: number;
  /** stdout and stderr of the process. */
  logFile: string;
  env: Record<string, string>;
  /** Has the process exited (killed, stopped or crashed)? */
  readonly exited: boolean;
  /** Send a signal (default SIGKILL: a crash) and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM and wait for the exit (the graceful path: drains, then exits). */
  stop(): Promise<void>;
  /** Sign an identity token as the host platform would (HS256, kid test-1). */
  signIdentity(claims: IdentityClaims, opts?: { expiresIn?: string | number; kid?: string }): Promise<string>;
  /** The last lines of the log. */
  tail(lines?: number): string;
  /** GET /healthz: its status and JSON body (cluster mode: `{ status, node, bus: 'ok' | 'degraded' }`). */
  health(): Promise<{ status: number; body: { status?: string; node?: string; bus?: string } }>;
  /** Stop (SIGTERM) and remove the node's directory with its log (kept when AJUDA_KEEP_CLUSTER_LOGS=1). */
  dispose(): Promise<void>;
}

/** Sign an identity token with the key every node is started with. */
export async function signIdentity(claims: IdentityClaims, opts: { expiresIn?: string | number; kid?: string } = {}): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', kid: opts.kid ?? IDENTITY_KID })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(IDENTITY_SECRET));
}

const ENTRY = join(ROOT, 'apps/server/src/server.ts');

/** The command line of a server process: the real entry through the tsx loader. */
function serverArgs(): string[] {
  return ['--import', 'tsx', ENTRY];
}

/**
 * Run the server with exactly this environment (plus PATH/HOME) until it exits — for refusals at
 * start. Killed after `timeoutMs` (then `code` is null).
 */
export async function runServerToExit(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; signal: string | null; output: string }> {
  const proc = spawn(process.execPath, serverArgs(), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, string | null]>((r) => proc.once('exit', (c, s) => r([c, s])));
  clearTimeout(t);
  return { code, signal, output };
}

/**
 * One Ajuda server process (`node --import tsx apps/server/src/server.ts`, cwd the repository
 * root, as bench/lib/proc.ts starts its servers) on free loopback ports, with the demo seeded
 * (agents' password `ajuda-demo`), fixed secrets shared by every node, generous abuse limits
 * (tests of limits set their own) and its output in a log file. Resolves when GET /healthz
 * answers 200; rejects with the log's tail if the process exits or is not ready in time.
 * The log level is warn (AJUDA_CLUSTER_LOG_LEVEL in the runner's environment or LOG_LEVEL in
 * `env` change it); AJUDA_KEEP_CLUSTER_LOGS=1 keeps the node directories with their logs.
 *
 * @example const a = await startNode({ databaseUrl, redisUrl: redis.url, id: 'a' }); const r = await requester(a);
 */
export async function startNode(opts: NodeOptions): Promise<AjudaNode> {
  const port = opts.port ?? (await freePort());
  const demoPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const id = opts.id ?? `node-${port}`;
  const dir = mkdtempSync(join(tmpdir(), `ajuda-node-${id}-`));
  const logFile = join(dir, 'server.log');
  const origins = [url, ...(opts.origins ?? [])].join(',');
  const env: Record<string, string> = {
    PORT: String(port),
    DEMO_PORT: String(demoPort),
    HOST: '127.0.0.1',
    AJUDA_PUBLIC_URL: url,
    AJUDA_DATABASE_URL: opts.databaseUrl,
    // Unused on PostgreSQL; keeps anything file-based out of the repository.
    AJUDA_DB_FILE: join(dir, 'ajuda.db'),
    AJUDA_NODE_ID: id,
    // Cluster mode needs one place for files; a node started alone gets a folder of its own
    // (startClusterEnv gives its nodes one shared folder).
    AJUDA_UPLOAD_DIR: join(dir, 'uploads'),
    AJUDA_DEMO: 'on',
    AJUDA_IDENTITY_KEYS: `${IDENTITY_KID}:${IDENTITY_SECRET}`,
    AJUDA_INBOUND_SECRET: INBOUND_SECRET,
    AJUDA_ADMIN_TOKEN: ADMIN_TOKEN,
    AJUDA_ORIGINS_PLATFORM: origins,
    AJUDA_ORIGINS_LOGIN: origins,
    AJUDA_ORIGINS_WEBSITE: origins,
    AJUDA_PG_POOL_MAX: '5',
    AJUDA_FRAMES_PER_SECOND: '5000',
    AJUDA_FRAME_BURST: '5000',
    AJUDA_STARTS_PER_MINUTE: '10000',
    AJUDA_LOGIN_PER_MINUTE: '10000',
    AJUDA_UPGRADES_PER_MINUTE: '100000',
    // AJUDA_CLUSTER_LOG_LEVEL=info (in the test runner's environment) shows the nodes' cluster lines.
    LOG_LEVEL: process.env.AJUDA_CLUSTER_LOG_LEVEL ?? 'warn',
    ...(opts.redisUrl ? { AJUDA_REDIS_URL: opts.redisUrl } : {}),
    ...opts.env,
  };
  const fd = openSync(logFile, 'a');
  const base = { ...process.env };
  // Nothing of the test runner's own configuration leaks into the server's.
  for (const k of Object.keys(base)) if (k.startsWith('AJUDA_') || k === 'PORT' || k === 'DEMO_PORT' || k === 'HOST' || k === 'LOG_LEVEL') delete base[k];
  const proc = spawn(process.execPath, serverArgs(), { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exitInfo: string | null = null;
  proc.once('exit', (code, signal) => (exitInfo = `code ${code}, signal ${signal}`));
  const node: AjudaNode = {
    id,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    pid: proc.pid!,
    logFile,
    env,
    get exited() {
      return exited(proc);
    },
    kill: (signal = 'SIGKILL') => terminate(proc, signal),
    stop: () => terminate(proc, 'SIGTERM'),
    signIdentity,
    tail: (lines = 40) => tail(logFile, lines),
    async health() {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
      const text = await r.text();
      let body: { status?: string; node?: string; bus?: string } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        /* a problem document or nothing */
      }
      return { status: r.status, body };
    },
    async dispose() {
      await terminate(proc, 'SIGTERM');
      if (process.env.AJUDA_KEEP_CLUSTER_LOGS !== '1') rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  const t0 = Date.now();
  const limit = opts.readyTimeoutMs ?? 120_000;
  for (;;) {
    if (exitInfo) throw new Error(`ajuda node ${id} exited during start (${exitInfo}); log ${logFile}:\n${tail(logFile)}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > limit) {
      await terminate(proc, 'SIGKILL');
      throw new Error(`ajuda node ${id} not healthy after ${limit / 1000} s; log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(50);
  }
  return node;
}

// ── a whole cluster ──

export interface ClusterEnv {
  pg: Cluster;
  databaseUrl: string;
  redis: RedisHandle | null;
  /** Present when started with `proxy: true`: the nodes reach Redis through it. */
  proxy: ProxyHandle | null;
  nodes: AjudaNode[];
  /** Start one more node on the same database and Redis. */
  addNode(id?: string, env?: Record<string, string>): Promise<AjudaNode>;
  /** A store on the shared database (opened on first use, closed by close()). */
  store(): Promise<Store>;
  /** Every node's log tail, headed by its id. */
  logs(lines?: number): string;
  close(): Promise<void>;
}

export interface ClusterEnvOptions {
  /** How many nodes (started concurrently). */
  nodes: number;
  /** Start Redis and give the nodes AJUDA_REDIS_URL (default true). */
  redis?: boolean;
  /** Put a startProxy() between the nodes and Redis (default false). */
  proxy?: boolean;
  /** Extra environment for every node. */
  env?: Record<string, string>;
  /** Node ids (default a, b, c, …). */
  ids?: string[];
}

/**
 * A PostgreSQL cluster with one empty database (each node migrates it at start, as in
 * production), Redis (optionally behind a proxy), and N nodes started at the same time on ports
 * of their own; every node allows every other node's URL as a host-page origin.
 *
 * @example const env = await startClusterEnv({ nodes: 2 }); const [a, b] = env.nodes; … await env.close();
 */
export async function startClusterEnv(opts: ClusterEnvOptions): Promise<ClusterEnv> {
  const pg = await startCluster({ fsync: false });
  // Every node's attachments in one folder, as a shared volume would be (a test may give a bucket instead).
  const uploads = mkdtempSync(join(tmpdir(), 'ajuda-cluster-uploads-'));
  const nodeEnv = { AJUDA_UPLOAD_DIR: uploads, ...opts.env };
  let redis: RedisHandle | null = null;
  let proxy: ProxyHandle | null = null;
  let store: Promise<Store> | null = null;
  const nodes: AjudaNode[] = [];
  const close = async () => {
    await Promise.all(nodes.map((n) => n.dispose().catch(() => undefined)));
    if (store) await (await store.catch(() => null))?.close().catch(() => undefined);
    await proxy?.close();
    await redis?.close();
    await pg.stop();
    rmSync(uploads, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const databaseUrl = await pg.createDatabase('ajuda');
    if (opts.redis !== false) {
      redis = await startRedis();
      if (opts.proxy) proxy = await startProxy(redis.port);
    }
    const redisUrl = redis ? (proxy ? `redis://127.0.0.1:${proxy.port}` : redis.url) : undefined;
    const ids = Array.from({ length: opts.nodes }, (_, i) => opts.ids?.[i] ?? String.fromCharCode(97 + i));
    const ports = await Promise.all(ids.map(() => freePort()));
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const started = await Promise.allSettled(ids.map((id, i) => startNode({ databaseUrl, redisUrl, id, port: ports[i], origins: urls, env: nodeEnv })));
    for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const env: ClusterEnv = {
      pg,
      databaseUrl,
      redis,
      proxy,
      nodes,
      async addNode(id = `n${nodes.length}`, extra = {}) {
        const n = await startNode({ databaseUrl, redisUrl, id, origins: urls, env: { ...nodeEnv, ...extra } });
        nodes.push(n);
        return n;
      },
      store() {
        store ??= PgStore.open({ url: databaseUrl, poolMax: 2, migrate: false });
        return store;
      },
      logs(lines = 30) {
        return nodes.map((n) => `── node ${n.id} (pid ${n.pid}${n.exited ? ', exited' : ''}) ${n.logFile}\n${n.tail(lines)}`).join('\n');
      },
      close,
    };
    return env;
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

/**
 * In a test file: print every node's log tail when a test fails (the env may not exist yet when
 * a test is registered, hence the getter).
 */
export function printLogsOnFailure(getEnv: () => ClusterEnv | undefined, lines = 40): void {
  beforeEach((ctx) => {
    ctx.onTestFailed(() => {
      const env = getEnv();
      if (env) console.error(`cluster logs after "${ctx.task.name}":\n${env.logs(lines)}`);
    });
  });
}
