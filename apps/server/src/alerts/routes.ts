import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Agent } from '@ajuda/db';
import { AlertPrefs, alertPrefsOr } from '@ajuda/protocol';
import type { Services } from '../context.ts';
import { sha256 } from '../crypto.ts';
import { problem } from '../http/problem.ts';
import { AGENT_COOKIE } from '../http/routes.ts';

/**
 * An agent's own alert preferences (`/api/agent/alerts`), on their console session (the `ajuda_agent`
 * cookie): `GET` answers what they saved laid over the defaults (`updatedAt: null` when never saved);
 * `PUT` replaces them whole after validation (`AlertPrefs` in packages/protocol), a bad body is a
 * `bad_request` problem naming the fields and nothing is written.
 */
export async function alertRoutes(app: FastifyInstance, svc: Services): Promise<void> {
  async function me(req: FastifyRequest): Promise<Agent | undefined> {
    const token = req.cookies[AGENT_COOKIE];
    if (!token) return undefined;
    const s = await svc.store.findSession(sha256(token));
    if (!s || s.endedAt || new Date(s.expiresAt) <= svc.clock.now()) return undefined;
    const a = await svc.store.getAgent(s.agentId);
    return a && !a.disabled ? a : undefined;
  }

  app.get('/api/agent/alerts', async (req, reply) => {
    const agent = await me(req);
    if (!agent) return problem(reply, 'auth_failed');
    const row = await svc.store.alertPrefs(agent.id);
    return reply.header('cache-control', 'no-store').send({ prefs: alertPrefsOr(row?.prefs), updatedAt: row?.updatedAt ?? null });
  });

  app.put('/api/agent/alerts', { bodyLimit: 4096 }, async (req, reply) => {
    const agent = await me(req);
    if (!agent) return problem(reply, 'auth_failed');
    const body = AlertPrefs.safeParse(req.body);
    if (!body.success) return problem(reply, 'bad_request', z.prettifyError(body.error));
    const at = svc.clock.iso();
    await svc.store.saveAlertPrefs(agent.id, body.data, at);
    return reply.send({ prefs: body.data, updatedAt: at });
  });
}
