import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../context.ts';
import { safeEqual } from '../crypto.ts';
import { problem } from '../http/problem.ts';
import { AjudaError, Id } from '@ajuda/protocol';
import { httpPrincipal } from '../attachments/routes.ts';
import { loadFor } from '../domains/conversations/handlers.ts';
import { emailStatus } from './handlers.ts';
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
  await requesterRoutes(app, svc, email);
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

const Conv = z.object({ conversationId: Id });
const Address = z.object({ conversationId: Id, address: z.email().max(200) });
const Code = z.object({ conversationId: Id, code: z.string().trim().regex(/^\d{6}$/, 'six digits') });

/**
 * The widget's "Email me the answer" screen over HTTP, on the socket session's credential
 * (`Authorization: Bearer vt_…` or the identity token; see attachments/routes.ts `httpPrincipal`) —
 * the same decisions as the `email.*` and `transcript.get` frames. Requesters only; a conversation
 * they may not see is 404.
 * - `GET /api/email?conversationId=` → the email status (`enabled`, `state`, `address`, `source`)
 * - `POST /api/email/address` `{ conversationId, address }` → a code mailed there; the status (`pending`)
 * - `POST /api/email/confirm` `{ conversationId, code }` → the status (`confirmed`, or `pending` with `problem`)
 * - `POST /api/email/transcript` `{ conversationId }` → `{ emailedTo }` (mailed to the confirmed address)
 * - `GET /api/email/transcript?conversationId=` → the transcript as a `.txt` download
 */
async function requesterRoutes(app: FastifyInstance, svc: Services, email: EmailService): Promise<void> {
  const who = async (req: FastifyRequest) => {
    const p = await httpPrincipal(svc, req);
    if (!p) throw new AjudaError('auth_failed');
    if (p.kind === 'agent') throw new AjudaError('forbidden', 'for the requester of the conversation');
    return p;
  };
  const parse = <T>(schema: z.ZodType<T>, v: unknown): T => {
    const r = schema.safeParse(v);
    if (!r.success) throw new AjudaError('bad_frame', z.prettifyError(r.error));
    return r.data;
  };
  const perMinute = { config: { rateLimit: { max: 30, timeWindow: 60_000 } } };
  app.get('/api/email', async (req, reply) => {
    const p = await who(req);
    const c = await loadFor(svc, p, parse(Conv, req.query).conversationId);
    return reply.send(await emailStatus(svc, email, c));
  });
  app.post('/api/email/address', perMinute, async (req, reply) => {
    const p = await who(req);
    const b = parse(Address, req.body);
    const c = await loadFor(svc, p, b.conversationId);
    await email.requestCode(c, b.address.trim());
    return reply.send(await emailStatus(svc, email, c));
  });
  app.post('/api/email/confirm', perMinute, async (req, reply) => {
    const p = await who(req);
    const b = parse(Code, req.body);
    const c = await loadFor(svc, p, b.conversationId);
    const r = await email.confirmCode(c, b.code);
    return reply.send(await emailStatus(svc, email, c, PROBLEMS[r]));
  });
  app.post('/api/email/transcript', perMinute, async (req, reply) => {
    const p = await who(req);
    const c = await loadFor(svc, p, parse(Conv, req.body).conversationId);
    const r = await email.mailTranscript(c);
    return reply.send({ conversationId: c.id, emailedTo: r.address });
  });
  app.get('/api/email/transcript', async (req, reply) => {
    const p = await who(req);
    const c = await loadFor(svc, p, parse(Conv, req.query).conversationId);
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="${c.id}.txt"`)
      .header('x-content-type-options', 'nosniff')
      .send(await email.transcript(c));
  });
}

export const PROBLEMS = { confirmed: undefined, wrong: 'wrong_code', expired: 'code_expired', too_many: 'too_many', none: 'no_code' } as const;
