import type { FastifyRequest } from 'fastify';
import type { ApiToken } from '@ajuda/db';
import { AjudaError } from '@ajuda/protocol';
import type { Services } from '../context.ts';
import { randomToken, safeEqual, sha256 } from '../crypto.ts';
import { AGENT_COOKIE } from '../http/routes.ts';
import type { AgentPrincipal } from '../session/principal.ts';

/**
 * Public API tokens: random (`ajt_` + 256 bits, base64url), shown once, stored as their SHA-256,
 * sent only as `Authorization: Bearer <token>` (never in a query string or a cookie). A token acts
 * for one agent — every read and write is that agent's (R7: the queues they serve and what is
 * assigned to them) — or for the system (every queue, like a lead). Scopes say what it may do:
 * `conversations:read`, `conversations:write`, and `admin` (tokens, webhooks, agents), which
 * implies the other two.
 */
export const SCOPES = ['conversations:read', 'conversations:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const TOKEN_PREFIX = 'ajt_';

/** A new token (256 random bits). */
export function newApiToken(): string {
  return randomToken(TOKEN_PREFIX, 32);
}

/** Whether `scopes` allow `needed` (`admin` implies every scope). */
export function allows(scopes: readonly string[], needed: Scope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}

/** `Authorization: Bearer <token>` (the scheme in any case); nothing else carries a token. */
export function bearerOf(req: Pick<FastifyRequest, 'headers'>): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer +(\S+) *$/i.exec(h);
  return m ? m[1]! : null;
}

/** Who calls the API: a token acting for an agent or the system, or the operator's AJUDA_ADMIN_TOKEN. */
export interface ApiPrincipal {
  /** `token`: an API token; `operator`: AJUDA_ADMIN_TOKEN; `session`: an admin's console session (both admin endpoints only). */
  kind: 'token' | 'operator' | 'session';
  tokenId: string | null;
  tokenName: string;
  scopes: readonly string[];
  /** The principal the domain rules see: the token's agent, or the system (a lead of every queue, no agent of its own). */
  as: AgentPrincipal;
  /** True when it acts for no agent. */
  system: boolean;
  /** Who the audit log names: `agent:<id>` for an agent's token, `api:<tokenId>` for a system token, `admin` for the operator. */
  actor: string;
}

/** The system's stand-in principal: sees every queue (as a lead would), is no agent (never assigned, a reply takes nothing). */
export function systemPrincipal(name: string, sessionHash: string): AgentPrincipal {
  return { kind: 'agent', agentId: 'system', name, role: 'lead', languages: [], teams: [], sessionHash };
}

/**
 * An admin signed in to the console (the `ajuda_agent` cookie, SameSite=Strict), on admin routes
 * sent without a bearer — as the Admin area's other routes accept it. A session of a non-admin is
 * `forbidden` (403); no session, or an ended or expired one, `auth_failed`.
 */
export async function sessionAdmin(svc: Services, req: Pick<FastifyRequest, 'cookies'>): Promise<ApiPrincipal> {
  const cookie = req.cookies[AGENT_COOKIE];
  if (!cookie) throw new AjudaError('auth_failed', 'send Authorization: Bearer <token>');
  const s = await svc.store.findSession(sha256(cookie));
  if (!s || s.endedAt || new Date(s.expiresAt) <= svc.clock.now()) throw new AjudaError('auth_failed');
  const a = await svc.store.getAgent(s.agentId);
  if (!a || a.disabled) throw new AjudaError('auth_failed');
  if (a.role !== 'admin') throw new AjudaError('forbidden', 'administrators only');
  const as: AgentPrincipal = { kind: 'agent', agentId: a.id, name: a.name, role: a.role, languages: a.languages as AgentPrincipal['languages'], teams: a.teams, sessionHash: sha256(cookie) };
  return { kind: 'session', tokenId: null, tokenName: a.name, scopes: ['admin'], as, system: false, actor: `agent:${a.id}` };
}

/**
 * Who a request is, or `auth_failed` (401): no bearer, an unknown, revoked or expired token, or a
 * token of an agent since disabled. The operator token counts only where `operator` is allowed.
 */
export async function authenticate(svc: Services, req: Pick<FastifyRequest, 'headers'>, opts: { operator: boolean }): Promise<ApiPrincipal> {
  const secret = bearerOf(req);
  if (!secret) throw new AjudaError('auth_failed', 'send Authorization: Bearer <token>');
  if (opts.operator && safeEqual(secret, svc.config.adminToken)) {
    return { kind: 'operator', tokenId: null, tokenName: 'operator', scopes: ['admin'], as: systemPrincipal('Ajuda', 'api:operator'), system: true, actor: 'admin' };
  }
  if (!secret.startsWith(TOKEN_PREFIX)) throw new AjudaError('auth_failed');
  const t = await svc.store.api.findToken(sha256(secret));
  const now = svc.clock.now();
  if (!t || t.revokedAt || (t.expiresAt && new Date(t.expiresAt) <= now)) throw new AjudaError('auth_failed');
  const as = await actingAs(svc, t);
  touch(svc, t, now);
  return { kind: 'token', tokenId: t.id, tokenName: t.name, scopes: t.scopes, as, system: t.agentId === null, actor: t.agentId ? `agent:${t.agentId}` : `api:${t.id}` };
}

async function actingAs(svc: Services, t: ApiToken): Promise<AgentPrincipal> {
  if (t.agentId === null) return systemPrincipal(t.name, `api:${t.id}`);
  const a = await svc.store.getAgent(t.agentId);
  // A disabled agent's tokens stop working with their sessions.
  if (!a || a.disabled) throw new AjudaError('auth_failed');
  return { kind: 'agent', agentId: a.id, name: a.name, role: a.role, languages: a.languages as AgentPrincipal['languages'], teams: a.teams, sessionHash: `api:${t.id}` };
}

/** The last use, written at most once a minute per token and process (a read-mostly table stays so). */
const touched = new Map<string, number>();
function touch(svc: Services, t: ApiToken, now: Date): void {
  const last = touched.get(t.id) ?? (t.lastUsedAt ? Date.parse(t.lastUsedAt) : 0);
  if (now.getTime() - last < 60_000) return;
  if (touched.size > 10_000) touched.clear();
  touched.set(t.id, now.getTime());
  svc.store.api.touchToken(t.id, now.toISOString()).catch((err: unknown) => svc.log.warn({ err, tokenId: t.id }, 'recording an API token use failed'));
}

/** The scope a route needs, or `forbidden` (403). */
export function requireScope(p: ApiPrincipal, needed: Scope): void {
  if (!allows(p.scopes, needed)) throw new AjudaError('forbidden', `this token lacks the ${needed} scope`);
}

/** The per-token rate limit's key: the token's hash (its bucket survives nothing but the token), or the address without one. */
export function rateKey(req: FastifyRequest): string {
  const secret = bearerOf(req);
  return secret ? `api:${sha256(secret)}` : `api-ip:${req.ip}`;
}
