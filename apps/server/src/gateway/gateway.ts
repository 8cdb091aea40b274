import type { IncomingMessage } from 'node:http';
import type { WebSocket, RawData } from 'ws';
import { AGENT_ONLY, AjudaError, CLOSE, ClientFrame, containsNul, Pong, REQUESTER_ONLY, type ErrorCode } from '@ajuda/protocol';
import { StoreBusy } from '@ajuda/db';
import type { Services } from '../context.ts';
import { shortId } from '../crypto.ts';
import type { ErrorExtra } from '../session/port.ts';
import { agentHandlers } from '../domains/agents/handlers.ts';
import { conversationHandlers } from '../domains/conversations/handlers.ts';
import { escalationHandlers } from '../domains/escalation/handlers.ts';
import { emailHandlers } from '../email/handlers.ts';
import { realmHandlers } from '../domains/realm/handlers.ts';
import { handlerTable, type HandlerLimits } from '../session/handler.ts';
import { BucketMap } from './bucket.ts';
import { Conn } from './conn.ts';
import { endSession, hello, type SessionEndReason } from '../session/hello.ts';

/** Every client frame but hello and ping, by type: who may send it and its handler. */
const HANDLERS = handlerTable(conversationHandlers, agentHandlers, escalationHandlers, realmHandlers, emailHandlers);

/**
 * The WebSocket gateway: framing, hello, limits and dispatch. Every frame is parsed with the
 * protocol schema; a bad one gets an error frame and the socket stays usable. Handlers are
 * thin: parse → policy → persist → publish, and any throw becomes an error frame.
 */
export class Gateway {
  private readonly startBuckets: BucketMap;
  private readonly ownerBuckets: BucketMap;
  private heartbeat: NodeJS.Timeout | null = null;
  /** Every open socket, for the heartbeat sweep and shutdown. */
  readonly conns = new Set<Conn>();
  private readonly limits: HandlerLimits = { takeStart: (ownerKey) => (this.sharedStarts ? this.sharedStarts(ownerKey) : this.startBuckets.take(ownerKey)) };
  /** Cluster mode: conversation starts counted across processes (see Cluster.takeStart). */
  sharedStarts: ((ownerKey: string) => Promise<number>) | null = null;

  constructor(private readonly svc: Services) {
    const l = svc.config.limits;
    this.startBuckets = new BucketMap(l.startsPerMinute / 60, l.startsPerMinute);
    // Per requester across all their sockets, so one flooding visitor never slows another (R-limits).
    this.ownerBuckets = new BucketMap(l.framesPerSecond, l.frameBurst);
    this.heartbeat = setInterval(() => this.sweep(), svc.config.heartbeatMs);
    this.heartbeat.unref();
    // Logout and disable, wherever they happened (another process's, carried by the cluster bus).
    svc.events.on('agent.ended', ({ agentId, reason, sessionHash }) => {
      if (reason === 'disabled') svc.access.disabledAgents.add(agentId);
      this.endAgent(agentId, reason, sessionHash);
    });
  }

  /** Allowed upgrade origins for an endpoint (checked before the upgrade, R1/CSWSH). */
  originAllowed(endpoint: 'requester' | 'agent', origin: string | undefined): boolean {
    if (!origin || origin === 'null') return false;
    const c = this.svc.config;
    const own = new URL(c.publicUrl).origin;
    if (origin === own) return true;
    if (endpoint === 'agent') return c.consoleOrigins.includes(origin);
    return c.origins.platform.includes(origin) || c.origins.login.includes(origin) || c.origins.website.includes(origin);
  }

