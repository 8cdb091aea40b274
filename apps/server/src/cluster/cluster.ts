import type { Config } from '../config.ts';
import type { Services } from '../context.ts';
import type { DomainEvents, EventName } from '../fanout/events.ts';
import type { Gateway } from '../gateway/gateway.ts';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { channelFor, REDIS_OPTIONS, RedisBus } from './bus.ts';
import { ClusterPresence } from './presence.ts';

/** Every domain event crosses to the other processes (their sockets may care). */
const FORWARDED: ReadonlySet<EventName> = new Set<EventName>([
  'message.created',
  'conversation.started',
  'conversation.changed',
  'conversation.read',
  'typing.changed',
  'feedback.requested',
  'feedback.recorded',
  'escalation.created',
  'sla.breached',
  'grants.changed',
  'pipeline.changed',
  'agent.changed',
  'agent.ended',
] satisfies Array<keyof DomainEvents>);

/**
 * Cluster mode (AJUDA_REDIS_URL): this process is one of several on one PostgreSQL database.
 *
 * - Domain events committed here are published on the bus as hints; hints from the others are
 *   emitted here as remote events, so this process's sockets hear of everything.
 * - A hint may be lost. The fan-out delivers each conversation's messages once and in seq order,
 *   reading gaps from PostgreSQL; on any sign of loss (see RedisBus) it catches up every
 *   conversation followed here, and a periodic pass does so anyway. While the bus is unhealthy
 *   that pass runs every heartbeat, so Redis down costs about a second of latency, not messages.
 * - Presence: this node's online agents go to PostgreSQL every heartbeat (and to the bus at once).
 * - Logout and disable arrive as `agent.ended`; a periodic session check is the backstop.
 */
export class Cluster {
  private readonly bus: RedisBus;
  readonly presence: ClusterPresence;
  /** Counters shared by every process (rate limits); may be slightly off, never the truth. */
  private readonly counters: Redis;
  private readonly starts: RateLimiterRedis;
  private readonly timers: NodeJS.Timeout[] = [];
  private degraded = true;
  private catching: Promise<unknown> | null = null;
  private again: boolean | null = null;
  private closed = false;

  constructor(
    private readonly svc: Services,
    private readonly gateway: Gateway,
    private readonly cfg: NonNullable<Config['cluster']>,
    databaseUrl: string,
  ) {
    const log = svc.log;
    this.presence = new ClusterPresence(cfg.nodeId, svc.fanout, svc.store, cfg.heartbeatMs);
    this.counters = new Redis(cfg.redisUrl, { ...REDIS_OPTIONS, commandTimeout: 500 });
    this.counters.on('error', () => undefined);
    const perMinute = svc.config.limits.startsPerMinute;
    // Conversation starts per requester, counted across processes in Redis (see takeStart for
    // what happens while Redis is away).
    this.starts = new RateLimiterRedis({
      storeClient: this.counters,
      keyPrefix: `${channelFor(databaseUrl)}:starts`,
      points: perMinute,
      duration: 60,
      rejectIfRedisNotReady: true,
    });
    this.bus = new RedisBus(cfg.redisUrl, cfg.nodeId, channelFor(databaseUrl), cfg.heartbeatMs, {
      message: (event, payload, from) => this.receive(event, payload, from),
      loss: (reason) => {
        log.warn({ node: cfg.nodeId, reason }, 'cluster: hints may have been lost; catching up from the database');
        this.catchUp(true);
      },
      health: (ok) => {
        this.degraded = !ok;
        if (ok) log.info({ node: cfg.nodeId }, 'cluster: bus healthy');
        else log.warn({ node: cfg.nodeId, dropped: this.bus.dropped }, 'cluster: bus unhealthy; following the database every heartbeat');
      },
    });
  }

