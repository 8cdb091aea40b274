import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EscalationReason, Environment } from '@ajuda/protocol';
import type { Services } from '../context.ts';
import { DUMMY_PASSWORD_HASH, randomToken, safeEqual, sha256, verifyPassword } from '../crypto.ts';
import { escalate } from '../domains/escalation/handlers.ts';
import { escalationView, agentView } from '../projections.ts';
import type { Gateway } from '../gateway/gateway.ts';
import { problem } from './problem.ts';

export const AGENT_COOKIE = 'ajuda_agent';

const Login = z.object({ email: z.string().trim().max(200), password: z.string().max(200) });
const InboundEscalation = z.object({
  conversationId: z.string().min(1).max(64),
  reason: EscalationReason,
  description: z.string().trim().min(1).max(4000),
  environment: Environment,
  justification: z.string().trim().min(1).max(4000),
  source: z.enum(['email', 'api']).default('api'),
});
function bearer(h: string | undefined): string {
  return h?.startsWith('Bearer ') ? h.slice(7) : '';
}

/** HTTP API: agent sign-in, inbound escalations (email/API), realm directory admin, health. */
export async function httpRoutes(app: FastifyInstance, svc: Services, gateway: Gateway): Promise<void> {
  const cookieOpts = (maxAge: number) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: svc.config.publicUrl.startsWith('https:'),
    maxAge,
  });

  app.get('/healthz', async (_req, reply) => {
    await svc.store.ping();
    // Cluster mode: still ok while Redis is away (PostgreSQL is the truth; hints are caught up).
    const c = app.ajuda.cluster;
    return reply.send({ status: 'ok', ...(c ? { node: c.nodeId, bus: c.busOk ? 'ok' : 'degraded' } : {}) });
  });

  app.post('/api/agent/login', { config: { rateLimit: { max: svc.config.limits.loginPerMinute, timeWindow: 60_000 } } }, async (req, reply) => {
    const body = Login.safeParse(req.body);
    if (!body.success) return problem(reply, 'bad_frame', 'email and password are required');
    const agent = await svc.store.findAgentByEmail(body.data.email);
    // Same work and the same answer for an unknown email and a wrong password.
    const ok = verifyPassword(body.data.password, agent?.passwordHash ?? DUMMY_PASSWORD_HASH) && !!agent && !agent.disabled;
    if (!ok || !agent) return problem(reply, 'auth_failed', 'wrong email or password');
    const token = randomToken('as_', 32);
    const now = svc.clock.now();
    const expiresAt = new Date(now.getTime() + svc.config.agentSessionHours * 3600_000).toISOString();
    await svc.store.startAgentSession(sha256(token), agent.id, now.toISOString(), expiresAt, { actor: `agent:${agent.id}`, action: 'agent.login' });
    reply.setCookie(AGENT_COOKIE, token, cookieOpts(svc.config.agentSessionHours * 3600));
    // The token travels only in the HttpOnly cookie: script on the page never sees it.
    return reply.send({ agent: agentView(agent, true), expiresAt });
  });

  app.post('/api/agent/logout', async (req, reply) => {
    const token = req.cookies[AGENT_COOKIE] ?? bearer(req.headers.authorization);
    if (token) {
      const hash = sha256(token);
      const s = await svc.store.findSession(hash);
      await svc.store.endSession(hash, svc.clock.iso());
      if (s) {
        // Ends this session's sockets, on every process (other sessions of the same agent stay).
        await svc.events.emit('agent.ended', { agentId: s.agentId, reason: 'logout', sessionHash: hash });
      }
    }
    reply.clearCookie(AGENT_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/agent/me', async (req, reply) => {
    const token = req.cookies[AGENT_COOKIE] ?? bearer(req.headers.authorization);
    const s = token ? await svc.store.findSession(sha256(token)) : undefined;
    const agent = s && !s.endedAt && new Date(s.expiresAt) > svc.clock.now() ? await svc.store.getAgent(s.agentId) : undefined;
    if (!agent || agent.disabled) return problem(reply, 'auth_failed');
    return reply.send({ agent: agentView(agent, true), expiresAt: s!.expiresAt });
  });

  /** R13: escalations arriving by email (through a mail hook) or API, matched by conversation ID. */
  app.post('/api/escalations', async (req, reply) => {
    if (!safeEqual(bearer(req.headers.authorization), svc.config.inboundSecret)) return problem(reply, 'auth_failed');
    const body = InboundEscalation.safeParse(req.body);
    if (!body.success) return problem(reply, 'bad_frame', z.prettifyError(body.error));
    const c = await svc.store.getConversation(body.data.conversationId.trim().toUpperCase());
    if (!c) return problem(reply, 'not_found', 'no conversation with this ID');
    try {
      const { conversationId: _id, ...input } = body.data;
      const e = await escalate(svc, c, input, `inbound:${input.source}`);
      return reply.code(201).send({ escalation: escalationView(e) });
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'invalid_state') return problem(reply, 'invalid_state', 'only an open conversation can be escalated');
      throw err;
    }
  });
  // Administration (/api/admin/*: agents, teams, canned replies, SLA tiers, the realm directory): admin/routes.ts.
}
