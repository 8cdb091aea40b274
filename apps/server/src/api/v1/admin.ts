import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AjudaError } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { sha256, shortId } from '../../crypto.ts';
import { newApiToken } from '../tokens.ts';
import { ApiAgent, ApiTokenInfo, TokenCreate, TokenParams, errors, notFound } from './schemas.ts';
import { apiAgent, apiToken } from './views.ts';

/**
 * Administration through the API (`admin` scope, or the operator's AJUDA_ADMIN_TOKEN): API tokens
 * and the agents list. Token creation and revocation are audited.
 */
export const adminRoutes: FastifyPluginAsyncZod<{ svc: Services }> = async (app, { svc }) => {
  const admin = { apiScope: 'admin' as const, apiOperator: true };

  app.post(
    '/tokens',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token',
        description:
          'The token (`ajt_…`) is in this answer only: store it as a secret. It acts for `agentId` (that agent’s access to conversations, R7) or, with null, for the system (every queue). `admin` implies the other scopes.',
        body: TokenCreate,
        response: { 201: z.object({ token: z.string().describe('Send as Authorization: Bearer <token>. Shown once.'), apiToken: ApiTokenInfo }), ...errors, ...notFound },
      },
    },
    async (req, reply) => {
      const p = req.api!;
      const b = req.body;
      const now = svc.clock.now();
      if (b.expiresAt && new Date(b.expiresAt) <= now) throw new AjudaError('bad_request', 'expiresAt is in the past');
      if (b.agentId !== null) {
        const a = await svc.store.getAgent(b.agentId);
        if (!a || a.disabled) throw new AjudaError('not_found', 'no such agent (or disabled)');
      }
      const secret = newApiToken();
      const row = {
        id: shortId('tok'),
        name: b.name,
        tokenHash: sha256(secret),
        scopes: [...new Set(b.scopes)],
        agentId: b.agentId,
        createdBy: p.actor,
        createdAt: now.toISOString(),
        expiresAt: b.expiresAt ? new Date(b.expiresAt).toISOString() : null,
      };
      await svc.store.api.createToken(row, { actor: p.actor, action: 'api_token.created', detail: { tokenId: row.id, name: row.name, scopes: row.scopes, agentId: row.agentId, expiresAt: row.expiresAt } });
      return reply.code(201).send({ token: secret, apiToken: apiToken({ ...row, revokedAt: null, lastUsedAt: null }) });
    },
  );

  app.get(
    '/tokens',
    { config: admin, schema: { tags: ['tokens'], summary: 'List API tokens', description: 'Revoked ones too; never their secrets.', response: { 200: z.object({ tokens: z.array(ApiTokenInfo) }), ...errors } } },
    async () => ({ tokens: (await svc.store.api.listTokens()).map(apiToken) }),
  );

  app.delete(
    '/tokens/:id',
    {
      config: admin,
      schema: { tags: ['tokens'], summary: 'Revoke an API token', description: 'It stops working at once (401).', params: TokenParams, response: { 204: z.null().describe('Revoked.'), ...errors, ...notFound } },
    },
    async (req, reply) => {
      const p = req.api!;
      if (!(await svc.store.api.revokeToken(req.params.id, svc.clock.iso(), { actor: p.actor, action: 'api_token.revoked', detail: { tokenId: req.params.id } })))
        throw new AjudaError('not_found', 'no such token, or already revoked');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/agents',
    { config: admin, schema: { tags: ['agents'], summary: 'List agents', response: { 200: z.object({ agents: z.array(ApiAgent) }), ...errors } } },
    async () => {
      const online = svc.presence.online();
      return { agents: (await svc.store.listAgents()).map((a) => apiAgent(a, online.has(a.id))) };
    },
  );
};
