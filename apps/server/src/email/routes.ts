import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../context.ts';
import { safeEqual } from '../crypto.ts';
import { problem } from '../http/problem.ts';
import { receiveMail } from './inbound.ts';
import type { EmailService } from './service.ts';

const Query = z.object({
  /** The envelope recipient(s), comma-separated, when the provider does not leave them in the headers. */
  to: z.string().max(2000).optional(),
  /** The envelope sender (MAIL FROM); empty: the null return path of a bounce. */
  from: z.string().max(500).optional(),
});

/**
 * `POST /api/email/inbound`: one raw MIME mail (RFC 5322) as the body, `Content-Type: message/rfc822`
 * (or `text/plain`, `application/octet-stream`), for mail providers that forward inbound mail over
 * HTTP. Authenticated like `POST /api/escalations`: `Authorization: Bearer <AJUDA_INBOUND_SECRET>`.
 * Answers 200 with what became of the mail (dropped mail too: the provider must not retry it), 401
 * without the secret, 400 when it is not a mail, 413 past AJUDA_EMAIL_MAX_BYTES, 5xx when it could
 * not be handled now (retry).
 */
export async function emailRoutes(app: FastifyInstance, svc: Services, email: EmailService): Promise<void> {
  await app.register(async (scope) => {
    for (const type of ['message/rfc822', 'application/octet-stream', 'text/plain'])
      scope.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: svc.config.email.maxBytes }, (_req, body, done) => done(null, body));
    scope.post('/api/email/inbound', { bodyLimit: svc.config.email.maxBytes }, async (req, reply) => {
      const h = req.headers.authorization;
      if (!safeEqual(h?.startsWith('Bearer ') ? h.slice(7) : '', svc.config.inboundSecret)) return problem(reply, 'auth_failed');
      const q = Query.safeParse(req.query);
      if (!q.success) return problem(reply, 'bad_request', z.prettifyError(q.error));
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) return problem(reply, 'unsupported_media_type', 'send one raw MIME mail as the body, Content-Type: message/rfc822');
      const raw = req.body;
      if (!/^[\x21-\x39\x3b-\x7e]+:/m.test(raw.subarray(0, 4096).toString('latin1'))) return problem(reply, 'bad_request', 'the body is not a MIME mail (no header lines)');
      const r = await receiveMail(svc, email, raw, {
        from: q.data.from ?? null,
        to: (q.data.to ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      });
      svc.log.info({ outcome: r.outcome, conversationId: r.conversationId }, 'email: inbound mail (http)');
      return reply.send(r);
    });
  });
}
