import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface Hit {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  msLeft: number;
  allowed: boolean;
}

/**
 * A limit counted across every process in Redis (rate-limiter-flexible, fixed window). Every
 * answer from Redis — the shared count and its window — is remembered here; while Redis is away
 * this process counts on from what Redis last said of that key, or from zero for a key it never
 * saw: a client already over the limit stays refused on every process, and others are still
 * limited, per process. Counts may be slightly off; they are never the truth of anything.
 */
export class SharedLimit {
  private readonly limiter: RateLimiterRedis;
  private readonly known = new Map<string, { count: number; until: number }>();

  constructor(
    redis: Redis,
    keyPrefix: string,
    private readonly points: number,
    windowMs: number,
    /** Told every count Redis answered (the cluster shares them on the bus, so each process knows the latest). */
    private readonly announce: ((key: string, count: number, msLeft: number) => void) | null = null,
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: Math.max(1, Math.ceil(windowMs / 1000)), rejectIfRedisNotReady: true });
    this.windowMs = Math.max(1000, windowMs);
  }
  private readonly windowMs: number;

  async hit(key: string): Promise<Hit> {
    const now = Date.now();
    try {
      return this.remember(key, await this.limiter.consume(key), now);
    } catch (e) {
      if (e instanceof RateLimiterRes) return this.remember(key, e, now);
      // Redis away: count here.
      let k = this.known.get(key);
      if (!k || k.until <= now) this.known.set(key, (k = { count: 0, until: now + this.windowMs }));
      k.count++;
      return { count: k.count, msLeft: k.until - now, allowed: k.count <= this.points };
    }
  }

  private remember(key: string, r: RateLimiterRes, now: number): Hit {
    this.learn(key, r.consumedPoints, r.msBeforeNext, now);
    this.announce?.(key, r.consumedPoints, r.msBeforeNext);
    return { count: r.consumedPoints, msLeft: r.msBeforeNext, allowed: r.consumedPoints <= this.points };
  }

  /** A count Redis gave this process or another one: kept unless a higher one of the same window is known. */
  learn(key: string, count: number, msLeft: number, now = Date.now()): void {
    const cur = this.known.get(key);
    if (cur && cur.until > now && cur.count >= count) return;
    if (this.known.size >= 50_000) for (const [k, v] of this.known) if (v.until <= now) this.known.delete(k);
    if (this.known.size >= 50_000) this.known.clear();
    this.known.set(key, { count, until: now + msLeft });
  }
}

/**
 * `@fastify/rate-limit`'s store on SharedLimit: the HTTP limits (agent logins, WebSocket upgrades
 * per client address) count across processes. One SharedLimit per route (see Cluster.limit).
 */
export function sharedRateLimitStore(limit: (id: string, points: number, windowMs: number) => SharedLimit) {
  return class SharedRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options?: unknown,
      private readonly route = 'global',
    ) {}
    incr(key: string, cb: (err: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number, max: number): void {
      limit(`http:${this.route}`, max, timeWindow).hit(key).then(
        (h) => cb(null, { current: h.count, ttl: h.msLeft }),
        (err: Error) => cb(err),
      );
    }
    child(routeOptions: { method?: string | string[]; url?: string; path?: string }): FastifyRateLimitStore {
      return new SharedRateLimitStore(undefined, `${String(routeOptions.method ?? '')}${routeOptions.url ?? routeOptions.path ?? ''}`);
    }
  };
}
