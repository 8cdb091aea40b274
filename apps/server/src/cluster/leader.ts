import type { Leadership, Store } from '@ajuda/db';

/**
 * One process runs a job (the SLA ticker) at a time: whoever holds the store's leadership of it.
 * The others try again every `retryMs`, so when the leader dies (its PostgreSQL session ends) a
 * survivor takes over within about that long. On SQLite the one process always leads.
 * Two leaders can overlap briefly (a leader that lost its connection notices within seconds);
 * the job must be safe under that — `recordBreaches` records each clock once whoever calls it.
 */
export class Leader {
  private held: Leadership | null = null;
  private trying = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly job: string,
    private readonly retryMs: number,
    private readonly onChange: (leading: boolean) => void = () => {},
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  get leading(): boolean {
    return this.held !== null;
  }

  start(): void {
    void this.attempt();
    this.timer = setInterval(() => void this.attempt(), this.retryMs);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.held || this.trying || this.closed) return;
    this.trying = true;
    try {
      const l = await this.store.tryLeadership(this.job);
      if (!l) return;
      if (this.closed) return void (await l.release());
      this.held = l;
      this.onChange(true);
      void l.lost.then(() => {
        if (this.held !== l) return;
        this.held = null;
        this.onChange(false);
      });
    } catch (err) {
      this.onError(err);
    } finally {
      this.trying = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const l = this.held;
    this.held = null;
    await l?.release();
  }
}