  attach(ws: WebSocket, req: IncomingMessage, endpoint: 'requester' | 'agent', cookieToken: string | null): void {
    const l = this.svc.config.limits;
    const conn = new Conn(ws, endpoint, req.headers.origin ?? '', l, cookieToken);
    this.conns.add(conn);
    conn.timers.push(
      setTimeout(() => {
        if (!conn.principal) {
          this.error(conn, 'hello_required');
          conn.close(CLOSE.helloTimeout, 'hello timeout');
        }
      }, this.svc.config.helloTimeoutMs),
    );
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // Never let one frame become an unhandled rejection (Node would exit): log and drop the socket.
      this.onMessage(conn, data, isBinary).catch((err) => {
        this.svc.log.error({ err }, 'frame dispatch failed');
        conn.close(CLOSE.policy, 'internal');
      });
    });
    ws.on('close', () => this.detach(conn));
    ws.on('error', (err) => this.svc.log.debug({ err }, 'socket error'));
  }

  private detach(conn: Conn): void {
    conn.closed = true;
    this.conns.delete(conn);
    for (const t of conn.timers) clearTimeout(t);
    this.svc.fanout.leave(conn);
  }

  private sweep(): void {
    for (const client of this.conns) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      try {
        client.ws.ping();
      } catch {
        /* closed meanwhile */
      }
    }
  }

  error(conn: Conn, code: ErrorCode, extra: ErrorExtra = {}): void {
    conn.error(code, extra);
  }

  private async onMessage(conn: Conn, data: RawData, isBinary: boolean): Promise<void> {
    if (conn.closed) return;
    if (isBinary) return this.error(conn, 'binary_not_supported');
    let raw: unknown;
    const text = data.toString();
    try {
      raw = JSON.parse(text); // bounded by maxPayload (64 KiB)
    } catch {
      const w = conn.bucket.take();
      return w > 0 ? this.error(conn, 'rate_limited', { retryAfter: w }) : this.error(conn, 'bad_json');
    }
    // Only a ref the ErrorFrame schema accepts (1–64 characters) is echoed: `"ref":""` must not make the reply throw.
    const rawRef = raw && typeof raw === 'object' ? (raw as { ref?: unknown }).ref : undefined;
    const ref = typeof rawRef === 'string' && rawRef.length > 0 ? rawRef.slice(0, 64) : undefined;
    // The refusal names the frame it refuses, so a client's outbox knows which one to resend.
    const wait = conn.bucket.take();
    if (wait > 0) return this.error(conn, 'rate_limited', { ref, retryAfter: wait });
    // JSON writes U+0000 only escaped: the cheap test first, the walk only when it may be there.
    if (text.includes('\\u0000') && containsNul(raw)) return this.error(conn, 'bad_frame', { ref, message: 'text may not contain U+0000 (NUL)' });
    const parsed = ClientFrame.safeParse(raw);
    if (!parsed.success) {
      const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
      const known = typeof type === 'string' && ClientFrame.options.some((o) => o.shape.type.value === type);
      const tooLong = parsed.error.issues.some((i) => i.code === 'too_big' && i.path[0] === 'body');
      return this.error(conn, tooLong ? 'body_too_long' : known ? 'bad_frame' : 'unknown_type', { ref, message: known ? summarize(parsed.error.issues) : undefined });
    }
    const frame = parsed.data;
    try {
      await this.dispatch(conn, frame);
    } catch (e) {
      if (e instanceof AjudaError) {
        this.error(conn, e.code, { ref, message: e.code === e.message ? undefined : e.message, ...e.extra, ...('conversationId' in frame ? { conversationId: frame.conversationId } : {}) });
      } else {
        const incident = shortId('inc');
        // The store's typed transient error: the client may retry.
        const busy = e instanceof StoreBusy;
        this.svc.log.error({ err: e, incident, frame: frame.type }, 'frame handler failed');
        this.error(conn, busy ? 'db_busy' : 'internal', { ref, incident });
      }
    }
  }

  private async dispatch(conn: Conn, f: ClientFrame): Promise<void> {
    const p = conn.principal;
    if (f.type === 'session.hello') {
      // Marked before the first await: a second hello arriving while the first is still being
      // verified must not become a second principal on the same socket.
      if (p || conn.helloPending) throw new AjudaError('already_authenticated');
      conn.helloPending = true;
      try {
        return await hello(this.svc, conn, f);
      } finally {
        conn.helloPending = false;
      }
    }
    if (!p) throw new AjudaError('hello_required');
    if (f.type === 'ping') return conn.send(Pong, { type: 'pong', ref: f.ref, at: this.svc.clock.iso() });
    if (p.kind === 'agent' ? REQUESTER_ONLY.has(f.type) : AGENT_ONLY.has(f.type)) throw new AjudaError('unknown_type');
    if (p.kind !== 'agent') {
      const wait = this.ownerBuckets.take(p.ownerKey);
      if (wait > 0) throw new AjudaError('rate_limited', undefined, { retryAfter: wait });
    }
    const entry = HANDLERS.get(f.type);
    if (!entry) throw new AjudaError('unknown_type');
    return entry.run(this.svc, conn, p, f, this.limits);
  }

  /** Close a socket after telling it why (logout, disabled agent, expired token, …). */
  endSession(conn: Conn, reason: SessionEndReason): void {
    endSession(conn, reason);
  }

  /** Close every socket of an agent (disabled), or only those of one login session (logout). */
  endAgent(agentId: string, reason: 'logout' | 'disabled', sessionHash?: string): void {
    for (const conn of [...this.conns]) {
      const p = conn.principal;
      if (p?.kind === 'agent' && p.agentId === agentId && (!sessionHash || p.sessionHash === sessionHash)) this.endSession(conn, reason);
    }
  }

  /**
   * The backstop of `agent.ended` (a bus hint may be lost): every agent socket's login session is
   * read again; one that ended, expired or whose agent is disabled is closed with the reason.
   * Returns how many sockets were closed.
   */
  async checkSessions(): Promise<number> {
    const bySession = new Map<string, Conn[]>();
    for (const conn of this.conns) {
      const p = conn.principal;
      if (p?.kind !== 'agent' || conn.closed) continue;
      const list = bySession.get(p.sessionHash);
      if (list) list.push(conn);
      else bySession.set(p.sessionHash, [conn]);
    }
    let closed = 0;
    const now = this.svc.clock.now();
    const agents = new Map<string, boolean>();
    for (const [hash, conns] of bySession) {
      const s = await this.svc.store.findSession(hash);
      const agentId = (conns[0]!.principal as { agentId: string }).agentId;
      if (!agents.has(agentId)) agents.set(agentId, !!(await this.svc.store.getAgent(agentId))?.disabled);
      const reason: SessionEndReason | null = agents.get(agentId) ? 'disabled' : !s || s.endedAt || new Date(s.expiresAt) <= now ? 'logout' : null;
      if (!reason) continue;
      if (reason === 'disabled') this.svc.access.disabledAgents.add(agentId);
      for (const conn of conns) {
        this.endSession(conn, reason);
        closed++;
      }
    }
    return closed;
  }

  /**
   * Shutdown: tell every socket (`session.ended` `shutdown`, close 1001), give the closing handshakes
   * `graceMs`, then drop what is left. A socket that never answers (a frozen tab, a dead network)
   * would otherwise hold the server's close — and so its restart — for the library's 30 s timeout.
   */
  async shutdown(graceMs = 1000): Promise<void> {
    const open = [...this.conns];
    for (const conn of open) this.endSession(conn, 'shutdown');
    const deadline = Date.now() + graceMs;
    while (open.some((c) => c.ws.readyState !== c.ws.CLOSED) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of open) if (conn.ws.readyState !== conn.ws.CLOSED) conn.ws.terminate();
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
  }
}

function summarize(issues: Array<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(frame)'}: ${i.message}`)
    .join('; ')
    .slice(0, 300);
}

