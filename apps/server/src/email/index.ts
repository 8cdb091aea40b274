import type { FastifyInstance } from 'fastify';
import type { Services } from '../context.ts';
import { startSmtpListener } from './listener.ts';
import { emailRoutes } from './routes.ts';
import { EmailService } from './service.ts';
import { emailServices } from './handlers.ts';

export { EmailService } from './service.ts';
export { receiveMail } from './inbound.ts';
export { replyAddress, verifyReplyAddress } from './address.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Email continuity: the outbox and its sender, the inbound listener's port (tests). */
    email: { service: EmailService; smtpPort: number | null };
  }
}

/**
 * Email continuity (README "Email"): the outbox's sender, the raw-MIME HTTP endpoint and, with
 * AJUDA_SMTP_INBOUND, the SMTP listener. Closed (after writing what it was handed) when the app closes.
 */
export async function startEmail(app: FastifyInstance, svc: Services, service: EmailService): Promise<void> {
  await emailRoutes(app, svc, service);
  const listener = svc.config.email.inbound ? await startSmtpListener(svc, service, svc.config.email.inbound) : null;
  app.decorate('email', { service, smtpPort: listener?.port ?? null });
  emailServices.set(svc, service);
  service.start();
  app.addHook('onClose', async () => {
    await listener?.close();
    await service.close();
  });
}
