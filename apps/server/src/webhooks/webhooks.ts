import { randomBytes } from 'node:crypto';
import type { NewOutboxRow, OutboxRow, WebhookEndpoint } from '@ajuda/db';
import type { Services } from '../context.ts';
import { shortId } from '../crypto.ts';
import type { DomainEvents, EmitMeta } from '../fanout/events.ts';
import { agentNames, apiConversation, apiEscalation, apiMessage } from '../api/v1/views.ts';
import type { WEBHOOK_EVENTS } from '../api/v1/schemas.ts';
import { postWebhook, type PostResult } from './deliver.ts';
import { webhookHeaders } from './sign.ts';
import type { Resolve } from './ssrf.ts';

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/**
 * Signed outgoing webhooks (Standard Webhooks), fed by the domain events.
 *
 * - **Outbox.** A listener of LOCAL domain events (in cluster mode every process also sees the
 *   others' events as remote hints; those are never sent again) writes one outbox row per event and
 *   endpoint that wants it, in the database, when it handles the event. Rows survive restarts.
 * - **Delivery.** Every process polls the outbox (and is woken when it writes a row). It claims due
 *   rows for itself with a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`), so two processes never send
 *   the same attempt; a row whose claimer died is taken again once the lease lapsed (at least once).
 * - **Retries.** A failed attempt (no answer, a timeout, any non-2xx) is retried after
 *   `retryBaseMs · 2^(n-1)` capped at `retryMaxMs`, of which a random half (jitter), up to
 *   `maxAttempts`; then the row is failed (replayable by hand). An endpoint that has been failing
 *   for `disableAfterMs` (every attempt since the first failure failed) is disabled.
 * - **Signing.** `webhook-id` (the row's id: the same on every retry), `webhook-timestamp`,
 *   `webhook-signature` with the secret — and the previous one during a rotation.
 */
export class Webhooks {
  private endpoints: WebhookEndpoint[] = [];
  private endpointsAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private pending: NewOutboxRow[] = [];
  private flushing: Promise<void> | null = null;
  private readonly writes = new Set<Promise<unknown>>();
  private closed = false;
  private lastPrune = 0;
  private readonly offs: Array<() => void> = [];

  /** This server's name on its claims: the node's, and a random part (two servers never share one). */
  private readonly nodeId: string;

  constructor(
    private readonly svc: Services,
    node: string,
    private readonly opts: { random?: () => number; resolve?: Resolve } = {},
  ) {
    this.nodeId = `${node}/${randomBytes(4).toString('hex')}`;
  }

  private get cfg() {
    return this.svc.config.webhooks;
  }

  /** Listen to the domain events and start delivering. */
  async start(): Promise<void> {
    await this.refresh(true);
    const ev = this.svc.events;
    const local =
      <E extends keyof DomainEvents>(event: E, make: (p: DomainEvents[E]) => { type: WebhookEventType; data: () => Promise<unknown> | unknown }) =>
      (payload: DomainEvents[E], meta: EmitMeta) => {
        if (meta.remote) return;
        const { type, data } = make(payload);
        this.offer(type, data);
      };
    this.offs.push(
      ev.on('conversation.started', local('conversation.started', (p) => ({ type: 'conversation.started', data: () => this.conversation(p.conversationId) }))),
      ev.on('conversation.changed', local('conversation.changed', (p) => ({ type: 'conversation.updated', data: () => this.conversation(p.conversationId) }))),
      ev.on('message.created', local('message.created', (p) => ({ type: 'message.created', data: () => ({ message: apiMessage(p.message) }) }))),
      ev.on('escalation.created', local('escalation.created', (p) => ({ type: 'escalation.created', data: () => ({ escalation: apiEscalation(p.escalation) }) }))),
      ev.on('sla.breached', local('sla.breached', (p) => ({ type: 'sla.breached', data: () => ({ conversationId: p.conversationId, clock: p.clock, at: p.at }) }))),
      ev.on('feedback.recorded', local('feedback.recorded', (p) => ({ type: 'feedback.recorded', data: () => ({ conversationId: p.conversationId, answered: p.answered, ...(p.comment ? { comment: p.comment } : {}) }) }))),
    );
    this.svc.metrics.outboxDepth(() => this.svc.store.webhooks.pendingCount());
    this.timer = setInterval(() => this.kick(), this.cfg.pollMs);
    this.timer.unref();
    this.kick();
  }

  private async conversation(id: string): Promise<unknown> {
    const c = await this.svc.store.getConversation(id);
    return c ? { conversation: apiConversation(this.svc, c, await agentNames(this.svc)) } : null;
  }

