import type { IncomingMessage } from 'node:http';
import type { WebSocket, RawData } from 'ws';
import { allowedRequestTypes, conversationLanguage } from '@ajuda/policy';
import {
  AGENT_ONLY,
  AjudaError,
  CLOSE,
  ClientFrame,
  ErrorFrame,
  PROTOCOL_VERSION,
  Pong,
  REQUESTER_ONLY,
  SessionEnded,
  SessionReady,
  clientCode,
  errorInfo,
  type ErrorCode,
  type FrameOf,
} from '@ajuda/protocol';
import type { Services } from '../context.ts';
import { randomToken, sha256, shortId } from '../crypto.ts';
import { realmUserOwnerKey, verifyIdentity, visitorOwnerKey } from '../identity.ts';
import { agentView } from '../projections.ts';
import * as agents from '../domains/agents/handlers.ts';
import * as conversations from '../domains/conversations/handlers.ts';
import * as escalation from '../domains/escalation/handlers.ts';
import * as realm from '../domains/realm/handlers.ts';
import { assignWaiting } from '../domains/routing/routing.ts';
import { BucketMap } from './bucket.ts';
import { Conn, type AgentPrincipal, type RequesterPrincipal } from './conn.ts';

type Hello = FrameOf<ClientFrame, 'session.hello'>;

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

  constructor(private readonly svc: Services) {
    const l = svc.config.limits;
    this.startBuckets = new BucketMap(l.startsPerMinute / 60, l.startsPerMinute);
    // Per requester across all their sockets, so one flooding visitor never slows another (R-limits).
    this.ownerBuckets = new BucketMap(l.framesPerSecond, l.frameBurst);
    this.heartbeat = setInterval(() => this.sweep(), svc.config.heartbeatMs);
    this.heartbeat.unref();
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
    const p = conn.principal;
    if (!p) return;
    const hub = this.svc.hub;
    if (p.kind === 'agent') {
      hub.unsubscribe('agents', conn);
      hub.unsubscribe(`agent:${p.agentId}`, conn);
      for (const id of conn.opened) hub.unsubscribe(`conv:${id}`, conn);
    } else hub.unsubscribe(`owner:${p.ownerKey}`, conn);
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

  error(conn: Conn, code: ErrorCode, extra: { ref?: string | undefined; message?: string; fields?: Record<string, { code: string; i18nKey: string }>; retryAfter?: number; conversationId?: string; incident?: string } = {}): void {
    const visible = clientCode(code);
    conn.send(ErrorFrame, { type: 'error', code: visible, i18nKey: errorInfo(visible).i18nKey, ...extra });
  }

  private async onMessage(conn: Conn, data: RawData, isBinary: boolean): Promise<void> {
    if (conn.closed) return;
    if (isBinary) return this.error(conn, 'binary_not_supported');
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString()); // bounded by maxPayload (64 KiB)
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
        const busy = e instanceof Error && /SQLITE_BUSY|database is locked/.test(e.message);
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
        return await (conn.endpoint === 'agent' ? this.helloAgent(conn, f) : this.helloRequester(conn, f));
      } finally {
        conn.helloPending = false;
      }
    }
    if (!p) throw new AjudaError('hello_required');
    if (f.type === 'ping') return conn.send(Pong, { type: 'pong', ref: f.ref, at: this.svc.iso() });
    if (p.kind === 'agent' ? REQUESTER_ONLY.has(f.type) : AGENT_ONLY.has(f.type)) throw new AjudaError('unknown_type');
    if (p.kind !== 'agent') {
      const wait = this.ownerBuckets.take(p.ownerKey);
      if (wait > 0) throw new AjudaError('rate_limited', undefined, { retryAfter: wait });
    }
    const svc = this.svc;
    switch (f.type) {
      case 'session.resume':
        return conversations.resume(svc, conn, p, f);
      case 'message.send':
        return conversations.send(svc, conn, p, f);
      case 'typing.set':
        return conversations.typing(svc, conn, p, f);
      case 'read':
        return conversations.read(svc, conn, p, f);
      case 'conversation.reopen':
        return conversations.reopen(svc, conn, p, f);
      case 'conversation.list':
        return conversations.list(svc, conn, p as RequesterPrincipal, f);
      case 'conversation.start': {
        const rp = p as RequesterPrincipal;
        return conversations.start(svc, conn, rp, f, () => this.startBuckets.take(rp.ownerKey));
      }
      case 'intake.submit':
        return conversations.intakeSubmit(svc, conn, p as RequesterPrincipal, f);
      case 'realm.directory.get':
        return realm.directory(svc, conn, p as RequesterPrincipal, f);
      case 'escalation.create':
        return escalation.fromWidget(svc, conn, p as RequesterPrincipal, f);
      case 'feedback.submit':
        return escalation.feedback(svc, conn, p as RequesterPrincipal, f);
      case 'grant.list.get':
        return realm.listGrants(svc, conn, p as RequesterPrincipal, f);
      case 'grant.create':
        return realm.createGrant(svc, conn, p as RequesterPrincipal, f);
      case 'grant.revoke':
        return realm.revokeGrant(svc, conn, p as RequesterPrincipal, f);
      case 'inbox.get':
        return agents.inbox(svc, conn, p as AgentPrincipal, f);
      case 'conversation.open':
        return agents.open(svc, conn, p as AgentPrincipal, f);
      case 'conversation.assign':
        return agents.assign(svc, conn, p as AgentPrincipal, f);
      case 'conversation.transfer':
        return agents.transfer(svc, conn, p as AgentPrincipal, f);
      case 'priority.set':
        return agents.setPriority(svc, conn, p as AgentPrincipal, f);
      case 'conversation.resolve':
        return conversations.resolve(svc, conn, p, f);
      case 'realm.view':
        return realm.view(svc, conn, p as AgentPrincipal, f);
      case 'realm.adjust':
        return realm.adjust(svc, conn, p as AgentPrincipal, f);
      case 'agent.availability':
        return agents.availability(svc, conn, p as AgentPrincipal, f);
    }
  }

  private refuse(conn: Conn, code: ErrorCode, ref?: string): void {
    this.error(conn, code, { ref });
    conn.close(CLOSE.authFailed, code);
  }

  private async helloRequester(conn: Conn, f: Hello): Promise<void> {
    const svc = this.svc;
    if (f.v !== PROTOCOL_VERSION) return this.refuse(conn, 'unsupported_version', f.ref);
    if (!f.channel) throw new AjudaError('bad_frame', 'channel is required');
    // A host page connecting directly (not through the widget iframe) must be allowed for its channel.
    const own = new URL(svc.config.publicUrl).origin;
    if (conn.origin !== own && !svc.config.origins[f.channel].includes(conn.origin)) return this.refuse(conn, 'forbidden', f.ref);
    const at = svc.iso();
    let principal: RequesterPrincipal;
    let visitorToken: string | undefined;
    if (f.identityToken) {
      const r = await verifyIdentity(f.identityToken, svc.config.identityKeys, svc.now());
      if (!r.ok) return this.refuse(conn, r.code, f.ref);
      const c = r.claims;
      principal = {
        kind: 'realm_user',
        realmId: c.realm,
        userId: c.sub,
        perms: c.perms ?? [],
        name: c.name ?? null,
        email: c.email ?? null,
        ownerKey: realmUserOwnerKey(c.realm, c.sub),
        channel: f.channel,
        tokenLocale: c.locale ?? null,
        locale: f.locale ?? null,
        expiresAt: new Date(c.exp * 1000),
      };
      await svc.writer.write(() => svc.repo.upsertPlatformUser(c.realm, c.sub, c.name ?? null, c.email ?? null, c.perms ?? [], at));
      // The session ends when the token does; the widget reconnects with a fresh one.
      const ms = principal.expiresAt.getTime() - svc.now().getTime();
      conn.timers.push(setTimeout(() => this.endSession(conn, 'token_expired'), Math.max(0, Math.min(ms, 2 ** 31 - 1))));
    } else {
      // R1: on the platform channel a verified identity is required; elsewhere a visitor.
      if (f.channel === 'platform') return this.refuse(conn, 'identity_required', f.ref);
      let visitorId: string | null = null;
      if (f.visitorToken) {
        const v = svc.repo.findVisitor(sha256(f.visitorToken));
        if (v && !v.forgottenAt) {
          visitorId = v.id;
          visitorToken = f.visitorToken;
        }
      }
      if (!visitorId) {
        // An unknown or forgotten token gets a new visitor, never an error: no oracle (R5).
        visitorId = shortId('vis');
        visitorToken = randomToken('vt_');
        const hash = sha256(visitorToken);
        const id = visitorId;
        await svc.writer.write(() => svc.repo.insertVisitor(id, hash, at));
      }
      principal = { kind: 'visitor', visitorId, ownerKey: visitorOwnerKey(visitorId), channel: f.channel, locale: f.locale ?? null };
    }
    if (conn.closed || conn.principal) return;
    conn.principal = principal;
    svc.hub.subscribe(`owner:${principal.ownerKey}`, conn);
    const policyReq = conversations.requesterPolicy(principal);
    const locale = conversationLanguage(principal.kind === 'realm_user' ? principal.tokenLocale : null, f.locale ?? null, null);
    const realmName = principal.kind === 'realm_user' ? svc.directory.realmName(principal.realmId) : null;
    conn.send(SessionReady, {
      type: 'session.ready',
      ref: f.ref,
      v: PROTOCOL_VERSION,
      principal:
        principal.kind === 'realm_user'
          ? { kind: 'realm_user', name: principal.name, realmName, canGrant: principal.perms.includes('support.grant') }
          : { kind: 'visitor' },
      visitorToken,
      locale,
      heartbeatMs: svc.config.heartbeatMs,
      requestTypes: allowedRequestTypes(policyReq),
      expiresAt: principal.kind === 'realm_user' ? principal.expiresAt.toISOString() : undefined,
    });
  }

  private async helloAgent(conn: Conn, f: Hello): Promise<void> {
    const svc = this.svc;
    if (f.v !== PROTOCOL_VERSION) return this.refuse(conn, 'unsupported_version', f.ref);
    const token = f.sessionToken ?? conn.cookieToken;
    if (!token) return this.refuse(conn, 'auth_failed', f.ref);
    const hash = sha256(token);
    const s = svc.repo.findSession(hash);
    const agent = s ? svc.repo.getAgent(s.agentId) : undefined;
    if (!s || s.endedAt || new Date(s.expiresAt) <= svc.now() || !agent || agent.disabled) return this.refuse(conn, 'auth_failed', f.ref);
    const p: AgentPrincipal = {
      kind: 'agent',
      agentId: agent.id,
      name: agent.name,
      role: agent.role,
      languages: JSON.parse(agent.languages),
      teams: JSON.parse(agent.teams),
      sessionHash: hash,
    };
    conn.principal = p;
    svc.hub.subscribe('agents', conn);
    svc.hub.subscribe(`agent:${agent.id}`, conn);
    const ms = new Date(s.expiresAt).getTime() - svc.now().getTime();
    conn.timers.push(setTimeout(() => this.endSession(conn, 'logout'), Math.max(0, Math.min(ms, 2 ** 31 - 1))));
    conn.send(SessionReady, {
      type: 'session.ready',
      ref: f.ref,
      v: PROTOCOL_VERSION,
      principal: { kind: 'agent', agent: agentView(agent, true) },
      locale: p.languages[0] ?? 'en',
      heartbeatMs: svc.config.heartbeatMs,
    });
    void assignWaiting(svc);
  }

  /** Close a socket after telling it why (logout, disabled agent, expired token, …). */
  endSession(conn: Conn, reason: 'logout' | 'disabled' | 'token_expired' | 'grant_revoked' | 'shutdown'): void {
    if (conn.closed) return;
    conn.send(SessionEnded, { type: 'session.ended', reason });
    conn.close(reason === 'shutdown' ? CLOSE.goingAway : CLOSE.sessionEnded, reason);
  }

  /** Close every socket of an agent (disabled), or only those of one login session (logout). */
  endAgent(agentId: string, reason: 'logout' | 'disabled', sessionHash?: string): void {
    for (const conn of [...this.conns]) {
      const p = conn.principal;
      if (p?.kind === 'agent' && p.agentId === agentId && (!sessionHash || p.sessionHash === sessionHash)) this.endSession(conn, reason);
    }
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