  async start(): Promise<void> {
    const { svc, cfg } = this;
    svc.fanout.sequence();
    svc.presence = this.presence;
    svc.fanout.onPresence = (agentId, online) => this.bus.publish('presence', { agentId, online });
    for (const name of FORWARDED) {
      svc.events.on(name, (payload, meta) => {
        if (!meta.remote) this.bus.publish(name, this.wire(name, payload));
      });
    }
    await this.presence.beat(svc.clock.now());
    this.bus.start();
    void this.counters.connect().catch(() => undefined);
    const every = (ms: number, run: () => Promise<unknown>, what: string) => {
      const t = setInterval(() => {
        if (this.closed) return;
        run().catch((err) => svc.log.warn({ err, node: cfg.nodeId }, `cluster: ${what} failed`));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(cfg.heartbeatMs, async () => {
      await this.presence.beat(svc.clock.now());
      if (this.degraded) this.catchUp(false);
    }, 'heartbeat');
    every(cfg.antiEntropyMs, async () => this.catchUp(false), 'anti-entropy pass');
    every(cfg.sessionCheckMs, async () => {
      const n = await this.gateway.checkSessions();
      if (n) svc.log.info({ node: cfg.nodeId, closed: n }, 'cluster: sockets of ended sessions closed by the periodic check');
    }, 'session check');
  }

  get nodeId(): string {
    return this.cfg.nodeId;
  }
  get busOk(): boolean {
    return !this.degraded;
  }

  /**
   * Take a conversation-start token for a requester, cluster-wide; the seconds to wait, or 0.
   * Every answer from Redis (the shared count and its window) is remembered here; while Redis is
   * away this process counts on from what Redis last said of that requester — or from zero for
   * one it never saw — so a requester already over the limit stays refused on every process, and
   * others are still limited, per process.
   */
  async takeStart(ownerKey: string): Promise<number> {
    const now = Date.now();
    const limit = this.svc.config.limits.startsPerMinute;
    try {
      const r = await this.starts.consume(ownerKey);
      this.lastCount(ownerKey, r, now);
      return 0;
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        this.lastCount(ownerKey, e, now);
        return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      }
      let k = this.known.get(ownerKey);
      if (!k || k.until <= now) this.known.set(ownerKey, (k = { consumed: 0, until: now + 60_000 }));
      k.consumed++;
      return k.consumed > limit ? Math.max(1, Math.ceil((k.until - now) / 1000)) : 0;
    }
  }

  /** Start counts as Redis last reported them, per requester, until their window ends. */
  private readonly known = new Map<string, { consumed: number; until: number }>();
  private lastCount(key: string, r: RateLimiterRes, now: number): void {
    if (this.known.size >= 50_000) for (const [k, v] of this.known) if (v.until <= now) this.known.delete(k);
    if (this.known.size >= 50_000) this.known.clear();
    this.known.set(key, { consumed: r.consumedPoints, until: now + r.msBeforeNext });
  }

  /** What goes on the wire: rows as they are, never a socket. */
  private wire<E extends EventName>(name: E, payload: DomainEvents[E]): unknown {
    if (name !== 'message.created') return payload;
    const { message } = payload as DomainEvents['message.created'];
    return { message, ownerKey: this.svc.owners.get(message.conversationId) };
  }

  private receive(event: string, payload: unknown, from: string): void {
    if (event === 'presence') {
      const p = payload as { agentId: string; online: boolean };
      return this.presence.hint(from, p.agentId, p.online);
    }
    if (event === 'node.stopped') return this.presence.gone(from);
    if (!FORWARDED.has(event as EventName)) return;
    void this.svc.events.emit(event as EventName, payload as never, { remote: true });
  }

  /** One catch-up at a time; a request meanwhile runs once more after it (full if any asked for full). */
  private catchUp(full: boolean): void {
    if (this.closed) return;
    if (this.catching) {
      this.again = (this.again ?? false) || full;
      return;
    }
    this.catching = this.svc.fanout
      .catchUp(full)
      .catch((err) => this.svc.log.warn({ err, node: this.cfg.nodeId }, 'cluster: catch-up failed'))
      .finally(() => {
        this.catching = null;
        const next = this.again;
        this.again = null;
        if (next !== null) this.catchUp(next);
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.bus.publish('node.stopped');
    await this.svc.store.forgetNode(this.cfg.nodeId).catch(() => undefined);
    await this.bus.close();
    this.counters.disconnect();
  }
}
