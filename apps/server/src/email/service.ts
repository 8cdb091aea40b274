import { createHash, randomBytes, randomInt } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ConversationRow, EmailContact, EmailJob, MessageRow, NewEmailJob } from '@ajuda/db';
import { AjudaError, MAX_ATTACHMENTS, type Locale } from '@ajuda/protocol';
import type { Services } from '../context.ts';
import { shortId } from '../crypto.ts';
import { Leader } from '../cluster/leader.ts';
import { retryDelay } from '../webhooks/webhooks.ts';
import { replyAddress } from './address.ts';
import { announce } from '../domains/conversations/handlers.ts';
import { answerMail, codeMail, conversationLink, EMAIL_T, langOf, notifyMail, transcriptMail, transcriptText, type MailContent } from './render.ts';

/** A confirmation code lives this long and allows this many wrong tries. */
export const CODE_MINUTES = 15;
export const CODE_ATTEMPTS = 5;

/** What a job's payload holds, by kind. */
type CodePayload = { to: string; codeHash: string; code: string; lang: Locale };
type TranscriptPayload = { to: string };
type AnswerPayload = { to: string; subject: string; text: string; inReplyTo?: string; lang: Locale };

/** The address a conversation's mail goes to, and where it came from. */
export interface Recipient {
  address: string;
  source: 'identity' | 'typed';
}

const hashCode = (conversationId: string, code: string) => createHash('sha256').update(`${conversationId}:${code}`).digest('base64url');

/**
 * Email continuity, outbound: the durable outbox of email jobs and its sender.
 *
 * - **Notifications.** An agent's text message (a LOCAL domain event: in cluster mode the process
 *   that committed it) queues one `notify` job per conversation, due `delayMs` later, unless one is
 *   pending. When due, the sender mails the agents' messages the requester has neither read nor been
 *   mailed (`requesterReadSeq`, `notifiedSeq`), only those unread for `delayMs`; newer ones get the
 *   next job. Nothing unread: the job is `skipped`.
 * - **Only verified addresses**: an identity token's email claim, or an address the requester typed
 *   and confirmed with the code mailed to it.
 * - **Threading**: each conversation's mails share a root Message-ID in `References`, each answers
 *   the previous one (`In-Reply-To`); Message-IDs derive from the conversation and seq, so a mail
 *   sent again after a crash carries the same one. `Reply-To` is the signed reply address.
 * - **Durability**: jobs are rows; a claim is a lease; a failed send is retried after
 *   `retryBaseMs · 2^(n-1)` (capped, jittered) up to `maxAttempts`. Only the process holding the
 *   `email` leadership sends (cluster/leader.ts); on SQLite that is the one process.
 */
export class EmailService {
  private transport: Transporter | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly writes = new Set<Promise<unknown>>();
  private readonly offs: Array<() => void> = [];
  private readonly leader: Leader;
  private readonly nodeId: string;

  constructor(
    private readonly svc: Services,
    node: string,
    private readonly opts: { random?: () => number; transport?: Transporter } = {},
  ) {
    this.nodeId = `${node}/${randomBytes(4).toString('hex')}`;
    this.leader = new Leader(svc.store, 'email', 5000, (leading) => leading && this.kick(), (err) => svc.log.warn({ err }, 'email: leadership attempt failed'));
  }

  private get cfg() {
    return this.svc.config.email;
  }

  /** Outbound mail is configured (AJUDA_SMTP_URL). */
  get enabled(): boolean {
    return this.cfg.smtpUrl !== null || this.opts.transport !== undefined;
  }

  start(): void {
    this.offs.push(
      this.svc.events.on('message.created', ({ message }, { remote }) => {
        if (remote || !this.enabled || message.kind !== 'text' || !message.sender.startsWith('agent:')) return;
        this.track(this.scheduleNotify(message.conversationId, message.createdAt));
      }),
    );
    this.svc.metrics.gauge('ajuda_email_outbox_depth', 'Email jobs waiting in the outbox (read on each scrape).', [], async (g) => {
      g.set(await this.svc.store.email.pendingCount());
    });
    if (!this.enabled) return;
    this.leader.start();
    this.timer = setInterval(() => this.kick(), this.cfg.pollMs);
    this.timer.unref();
  }

  private track(p: Promise<unknown>): void {
    const w = p.catch((err: unknown) => this.svc.log.error({ err }, 'email: writing to the outbox failed'));
    this.writes.add(w);
    void w.finally(() => this.writes.delete(w));
  }

