import type { ConversationRow, MessageRow } from '@ajuda/db';
import {
  canOpen,
  contractAnswerKey,
  conversationLanguage,
  matchContract,
  proposePriority,
  scopeDecision,
  type Requester,
} from '@ajuda/policy';
import {
  AjudaError,
  ConversationListResult,
  ConversationStarted,
  ConversationUpdated,
  FeedbackRequested,
  MessageAck,
  MessageCreated,
  ReadReceipt,
  ResumeDone,
  Typing,
  validateIntake,
  type FrameOf,
  type ClientFrame,
  type Locale,
} from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { conversationId as newConversationId } from '../../crypto.ts';
import type { ConnPrincipal, RequesterPrincipal } from '../../session/principal.ts';
import type { HandlerIo } from '../../session/port.ts';
import { AGENTS, ANYONE, REQUESTERS, on, type HandlerEntry } from '../../session/handler.ts';
import { messageView } from '../../projections.ts';
import { assignWaiting, candidates, decideRoute, routingReason, systemMessage, tryAssign } from '../routing/routing.ts';

type F<T extends ClientFrame['type']> = FrameOf<ClientFrame, T>;

/** R7a: a conversation that is not yours is answered exactly like one that does not exist. */
export function loadFor(svc: Services, p: ConnPrincipal, id: string): ConversationRow {
  const c = svc.repo.getConversation(id);
  if (!c || !svc.mayAccess(p, c)) throw new AjudaError('not_found');
  return c;
}

export function requesterPolicy(p: RequesterPrincipal): Requester {
  return p.kind === 'realm_user'
    ? { kind: 'realm_user', channel: p.channel, realmId: p.realmId, userId: p.userId, perms: p.perms }
    : { kind: 'visitor', channel: p.channel };
}

/**
 * R6: validate intake answers on the server; for authenticated requesters a pipeline or
 * project must be one of their own realm's (R7a: another realm's is "not found" like a missing one).
 */
export function checkIntake(svc: Services, c: ConversationRow, answers: unknown) {
  const v = validateIntake(c.requestType as never, answers);
  if (!v.ok) return v;
  const fields: Record<string, { code: string; i18nKey: string }> = {};
  const value = { ...v.value };
  const pipe = value.pipeline as { name: string; key: string } | undefined;
  if (pipe) {
    const row = c.realmId ? svc.directory.pipelineByKey(c.realmId, pipe.key) : undefined;
    if (c.realmId && !row) fields.pipeline = { code: 'pipeline_not_found', i18nKey: 'intake.error.pipeline_not_found' };
    // Name and key go together: the directory's name wins over a typed one.
    else if (row) value.pipeline = { name: row.name, key: row.key };
  }
  const prj = value.project as { name: string; id?: string } | undefined;
  if (prj?.id && c.realmId) {
    const row = svc.directory.project(c.realmId, prj.id);
    if (!row) fields.project = { code: 'project_not_found', i18nKey: 'intake.error.project_not_found' };
    else value.project = { id: row.id, name: row.name };
  }
  return Object.keys(fields).length ? ({ ok: false, fields } as const) : ({ ok: true, value } as const);
}

/** Inside a write: intake is valid — set priority (R9), scope (R8), route (R4a…) and try to assign. */
function completeIntake(svc: Services, c: ConversationRow, answers: Record<string, unknown>, at: string, out: MessageRow[]): void {
  const scope = scopeDecision(c.requestType as never);
  if (scope.kind === 'auto_close') {
    // R8a: a polite pointer to the account contact, in the requester's language, and closed.
    // R5: the guidance depends on the verified session and the channel, never on a claim.
    svc.repo.updateConversation(c.id, { answers: JSON.stringify(answers), status: 'closed', priority: 'P4', priorityTrace: JSON.stringify([{ code: `${scope.rule}.out_of_scope` }]), updatedAt: at, resolvedAt: at });
    svc.repo.audit('system', 'conversation.out_of_scope', c.id, c.realmId, { rule: scope.rule }, at);
    out.push(systemMessage(svc, c, contractAnswerKey({ kind: c.requesterKind, channel: c.channel }), null, at));
    return;
  }
  const pr = proposePriority(c.requestType as never, answers);
  const route = decideRoute(svc, c, answers);
  svc.repo.updateConversation(c.id, {
    answers: JSON.stringify(answers),
    priority: pr.priority,
    // Coded lines, rendered in each agent's language (R9, R11).
    priorityTrace: JSON.stringify(pr.lines),
    status: 'queued',
    queue: route.queue,
    team: route.team,
    queuedAt: at,
    updatedAt: at,
  });
  svc.repo.addRouting({ conversationId: c.id, at, queue: route.queue, team: route.team, assigneeId: null, ...routingReason(route.code, route.params) });
  svc.repo.audit('system', 'intake.completed', c.id, c.realmId, { priority: pr.priority, queue: route.queue }, at);
  const target = svc.config.sla[pr.priority].firstResponseMin;
  out.push(systemMessage(svc, c, 'system.queued', { id: c.id, minutes: target }, at));
  if (route.queue === 'project') out.push(systemMessage(svc, c, 'system.transferred_project', null, at));
  const fresh = svc.repo.getConversation(c.id)!;
  if (!tryAssign(svc, fresh, candidates(svc), at, out)) out.push(systemMessage(svc, c, 'system.waiting', null, at));
}

