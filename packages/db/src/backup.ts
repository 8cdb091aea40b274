import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

export interface BackupResult {
  /** The backup file written. */
  file: string;
  bytes: number;
  pages: number;
  ms: number;
  /** `PRAGMA integrity_check` of the backup (when verified). */
  integrity: 'ok' | string;
  conversations: number;
  messages: number;
}

export interface BackupOptions {
  /**
   * Pages copied per step. Default: all in one step, i.e. one read transaction — a consistent
   * snapshot that never restarts however busy the server is (in WAL mode a reader does not block
   * the writer). Smaller steps release the read lock in between but restart whenever the server commits.
   */
  pagesPerStep?: number;
  /** Re-open the backup and run `PRAGMA integrity_check` (default true). */
  verify?: boolean;
}

/**
 * Online backup of a live Ajuda database with SQLite's backup API (better-sqlite3 `db.backup()`),
 * safe while the server is writing. Writes `<dest>.partial` first and renames it into place after
 * an fsync, so `dest` is either the previous file or a complete backup, never half of one.
 *
 * @example const r = await backupDatabase('./data/ajuda.db', './backups/ajuda-2026-01-01.db'); r.integrity // 'ok'
 */
export async function backupDatabase(source: string, dest: string, opts: BackupOptions = {}): Promise<BackupResult> {
  const src = resolve(source);
  const out = resolve(dest);
  if (!existsSync(src)) throw new Error(`no database at ${src}`);
  if (src === out) throw new Error('the backup file must not be the database itself');
  if (!existsSync(dirname(out))) throw new Error(`directory ${dirname(out)} does not exist`);
  const t0 = performance.now();
  const db = new Database(src, { fileMustExist: true });
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  let pages = 0;
  try {
    db.pragma('busy_timeout = 5000');
    const step = opts.pagesPerStep ?? 0x7fffffff;
    const r = await db.backup(partial, { progress: () => step });
    pages = r.totalPages;
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
  // Durable before it becomes visible under its final name.
  const fd = openSync(partial, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(partial, out);
  try {
    const dfd = openSync(dirname(out), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    /* some filesystems cannot fsync a directory */
  }
  const result: BackupResult = { file: out, bytes: statSync(out).size, pages, ms: 0, integrity: 'skipped', conversations: 0, messages: 0 };
  if (opts.verify !== false) {
    const check = new Database(out, { readonly: true, fileMustExist: true });
    try {
      const rows = check.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>;
      result.integrity = rows.map((x) => x.integrity_check).join('; ');
      result.conversations = (check.prepare('SELECT COUNT(*) AS n FROM conversations').get() as { n: number }).n;
      result.messages = (check.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
    } finally {
      check.close();
    }
  }
  result.ms = Math.round(performance.now() - t0);
  return result;
}
