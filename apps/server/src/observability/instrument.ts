import type { FastifyInstance } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import type { OpenCount } from '@ajuda/db';
import { ClientFrame, ServerFrame } from '@ajuda/protocol';
import type { Services } from '../context.ts';
import type { Gateway } from '../gateway/gateway.ts';
import { statusClass } from './metrics.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const CLIENT_TYPES = new Set<string>(ClientFrame.options.map((o) => o.shape.type.value));
const SERVER_TYPES = new Set<string>(ServerFrame.options.map((o) => o.shape.type.value));
const TYPE_KEY = /"type"\s*:\s*"([a-z][a-z._]{0,63})"/;
/** How long one reading of the open conversations answers scrapes (several Prometheus servers may scrape). */
const OPEN_COUNT_TTL_MS = 1000;
/** Conversations whose first response this process has seen (or found already answered), kept bounded. */
const ANSWERED_MAX = 50_000;

/**
 * A frame's type from its JSON text, cheaply: our clients and server write `type` first; otherwise
 * the first `"type":"…"` in the text. Only protocol types are labels; anything else is `unknown`.
 */
export function frameType(text: string, known: ReadonlySet<string>): string {
  if (text.startsWith('{"type":"')) {
    const end = text.indexOf('"', 9);
    const t = text.slice(9, end);
    if (end > 9 && known.has(t)) return t;
  }
  const t = TYPE_KEY.exec(text)?.[1];
  return t !== undefined && known.has(t) ? t : 'unknown';
}

function receivedType(data: RawData, isBinary: boolean): string {
  if (isBinary || !Buffer.isBuffer(data)) return 'unknown';
  const head = data.toString('utf8', 0, Math.min(data.length, 512));
  const t = frameType(head, CLIENT_TYPES);
  return t === 'unknown' && data.length > 512 ? frameType(data.toString('utf8'), CLIENT_TYPES) : t;
}

/** Who wrote a message, as a label: the sender column is `requester`, `agent:<id>` or `system`. */
function from(sender: string): string {
  if (sender === 'requester' || sender === 'system') return sender;
  return sender.startsWith('agent:') ? 'agent' : 'other';
}

/**
 * Feed `svc.metrics` from the running server: the HTTP hook (route templates, never raw URLs),
 * sockets and frames, local domain events, the store's commits, and the gauges read on each scrape
 * (sockets open, open conversations). Returns what the WebSocket route calls on each new socket.
 * Installed only when a metrics listener is configured, so a server without one pays nothing.
 */
export function instrument(app: FastifyInstance, svc: Services, gateway: Gateway): (ws: WebSocket) => void {
  const m = svc.metrics;
  const backend = svc.config.databaseUrl ? 'postgres' : 'sqlite';

  app.addHook('onResponse', (req, reply, done) => {
    const method = METHODS.has(req.method) ? req.method : 'other';
    // The template (`/api/admin/agents/:id/disable`), never the URL: ids stay out of the labels.
    const route = req.routeOptions.url ?? 'unmatched';
    m.httpDuration.observe({ method, route, status_class: statusClass(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });

  // Gauges read when scraped.
  m.readers.sockets = (g) => {
    let requester = 0;
    let agent = 0;
    for (const c of gateway.conns) if (c.endpoint === 'agent') agent++;
    else requester++;
    g.set({ role: 'requester' }, requester);
    g.set({ role: 'agent' }, agent);
  };
  let reading: { at: number; rows: Promise<OpenCount[]> } | null = null;
  const seen = new Set<string>();
  m.readers.openConversations = async (g) => {
    if (!reading || performance.now() - reading.at > OPEN_COUNT_TTL_MS) reading = { at: performance.now(), rows: svc.store.countOpen() };
    const mine = reading;
    let rows: OpenCount[];
    try {
      rows = await mine.rows;
    } catch (err) {
      if (reading === mine) reading = null;
      // No reading: no series (a gap), rather than numbers that are no longer true.
      g.reset();
      svc.log.warn({ err }, 'metrics: reading open conversations failed');
      return;
    }
    // A combination seen once stays, at 0 when it empties, so its series does not just stop.
    const now = new Map(rows.map((r) => [`${r.status}|${r.queue}|${r.priority ?? 'none'}`, r.count]));
    for (const k of now.keys()) seen.add(k);
    for (const k of seen) {
      const [status, queue, priority] = k.split('|') as [string, string, string];
      g.set({ status, queue, priority }, now.get(k) ?? 0);
    }
  };

  // The store: every commit's latency.
  svc.store.onCommit = (seconds, writes) => {
    m.commitDuration.observe({ backend }, seconds);
    m.storeWrites.inc({ backend }, writes);
  };

  // Domain events committed by this process (another process counts its own: `remote` ones are skipped).
  const answered = new Set<string>();
  const firstResponse = (conversationId: string, createdAt: string) => {
    if (answered.has(conversationId)) return;
    svc.store
      .getConversation(conversationId)
      .then((c) => {
        if (!c?.firstAgentReplyAt || answered.has(conversationId)) return;
        if (answered.size >= ANSWERED_MAX) answered.clear();
        answered.add(conversationId);
        // This reply is the first one only if the row's first-reply time is its own.
        if (c.firstAgentReplyAt !== createdAt || !c.queuedAt) return;
        const seconds = (Date.parse(c.firstAgentReplyAt) - Date.parse(c.queuedAt)) / 1000;
        if (seconds >= 0) m.firstResponse.observe({ priority: c.priority ?? 'none' }, seconds);
      })
      .catch((err: unknown) => svc.log.debug({ err }, 'metrics: first response not measured'));
  };
  svc.events.on('message.created', ({ message }, { remote }) => {
    if (remote) return;
    const who = from(message.sender);
    m.messagesCreated.inc({ kind: message.kind, from: who });
    if (message.kind === 'text' && who === 'agent') firstResponse(message.conversationId, message.createdAt);
  });
  svc.events.on('conversation.started', (_e, { remote }) => {
    if (!remote) m.conversationsStarted.inc();
  });
  svc.events.on('escalation.created', ({ escalation }, { remote }) => {
    if (!remote) m.escalations.inc({ source: escalation.source });
  });
  svc.events.on('sla.breached', ({ clock }, { remote }) => {
    if (!remote) m.slaBreaches.inc({ clock });
  });

  // Each socket: frames in and out by type (counted in a Map, handed over when scraped).
  return (ws) => {
    ws.on('message', (data: RawData, isBinary: boolean) => m.framesIn.add(receivedType(data, isBinary)));
    const send = ws.send;
    ws.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
      m.framesOut.add(typeof data === 'string' ? frameType(data, SERVER_TYPES) : 'unknown');
      return (send as (...a: unknown[]) => void).apply(this, [data, ...rest]);
    } as WebSocket['send'];
  };
}
