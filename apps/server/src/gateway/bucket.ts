/** A token bucket: `rate` tokens per second, up to `burst`. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }
  /** Take one token; returns 0 when allowed, else the seconds to wait. */
  take(now = Date.now()): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 10) / 10;
  }
}

/** Buckets keyed by principal, forgotten after they have been idle for a while. */
export class BucketMap {
  private readonly map = new Map<string, { b: TokenBucket; at: number }>();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}
  take(key: string, now = Date.now()): number {
    let e = this.map.get(key);
    if (!e) {
      if (this.map.size > 50_000) this.sweep(now);
      this.map.set(key, (e = { b: new TokenBucket(this.rate, this.burst, now), at: now }));
    }
    e.at = now;
    return e.b.take(now);
  }
  private sweep(now: number) {
    for (const [k, e] of this.map) if (now - e.at > 10 * 60_000) this.map.delete(k);
  }
}
