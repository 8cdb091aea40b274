import type { Config } from '../config.ts';
import type { Services } from '../context.ts';
import type { DomainEvents, EventName } from '../fanout/events.ts';
import type { Gateway } from '../gateway/gateway.ts';
import { Redis } from 'ioredis';
import { channelFor, REDIS_OPTIONS, RedisBus } from './bus.ts';
import { SharedLimit, sharedRateLimitStore } from './limits.ts';
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
  private readonly starts: SharedLimit;
  private readonly prefix: string;
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
    // Conversation starts per requester, counted across processes (SharedLimit: what happens while Redis is away).
    this.prefix = channelFor(databaseUrl);
    this.starts = this.limit('starts', perMinute, 60_000);
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

  /** Take a conversation-start token for a requester, cluster-wide; the seconds to wait, or 0. */
  async takeStart(ownerKey: string): Promise<number> {
    const h = await this.starts.hit(ownerKey);
    return h.allowed ? 0 : Math.max(1, Math.ceil(h.msLeft / 1000));
  }

  /** `@fastify/rate-limit`'s store for the HTTP limits, counted across processes. */
  httpLimitStore() {
    return sharedRateLimitStore((id, points, windowMs) => this.limit(id, points, windowMs));
  }

  private readonly limits = new Map<string, SharedLimit>();
  /**
   * The shared limit `id` (made on first use). Low-volume limits (starts, logins) share every
   * count Redis answers on the bus, so while Redis is away each process starts from the latest
   * count any process saw; WebSocket upgrades, far more frequent, do not.
   */
  private limit(id: string, points: number, windowMs: number): SharedLimit {
    const full = `${id}:${points}:${windowMs}`;
    let l = this.limits.get(full);
    if (!l) {
      const announce = id.includes('/ws') ? null : (key: string, count: number, msLeft: number) => this.bus.publish('limit', { id, points, windowMs, key, count, msLeft });
      this.limits.set(full, (l = new SharedLimit(this.counters, `${this.prefix}:${full}`, points, windowMs, announce)));
    }
    return l;
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
    if (event === 'limit') {
      const l = payload as { id: string; points: number; windowMs: number; key: string; count: number; msLeft: number };
      return this.limit(l.id, l.points, l.windowMs).learn(l.key, l.count, l.msLeft);
    }
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