  /** Where this conversation's mail goes: a typed address once confirmed, else the identity token's email. */
  async recipient(c: ConversationRow, contact?: EmailContact | null): Promise<Recipient | null> {
    const k = contact === undefined ? await this.svc.store.email.getContact(c.id) : contact;
    if (k?.source === 'typed' && k.verifiedAt && k.address) return { address: k.address, source: 'typed' };
    if (c.requesterKind === 'realm_user' && c.requesterEmail) return { address: c.requesterEmail, source: 'identity' };
    return null;
  }

  private async scheduleNotify(conversationId: string, from: string): Promise<void> {
    const c = await this.svc.store.getConversation(conversationId, { recent: true });
    if (!c || !(await this.recipient(c))) return;
    const due = new Date(new Date(from).getTime() + this.cfg.delayMs).toISOString();
    const at = this.svc.clock.iso();
    const wrote = await this.svc.store.email.enqueueNotify({ id: shortId('em'), kind: 'notify', conversationId, payload: '{}', createdAt: at, nextAttemptAt: due });
    if (wrote) this.kickAt(due);
  }

  private kickAt(due: string): void {
    const wait = new Date(due).getTime() - this.svc.clock.now().getTime();
    if (wait <= 0) return this.kick();
    if (wait < this.cfg.pollMs) setTimeout(() => this.kick(), wait).unref();
  }

  // ── the widget's requests ──

  private need(): void {
    if (!this.enabled) throw new AjudaError('unavailable', 'email is not configured on this server');
  }

  /** A typed address: a new code mailed to it (the address is unconfirmed until the code comes back). */
  async requestCode(c: ConversationRow, address: string): Promise<void> {
    this.need();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const at = this.svc.clock.now();
    const codeHash = hashCode(c.id, code);
    await this.svc.store.email.requestCode(c.id, address, codeHash, new Date(at.getTime() + CODE_MINUTES * 60_000).toISOString(), at.toISOString());
    const payload: CodePayload = { to: address, codeHash, code, lang: langOf(c.language) };
    await this.enqueue('code', c.id, payload);
  }

  async confirmCode(c: ConversationRow, code: string) {
    return this.svc.store.email.confirmCode(c.id, hashCode(c.id, code.trim()), this.svc.clock.iso(), CODE_ATTEMPTS);
  }

  /** The transcript mailed to the conversation's verified address. */
  async mailTranscript(c: ConversationRow): Promise<Recipient> {
    this.need();
    const r = await this.recipient(c);
    if (!r) throw new AjudaError('invalid_state', 'no confirmed email address for this conversation');
    await this.enqueue('transcript', c.id, { to: r.address } satisfies TranscriptPayload);
    return r;
  }

  async transcript(c: ConversationRow): Promise<string> {
    return transcriptText(c, await this.allMessages(c.id), this.svc.clock.iso());
  }

  /** A prepared mail (answers to inbound mail). Queued even without SMTP: it goes once SMTP is configured. */
  async answer(to: string, subject: string, text: string, lang: Locale, inReplyTo?: string, conversationId: string | null = null): Promise<void> {
    await this.enqueue('answer', conversationId, { to, subject, text, lang, ...(inReplyTo ? { inReplyTo } : {}) } satisfies AnswerPayload);
  }

  private async enqueue(kind: NewEmailJob['kind'], conversationId: string | null, payload: object): Promise<void> {
    const at = this.svc.clock.iso();
    await this.svc.store.email.enqueue([{ id: shortId('em'), kind, conversationId, payload: JSON.stringify(payload), createdAt: at, nextAttemptAt: at }]);
    this.kick();
  }

  private async allMessages(id: string): Promise<MessageRow[]> {
    const out: MessageRow[] = [];
    for (let after = 0; ; ) {
      const page = await this.svc.store.messagesAfter(id, after, 500, false);
      out.push(...page);
      if (page.length < 500) return out;
      after = page[page.length - 1]!.seq;
    }
  }

