import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RetryingClient, startConversation } from './crash.ts';
import { childServer, openStoreAt, ROOT, seqGaps, signIdentity, sleep, type ChildServer } from './harness.ts';

let server: ChildServer | null = null;
const dirs: string[] = [];
afterAll(async () => {
  await server?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true, maxRetries: 5 });
});

/** `pnpm ajuda backup <file>` as an operator runs it (the script is `tsx apps/server/src/cli.ts`). */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'apps/server/src/cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('online backup', () => {
  it('`ajuda backup <file>` under write load: the backup passes its integrity check and holds every message acked before it began, once, seq gapless', async () => {
    server = await childServer();
    await server.start();
    const token = await signIdentity({ sub: 'u_ana', realm: 'acme', locale: 'en' });
    const id = await startConversation(server, token);
    const clients = Array.from({ length: 6 }, (_, i) => new RetryingClient(`b${i}`, server!, token, id, 8));
    const runs = clients.map((c) => c.run());
    const out = mkdtempSync(join(tmpdir(), 'ajuda-backup-'));
    dirs.push(out);
    const file = join(out, 'ajuda-backup.db');
    try {
      await sleep(1000);
      // Everything acked at this moment must be in the backup.
      const before = clients.flatMap((c) => [...c.acked.entries()]);
      expect(before.length).toBeGreaterThan(20);
      const r = await cli(['backup', file], { AJUDA_DB_FILE: server.dbFile, AJUDA_IDENTITY_KEYS: server.env.AJUDA_IDENTITY_KEYS! });
      expect(r.out).toMatch(/^backup ok: /);
      expect(r.code).toBe(0);
      const during = clients.reduce((n, c) => n + c.acked.size, 0);
      expect(during).toBeGreaterThan(before.length); // the server kept writing
      expect(existsSync(`${file}.partial`)).toBe(false);
      // The CLI verified the backup's integrity itself: it exits 1 (not "backup ok") when the check fails.
      const store = await openStoreAt(file);
      try {
        const missing: Array<[string, number]> = [];
        for (const [clientMsgId, seq] of before) {
          const rows = await store.testing.sql<{ seq: number }>("SELECT seq FROM messages WHERE conversation_id = ? AND sender = 'requester' AND client_msg_id = ?", id, clientMsgId);
          if (rows.length !== 1 || Number(rows[0]!.seq) !== seq) missing.push([clientMsgId, seq]);
        }
        expect(missing).toEqual([]);
        expect((await seqGaps(store)).detail).toEqual([]); // a consistent snapshot: no half-written batch
      } finally {
        await store.close();
      }
    } finally {
      for (const c of clients) c.close();
      await Promise.all(runs);
    }
  }, 55_000);

  // The backup itself (refusals, the copy and its check) is tested with the adapter: packages/db/test/backup.test.ts.
  it('usage errors exit 2', async () => {
    const { main } = await import('../../src/cli.ts');
    const usage = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main([])).toBe(2);
      expect(await main(['backup'])).toBe(2);
      expect(await main(['restore', 'x'])).toBe(2);
      expect(usage).toHaveBeenCalledTimes(3);
    } finally {
      usage.mockRestore();
    }
  });
});
