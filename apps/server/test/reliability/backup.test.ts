import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { backupDatabase } from '@ajuda/db';
import { RetryingClient, startConversation } from './crash.ts';
import { childServer, integrityOk, openReadOnly, ROOT, seqGaps, signIdentity, sleep, type ChildServer } from './harness.ts';

let server: ChildServer | null = null;
const dirs: string[] = [];
afterAll(async () => {
  await server?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
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
  it('`ajuda backup <file>` under write load: the backup passes integrity_check and holds every message acked before it began, once, seq gapless', async () => {
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
      const db = openReadOnly(file);
      try {
        expect(integrityOk(db)).toBe(true);
        const find = db.prepare("SELECT seq FROM messages WHERE conversation_id = ? AND sender = 'requester' AND client_msg_id = ?");
        const missing = before.filter(([clientMsgId, seq]) => {
          const rows = find.all(id, clientMsgId) as Array<{ seq: number }>;
          return rows.length !== 1 || rows[0]!.seq !== seq;
        });
        expect(missing).toEqual([]);
        expect(seqGaps(db).detail).toEqual([]); // a consistent snapshot: no half-written batch
      } finally {
        db.close();
      }
    } finally {
      for (const c of clients) c.close();
      await Promise.all(runs);
    }
  }, 55_000);

  it('refuses a missing database, the database itself as target, and a missing directory; usage errors exit 2', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ajuda-backup-'));
    dirs.push(d);
    await expect(backupDatabase(join(d, 'nope.db'), join(d, 'b.db'))).rejects.toThrow(/no database/);
    const Database = (await import('./harness.ts')).sqliteCtor();
    const src = join(d, 'src.db');
    const db = new Database(src);
    db.exec('CREATE TABLE conversations (id TEXT); CREATE TABLE messages (id INTEGER); INSERT INTO messages VALUES (1)');
    db.close();
    await expect(backupDatabase(src, src)).rejects.toThrow(/must not be the database itself/);
    await expect(backupDatabase(src, join(d, 'missing-dir', 'b.db'))).rejects.toThrow(/does not exist/);
    const ok = await backupDatabase(src, join(d, 'b.db'));
    expect(ok).toMatchObject({ integrity: 'ok', messages: 1, conversations: 0 });
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
