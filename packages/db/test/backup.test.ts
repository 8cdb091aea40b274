import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase } from '../src/index.ts';

// The online backup of the SQLite file (backupDatabase, what `ajuda backup` runs). The CLI under
// write load is tested with the server: apps/server/test/reliability/backup.test.ts.
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = null;
});

describe('backupDatabase', () => {
  it('refuses a missing database, the database itself as target, and a missing directory; a backup is checked and counted', async () => {
    const d = (dir = mkdtempSync(join(tmpdir(), 'ajuda-backup-')));
    await expect(backupDatabase(join(d, 'nope.db'), join(d, 'b.db'))).rejects.toThrow(/no database/);
    const src = join(d, 'src.db');
    const db = new Database(src);
    db.exec('CREATE TABLE conversations (id TEXT); CREATE TABLE messages (id INTEGER); INSERT INTO messages VALUES (1)');
    db.close();
    await expect(backupDatabase(src, src)).rejects.toThrow(/must not be the database itself/);
    await expect(backupDatabase(src, join(d, 'missing-dir', 'b.db'))).rejects.toThrow(/does not exist/);
    const ok = await backupDatabase(src, join(d, 'b.db'));
    expect(ok).toMatchObject({ integrity: 'ok', messages: 1, conversations: 0 });
  });
});