function publishAll(svc: Services, out: MessageRow[]): void {
  for (const m of out) svc.publishMessage(m);
}

/** Starts in flight, by owner and idempotency key: concurrent retries share one creation. */
const inflight = new Map<string, Promise<{ row: ConversationRow; out: MessageRow[] }>>();

/**
 * Start a conversation. Retries with the same idempotency key (sequential or concurrent)
 * return the same conversation; only a real creation counts against the start rate limit.
 */
export async function start(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'conversation.start'>, takeStartToken: () => number): Promise<void> {
  const requester = requesterPolicy(p);
  // R2–R4: what this requester may open depends only on the verified session (R5).
  if (!canOpen(requester, f.requestType)) throw new AjudaError('request_type_not_allowed');
  const existing = svc.repo.findByIdempotency(p.ownerKey, f.idempotencyKey);
  if (existing) return replyStarted(svc, io, f, existing, f.answers);
  // A JSON pair, not a join: an owner key or idempotency key may itself hold any separator (R7).
  const key = JSON.stringify([p.ownerKey, f.idempotencyKey]);
  let pending = inflight.get(key);
  const creator = !pending;
  if (!pending) {
    const wait = takeStartToken();
    if (wait > 0) throw new AjudaError('rate_limited', undefined, { retryAfter: wait });
    pending = create(svc, p, f).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  const { row, out } = await pending;
  try {
    replyStarted(svc, io, f, row, f.answers);
  } finally {
    // The requester learns of the conversation before its first system messages arrive.
    if (creator) {
      publishAll(svc, out);
      svc.markDirty(row.id);
    }
  }
}

async function create(svc: Services, p: RequesterPrincipal, f: F<'conversation.start'>): Promise<{ row: ConversationRow; out: MessageRow[] }> {

  const claims = p.kind === 'visitor' ? { ...f.claims } : undefined;
  const answerEmail = typeof f.answers?.email === 'string' ? f.answers.email : undefined;
  if (claims && answerEmail && !claims.email) claims.email = answerEmail;
  // R3/R5: matched for agents' eyes only; nothing observable by the requester depends on it.
  const contract = p.kind === 'realm_user' ? 'contract' : matchContract(claims, svc.directory.contracts());
  const language = conversationLanguage(p.kind === 'realm_user' ? p.tokenLocale : null, p.locale, f.locale);
  const out: MessageRow[] = [];
  const row = await svc.writer.write(() => {
    const again = svc.repo.findByIdempotency(p.ownerKey, f.idempotencyKey);
    if (again) return again;
    const at = svc.iso();
    const c: ConversationRow = {
      id: newConversationId(),
      channel: p.channel,
      requesterKind: p.kind,
      ownerKey: p.ownerKey,
      visitorId: p.kind === 'visitor' ? p.visitorId : null,
      realmId: p.kind === 'realm_user' ? p.realmId : null,
      userId: p.kind === 'realm_user' ? p.userId : null,
      requesterName: p.kind === 'realm_user' ? p.name : null,
      requesterEmail: p.kind === 'realm_user' ? p.email : null,
      claims: claims && Object.keys(claims).length ? JSON.stringify(claims) : null,
      contractMatch: contract,
      requestType: f.requestType,
      answers: '{}',
      priority: null,
      priorityTrace: '[]',
      status: 'intake',
      queue: 'support',
      team: null,
      assigneeId: null,
      language,
      lastSeq: 0,
      idempotencyKey: f.idempotencyKey,
      createdAt: at,
      updatedAt: at,
      queuedAt: null,
      firstAgentReplyAt: null,
      lastRequesterMsgAt: null,
      lastAgentReplyAt: null,
      resolvedAt: null,
      requesterReadSeq: 0,
      agentReadSeq: 0,
      escalated: 0,
      flaggedComplex: 0,
      feedback: null,
      breaches: '[]',
    };
    svc.repo.insertConversation(c);
    svc.repo.audit(p.kind === 'visitor' ? `visitor:${p.visitorId}` : `user:${p.realmId}:${p.userId}`, 'conversation.started', c.id, c.realmId, { type: f.requestType, channel: p.channel }, at);
    if (f.answers) {
      const v = checkIntake(svc, c, f.answers);
      if (v.ok) completeIntake(svc, c, v.value, at, out);
    }
    return svc.repo.getConversation(c.id)!;
  });
  return { row, out };
}

function replyStarted(svc: Services, io: HandlerIo, f: F<'conversation.start'>, c: ConversationRow, answers: unknown): void {
  if (c.requestType !== f.requestType) throw new AjudaError('idempotency_conflict');
  io.reply(ConversationStarted, { type: 'conversation.started', ref: f.ref, conversation: svc.requesterView(c) });
  if (c.status === 'intake' && answers) {
    const v = checkIntake(svc, c, answers);
    if (!v.ok) throw new AjudaError('intake_invalid', undefined, { fields: v.fields });
  }
}

export async function intakeSubmit(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'intake.submit'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  if (c.status !== 'intake') {
    io.reply(ConversationUpdated, { type: 'conversation.updated', ref: f.ref, conversation: svc.requesterView(c) });
    return;
  }
  const v = checkIntake(svc, c, f.answers);
  if (!v.ok) throw new AjudaError('intake_invalid', undefined, { fields: v.fields });
  const out: MessageRow[] = [];
  await svc.writer.write(() => {
    const cur = svc.repo.getConversation(c.id)!;
    if (cur.status === 'intake') completeIntake(svc, cur, v.value, svc.iso(), out);
  });
  publishAll(svc, out);
  const fresh = svc.repo.getConversation(c.id)!;
  io.reply(ConversationUpdated, { type: 'conversation.updated', ref: f.ref, conversation: svc.requesterView(fresh) });
  svc.conversationChanged(c.id);
}

export function list(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'conversation.list'>): void {
  const rows = svc.repo.listByOwner(p.ownerKey);
  io.reply(ConversationListResult, { type: 'conversation.list.result', ref: f.ref, conversations: rows.map((c) => svc.requesterView(c)) });
}

/**
 * Append a message. The ack goes out only after the batch holding it committed; a retry with
 * the same clientMsgId gets the original ack (exactly-once in effect).
 */
export async function send(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'message.send'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  const isAgent = p.kind === 'agent';
  if (!isAgent && f.kind === 'note') throw new AjudaError('forbidden');
  if (c.status === 'intake') throw new AjudaError('intake_pending');
  if (c.status === 'closed' || (!isAgent && c.status === 'resolved')) throw new AjudaError('conversation_closed');
  const kind = isAgent && f.kind === 'note' ? 'note' : 'text';
  const sender = isAgent ? `agent:${p.agentId}` : 'requester';
  const senderName = isAgent ? p.name : p.kind === 'realm_user' ? p.name : null;
  const { row, duplicate, autoAssigned } = await svc.writer.write(() => {
    const at = svc.iso();
    // The seq and the SLA timestamps of who spoke are set by the same statement (R10).
    const who = kind === 'text' ? (isAgent ? 'agent' : 'requester') : null;
    const r = svc.repo.appendMessage({ conversationId: c.id, sender, senderName, kind, body: f.body, clientMsgId: f.clientMsgId, at }, who);
    let autoAssigned = false;
    // Replying to an unassigned conversation takes it, as in every helpdesk.
    if (isAgent && r.conversation && kind === 'text' && r.conversation.status === 'queued') {
      const cur = r.conversation;
      svc.repo.updateConversation(c.id, { status: 'assigned', assigneeId: p.agentId });
      svc.repo.addRouting({ conversationId: c.id, at, queue: cur.queue, team: cur.team, assigneeId: p.agentId, ...routingReason('taken_by_reply', { name: p.name }) });
      autoAssigned = true;
    }
    return { row: r.row, duplicate: r.duplicate, autoAssigned };
    // Touches only the database and its row cache: safe to run again (see WriteOptions).
  }, { replayable: true });
  io.reply(MessageAck, { type: 'message.ack', ref: f.ref, conversationId: c.id, clientMsgId: f.clientMsgId, seq: row.seq, at: row.createdAt });
  if (!duplicate) svc.publishMessage(row, io.session);
  if (autoAssigned) svc.conversationChanged(c.id);
}

export function typing(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'typing.set'>): void {
  const c = loadFor(svc, p, f.conversationId);
  const frame = JSON.stringify(Typing.parse({ type: 'typing', conversationId: c.id, from: p.kind === 'agent' ? 'agent' : 'requester', on: f.on }));
  if (p.kind === 'agent') svc.hub.publish(`owner:${c.ownerKey}`, frame);
  else svc.hub.publish(`conv:${c.id}`, frame);
}

export async function read(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'read'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  const seq = Math.min(f.lastReadSeq, c.lastSeq);
  const isAgent = p.kind === 'agent';
  const current = isAgent ? c.agentReadSeq : c.requesterReadSeq;
  if (seq <= current) return;
  await svc.writer.write(() => svc.repo.updateConversation(c.id, isAgent ? { agentReadSeq: seq } : { requesterReadSeq: seq }), { replayable: true });
  const frame = JSON.stringify(ReadReceipt.parse({ type: 'read.receipt', conversationId: c.id, by: isAgent ? 'agent' : 'requester', lastReadSeq: seq }));
  if (isAgent) {
    svc.hub.publish(`owner:${c.ownerKey}`, frame);
    svc.markDirty(c.id, 'activity');
  } else svc.hub.publish(`conv:${c.id}`, frame);
}

/** Replay what the client missed, in order, from the database (the only source of truth). */
export function resume(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'session.resume'>): void {
  // R13: an agent who handled it may keep following it read-only (Services.mayRead).
  const c = p.kind === 'agent' ? svc.loadReadable(p, f.conversationId) : loadFor(svc, p, f.conversationId);
  const includeNotes = p.kind === 'agent';
  if (c.lastSeq - f.lastSeq > svc.config.limits.maxReplay)
    throw new AjudaError('snapshot_required', `more than ${svc.config.limits.maxReplay} messages missed: reload the conversation`);
  let after = f.lastSeq;
  let replayed = 0;
  for (;;) {
    const rows = svc.repo.messagesAfter(c.id, after, 500, includeNotes);
    for (const m of rows) io.sendRaw(JSON.stringify(MessageCreated.parse({ type: 'message.created', message: messageView(m) })));
    replayed += rows.length;
    if (rows.length < 500) break;
    after = rows.at(-1)!.seq;
  }
  if (p.kind === 'agent' && !io.session.opened.has(c.id)) {
    io.session.opened.add(c.id);
    svc.hub.subscribe(`conv:${c.id}`, io.session);
  }
  const last = svc.repo.getConversation(c.id)!.lastSeq;
  io.reply(ResumeDone, { type: 'resume.done', ref: f.ref, conversationId: c.id, lastSeq: last, replayed });
}

export async function resolve(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'conversation.resolve'>): Promise<void> {
  if (p.kind !== 'agent') throw new AjudaError('forbidden');
  const c = loadFor(svc, p, f.conversationId);
  if (c.status === 'resolved' || c.status === 'closed' || c.status === 'intake') throw new AjudaError('invalid_state');
  const out: MessageRow[] = [];
  await svc.writer.write(() => {
    const at = svc.iso();
    svc.repo.updateConversation(c.id, { status: 'resolved', resolvedAt: at, updatedAt: at });
    svc.repo.audit(`agent:${p.agentId}`, 'conversation.resolved', c.id, c.realmId, {}, at);
    out.push(systemMessage(svc, c, 'system.resolved', null, at));
  });
  publishAll(svc, out);
  svc.conversationChanged(c.id);
  // R14: ask the requester whether this answered their question.
  svc.hub.publish(`owner:${c.ownerKey}`, JSON.stringify(FeedbackRequested.parse({ type: 'feedback.requested', conversationId: c.id })));
  svc.ackAgent(io, f.ref, c.id);
  void assignWaiting(svc);
}

export async function reopen(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'conversation.reopen'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  if (c.status !== 'resolved') throw new AjudaError('invalid_state');
  const out: MessageRow[] = [];
  await svc.writer.write(() => {
    const at = svc.iso();
    svc.repo.updateConversation(c.id, { status: c.assigneeId ? 'assigned' : 'queued', resolvedAt: null, updatedAt: at });
    svc.repo.audit(p.kind === 'agent' ? `agent:${p.agentId}` : 'requester', 'conversation.reopened', c.id, c.realmId, {}, at);
    out.push(systemMessage(svc, c, 'system.reopened', null, at));
  });
  publishAll(svc, out);
  svc.conversationChanged(c.id);
  if (p.kind === 'agent') svc.ackAgent(io, f.ref, c.id);
  else io.reply(ConversationUpdated, { type: 'conversation.updated', ref: f.ref, conversation: svc.requesterView(svc.repo.getConversation(c.id)!) });
}

export { publishAll };

/** The conversation frames: who may send each one, and its handler. */
export const conversationHandlers: readonly HandlerEntry[] = [
  on('session.resume', ANYONE, resume),
  on('message.send', ANYONE, send),
  on('typing.set', ANYONE, typing),
  on('read', ANYONE, read),
  on('conversation.reopen', ANYONE, reopen),
  on('conversation.list', REQUESTERS, list),
  on('conversation.start', REQUESTERS, (svc, io, p, f, limits) => start(svc, io, p, f, () => limits.takeStart(p.ownerKey))),
  on('intake.submit', REQUESTERS, intakeSubmit),
  on('conversation.resolve', AGENTS, resolve),
];
