import type { z } from 'zod';
import { allowedRequestTypes, conversationLanguage } from '@ajuda/policy';
import {
  AjudaError,
  CLOSE,
  PROTOCOL_VERSION,
  SessionEnded,
  SessionReady,
  type ClientFrame,
  type ErrorCode,
  type FrameOf,
  type Locale,
} from '@ajuda/protocol';
import type { Services } from '../context.ts';
import { randomToken, sha256, shortId } from '../crypto.ts';
import { realmUserOwnerKey, verifyIdentity, visitorOwnerKey } from '../identity.ts';
import { agentView } from '../projections.ts';
import { requesterPolicy } from '../domains/conversations/handlers.ts';
import { assignWaiting } from '../domains/routing/routing.ts';
import type { ErrorExtra, SessionState } from './port.ts';
import type { AgentPrincipal, ConnPrincipal, RequesterPrincipal } from './principal.ts';

type Hello = FrameOf<ClientFrame, 'session.hello'>;

export type SessionEndReason = 'logout' | 'disabled' | 'token_expired' | 'grant_revoked' | 'shutdown';

/** The socket as the handshake sees it: who connected from where, and how to answer or close. */
export interface HelloSocket extends SessionState {
  readonly endpoint: 'requester' | 'agent';
  readonly origin: string;
  readonly cookieToken: string | null;
  readonly closed: boolean;
  principal: ConnPrincipal | null;
  readonly timers: NodeJS.Timeout[];
  send<S extends z.ZodType>(schema: S, frame: z.input<S>): void;
  error(code: ErrorCode, extra?: ErrorExtra): void;
  close(code?: number, reason?: string): void;
}

/**
 * `session.hello`: turn a socket into a principal (R1, R5) — a verified realm user, a visitor
 * (new or known by their token) or an agent with a live session — and answer `session.ready`.
 * A failed handshake is refused with an error frame and close 4401.
 */
export function hello(svc: Services, conn: HelloSocket, f: Hello): Promise<void> {
  return conn.endpoint === 'agent' ? helloAgent(svc, conn, f) : helloRequester(svc, conn, f);
}

/** Close a socket after telling it why (logout, disabled agent, expired token, …). */
export function endSession(conn: HelloSocket, reason: SessionEndReason): void {
  if (conn.closed) return;
  conn.send(SessionEnded, { type: 'session.ended', reason });
  conn.close(reason === 'shutdown' ? CLOSE.goingAway : CLOSE.sessionEnded, reason);
}

function refuse(conn: HelloSocket, code: ErrorCode, ref?: string): void {
  conn.error(code, { ref });
  conn.close(CLOSE.authFailed, code);
}

async function helloRequester(svc: Services, conn: HelloSocket, f: Hello): Promise<void> {
  if (f.v !== PROTOCOL_VERSION) return refuse(conn, 'unsupported_version', f.ref);
  if (!f.channel) throw new AjudaError('bad_frame', 'channel is required');
  // A host page connecting directly (not through the widget iframe) must be allowed for its channel.
  const own = new URL(svc.config.publicUrl).origin;
  if (conn.origin !== own && !svc.config.origins[f.channel].includes(conn.origin)) return refuse(conn, 'forbidden', f.ref);
  const at = svc.clock.iso();
  let principal: RequesterPrincipal;
  let visitorToken: string | undefined;
  if (f.identityToken) {
    const r = await verifyIdentity(f.identityToken, svc.config.identityKeys, svc.clock.now());
    if (!r.ok) return refuse(conn, r.code, f.ref);
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
    await svc.store.upsertPlatformUser(c.realm, c.sub, c.name ?? null, c.email ?? null, c.perms ?? [], at);
    // The session ends when the token does; the widget reconnects with a fresh one.
    const ms = principal.expiresAt.getTime() - svc.clock.now().getTime();
    conn.timers.push(setTimeout(() => endSession(conn, 'token_expired'), Math.max(0, Math.min(ms, 2 ** 31 - 1))));
  } else {
    // R1: on the platform channel a verified identity is required; elsewhere a visitor.
    if (f.channel === 'platform') return refuse(conn, 'identity_required', f.ref);
    let visitorId: string | null = null;
    if (f.visitorToken) {
      const v = await svc.store.findVisitor(sha256(f.visitorToken));
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
      await svc.store.insertVisitor(id, hash, at);
    }
    principal = { kind: 'visitor', visitorId, ownerKey: visitorOwnerKey(visitorId), channel: f.channel, locale: f.locale ?? null };
  }
  if (conn.closed || conn.principal) return;
  conn.principal = principal;
  svc.fanout.join(conn);
  const policyReq = requesterPolicy(principal);
  const locale = conversationLanguage(principal.kind === 'realm_user' ? principal.tokenLocale : null, f.locale ?? null, null);
  const realmName = principal.kind === 'realm_user' ? await svc.directory.realmName(principal.realmId) : null;
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
    uploadMaxBytes: svc.config.uploads.maxBytes,
  });
}

async function helloAgent(svc: Services, conn: HelloSocket, f: Hello): Promise<void> {
  if (f.v !== PROTOCOL_VERSION) return refuse(conn, 'unsupported_version', f.ref);
  const token = f.sessionToken ?? conn.cookieToken;
  if (!token) return refuse(conn, 'auth_failed', f.ref);
  const hash = sha256(token);
  const s = await svc.store.findSession(hash);
  const agent = s ? await svc.store.getAgent(s.agentId) : undefined;
  if (!s || s.endedAt || new Date(s.expiresAt) <= svc.clock.now() || !agent || agent.disabled) return refuse(conn, 'auth_failed', f.ref);
  const p: AgentPrincipal = {
    kind: 'agent',
    agentId: agent.id,
    name: agent.name,
    role: agent.role,
    languages: agent.languages as Locale[],
    teams: agent.teams,
    sessionHash: hash,
  };
  conn.principal = p;
  svc.fanout.join(conn);
  const ms = new Date(s.expiresAt).getTime() - svc.clock.now().getTime();
  conn.timers.push(setTimeout(() => endSession(conn, 'logout'), Math.max(0, Math.min(ms, 2 ** 31 - 1))));
  conn.send(SessionReady, {
    type: 'session.ready',
    ref: f.ref,
    v: PROTOCOL_VERSION,
    principal: { kind: 'agent', agent: agentView(agent, true) },
    locale: p.languages[0] ?? 'en',
    heartbeatMs: svc.config.heartbeatMs,
    uploadMaxBytes: svc.config.uploads.maxBytes,
  });
  void assignWaiting(svc);
}

