import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

export interface CheckpointStats {
  /** Checkpoints that copied pages. */
  checkpoints: number;
  pagesCopied: number;
  /** WAL frames at the last checkpoint. */
  lastWalFrames: number;
  errors: number;
  /** RESTART checkpoints run because the WAL reached its bound (commits held meanwhile). */
  restarts: number;
  /** True once the worker is gone and SQLite checkpoints inline again. */
  inline: boolean;
}

/** SQLite's own threshold, used again if the background checkpointer is ever lost. */
const INLINE_AUTOCHECKPOINT_PAGES = 1000;
export const INLINE_CHECKPOINTS: CheckpointStats = { checkpoints: 0, pagesCopied: 0, lastWalFrames: 0, errors: 0, restarts: 0, inline: true };

/** What holds the server's commits while a RESTART checkpoint runs (the GroupWriter). */
export interface WriteGate {
  pause(): void;
  resume(): void;
}

/**
 * WAL checkpoints off the event loop. By default SQLite checkpoints inside the COMMIT that
 * crosses 1,000 WAL pages: it copies pages into the database file and fsyncs it on the thread
 * that committed, which here is the thread serving every socket. Instead the server's
 * connection never checkpoints (`wal_autocheckpoint=0`) and a worker thread with its own
 * connection runs a PASSIVE checkpoint every `intervalMs` (checkpoint-worker.mjs). PASSIVE
 * never takes the write lock, so commits go on meanwhile; durability is unchanged (a commit
 * is durable once its WAL frames are, see Db.durable).
 *
 * A steady stream of commits can keep a PASSIVE checkpoint from ever catching up, and the WAL
 * only starts over when one has. So when the WAL reaches `restartFrames` frames, the worker asks
 * for a pause: the writer holds its commits (the event loop keeps running, writes gather), the
 * worker runs a RESTART checkpoint, and the writer resumes. That bounds the WAL file.
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
  /** The writer to hold during a RESTART checkpoint (set by openStore). */
  gate: WriteGate | null = null;
  private held: NodeJS.Timeout | null = null;

  constructor(
    private readonly sqlite: Database.Database,
    file: string,
    intervalMs = 200,
    private readonly onFallback: (reason: string) => void = () => {},
    /** 8,192 frames: a 32 MiB WAL with 4 KiB pages. */
    restartFrames = 8192,
  ) {
    sqlite.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), { workerData: { file, intervalMs, restartFrames }, execArgv: [] });
    this.worker.on('message', (m: { type: string; id?: number; message?: string } & Omit<CheckpointStats, 'inline'>) => {
      if (m.type === 'error') this.lastError = m.message ?? 'checkpoint failed';
      if (m.type === 'stats' && m.id !== undefined) {
        this.waiting.get(m.id)?.({ checkpoints: m.checkpoints, pagesCopied: m.pagesCopied, lastWalFrames: m.lastWalFrames, errors: m.errors, restarts: m.restarts, inline: false });
        this.waiting.delete(m.id);
        if (!this.waiting.size) this.worker?.unref();
      }
      if (m.type === 'restart-wanted') this.hold();
      if (m.type === 'restart-done') this.release();
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
    if (!w || this.inline) return Promise.resolve(INLINE_CHECKPOINTS);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      // Awaiting the answer keeps the process alive (the worker alone never does).
      w.ref();
      w.postMessage({ type: 'stats', id });
    });
  }

  /**
   * No transaction is open here (a commit runs start to end in one synchronous call), so once the
   * gate is shut the worker's RESTART finds the write lock free. Never held for more than 5 s.
   */
  private hold(): void {
    if (!this.worker || this.held) return;
    this.gate?.pause();
    this.held = setTimeout(() => this.release(), 5000);
    this.worker.postMessage({ type: 'restart-go' });
  }

  private release(): void {
    if (!this.held) return;
    clearTimeout(this.held);
    this.held = null;
    this.gate?.resume();
  }

  private fallBack(): void {
    this.worker = null;
    this.release();
    for (const r of this.waiting.values()) r(INLINE_CHECKPOINTS);
    this.waiting.clear();
    if (this.closing || this.inline) return;
    this.inline = true;
    if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${INLINE_AUTOCHECKPOINT_PAGES}`);
    this.onFallback(this.lastError ?? 'checkpointer exited');
  }

  /** Ask the worker to run a last checkpoint and close its connection; returns at once. */
  close(): void {
    this.closing = true;
    this.release();
    this.worker?.postMessage({ type: 'close' });
  }
}
