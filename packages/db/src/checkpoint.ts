import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

export interface CheckpointStats {
  /** Checkpoints that copied pages. */
  checkpoints: number;
  pagesCopied: number;
  /** WAL frames at the last checkpoint. */
  lastWalFrames: number;
  errors: number;
  /** True once the worker is gone and SQLite checkpoints inline again. */
  inline: boolean;
}

/** SQLite's own threshold, used again if the background checkpointer is ever lost. */
const INLINE_AUTOCHECKPOINT_PAGES = 1000;

/**
 * WAL checkpoints off the event loop. By default SQLite checkpoints inside the COMMIT that
 * crosses 1,000 WAL pages: it copies pages into the database file and fsyncs it on the thread
 * that committed, which here is the thread serving every socket. Instead the server's
 * connection never checkpoints (`wal_autocheckpoint=0`) and a worker thread with its own
 * connection runs a PASSIVE checkpoint every `intervalMs` (checkpoint-worker.mjs). PASSIVE
 * never takes the write lock, so commits go on meanwhile; durability is unchanged (a commit
 * is durable once its WAL frames are, see Db.durable).
 *
 * If the worker fails or exits unexpectedly, the connection goes back to SQLite's inline
 * checkpoints, so the WAL never grows without bound.
 */
export class Checkpointer {
  private worker: Worker | null;
  private closing = false;
  private inline = false;
  private lastError: string | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, (s: CheckpointStats) => void>();

  constructor(
    private readonly sqlite: Database.Database,
    file: string,
    intervalMs = 200,
    private readonly onFallback: (reason: string) => void = () => {},
  ) {
    sqlite.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), { workerData: { file, intervalMs }, execArgv: [] });
    this.worker.on('message', (m: { type: string; id?: number; message?: string } & Omit<CheckpointStats, 'inline'>) => {
      if (m.type === 'error') this.lastError = m.message ?? 'checkpoint failed';
      if (m.type === 'stats' && m.id !== undefined) {
        this.waiting.get(m.id)?.({ checkpoints: m.checkpoints, pagesCopied: m.pagesCopied, lastWalFrames: m.lastWalFrames, errors: m.errors, inline: false });
        this.waiting.delete(m.id);
      }
    });
    this.worker.on('error', (e: unknown) => {
      this.lastError ??= e instanceof Error ? e.message : String((e as { code?: unknown })?.code ?? e);
      this.fallBack();
    });
    this.worker.on('exit', () => this.fallBack());
    // Never keeps the process alive on its own (after the listeners: adding one refs it again).
    this.worker.unref();
  }

  /** The last error the checkpointer reported, if any. */
  get error(): string | null {
    return this.lastError;
  }

  /** What the checkpointer has done so far (for the benchmark and operations). */
  stats(): Promise<CheckpointStats> {
    const w = this.worker;
    if (!w || this.inline) return Promise.resolve({ checkpoints: 0, pagesCopied: 0, lastWalFrames: 0, errors: 0, inline: true });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      w.postMessage({ type: 'stats', id });
    });
  }

  private fallBack(): void {
    this.worker = null;
    for (const r of this.waiting.values()) r({ checkpoints: 0, pagesCopied: 0, lastWalFrames: 0, errors: 0, inline: true });
    this.waiting.clear();
    if (this.closing || this.inline) return;
    this.inline = true;
    if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${INLINE_AUTOCHECKPOINT_PAGES}`);
    this.onFallback(this.lastError ?? 'checkpointer exited');
  }

  /** Ask the worker to run a last checkpoint and close its connection; returns at once. */
  close(): void {
    this.closing = true;
    this.worker?.postMessage({ type: 'close' });
  }
}
