import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { safeEqual } from '../crypto.ts';
import { problemBody } from '../http/problem.ts';
import { errorInfo, type ErrorCode } from '@ajuda/protocol';

/**
 * A label that would name one person, conversation or realm (`conversationId`, `agent_id`, `realm`…):
 * refused at registration. Series per id grow without bound and put personal data in the metrics
 * store; count by kind, status, queue, priority, route — never by who.
 */
const ID_LABEL = /(^id$|_id$|Id$|^(conversation|agent|visitor|realm|user|owner|session|token|email|ip)s?$)/i;

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** First response: seconds to a day (the SLA targets are minutes to hours). */
const FIRST_RESPONSE_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];

/** What one webhook delivery attempt came to (see `Metrics.webhookResult`). */
export type WebhookResult = 'delivered' | 'failed' | 'gave_up';

/**
 * Counts kept in a plain Map on the hot path (a WebSocket frame) and handed to the Prometheus
 * counter when it is scraped: an increment costs a Map update, not a label hash.
 */
export class HotCounts {
  private readonly pending = new Map<string, number>();
  add(value: string): void {
    this.pending.set(value, (this.pending.get(value) ?? 0) + 1);
  }
  /** Move what accumulated into `counter` under `label`. */
  flush(counter: Counter<string>, label: string): void {
    for (const [value, n] of this.pending) counter.inc({ [label]: value }, n);
    this.pending.clear();
  }
}

/**
 * Ajuda's Prometheus metrics: one registry per server (`svc.metrics`), served on a listener of its
 * own (AJUDA_METRICS_ADDR, see `serve`). Every metric Ajuda records is declared here; what feeds
 * them is in `instrument.ts` (HTTP hook, WebSocket frames, domain events, the store).
 *
 * A feature adds its own with `counter`, `gauge` or `histogram` — names start with `ajuda_`,
 * labels are bounded sets and never an id:
 *
 * @example
 * const sent = svc.metrics.counter('ajuda_emails_sent_total', 'Emails sent, by template.', ['template']);
 * sent.inc({ template: 'transcript' });
 * svc.metrics.gauge('ajuda_email_queue_depth', 'Emails waiting.', [], async function () { this.set(await queue.depth()); });
 *
 * Webhooks have named hooks already declared: `outboxDepth(read)` and `webhookResult(result, status)`.
 */
export class Metrics {
  readonly registry = new Registry();

  // ── HTTP (main listener) ──
  readonly httpDuration = this.histogram(
    'ajuda_http_request_duration_seconds',
    'HTTP requests on the main listener: seconds from the request to the response, by method, route template and status class.',
    ['method', 'route', 'status_class'],
    DURATION_BUCKETS,
  );

  // ── WebSocket ──
  /** Filled on each scrape from the gateway's sockets (see instrument.ts). */
  readonly socketsOpen = this.gauge('ajuda_ws_sockets_open', 'WebSockets open now, by endpoint role (requester: the widget; agent: the console).', ['role'], (g) => this.readers.sockets?.(g));
  readonly framesIn = new HotCounts();
  readonly framesOut = new HotCounts();
  readonly framesReceived = this.counter('ajuda_ws_frames_received_total', 'Client frames received, by frame type (unknown: not a protocol type).', ['type'], (c) => this.framesIn.flush(c, 'type'));
  readonly framesSent = this.counter('ajuda_ws_frames_sent_total', 'Server frames sent, by frame type (one per socket a frame is sent to).', ['type'], (c) => this.framesOut.flush(c, 'type'));

  // ── domain (local events of this process) ──
  readonly messagesCreated = this.counter('ajuda_messages_created_total', 'Messages stored, by kind (text, note, system) and by who wrote them (requester, agent, system).', ['kind', 'from']);
  readonly conversationsStarted = this.counter('ajuda_conversations_started_total', 'Conversations started.');
  readonly escalations = this.counter('ajuda_escalations_total', 'Escalations to the leads (R13), by source (widget, email, api).', ['source']);
  readonly slaBreaches = this.counter('ajuda_sla_breaches_total', 'SLA clocks breached (R10), each recorded once per conversation and clock.', ['clock']);
  readonly firstResponse = this.histogram(
    'ajuda_first_response_seconds',
    "Seconds from a conversation entering the queue to an agent's first text reply, by priority.",
    ['priority'],
    FIRST_RESPONSE_BUCKETS,
  );
  /** Filled on each scrape from the store (see instrument.ts). */
  readonly conversationsOpen = this.gauge(
    'ajuda_conversations_open',
    'Open conversations in the database, by status (intake, queued, assigned), queue and priority (none in intake).',
    ['status', 'queue', 'priority'],
    (g) => this.readers.openConversations?.(g),
  );
  /** What fills the gauges read on each scrape (set by instrument.ts). */
  readonly readers: {
    sockets?: (g: Gauge<'role'>) => void;
    openConversations?: (g: Gauge<'status' | 'queue' | 'priority'>) => Promise<void>;
  } = {};

