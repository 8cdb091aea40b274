import type { FastifyInstance } from 'fastify';
import { Webhooks } from './webhooks.ts';

export { Webhooks, retryDelay } from './webhooks.ts';
export { webhookRoutes } from './routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Outgoing webhooks: `tick()` delivers what is due now, `settle()` waits for the outbox writes (tests). */
    webhooks: Webhooks;
  }
}

/** Start delivering, and stop (after writing what was handed over) when the app closes. */
export async function startWebhooks(app: FastifyInstance, webhooks: Webhooks): Promise<void> {
  app.decorate('webhooks', webhooks);
  await webhooks.start();
  app.addHook('onClose', async () => {
    await webhooks.close();
  });
}
