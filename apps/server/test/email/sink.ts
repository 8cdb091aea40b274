import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail the sink received: the parsed mail, its envelope and its raw text. */
export interface Received {
  mail: ParsedMail;
  raw: string;
  envelope: { from: string | null; to: string[] };
}

/** A real SMTP server on loopback receiving the product's outbound mail (tests only). */
export interface MailSink {
  port: number;
  url: string;
  got: Received[];
  /** Wait until `pred` holds for a received mail; that mail. */
  until(pred: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): Promise<void>;
}

export async function mailSink(port = 0): Promise<MailSink> {
  const got: Received[] = [];
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((mail) => {
          got.push({
            mail,
            raw: raw.toString('utf8'),
            envelope: { from: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address) },
          });
          for (const w of waiters.splice(0)) w();
          cb();
        }, cb);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const p = (server.server.address() as { port: number }).port;
  return {
    port: p,
    url: `smtp://127.0.0.1:${p}`,
    got,
    async until(pred, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const r = got.find(pred);
        if (r) return r;
        if (Date.now() > end) throw new Error(`no such mail; got: ${got.map((g) => g.mail.subject).join(' | ')}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Send one mail over SMTP to the product's inbound listener on loopback, as a relay would. */
export async function sendMail(port: number, mail: { from: string; to: string; subject: string; text: string; inReplyTo?: string; references?: string[] }): Promise<void> {
  const { default: nodemailer } = await import('nodemailer');
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await t.sendMail(mail);
  } finally {
    t.close();
  }
}