  // ── store ──
  readonly commitDuration = this.histogram(
    'ajuda_store_commit_seconds',
    'Store commits: SQLite group commits from BEGIN until durable, PostgreSQL commands from asking for a connection until COMMIT returned.',
    ['backend'],
    COMMIT_BUCKETS,
  );
  readonly storeWrites = this.counter('ajuda_store_writes_total', 'Store commands committed (a SQLite group commit carries many).', ['backend']);

  // ── webhooks (named hooks; fed by the webhook sender) ──
  private outboxRead: (() => number | Promise<number>) | null = null;
  readonly outbox = this.gauge('ajuda_webhook_outbox_depth', 'Webhook deliveries waiting in the outbox (read on each scrape).', [], async (g) => {
    if (this.outboxRead) g.set(await this.outboxRead());
  });
  readonly webhookDeliveries = this.counter('ajuda_webhook_deliveries_total', 'Webhook delivery attempts, by result (delivered, failed: will retry, gave_up) and status class of the answer (none: no answer).', ['result', 'status_class']);

  /**
   * Webhooks: where the outbox depth is read on each scrape (e.g. a count of undelivered rows).
   * A later call replaces the reader.
   */
  outboxDepth(read: () => number | Promise<number>): void {
    this.outboxRead = read;
  }

  /** Webhooks: one delivery attempt; `status` is the receiver's HTTP status, null when it never answered. */
  webhookResult(result: WebhookResult, status: number | null = null): void {
    this.webhookDeliveries.inc({ result, status_class: statusClass(status) });
  }

  /** Register a counter (`ajuda_…_total`). `collect` runs on each scrape, before the value is read. */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], collect?: (c: Counter<L>) => void | Promise<void>): Counter<L> {
    check(name, labelNames);
    if (!name.endsWith('_total')) throw new Error(`metric ${name}: a counter's name ends with _total`);
    return new Counter<L>({ name, help, labelNames, registers: [this.registry], ...(collect ? { collect: function (this: Counter<L>) { return collect(this); } } : {}) });
  }

  /** Register a gauge. `collect` runs on each scrape (set the value there for a reading taken on demand). */
  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], collect?: (g: Gauge<L>) => void | Promise<void>): Gauge<L> {
    check(name, labelNames);
    return new Gauge<L>({ name, help, labelNames, registers: [this.registry], ...(collect ? { collect: function (this: Gauge<L>) { return collect(this); } } : {}) });
  }

  /** Register a histogram with its bucket bounds. */
  histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    check(name, labelNames);
    return new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** The exposition text a scrape gets. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private server: Server | null = null;
  private defaults = false;

  /** Where the metrics listener listens (after `serve`), e.g. to learn an ephemeral port. */
  get address(): { host: string; port: number } | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : null;
  }

  /**
   * Serve `GET /metrics` on a listener of its own (never the public one). With `token`, a scrape
   * must send `Authorization: Bearer <token>` (else 401). Also records the process's own metrics
   * (CPU, memory, event-loop delay, GC: `process_*`, `nodejs_*`).
   */
  async serve(host: string, port: number, token: string | null): Promise<void> {
    if (this.server) return;
    if (!this.defaults) {
      collectDefaultMetrics({ register: this.registry });
      this.defaults = true;
    }
    const server = createServer((req, res) => void this.answer(req, res, token));
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  private async answer(req: IncomingMessage, res: ServerResponse, token: string | null): Promise<void> {
    const refuse = (code: ErrorCode, detail?: string, headers: Record<string, string> = {}) => {
      res.writeHead(errorInfo(code).status, { 'content-type': 'application/problem+json; charset=utf-8', ...headers });
      res.end(JSON.stringify(problemBody(code, detail)));
    };
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return refuse('not_found', 'this listener serves GET /metrics only');
    if (token !== null) {
      const h = req.headers.authorization ?? '';
      const given = h.startsWith('Bearer ') ? h.slice(7) : '';
      if (!safeEqual(given, token)) return refuse('auth_failed', 'send Authorization: Bearer <AJUDA_METRICS_TOKEN>', { 'www-authenticate': 'Bearer realm="ajuda-metrics"' });
    }
    try {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      refuse('internal', `collecting metrics failed: ${(err as Error).message}`);
    }
  }

  /** Stop the listener (the registry stays). */
  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** `2xx`…`5xx`; `none` when there was no answer. */
export function statusClass(status: number | null | undefined): string {
  return typeof status === 'number' && status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'none';
}

function check(name: string, labelNames: readonly string[]): void {
  if (!/^ajuda_[a-z0-9_]+$/.test(name)) throw new Error(`metric ${name}: names are ajuda_ and lower-case words joined by _`);
  for (const l of labelNames) if (ID_LABEL.test(l)) throw new Error(`metric ${name}: label "${l}" would hold an id — count by kind, never by who`);
}