  /**
   * Files attached to an inbound reply, through the same pipeline as the widget's uploads: each is
   * checked (type from the bytes, caps) and kept for the requester, then taken by messages of files
   * (at most MAX_ATTACHMENTS each) whose client ids derive from the mail's, so a mail delivered twice is
   * one set of messages. A refused file (a type that cannot be sent, too large) is named in one system
   * line. Returns how many were accepted.
   */
  async inboundAttachments(c: ConversationRow, files: ReadonlyArray<{ filename?: string | undefined; content: Buffer }>, key: string): Promise<number> {
    const taken: string[] = [];
    const refused: string[] = [];
    for (const f of files) {
      const name = f.filename || 'attachment';
      try {
        taken.push((await this.svc.attachments.ingest({ bytes: f.content, filename: name, uploader: 'requester', conversationId: c.id })).id);
      } catch (e) {
        if (!(e instanceof AjudaError) || !['unsupported_media_type', 'payload_too_large', 'bad_request'].includes(e.code)) throw e;
        refused.push(name);
      }
    }
    for (let i = 0; i < taken.length; i += MAX_ATTACHMENTS) {
      const clientMsgId = `email:${key}:files:${i / MAX_ATTACHMENTS}`;
      const params = await this.svc.attachments.paramsFor(taken.slice(i, i + MAX_ATTACHMENTS), c.id, 'requester', clientMsgId);
      const r = await this.svc.store.appendMessage({ conversationId: c.id, sender: 'requester', senderName: c.requesterName, kind: 'text', body: '', params, clientMsgId, at: this.svc.clock.iso(), who: 'requester' });
      await announce(this.svc, r);
    }
    if (refused.length) {
      const r = await this.svc.store.appendMessage({
        conversationId: c.id,
        sender: 'system',
        senderName: null,
        kind: 'system',
        body: EMAIL_T[langOf(c.language)]('email.attachment_dropped', { names: refused.join(', ').slice(0, 500) }),
        clientMsgId: `email:${key}:attachments`,
        at: this.svc.clock.iso(),
        who: null,
      });
      await announce(this.svc, r);
    }
    return taken.length;
  }

  // ── the sender ──

