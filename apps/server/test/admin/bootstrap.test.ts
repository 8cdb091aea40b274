import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '@ajuda/db/pg-cluster';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

/**
 * The first administrator of an empty production database, made by the operator's command line run
 * as a child process exactly as `pnpm ajuda admin create` runs it, then signing in over HTTP.
 * SQLite here; PostgreSQL under `pnpm test:pg` (a fresh database of its own).
 */
const repo = join(import.meta.dirname, '../../../..');
const dir = mkdtempSync(join(tmpdir(), 'ajuda-bootstrap-'));
let pg: { url: string; drop(): Promise<void> } | null = null;
let env: Record<string, string>;

function cli(args: string[], stdin: string | null): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repo, 'node_modules/.bin/tsx'), ['apps/server/src/cli.ts', ...args], { cwd: repo, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (stdin !== null) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

async function login(email: string, password: string) {
  const app = await buildApp(loadConfig(env, dir), { logger: false });
  try {
    const res = await app.inject({ method: 'POST', url: '/api/agent/login', payload: { email, password } });
    const cookie = res.cookies.find((c) => c.name === 'ajuda_agent');
    const me = cookie ? await app.inject({ url: '/api/agent/me', cookies: { ajuda_agent: cookie.value } }) : null;
    const agents = await app.ajuda.svc.store.listAgents();
    return { status: res.statusCode, me: me?.json() as { agent: { name: string; role: string } } | undefined, agents };
  } finally {
    await app.close();
  }
}

beforeAll(async () => {
  if (process.env.AJUDA_STORE === 'pg') pg = await testDatabase();
  env = {
    AJUDA_ENV: 'production',
    AJUDA_DB_FILE: join(dir, 'ajuda.db'),
    AJUDA_IDENTITY_KEYS: 'prod-1:0123456789abcdef0123456789abcdef',
    AJUDA_INBOUND_SECRET: 'inbound-secret-0123456789abcdef',
    AJUDA_ADMIN_TOKEN: 'admin-token-0123456789abcdefghij',
    AJUDA_PUBLIC_URL: 'https://help.example.com',
    AJUDA_ORIGINS_PLATFORM: 'https://app.example.com',
    LOG_LEVEL: 'silent',
    ...(pg ? { AJUDA_DATABASE_URL: pg.url } : {}),
  };
});
afterAll(async () => {
  await pg?.drop();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

// Each run of the command line starts tsx from nothing (a few seconds, many more on a loaded machine).
const CLI_TIMEOUT = 120_000;

describe('ajuda admin create (production, empty database)', () => {
  it('refuses a password on the command line, in every spelling, before touching the database', async () => {
    for (const args of [['--password', 'hunter2hunter2'], ['--password=hunter2hunter2'], ['-p', 'hunter2hunter2'], ['--pw=hunter2hunter2']]) {
      const r = await cli(['admin', 'create', '--email', 'sneaky@example.com', '--name', 'Sneaky', ...args], 'piped-password-ok\n');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/never accepted on the command line/);
    }
  }, CLI_TIMEOUT);

  it('creates the first admin from a piped password, who then signs in to the console over HTTP', async () => {
    const r = await cli(['admin', 'create', '--email', 'Root@Example.com', '--name', 'Rita Root'], 'correct horse battery\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/admin created: Rita Root <root@example\.com>/);
    expect(r.stdout).toContain('https://help.example.com/console/');
    expect(r.stdout).not.toContain('correct horse battery');
    const ok = await login('root@example.com', 'correct horse battery');
    expect(ok.status).toBe(200);
    expect(ok.me?.agent).toMatchObject({ name: 'Rita Root', role: 'admin' });
    // Nobody else exists: no demo in production, and the refused runs above wrote nothing.
    expect(ok.agents.map((a) => a.email)).toEqual(['root@example.com']);
    expect((await login('root@example.com', 'wrong password!!')).status).toBe(401);
  }, CLI_TIMEOUT);

  it('refuses an email that exists (in any case) and a short password, and changes nothing', async () => {
    const dup = await cli(['admin', 'create', '--email', 'ROOT@example.com', '--name', 'Other'], 'another good password\n');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/exists; nothing changed/);
    const short = await cli(['admin', 'create', '--email', 'new@example.com', '--name', 'New'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const none = await cli(['admin', 'create', '--email', 'new@example.com', '--name', 'New'], '');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no password on standard input/);
    const after = await login('root@example.com', 'correct horse battery');
    expect(after.status).toBe(200);
    expect(after.agents.map((a) => a.email)).toEqual(['root@example.com']);
  }, CLI_TIMEOUT);
});
