import { AjudaError, EmailStatus, Transcript, type ClientFrame, type FrameOf } from '@ajuda/protocol';
import type { ConversationRow } from '@ajuda/db';
import type { Services } from '../context.ts';
import { loadFor } from '../domains/conversations/handlers.ts';
import type { RequesterPrincipal } from '../session/principal.ts';
import type { HandlerIo } from '../session/port.ts';
import { REQUESTERS, on, type HandlerEntry } from '../session/handler.ts';
import type { EmailService } from './service.ts';
import { PROBLEMS } from './routes.ts';

type F<T extends ClientFrame['type']> = FrameOf<ClientFrame, T>;

/** Each server's email service (set by startEmail), so the handler table stays module-level. */
export const emailServices = new WeakMap<Services, EmailService>();

function service(svc: Services): EmailService {
  const e = emailServices.get(svc);
  if (!e) throw new AjudaError('unavailable', 'email is not running on this server');
  return e;
}

/** A conversation's email state, as the `email.status` frame and `GET /api/email` answer it. */
export async function emailStatus(svc: Services, e: EmailService, c: ConversationRow, problem?: 'wrong_code' | 'code_expired' | 'too_many' | 'no_code') {
  const contact = (await svc.store.email.getContact(c.id)) ?? null;
  const r = await e.recipient(c, contact);
  const pending = contact?.source === 'typed' && !contact.verifiedAt && contact.codeHash ? contact.address : null;
  return {
    type: 'email.status' as const,
    conversationId: c.id,
    enabled: e.enabled,
    state: pending ? ('pending' as const) : r ? ('confirmed' as const) : ('none' as const),
    address: pending ?? r?.address ?? null,
    source: pending ? ('typed' as const) : (r?.source ?? null),
    ...(problem ? { problem } : {}),
  };
}

async function getStatus(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'email.status.get'>): Promise<void> {
  const e = service(svc);
  const c = await loadFor(svc, p, f.conversationId);
  io.reply(EmailStatus, { ref: f.ref, ...(await emailStatus(svc, e, c)) });
}

async function request(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'email.request'>): Promise<void> {
  const e = service(svc);
  const c = await loadFor(svc, p, f.conversationId);
  await e.requestCode(c, f.address.trim());
  io.reply(EmailStatus, { ref: f.ref, ...(await emailStatus(svc, e, c)) });
}

async function confirm(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'email.confirm'>): Promise<void> {
  const e = service(svc);
  const c = await loadFor(svc, p, f.conversationId);
  const r = await e.confirmCode(c, f.code);
  io.reply(EmailStatus, { ref: f.ref, ...(await emailStatus(svc, e, c, PROBLEMS[r])) });
}

async function transcript(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'transcript.get'>): Promise<void> {
  const e = service(svc);
  const c = await loadFor(svc, p, f.conversationId);
  if (f.deliver === 'download') return io.reply(Transcript, { type: 'transcript', ref: f.ref, conversationId: c.id, text: await e.transcript(c) });
  const r = await e.mailTranscript(c);
  io.reply(Transcript, { type: 'transcript', ref: f.ref, conversationId: c.id, emailedTo: r.address });
}

/** The requester's email frames: the address answers go to (confirmed by a code) and transcripts. */
export const emailHandlers: readonly HandlerEntry[] = [
  on('email.status.get', REQUESTERS, getStatus),
  on('email.request', REQUESTERS, request),
  on('email.confirm', REQUESTERS, confirm),
  on('transcript.get', REQUESTERS, transcript),
];