  /** Send what is due now (soon: one pass at a time; a kick during one runs another after it). */
  kick(): void {
    if (this.closed || !this.enabled || !this.leader.leading) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.tick()
      .catch((err: unknown) => this.svc.log.error({ err }, 'email: a sending pass failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One pass: claim due jobs and send them until none is due. */
  async tick(): Promise<void> {
    for (let rounds = 0; rounds < 100 && !this.closed; rounds++) {
      const now = this.svc.clock.now();
      const lease = new Date(now.getTime() + 120_000).toISOString();
      const jobs = await this.svc.store.email.claim(now.toISOString(), lease, this.nodeId, 10);
      if (!jobs.length) break;
      for (const j of jobs) await this.run(j);
      if (jobs.length < 10) break;
    }
  }

  /** Wait until queued writes and the passes they woke have run (tests). */
  async settle(): Promise<void> {
    while (this.writes.size || this.running) await Promise.all([...this.writes, this.running]);
  }

  private mailer(): Transporter {
    this.transport ??= this.opts.transport ?? nodemailer.createTransport(this.cfg.smtpUrl!);
    return this.transport;
  }

  private domain(): string {
    return this.cfg.inboundDomain;
  }

  private threadRoot(conversationId: string): string {
    return `<ajuda.${conversationId.toLowerCase()}@${this.domain()}>`;
  }

  private async run(job: EmailJob): Promise<void> {
    let outcome: { status: 'sent' | 'skipped'; after?: () => Promise<void> } | null = null;
    let error: string | null = null;
    try {
      outcome = await this.build(job);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const at = this.svc.clock.now();
    const failures = job.attempts + 1;
    const retryAt = error && failures < this.cfg.maxAttempts ? new Date(at.getTime() + retryDelay(failures, this.cfg, this.opts.random ?? Math.random)).toISOString() : null;
    const status = outcome ? outcome.status : retryAt ? 'pending' : 'failed';
    const recorded = await this.svc.store.email.finish({ id: job.id, by: this.nodeId, at: at.toISOString(), status, error: error?.slice(0, 500) ?? null, retryAt });
    if (error) this.svc.log.warn({ job: job.id, kind: job.kind, attempt: failures, error, retryAt }, 'email: sending failed');
    if (recorded) await outcome?.after?.();
  }

  /** Build and send one job's mail; `skipped` when there is nothing to send any more. */
  private async build(job: EmailJob): Promise<{ status: 'sent' | 'skipped'; after?: () => Promise<void> }> {
    const p = JSON.parse(job.payload) as Record<string, unknown>;
    const c = job.conversationId ? await this.svc.store.getConversation(job.conversationId) : undefined;
    switch (job.kind) {
      case 'code': {
        const q = p as CodePayload;
        // A newer code (or a confirmation) since: this one is no longer worth sending.
        const k = c ? await this.svc.store.email.getContact(c.id) : undefined;
        if (!c || k?.codeHash !== q.codeHash) return { status: 'skipped' };
        await this.send(q.to, codeMail(q.code, q.lang, CODE_MINUTES), { messageId: `<ajuda.code.${job.id.toLowerCase()}@${this.domain()}>` });
        return { status: 'sent' };
      }
      case 'transcript': {
        if (!c) return { status: 'skipped' };
        const mail = transcriptMail(c, await this.allMessages(c.id), this.svc.clock.iso());
        await this.send((p as TranscriptPayload).to, mail, { messageId: `<ajuda.transcript.${job.id.toLowerCase()}@${this.domain()}>`, conversationId: c.id });
        return { status: 'sent' };
      }
      case 'answer': {
        const q = p as AnswerPayload;
        await this.send(q.to, answerMail(q.subject, q.text), {
          messageId: `<ajuda.answer.${job.id.toLowerCase()}@${this.domain()}>`,
          ...(q.inReplyTo ? { inReplyTo: q.inReplyTo } : {}),
          ...(c ? { conversationId: c.id } : {}),
        });
        return { status: 'sent' };
      }
      case 'notify':
        return this.notify(c);
    }
  }

  private async notify(c: ConversationRow | undefined): Promise<{ status: 'sent' | 'skipped'; after?: () => Promise<void> }> {
    if (!c) return { status: 'skipped' };
    const contact = (await this.svc.store.email.getContact(c.id)) ?? null;
    const to = await this.recipient(c, contact);
    if (!to) return { status: 'skipped' };
    const since = Math.max(contact?.notifiedSeq ?? 0, c.requesterReadSeq);
    const unread = (await this.svc.store.messagesAfter(c.id, since, 200, false)).filter((m) => m.kind === 'text' && m.sender.startsWith('agent:'));
    const cutoff = this.svc.clock.now().getTime() - this.cfg.delayMs;
    const ripe = unread.filter((m) => new Date(m.createdAt).getTime() <= cutoff);
    // Messages newer than the delay (or that arrived while this job was held) get a job of their own, after this one ended.
    const after = async () => {
      const fresh = await this.svc.store.getConversation(c.id);
      const k = await this.svc.store.email.getContact(c.id);
      const from = Math.max(k?.notifiedSeq ?? 0, fresh?.requesterReadSeq ?? 0);
      const next = (await this.svc.store.messagesAfter(c.id, from, 200, false)).find((m) => m.kind === 'text' && m.sender.startsWith('agent:'));
      if (next) await this.scheduleNotify(c.id, next.createdAt);
    };
    if (!ripe.length) return { status: 'skipped', after };
    const last = ripe[ripe.length - 1]!;
    const root = this.threadRoot(c.id);
    const messageId = contact?.lastMessageId ? `<ajuda.${c.id.toLowerCase()}.${last.seq}@${this.domain()}>` : root;
    const previous = contact?.lastMessageId ?? null;
    await this.send(to.address, notifyMail(c, ripe, conversationLink(this.cfg.linkUrl, c.id)), {
      messageId,
      conversationId: c.id,
      ...(previous ? { inReplyTo: previous, references: previous === root ? [root] : [root, previous] } : {}),
    });
    await this.svc.store.email.markNotified(c.id, last.seq, messageId, this.svc.clock.iso());
    return { status: 'sent', after };
  }

  private async send(to: string, mail: MailContent, h: { messageId: string; conversationId?: string; inReplyTo?: string; references?: string[] }): Promise<void> {
    const replyTo = h.conversationId ? replyAddress(h.conversationId, this.cfg.replyKeys, this.domain()) : undefined;
    await this.mailer().sendMail({
      from: this.cfg.from,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: h.messageId,
      ...(replyTo ? { replyTo } : {}),
      ...(h.inReplyTo ? { inReplyTo: h.inReplyTo } : {}),
      ...(h.references ? { references: h.references } : h.inReplyTo ? { references: [h.inReplyTo] } : {}),
      // RFC 3834: an automatic message; a well-behaved auto-responder does not answer it.
      headers: { 'Auto-Submitted': 'auto-generated', ...(h.conversationId ? { 'X-Ajuda-Conversation': h.conversationId } : {}) },
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const off of this.offs.splice(0)) off();
    await Promise.allSettled([...this.writes]);
    await this.running;
    await this.leader.close();
    this.transport?.close();
  }
}