  /** The endpoints, read again every few seconds (another process may have changed them) and after a change here. */
  async refresh(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.endpointsAt < 5000) return;
    this.endpointsAt = now;
    this.endpoints = await this.svc.store.webhooks.listEndpoints();
  }

  /**
   * An event happened: when an enabled endpoint wants it, build its payload (once) and queue one
   * outbox row per such endpoint; rows are written in batches, then delivery is woken.
   */
  private offer(type: WebhookEventType, data: () => Promise<unknown> | unknown): void {
    void this.refresh().catch((err: unknown) => this.svc.log.warn({ err }, 'webhooks: reading the endpoints failed'));
    const targets = this.endpoints.filter((e) => e.disabledAt === null && (e.events.length === 0 || e.events.includes(type)));
    if (!targets.length || this.closed) return;
    const at = this.svc.clock.iso();
    const work = (async () => {
      const d = await data();
      if (d === null) return;
      const payload = JSON.stringify({ type, timestamp: at, data: d });
      for (const e of targets) this.pending.push({ id: shortId('msg'), endpointId: e.id, event: type, payload, createdAt: at, nextAttemptAt: at });
      await this.flush();
    })().catch((err: unknown) => this.svc.log.error({ err, event: type }, 'webhooks: writing to the outbox failed'));
    this.writes.add(work);
    void work.finally(() => this.writes.delete(work));
  }

  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      await Promise.resolve();
      while (this.pending.length) {
        const rows = this.pending.splice(0, 500);
        await this.svc.store.webhooks.enqueue(rows);
      }
    })().finally(() => {
      this.flushing = null;
      this.kick();
    });
    return this.flushing;
  }

  /** Deliver what is due now (soon: at most one pass runs at a time; a kick during one runs another after it). */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.tick()
      .catch((err: unknown) => this.svc.log.error({ err }, 'webhooks: a delivery pass failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One delivery pass: claim due rows and send them, until none is due. Tests drive it with their clock. */
  async tick(): Promise<void> {
    await this.refresh();
    for (let rounds = 0; rounds < 100 && !this.closed; rounds++) {
      const now = this.svc.clock.now();
      const lease = new Date(now.getTime() + this.cfg.timeoutMs * 2 + 30_000).toISOString();
      const rows = await this.svc.store.webhooks.claim(now.toISOString(), lease, this.nodeId, 20);
      if (!rows.length) break;
      await Promise.all(rows.map((r) => this.deliver(r)));
      if (rows.length < 20) break;
    }
    await this.prune();
  }

  /** Wait until what was offered so far is in the outbox and the deliveries it woke have run. */
  async settle(): Promise<void> {
    while (this.writes.size || this.flushing || this.running) {
      await Promise.all([...this.writes, this.flushing, this.running]);
    }
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const e = (await this.svc.store.webhooks.getEndpoint(row.endpointId)) ?? null;
    const now = this.svc.clock.now();
    const secrets = e ? [e.secret, ...(e.previousSecret && e.previousSecretUntil && new Date(e.previousSecretUntil) > now ? [e.previousSecret] : [])] : [];
    const t0 = performance.now();
    const result: PostResult = e
      ? await postWebhook(e.url, webhookHeaders(secrets, row.id, Math.floor(now.getTime() / 1000), row.payload), row.payload, {
          timeoutMs: this.cfg.timeoutMs,
          allowPrivate: this.cfg.allowPrivate,
          ...(this.opts.resolve ? { resolve: this.opts.resolve } : {}),
        })
      : { status: null, error: 'the endpoint was deleted' };
    const durationMs = performance.now() - t0;
    const at = this.svc.clock.now();
    const ok = result.error === null;
    const failures = row.attempts + 1;
    const retryAt = ok || failures >= this.cfg.maxAttempts || !e ? null : new Date(at.getTime() + retryDelay(failures, this.cfg, this.opts.random ?? Math.random)).toISOString();
    const out = await this.svc.store.webhooks.finish({
      id: row.id,
      by: this.nodeId,
      at: at.toISOString(),
      ok,
      statusCode: result.status,
      error: result.error,
      durationMs,
      retryAt,
      disableIfFailingSince: new Date(at.getTime() - this.cfg.disableAfterMs).toISOString(),
      disabledReason: `failing since ${e?.failingSince ?? at.toISOString()}: ${result.error ?? ''}`.slice(0, 500),
    });
    if (!out.recorded) return;
    this.svc.metrics.webhookResult(ok ? 'delivered' : retryAt ? 'failed' : 'gave_up', result.status);
    if (!ok) this.svc.log.warn({ endpointId: row.endpointId, delivery: row.id, attempt: failures, status: result.status, error: result.error, retryAt }, 'webhook delivery failed');
    if (out.endpointDisabled) {
      this.svc.log.warn({ endpointId: row.endpointId }, 'webhook endpoint disabled: it has been failing too long');
      await this.refresh(true);
    }
  }

  private async prune(): Promise<void> {
    const now = this.svc.clock.now().getTime();
    if (now - this.lastPrune < 3600_000) return;
    this.lastPrune = now;
    await this.svc.store.webhooks.prune(new Date(now - this.cfg.keepDays * 86_400_000).toISOString());
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const off of this.offs.splice(0)) off();
    // What was offered is written before the store closes; a delivery in flight ends (its lease lapses if it does not).
    await Promise.allSettled([...this.writes]);
    await this.flushing?.catch(() => undefined);
    this.closed = true;
    await this.running;
  }
}

/**
 * The wait before retry `n` (n ≥ 1 failures so far): `base · 2^(n-1)` capped at `max`, of which a
 * random upper half — so waits grow, and many endpoints failing together do not retry in step.
 *
 * @example retryDelay(3, { retryBaseMs: 10_000, retryMaxMs: 3600_000 }, () => 1) // 40_000
 */
export function retryDelay(n: number, cfg: { retryBaseMs: number; retryMaxMs: number }, random: () => number): number {
  const full = Math.min(cfg.retryMaxMs, cfg.retryBaseMs * 2 ** Math.min(n - 1, 40));
  return Math.round(full / 2 + (random() * full) / 2);
}
