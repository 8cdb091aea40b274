import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';

export type Synchronous = 'FULL' | 'NORMAL';

export interface DbOptions {
  /** FULL (default): an acked message survives a power loss. NORMAL: faster, may lose the last commits on power loss. */
  synchronous?: Synchronous;
  /** How long a writer waits for a lock held by another connection (ms). */
  busyTimeoutMs?: number;
}

export interface Db {
  sqlite: Database.Database;
  orm: BetterSQLite3Database<typeof schema>;
  file: string;
  close(): void;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('../drizzle', import.meta.url));

/**
 * Open (and create) the database, set the pragmas and apply pending migrations.
 *
 * @example const db = createDb('./data/ajuda.db'); // or createDb(':memory:')
 */
export function createDb(file: string, opts: DbOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
  sqlite.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  sqlite.pragma('foreign_keys = ON');
  const orm = drizzle(sqlite, { schema });
  migrate(orm, { migrationsFolder: MIGRATIONS_DIR });
  return { sqlite, orm, file, close: () => sqlite.close() };
}
