import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, IDENTITY_KID, IDENTITY_SECRET, INBOUND_SECRET, runServerToExit } from './harness.ts';

/**
 * Cluster mode refuses to start half-configured — as a process, exit code 2 and a message naming
 * what is missing, before it opens anything: Redis without PostgreSQL (there would be no shared
 * truth), and secrets left to be generated per machine (each process would mint its own, and
 * tokens signed by one would be refused by the others). Nothing listens on these addresses: a
 * process that got past its configuration would fail differently (and the test with it).
 */
const dir = mkdtempSync(join(tmpdir(), 'ajuda-cluster-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

const FULL: Record<string, string> = {
  PORT: '1',
  HOST: '127.0.0.1',
  DEMO_PORT: '2',
  AJUDA_DB_FILE: join(dir, 'ajuda.db'),
  AJUDA_PUBLIC_URL: 'http://127.0.0.1:1',
  AJUDA_DATABASE_URL: 'postgres://ajuda@127.0.0.1:1/none',
  AJUDA_REDIS_URL: 'redis://127.0.0.1:1',
  AJUDA_IDENTITY_KEYS: `${IDENTITY_KID}:${IDENTITY_SECRET}`,
  AJUDA_INBOUND_SECRET: INBOUND_SECRET,
  AJUDA_ADMIN_TOKEN: ADMIN_TOKEN,
  LOG_LEVEL: 'warn',
};
const without = (...keys: string[]) => Object.fromEntries(Object.entries(FULL).filter(([k]) => !keys.includes(k)));

describe('cluster configuration', () => {
  it('AJUDA_REDIS_URL without AJUDA_DATABASE_URL: the process exits with code 2, naming both variables', async () => {
    const r = await runServerToExit(without('AJUDA_DATABASE_URL'));
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('AJUDA_REDIS_URL');
    expect(r.output).toContain('AJUDA_DATABASE_URL');
  });

  it.each(['AJUDA_IDENTITY_KEYS', 'AJUDA_INBOUND_SECRET', 'AJUDA_ADMIN_TOKEN'])('cluster mode without an explicit %s: exit code 2, naming it', async (key) => {
    const r = await runServerToExit(without(key));
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain(key);
    expect(r.output).toContain('AJUDA_REDIS_URL');
  });

  it('cluster mode without any of the secrets: exit code 2, naming each of them', async () => {
    const r = await runServerToExit(without('AJUDA_IDENTITY_KEYS', 'AJUDA_INBOUND_SECRET', 'AJUDA_ADMIN_TOKEN'));
    expect(r.code, r.output).toBe(2);
    for (const key of ['AJUDA_IDENTITY_KEYS', 'AJUDA_INBOUND_SECRET', 'AJUDA_ADMIN_TOKEN']) expect(r.output).toContain(key);
  });

  it('cluster mode with every secret but no shared place for attachments: exit code 2, naming AJUDA_UPLOAD_S3_URL and AJUDA_UPLOAD_DIR', async () => {
    const r = await runServerToExit(FULL);
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('AJUDA_UPLOAD_S3_URL');
    expect(r.output).toContain('AJUDA_UPLOAD_DIR');
  });

  it('the same secrets without AJUDA_REDIS_URL are no cluster: the single-process development default stays as it was (no refusal for missing secrets)', async () => {
    // Without Redis, generated secrets are fine (one process): it gets past its configuration and
    // fails only at the (absent) database — not with the configuration's exit code 2.
    const r = await runServerToExit(without('AJUDA_REDIS_URL', 'AJUDA_IDENTITY_KEYS', 'AJUDA_INBOUND_SECRET', 'AJUDA_ADMIN_TOKEN'), 60_000);
    expect(r.code, r.output).not.toBe(2);
    expect(r.output).not.toContain('AJUDA_REDIS_URL');
  });
});
