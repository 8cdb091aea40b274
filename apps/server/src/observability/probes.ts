import type { FastifyInstance } from 'fastify';
import type { Services } from '../context.ts';
import { problem } from '../http/problem.ts';

/** The probes answer while draining: everything else is refused then. */
const PROBES = new Set(['/livez', '/readyz']);

/**
 * `/livez` and `/readyz` on the main listener, and the drain.
 *
 * - `/livez`: 200 while the process serves requests at all (restart it when this fails).
 * - `/readyz`: 200 when this process should get traffic; 503 problem+json (`unavailable`, with the
 *   checks and a detail) while it drains (shutdown in progress), when the database is not writable
 *   (`Store.readiness`), or when migrations are pending (the release is ahead of the schema:
 *   AJUDA_MIGRATE=off and `ajuda migrate` has not run yet).
 * - Draining: from the first moment of `app.close()` (a preClose hook registered before the
 *   WebSocket plugin's, which tells every socket `session.ended`), every request but the probes
 *   is answered 503 `unavailable` (as problem+json, where Fastify's own closing answer is not).
 *
 * Call before the WebSocket plugin is registered, so draining starts before the sockets are told.
 */
export function probes(app: FastifyInstance, svc: Services): { readonly draining: boolean } {
  const state = { draining: false };
  app.addHook('preClose', async () => {
    state.draining = true;
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!state.draining) return;
    const path = req.url.split('?')[0]!;
    if (PROBES.has(path)) return;
    reply.header('connection', 'close');
    return problem(reply, 'unavailable', 'shutting down: this process is draining');
  });

  app.get('/livez', async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'alive' }));

  app.get('/readyz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    if (state.draining) return problem(reply, 'unavailable', 'shutting down: this process is draining', { checks: { draining: true } });
    const r = await svc.store.readiness();
    const checks = {
      draining: false,
      database: r.writable ? 'writable' : 'not writable',
      migrations: r.pendingMigrations ? `${r.pendingMigrations} pending` : 'applied',
    };
    if (!r.writable) return problem(reply, 'unavailable', `the database is not writable: ${r.reason ?? 'unknown'}`, { checks });
    if (r.pendingMigrations > 0)
      return problem(reply, 'unavailable', `${r.pendingMigrations} database migration(s) not applied: run \`ajuda migrate\` (or start one process with AJUDA_MIGRATE=on)`, { checks });
    const c = app.ajuda.cluster;
    return reply.send({ status: 'ready', checks, ...(c ? { node: c.nodeId } : {}) });
  });

  return state;
}
