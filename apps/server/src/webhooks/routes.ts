import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AjudaError } from '@ajuda/protocol';
import type { Services } from '../context.ts';
import { shortId } from '../crypto.ts';
import {
  ApiAttempt,
  ApiDelivery,
  ApiWebhookEndpoint,
  DeliveryListQuery,
  DeliveryParams,
  RotateBody,
  WebhookCreate,
  WebhookParams,
  WebhookUpdate,
  errors,
  notFound,
} from '../api/v1/schemas.ts';
import { apiAttempt, apiDelivery, apiEndpoint, decodeCursor, encodeCursor } from '../api/v1/views.ts';
import { newSecret } from './sign.ts';
import { checkWebhookUrl } from './ssrf.ts';
import type { Webhooks } from './webhooks.ts';

const tags = ['webhooks'];
const Secret = z.string().describe('whsec_…: verify deliveries with it (Standard Webhooks). Shown only here and when rotated.');

/**
 * `/api/v1/webhooks` (admin scope, or AJUDA_ADMIN_TOKEN): endpoints, secret rotation, the delivery
 * log and manual replay. A URL is refused when it points at a loopback, link-local, private or
 * unique-local address (unless AJUDA_WEBHOOK_ALLOW_PRIVATE=on); deliveries check again at connect time.
 */
