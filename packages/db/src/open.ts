import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checkpointer, INLINE_CHECKPOINTS, type CheckpointStats, type WriteGate } from './checkpoint.ts';
import * as schema from './schema.ts';

export type Synchronous = 'FULL' | 'NORMAL';

export interface DbOptions {
  /**
   * FULL (default): a write is reported durable only once the WAL holding it is on disk, so an
   * acked message survives a power loss. NORMAL: reported durable at commit; the last commits
   * may be lost on a power loss (never on a process crash).
   *
   * How FULL is done: SQLite itself runs `synchronous=NORMAL` (WAL mode stays corruption-safe)
   * and Ajuda fdatasyncs the WAL file after each group commit on libuv's thread pool, coalescing
   * concurrent batches. The commit is as durable as under SQLite's FULL, but the event loop keeps
   * serving sockets while the disk syncs.
   */
  synchronous?: Synchronous;
  /** How long a writer waits for a lock held by another connection (ms). */
  busyTimeoutMs?: number;
  /**
   * How often the background checkpointer (a worker thread with its own connection, for every
   * file database) copies the WAL into the database file, so a commit never pays for it.
   */
  checkpointIntervalMs?: number;
  /** WAL frames at which commits are held for a RESTART checkpoint (default 8,192: 32 MiB). */
  checkpointRestartFrames?: number;
  /** Told why, if the background checkpointer is lost and checkpoints run inline again. */
  onCheckpointFallback?: (reason: string) => void;
}

export interface Db {
  sqlite: Database.Database;
  orm: BetterSQLite3Database<typeof schema>;
  file: string;
  synchronous: Synchronous;
  /** Resolves once everything committed before the call is on disk (a no-op under NORMAL or in memory). */
  durable(): Promise<void>;
  /** What the background checkpointer has done (`inline: true` when checkpoints run in commits). */
  checkpointStats(): Promise<CheckpointStats>;
  /** What to hold while the WAL is restarted (openStore passes its GroupWriter). */
  setWriteGate(gate: WriteGate): void;
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
  const synchronous = opts.synchronous ?? 'FULL';
  // See DbOptions.synchronous: FULL durability comes from WalSync below, off the event loop.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  sqlite.pragma('foreign_keys = ON');
  const orm = drizzle(sqlite, { schema });
  migrate(orm, { migrationsFolder: MIGRATIONS_DIR });
  const wal = synchronous === 'FULL' && file !== ':memory:' ? new WalSync(`${file}-wal`) : null;
  const checkpointer = file !== ':memory:' ? new Checkpointer(sqlite, file, opts.checkpointIntervalMs, opts.onCheckpointFallback, opts.checkpointRestartFrames) : null;
  return {
    sqlite,
    orm,
    file,
    synchronous,
    durable: () => (wal ? wal.sync() : Promise.resolve()),
    checkpointStats: () => checkpointer?.stats() ?? Promise.resolve(INLINE_CHECKPOINTS),
    setWriteGate: (gate) => {
      if (checkpointer) checkpointer.gate = gate;
    },
    close: () => {
      checkpointer?.close();
      wal?.close();
      sqlite.close();
    },
  };
}

/**
 * fdatasync of the WAL file on the thread pool. A request is satisfied by the first sync that
 * starts after it, so many group commits waiting at once share one sync.
 */
class WalSync {
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly path: string) {}

  sync(): Promise<void> {
    if (!this.running) return (this.running = this.run());
    // A sync is under way: it may have started before our commit, so wait for the next one.
    this.next ??= this.running.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  private startNext(): Promise<void> {
    this.next = null;
    return (this.running = this.run());
  }

  private async run(): Promise<void> {
    try {
      this.fd ??= openSync(this.path, 'r');
      const fd = this.fd;
      await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    } finally {
      this.running = null;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
