import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { FastifyInstance } from 'fastify';
import { testDatabase } from '@ajuda/db/pg-cluster';
import { buildApp, type BuildOptions } from './app.ts';
import { loadConfig, type Config } from './config.ts';

export interface TestStack {
  /** Ajuda's origin, e.g. http://127.0.0.1:41234 */
  url: string;
  /** ws://…/ws */
  wsUrl: string;
  /** The demo host pages' origin (another port: another origin). */
  demoUrl: string;
  config: Config;
  app: FastifyInstance;
  dbFile: string;
  /** Sign an identity token as the host platform would (HS256 with the configured kid). */
  signIdentity(claims: { sub: string; realm: string; name?: string; email?: string; locale?: string; perms?: string[] }, opts?: { expiresIn?: string | number; kid?: string }): Promise<string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * A whole stack on loopback for tests: Ajuda and the demo pages on free ports, a temp-file
 * SQLite seeded with the demo data — or, under `pnpm test:pg` (AJUDA_STORE=pg), a fresh
 * PostgreSQL database of its own on the test cluster, dropped on close.
 *
 * @example const stack = await startTestStack(); … await stack.close();
 */
export async function startTestStack(env: Record<string, string> = {}, opts: BuildOptions & { demo?: boolean } = {}): Promise<TestStack> {
  const dir = mkdtempSync(join(tmpdir(), 'ajuda-stack-'));
  const dbFile = join(dir, 'ajuda.db');
  const port = await freePort();
  const demoPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const demoUrl = `http://127.0.0.1:${demoPort}`;
  const secret = 'test-identity-secret-0123456789abcdef';
  const pg = process.env.AJUDA_STORE === 'pg' && !env.AJUDA_DATABASE_URL ? await testDatabase() : null;
  const config = loadConfig(
    {
      PORT: String(port),
      DEMO_PORT: String(demoPort),
      AJUDA_PUBLIC_URL: url,
      AJUDA_DB_FILE: dbFile,
      AJUDA_IDENTITY_KEYS: `test-1:${secret}`,
      AJUDA_ORIGINS_PLATFORM: demoUrl,
      AJUDA_ORIGINS_LOGIN: demoUrl,
      AJUDA_ORIGINS_WEBSITE: demoUrl,
      AJUDA_INBOUND_SECRET: 'inbound-secret-0123456789abcdef',
      AJUDA_ADMIN_TOKEN: 'admin-token-0123456789abcdefghij',
      LOG_LEVEL: 'warn',
      ...(pg ? { AJUDA_DATABASE_URL: pg.url, AJUDA_MIGRATE: 'off', AJUDA_PG_POOL_MAX: '4' } : {}),
      ...env,
    },
    dir,
  );
  const app = await buildApp(config, { seed: true, logger: false, ...opts });
  await app.listen({ host: '127.0.0.1', port });
  let demo: FastifyInstance | null = null;
  if (opts.demo !== false) {
    const { buildDemoApp } = await import('@ajuda/demo');
    demo = await buildDemoApp({ ajudaOrigin: url, identity: { kid: 'test-1', secret }, logger: false });
    await demo.listen({ host: '127.0.0.1', port: demoPort });
  }
  const key = new TextEncoder().encode(secret);
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    demoUrl,
    config,
    app,
    dbFile,
    async signIdentity(claims, o = {}) {
      return new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256', kid: o.kid ?? 'test-1' })
        .setSubject(claims.sub)
        .setIssuedAt()
        .setExpirationTime(o.expiresIn ?? '10m')
        .sign(key);
    },
    async close() {
      await demo?.close();
      await app.close();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
