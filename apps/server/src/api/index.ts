import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createJsonSchemaTransform, createJsonSchemaTransformObject, hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Services } from '../context.ts';
import { codeOf, errorHandler, problem } from '../http/problem.ts';
import { AGENT_COOKIE } from '../http/routes.ts';
import { authenticate, rateKey, sessionAdmin, requireScope, type ApiPrincipal, type Scope } from './tokens.ts';
import { adminRoutes } from './v1/admin.ts';
import { conversationRoutes } from './v1/conversations.ts';
import { attachmentApiRoutes } from './v1/attachments.ts';
import { apiSchemas } from './v1/schemas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The public API's caller, once authenticated (routes with `config.apiScope`). */
    api: ApiPrincipal | null;
  }
  interface FastifyInstance {
    /** Every route of the public API (method and URL), as registered: the OpenAPI document must hold each one. */
    publicApiRoutes: ReadonlyArray<{ method: string; url: string }>;
  }
  interface FastifyContextConfig {
    /** The scope a public API route needs; the route is authenticated by an API token. */
    apiScope?: Scope;
    /** The operator's AJUDA_ADMIN_TOKEN is accepted too (admin routes). */
    apiOperator?: boolean;
  }
}

/** Where the OpenAPI document is served, and the documentation UI. */
export const OPENAPI_PATH = '/api/v1/openapi.json';
export const DOCS_PATH = '/api/docs';

/**
 * Two touches to the generated document: the transform names every registered schema twice (as an
 * input and as an output) and the API only answers with them, so input copies nothing refers to
 * are left out; a 204 has no body, so it documents none.
 */
function tidy<D>(doc: D): D {
  const d = doc as { components?: { schemas?: Record<string, unknown> }; paths?: Record<string, Record<string, { responses?: Record<string, { description?: string; content?: unknown }> }>> };
  for (const ops of Object.values(d.paths ?? {}))
    for (const op of Object.values(ops)) {
      const none = op.responses?.['204'];
      if (none) {
        delete none.content;
        none.description = 'Done; no content.';
      }
    }
  const schemas = d.components?.schemas;
  if (!schemas) return doc;
  const text = JSON.stringify({ ...d, components: { ...d.components, schemas: Object.fromEntries(Object.entries(schemas).filter(([k]) => !k.endsWith('Input'))) } });
  for (const k of Object.keys(schemas)) if (k.endsWith('Input') && !text.includes(`"#/components/schemas/${k}"`)) delete schemas[k];
  return doc;
}

/** Extra route groups mounted under /api/v1 (the webhooks' admin routes). */
export type ApiRoutes = (app: FastifyInstance) => Promise<void>;

/**
 * The public REST API, `/api/v1`, in a context of its own: zod validates every request and
 * serialises every answer (fastify-type-provider-zod), the OpenAPI document is generated from the
 * same schemas (`/api/v1/openapi.json`, browsable at `/api/docs`), and every refusal is a
 * problem+json from the one error table. Each route is rate limited per token (the app's
 * @fastify/rate-limit, whose store is shared across processes in cluster mode).
 */
export async function publicApi(app: FastifyInstance, svc: Services, extra: ApiRoutes[] = []): Promise<void> {
  const registered: Array<{ method: string; url: string }> = [];
  app.decorate('publicApiRoutes', registered);
  await app.register(async (api) => {
    api.setValidatorCompiler(validatorCompiler);
    api.setSerializerCompiler(serializerCompiler);
    api.setErrorHandler((err, req, reply) => {
      if (hasZodFastifySchemaValidationErrors(err)) {
        const where = (err as { validationContext?: string }).validationContext ?? 'request';
        const detail = err.validation.map((v) => `${where}${v.instancePath === '/' ? '' : v.instancePath}: ${v.message}`).join('; ');
        return problem(reply, 'bad_request', detail);
      }
      // RFC 6750: a refused bearer says which scheme to use.
      if (codeOf(err) === 'auth_failed') reply.header('WWW-Authenticate', 'Bearer realm="ajuda"');
      return errorHandler(err, req, reply);
    });

    await api.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Ajuda API',
          version: '1',
          description:
            'The public API of Ajuda: conversations, messages, escalations and, with the admin scope, API tokens, agents and webhooks. Authenticate with `Authorization: Bearer <token>` (an `ajt_…` API token; never in the URL). Errors are RFC 9457 problems (application/problem+json). Webhook deliveries are signed as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (ajt_…), or the operator’s AJUDA_ADMIN_TOKEN on admin routes.' } } },
        security: [{ bearer: [] }],
        tags: [
          { name: 'conversations', description: 'Read: conversations:read; act: conversations:write.' },
          { name: 'tokens', description: 'admin scope.' },
          { name: 'agents', description: 'admin scope.' },
          { name: 'webhooks', description: 'admin scope.' },
        ],
      },
      transform: createJsonSchemaTransform({ schemaRegistry: apiSchemas, skipList: [] }),
      transformObject: (doc) => tidy(createJsonSchemaTransformObject({ schemaRegistry: apiSchemas })(doc)),
    });
    await api.register(swaggerUi, { routePrefix: DOCS_PATH, uiConfig: { docExpansion: 'list', deepLinking: false } });

    api.decorateRequest('api', null);
    // After the rate limit (onRequest), before the body and query are validated: who is asking, and may they.
    api.addHook('preValidation', async (req: FastifyRequest, _reply: FastifyReply) => {
      const scope = req.routeOptions.config.apiScope;
      if (!scope) return;
      const operator = req.routeOptions.config.apiOperator === true;
      // Admin routes answer an admin's console session too (the Admin area), when no bearer is sent.
      req.api = operator && req.headers.authorization === undefined && req.cookies[AGENT_COOKIE] ? await sessionAdmin(svc, req) : await authenticate(svc, req, { operator });
      requireScope(req.api, scope);
    });
    // Every API route: one budget per token across the API, kept by the app's rate-limit store.
    const limiter = api.rateLimit({ max: svc.config.api.requestsPerMinute, timeWindow: 60_000, keyGenerator: rateKey });
    api.addHook('onRoute', (route) => {
      if (route.url.startsWith('/api/v1/') && !(route.schema as { hide?: boolean } | undefined)?.hide)
        for (const method of [route.method].flat()) if (method !== 'HEAD') registered.push({ method, url: route.url });
      if (!route.config?.apiScope) return;
      const before = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      route.onRequest = [...before, limiter];
    });

    await api.register(
      async (v1) => {
        await v1.register(conversationRoutes, { svc });
        await v1.register(attachmentApiRoutes, { svc });
        await v1.register(adminRoutes, { svc });
        for (const routes of extra) await v1.register(routes);
      },
      { prefix: '/api/v1' },
    );
    api.get(OPENAPI_PATH, { schema: { hide: true } }, async () => api.swagger());
  });
}