export function webhookRoutes(svc: Services, webhooks: Webhooks) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const admin = { apiScope: 'admin' as const, apiOperator: true };
    const now = () => svc.clock.now();
    const checked = async (url: string) => {
      const why = await checkWebhookUrl(url, svc.config.webhooks.allowPrivate);
      if (why) throw new AjudaError('bad_request', `url refused: ${why}`);
    };
    const endpointOr404 = async (id: string) => {
      const e = await svc.store.webhooks.getEndpoint(id);
      if (!e) throw new AjudaError('not_found', 'no such webhook endpoint');
      return e;
    };

    app.post(
      '/webhooks',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Create a webhook endpoint',
          description: 'Events are POSTed to the URL, signed (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature). An empty events list delivers every event.',
          body: WebhookCreate,
          response: { 201: z.object({ endpoint: ApiWebhookEndpoint, secret: Secret }), ...errors },
        },
      },
      async (req, reply) => {
        const p = req.api!;
        await checked(req.body.url);
        const at = svc.clock.iso();
        const e = { id: shortId('we'), url: req.body.url, description: req.body.description, events: [...new Set(req.body.events)], secret: newSecret(), createdAt: at, updatedAt: at };
        await svc.store.webhooks.createEndpoint(e, { actor: p.actor, action: 'webhook.endpoint_created', detail: { endpointId: e.id, url: e.url, events: e.events } });
        await webhooks.refresh(true);
        const row = (await svc.store.webhooks.getEndpoint(e.id))!;
        return reply.code(201).send({ endpoint: apiEndpoint(row, now()), secret: e.secret });
      },
    );

    app.get(
      '/webhooks',
      { config: admin, schema: { tags, summary: 'List webhook endpoints', response: { 200: z.object({ endpoints: z.array(ApiWebhookEndpoint) }), ...errors } } },
      async () => ({ endpoints: (await svc.store.webhooks.listEndpoints()).map((e) => apiEndpoint(e, now())) }),
    );

    app.get(
      '/webhooks/:id',
      { config: admin, schema: { tags, summary: 'One webhook endpoint', params: WebhookParams, response: { 200: z.object({ endpoint: ApiWebhookEndpoint }), ...errors, ...notFound } } },
      async (req) => ({ endpoint: apiEndpoint(await endpointOr404(req.params.id), now()) }),
    );

    app.patch(
      '/webhooks/:id',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Change a webhook endpoint',
          description: 'enabled: false stops deliveries (pending ones wait); true resumes them and forgets the failures that disabled it.',
          params: WebhookParams,
          body: WebhookUpdate,
          response: { 200: z.object({ endpoint: ApiWebhookEndpoint }), ...errors, ...notFound },
        },
      },
      async (req) => {
        const p = req.api!;
        if (req.body.url !== undefined) await checked(req.body.url);
        const patch = { ...req.body, ...(req.body.enabled === false ? { disabledReason: `disabled by ${p.actor}` } : {}) };
        const e = await svc.store.webhooks.updateEndpoint(req.params.id, patch, svc.clock.iso(), { actor: p.actor, action: 'webhook.endpoint_updated', detail: { endpointId: req.params.id, ...req.body } });
        if (!e) throw new AjudaError('not_found', 'no such webhook endpoint');
        await webhooks.refresh(true);
        if (req.body.enabled) webhooks.kick();
        return { endpoint: apiEndpoint(e, now()) };
      },
    );

    app.delete(
      '/webhooks/:id',
      { config: admin, schema: { tags, summary: 'Delete a webhook endpoint', description: 'With its pending deliveries and its log.', params: WebhookParams, response: { 204: z.null(), ...errors, ...notFound } } },
      async (req, reply) => {
        const p = req.api!;
        if (!(await svc.store.webhooks.deleteEndpoint(req.params.id, svc.clock.iso(), { actor: p.actor, action: 'webhook.endpoint_deleted', detail: { endpointId: req.params.id } })))
          throw new AjudaError('not_found', 'no such webhook endpoint');
        await webhooks.refresh(true);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/webhooks/:id/rotate-secret',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Rotate the signing secret',
          description:
            'A new secret signs from now on; the previous one keeps signing too for previousValidHours (each delivery then carries two v1 signatures, space-separated), so receivers can switch without losing a delivery.',
          params: WebhookParams,
          body: RotateBody,
          response: { 200: z.object({ endpoint: ApiWebhookEndpoint, secret: Secret }), ...errors, ...notFound },
        },
      },
      async (req) => {
        const p = req.api!;
        const secret = newSecret();
        const until = new Date(now().getTime() + req.body.previousValidHours * 3600_000).toISOString();
        const e = await svc.store.webhooks.rotateSecret(req.params.id, secret, until, svc.clock.iso(), { actor: p.actor, action: 'webhook.secret_rotated', detail: { endpointId: req.params.id, previousValidUntil: until } });
        if (!e) throw new AjudaError('not_found', 'no such webhook endpoint');
        return { endpoint: apiEndpoint(e, now()), secret };
      },
    );

    app.get(
      '/webhooks/:id/deliveries',
      {
        config: admin,
        schema: {
          tags,
          summary: 'The delivery log of an endpoint',
          description: 'Newest first; pass nextCursor for older ones.',
          params: WebhookParams,
          querystring: DeliveryListQuery,
          response: { 200: z.object({ deliveries: z.array(ApiDelivery), nextCursor: z.string().nullable() }), ...errors, ...notFound },
        },
      },
      async (req) => {
        await endpointOr404(req.params.id);
        const c = decodeCursor(req.query.cursor, 2);
        const rows = await svc.store.webhooks.listOutbox({
          endpointId: req.params.id,
          ...(req.query.status ? { status: req.query.status } : {}),
          ...(c ? { before: { createdAt: c[0]!, id: c[1]! } } : {}),
          limit: req.query.limit,
        });
        const last = rows.length === req.query.limit ? rows.at(-1)! : null;
        return { deliveries: rows.map(apiDelivery), nextCursor: last ? encodeCursor([last.createdAt, last.id]) : null };
      },
    );

    const delivery = async (id: string, deliveryId: string) => {
      const r = await svc.store.webhooks.getOutbox(deliveryId);
      if (!r || r.endpointId !== id) throw new AjudaError('not_found', 'no such delivery of this endpoint');
      return r;
    };

    app.get(
      '/webhooks/:id/deliveries/:deliveryId',
      {
        config: admin,
        schema: { tags, summary: 'One delivery and its attempts', params: DeliveryParams, response: { 200: z.object({ delivery: ApiDelivery, attempts: z.array(ApiAttempt) }), ...errors, ...notFound } },
      },
      async (req) => {
        const r = await delivery(req.params.id, req.params.deliveryId);
        return { delivery: apiDelivery(r), attempts: (await svc.store.webhooks.attempts(r.id)).map(apiAttempt) };
      },
    );

    app.post(
      '/webhooks/:id/deliveries/:deliveryId/replay',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Deliver again',
          description: 'Whatever its status: pending again now, with a fresh run of attempts and the same webhook-id (receivers drop what they already have).',
          params: DeliveryParams,
          response: { 202: z.object({ delivery: ApiDelivery }), ...errors, ...notFound },
        },
      },
      async (req, reply) => {
        const p = req.api!;
        await delivery(req.params.id, req.params.deliveryId);
        const r = await svc.store.webhooks.replay(req.params.deliveryId, svc.clock.iso(), { actor: p.actor, action: 'webhook.delivery_replayed', detail: { endpointId: req.params.id, delivery: req.params.deliveryId } });
        if (!r) throw new AjudaError('not_found', 'no such delivery of this endpoint');
        webhooks.kick();
        return reply.code(202).send({ delivery: apiDelivery(r) });
      },
    );
  };
}
