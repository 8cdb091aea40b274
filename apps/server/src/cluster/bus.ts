import { createHash, randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

/** What the bus tells its owner. */
export interface BusHandlers {
  /** Another node published `event` with `payload`. */
  message(event: string, payload: unknown, from: string): void;
  /** A hint may have been lost: catch up from the database. */
  loss(reason: string): void;
  /** Whether this node currently hears its own heartbeats (connected, and not deaf). */
  health(ok: boolean): void;
}

/** One hint on the wire: publisher node, its run (epoch), its sequence number, the event. */
interface Envelope {
  n: string;
  s: string;
  i: number;
  e: string;
  p?: unknown;
}

/**
 * Options both connections share. RESP2, as rate-limiter-flexible's Lua scripts expect (ioredis 6
 * defaults to RESP3); no offline queue, so a publish while Redis is away fails at once (the hint
 * is dropped, and the receivers see the gap) instead of piling up; reconnects every ≤ 1 s.
 */
export const REDIS_OPTIONS: RedisOptions = {
  protocol: 2,
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: (times) => Math.min(100 * times, 1000),
};

/** The channel of one cluster: every process on the same PostgreSQL database, none other. */
export function channelFor(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  const key = `${u.hostname}:${u.port || '5432'}/${u.pathname.replace(/^\//, '')}`;
  return `ajuda:bus:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/**
 * The cluster bus: one Redis pub/sub channel, used for hints only (PostgreSQL holds the truth).
 * Every node numbers what it publishes; a receiver that sees a number skipped knows a hint was
 * lost. Loss is also assumed after a reconnect, and when a node stops hearing its own heartbeat
 * (connected but deaf: a half-open link) — then both connections are dropped and made again.
 */
export class RedisBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  /** Per publisher run: the last number heard and when. */
  private readonly heard = new Map<string, { i: number; at: number }>();
  private lastEcho = 0;
  private healthy = false;
  private readyOnce = false;
  private lastReset = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Hints this node could not publish (Redis away); counted for the logs. */
  dropped = 0;

  constructor(
    url: string,
    private readonly nodeId: string,
    private readonly channel: string,
    private readonly heartbeatMs: number,
    private readonly h: BusHandlers,
  ) {
    this.pub = new Redis(url, { ...REDIS_OPTIONS, commandTimeout: Math.max(500, heartbeatMs) });
    this.sub = new Redis(url, REDIS_OPTIONS);
    for (const c of [this.pub, this.sub]) c.on('error', () => undefined); // reconnects; loss is detected below
    this.sub.on('ready', () => {
      this.sub.subscribe(this.channel).catch(() => undefined);
      if (this.readyOnce) this.h.loss('redis reconnected');
      this.readyOnce = true;
    });
    this.sub.on('message', (_ch: string, raw: string) => this.receive(raw));
  }

  /** Connect (without waiting for Redis: a node starts, degraded, while Redis is down) and start beating. */
  start(): void {
    void this.pub.connect().catch(() => undefined);
    void this.sub.connect().catch(() => undefined);
    this.lastEcho = Date.now();
    this.timer = setInterval(() => this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Publish a hint; if Redis is away it is dropped (its number is still used, so receivers see the gap). */
  publish(event: string, payload?: unknown): void {
    const env: Envelope = { n: this.nodeId, s: this.epoch, i: ++this.seq, e: event, ...(payload === undefined ? {} : { p: payload }) };
    if (this.pub.status !== 'ready') {
      this.dropped++;
      return;
    }
    this.pub.publish(this.channel, JSON.stringify(env)).catch(() => {
      this.dropped++;
    });
  }

  private receive(raw: string): void {
    let env: Envelope;
    try {
      env = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (typeof env.n !== 'string' || typeof env.i !== 'number' || typeof env.e !== 'string') return;
    if (env.n === this.nodeId && env.s === this.epoch) {
      if (env.e === 'hb') this.echo();
      return;
    }
    const key = `${env.n}/${env.s}`;
    const prev = this.heard.get(key);
    this.heard.set(key, { i: Math.max(env.i, prev?.i ?? 0), at: Date.now() });
    if (prev && env.i > prev.i + 1) this.h.loss(`${env.i - prev.i - 1} hint(s) from ${env.n} lost`);
    if (env.e !== 'hb') this.h.message(env.e, env.p, env.n);
  }

  private echo(): void {
    this.lastEcho = Date.now();
    if (this.healthy) return;
    this.healthy = true;
    this.h.health(true);
    // Whatever was missed while deaf or away is read back now.
    this.h.loss('bus healthy again');
  }

  private beat(): void {
    this.publish('hb');
    const now = Date.now();
    for (const [k, v] of this.heard) if (now - v.at > 60_000) this.heard.delete(k);
    if (now - this.lastEcho <= this.heartbeatMs * 3) return;
    if (this.healthy) {
      this.healthy = false;
      this.h.health(false);
      this.h.loss('own heartbeat not heard');
    }
    // Deaf or away: drop both links and connect again (a half-open one never recovers by itself).
    if (now - this.lastReset > this.heartbeatMs * 3) {
      this.lastReset = now;
      for (const c of [this.pub, this.sub]) if (c.status === 'ready' || c.status === 'connect') c.disconnect(true);
    }
  }

  get ok(): boolean {
    return this.healthy;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
