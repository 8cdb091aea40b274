import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { Services } from '../context.ts';
import { verifyReplyAddress } from './address.ts';
import { receiveMail } from './inbound.ts';
import type { EmailService } from './service.ts';

/**
 * The built-in SMTP listener (AJUDA_SMTP_INBOUND) for a relay in front of it: plain SMTP without
 * AUTH or STARTTLS, so it belongs on loopback or a private network behind the relay that faces the
 * internet. Recipients other than a well-signed reply address or the escalation address are refused
 * at RCPT TO (550); a mail is answered 250 only after what it wrote is committed, and 451 (the relay
 * retries: nothing accepted is lost) when it could not be handled.
 */
export async function startSmtpListener(svc: Services, email: EmailService, at: { host: string; port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const cfg = svc.config.email;
  const server = new SMTPServer({
    name: cfg.inboundDomain,
    banner: 'Ajuda inbound mail',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: cfg.maxBytes,
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, cb) {
      const a = address.address.toLowerCase();
      if (a === cfg.escalationAddress) return cb();
      const r = verifyReplyAddress(a, cfg.replyKeys, cfg.inboundDomain);
      if (r.ok) return cb();
      const err = Object.assign(new Error(r.reason === 'not_reply' || r.reason === 'wrong_domain' ? 'no such mailbox here' : 'this reply address is not valid'), { responseCode: 550 });
      cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          cb(Object.assign(new Error(`a mail may be at most ${cfg.maxBytes} bytes`), { responseCode: 552 }));
          return;
        }
        const envelope = {
          from: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        receiveMail(svc, email, Buffer.concat(chunks), envelope).then(
          (r) => {
            svc.log.info({ outcome: r.outcome, conversationId: r.conversationId }, 'email: inbound mail (smtp)');
            cb(null, `accepted: ${r.outcome}`);
          },
          (err: unknown) => {
            svc.log.error({ err }, 'email: inbound mail could not be handled (smtp; the relay will retry)');
            cb(Object.assign(new Error('try again later'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => svc.log.warn({ err }, 'email: smtp listener error'));
  const port = (server.server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
