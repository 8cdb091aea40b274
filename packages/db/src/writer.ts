import type Database from 'better-sqlite3';

type Op = { run: () => unknown; replayable: boolean; resolve: (v: unknown) => void; reject: (e: unknown) => void };
type Result = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface WriteOptions {
  /**
   * The write touches nothing but the database (and the repository's row cache, which a rollback
   * clears), so running it twice is harmless. A batch made only of such writes runs without a
   * savepoint per write; if one of them throws, the batch is rolled back and run again with
   * savepoints, so the failing write is still undone alone.
   */
  replayable?: boolean;
}

/** Test hook: called inside the batch transaction right before COMMIT. */
export type BeforeCommitHook = (batchSize: number) => void;

/**
 * Group commit. Writes queued during one event-loop turn run in ONE `BEGIN IMMEDIATE`
 * transaction, each inside its own savepoint so a failing write is undone alone; the
 * promises settle only after COMMIT returns. Under `synchronous=FULL` that is one fsync per
 * batch instead of one per message, and an ack (sent when the promise resolves) always
 * follows a durable commit. While a batch waits for its sync, new writes gather (up to a full
 * batch) and commit when it is done: under load, one commit per sync.
 *
 * @example const seq = await writer.write(() => repo.appendMessage(...));
 */
export class GroupWriter {
  private queue: Op[] = [];
  private readonly stmt;
  /** Called after any rollback, so caches of rows can drop what was never committed. */
  onRollback: (() => void) | null = null;
  private scheduled = false;
  private idle: Array<() => void> = [];
  beforeCommit: BeforeCommitHook | null = null;
  /**
   * Told of each batch once it settled: how long it took from BEGIN until durable (seconds) and
   * how many writes it carried, or the error that failed it whole (metrics and readiness).
   */
  onBatch: ((seconds: number, writes: number, error?: unknown) => void) | null = null;
  /** Largest batch seen, for the benchmark. */
  maxBatch = 0;
  batches = 0;

  constructor(
    private readonly sqlite: Database.Database,
    /** Resolves when what was committed is on disk (Db.durable); writes settle only after it. */
    private readonly durable: () => Promise<void> = () => Promise.resolve(),
    /** Bounded so one batch never blocks the event loop for long (latency), yet amortises the fsync. */
    private readonly maxBatchSize = 500,
  ) {
    // Prepared once: two of these run for every write.
    const p = (sql: string) => sqlite.prepare(sql);
    this.stmt = { begin: p('BEGIN IMMEDIATE'), commit: p('COMMIT'), rollback: p('ROLLBACK'), savepoint: p('SAVEPOINT w'), release: p('RELEASE w'), rollbackTo: p('ROLLBACK TO w') };
  }

  write<T>(run: () => T, opts: WriteOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, replayable: opts.replayable === true, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Resolves when everything queued so far is committed (or failed). */
  drain(): Promise<void> {
    if (!this.queue.length && !this.scheduled && !this.pending) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushNow());
  }

  private paused = false;

  /** Hold every commit until resume() (while the WAL is restarted); writes keep queueing. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (this.queue.length) this.schedule();
  }

  private flushNow(): void {
    this.scheduled = false;
    if (this.paused) return;
    // While a committed batch waits for its WAL sync, new writes gather for the next commit (up
    // to a full batch): committed now, they would wait for the next sync all the same, and one
    // commit for more writes dirties fewer pages per write. A finished sync flushes them.
    if (this.pending > 0 && this.queue.length < this.maxBatchSize) return;
    const batch = this.queue.splice(0, this.maxBatchSize);
    if (this.queue.length) this.schedule();
    if (batch.length) this.commit(batch);
    this.settled();
  }

  /** Writes committed, for the benchmark (writes / batches = the mean batch). */
  writes = 0;

  /** Every write of the batch in turn, no savepoints; null (and the transaction rolled back and begun again) if one threw. */
  private runAll(batch: Op[]): Result[] | null {
    const results: Result[] = [];
    try {
      for (const op of batch) results.push({ ok: true, value: op.run() });
      return results;
    } catch {
      // Some errors (a full disk) end the transaction themselves.
      if (this.sqlite.inTransaction) this.stmt.rollback.run();
      this.onRollback?.();
      this.replays++;
      this.stmt.begin.run();
      return null;
    }
  }

  /** Every write of the batch in its own savepoint: a failing write is undone alone. */
  private runIsolated(batch: Op[]): Result[] {
    const st = this.stmt;
    const results: Result[] = [];
    for (const op of batch) {
      st.savepoint.run();
      try {
        results.push({ ok: true, value: op.run() });
        st.release.run();
      } catch (error) {
        st.rollbackTo.run();
        st.release.run();
        this.onRollback?.();
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  /** Batches run again with savepoints after a replayable write threw (for tests and the benchmark). */
  replays = 0;

  private commit(batch: Op[]): void {
    let results: Result[];
    const db = this.sqlite;
    const st = this.stmt;
    const t0 = performance.now();
    try {
      st.begin.run();
    } catch (error) {
      this.onBatch?.((performance.now() - t0) / 1000, batch.length, error);
      for (const op of batch) op.reject(error);
      return;
    }
    try {
      // A savepoint per write costs two statements; writes that may simply run again skip them.
      results = (batch.every((op) => op.replayable) && this.runAll(batch)) || this.runIsolated(batch);
      this.beforeCommit?.(batch.length);
      st.commit.run();
    } catch (error) {
      // Nothing in this batch is durable: every write fails, no ack goes out.
      if (db.inTransaction) st.rollback.run();
      this.onRollback?.();
      this.onBatch?.((performance.now() - t0) / 1000, batch.length, error);
      for (const op of batch) op.reject(error);
      return;
    }
    this.batches++;
    this.writes += batch.length;
    if (batch.length > this.maxBatch) this.maxBatch = batch.length;
    // Settle (and so ack) only once the commit is on disk; the next batch commits meanwhile.
    this.pending++;
    this.durable().then(
      () => {
        this.pending--;
        if (this.queue.length) this.schedule();
        this.onBatch?.((performance.now() - t0) / 1000, batch.length);
        batch.forEach((op, i) => {
          const r = results[i]!;
          if (r.ok) op.resolve(r.value);
          else op.reject(r.error);
        });
        this.settled();
      },
      (error: unknown) => {
        this.pending--;
        if (this.queue.length) this.schedule();
        this.onBatch?.((performance.now() - t0) / 1000, batch.length, error);
        // Committed but not known to be durable: no ack; a retry finds the row and acks then.
        for (const op of batch) op.reject(error);
        this.settled();
      },
    );
  }

  /** Batches committed and waiting for their sync. */
  private pending = 0;
  private settled(): void {
    if (!this.pending && !this.scheduled && !this.queue.length) for (const r of this.idle.splice(0)) r();
  }
}
