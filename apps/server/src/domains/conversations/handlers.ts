import { StoreConflict, type Appended, type ConversationRow, type Effects, type MessageRow, type NewConversation, type TxView } from '@ajuda/db';
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
  MessageAck,
  MessageCreated,
  ResumeDone,
  validateIntake,
  type FrameOf,
  type ClientFrame,
} from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { conversationId as newConversationId } from '../../crypto.ts';
import type { AgentPrincipal, ConnPrincipal, RequesterPrincipal } from '../../session/principal.ts';
import type { HandlerIo, SessionState } from '../../session/port.ts';
import { AGENTS, ANYONE, REQUESTERS, on, type HandlerEntry } from '../../session/handler.ts';
import { messageView } from '../../projections.ts';
import { guarded } from '../guard.ts';
import { after, assignWaiting, candidates, decideRoute, routeInputs, routingReason, systemLine, andThen, tryAssign, type RouteInputs } from '../routing/routing.ts';

type F<T extends ClientFrame['type']> = FrameOf<ClientFrame, T>;

/** R7a: a conversation that is not yours is answered exactly like one that does not exist. */
export async function loadFor(svc: Services, p: ConnPrincipal, id: string, opts: { recent?: boolean } = {}): Promise<ConversationRow> {
  const c = await svc.store.getConversation(id, opts);
  if (!c || !svc.access.mayAccess(p, c)) throw new AjudaError('not_found');
  return svc.owners.remember(c);
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
export async function checkIntake(svc: Services, c: Pick<ConversationRow, 'requestType' | 'realmId'>, answers: unknown) {
  const v = validateIntake(c.requestType as never, answers);
  if (!v.ok) return v;
  const fields: Record<string, { code: string; i18nKey: string }> = {};
  const value = { ...v.value };
  const pipe = value.pipeline as { name: string; key: string } | undefined;
  if (pipe) {
    const row = c.realmId ? await svc.directory.pipelineByKey(c.realmId, pipe.key) : undefined;
    if (c.realmId && !row) fields.pipeline = { code: 'pipeline_not_found', i18nKey: 'intake.error.pipeline_not_found' };
    // Name and key go together: the directory's name wins over a typed one.
    else if (row) value.pipeline = { name: row.name, key: row.key };
  }
  const prj = value.project as { name: string; id?: string } | undefined;
  if (prj?.id && c.realmId) {
    const row = await svc.directory.project(c.realmId, prj.id);
    if (!row) fields.project = { code: 'project_not_found', i18nKey: 'intake.error.project_not_found' };
    else value.project = { id: row.id, name: row.name };
  }
  return Object.keys(fields).length ? ({ ok: false, fields } as const) : ({ ok: true, value } as const);
}

/**
 * Inside the command, on the conversation as read there: intake is valid — set priority (R9),
 * scope (R8), route (R4a…) and try to assign.
 */
function intakeEffects(svc: Services, c: ConversationRow, answers: Record<string, unknown>, inputs: RouteInputs, at: string, tx: TxView): Effects {
  const scope = scopeDecision(c.requestType as never);
  if (scope.kind === 'auto_close') {
    // R8a: a polite pointer to the account contact, in the requester's language, and closed.
    // R5: the guidance depends on the verified session and the channel, never on a claim.
    return {
      at,
      patch: { answers, status: 'closed', priority: 'P4', priorityTrace: [{ code: `${scope.rule}.out_of_scope` }], updatedAt: at, resolvedAt: at },
      audit: [{ actor: 'system', action: 'conversation.out_of_scope', detail: { rule: scope.rule } }],
      system: [systemLine(svc, c, contractAnswerKey({ kind: c.requesterKind, channel: c.channel }), null)],
    };
  }
  const pr = proposePriority(c.requestType as never, answers);
  const route = decideRoute(c, answers, inputs);
  const target = svc.slaTiers.policyFor(c.realmId)[pr.priority].firstResponseMin;
  const queued: Effects = {
    at,
    // Coded lines, rendered in each agent's language (R9, R11).
    patch: { answers, priority: pr.priority, priorityTrace: pr.lines, status: 'queued', queue: route.queue, team: route.team, queuedAt: at, updatedAt: at },
    routing: [{ queue: route.queue, team: route.team, assigneeId: null, ...routingReason(route.code, route.params) }],
    audit: [{ actor: 'system', action: 'intake.completed', detail: { priority: pr.priority, queue: route.queue } }],
    system: [systemLine(svc, c, 'system.queued', { id: c.id, minutes: target }), ...(route.queue === 'project' ? [systemLine(svc, c, 'system.transferred_project', null)] : [])],
  };
  const assigned = tryAssign(svc, after(c, queued), candidates(svc, tx), at);
  return andThen(queued, assigned ?? { at, system: [systemLine(svc, c, 'system.waiting', null)] });
}

/** The messages a command appended, to whoever listens (the fan-out sends them to their audiences). */
function publishAll(svc: Services, out: MessageRow[]): void {
  for (const m of out) void svc.events.emit('message.created', { message: m });
}

/** Starts in flight, by owner and idempotency key: concurrent retries share one creation. */
const inflight = new Map<string, Promise<{ row: ConversationRow; out: MessageRow[] }>>();

/**
 * Start a conversation. Retries with the same idempotency key (sequential or concurrent)
 * return the same conversation; only a real creation counts against the start rate limit.
 */
export async function start(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'conversation.start'>, takeStartToken: () => number | Promise<number>): Promise<void> {
  const requester = requesterPolicy(p);
  // R2–R4: what this requester may open depends only on the verified session (R5).
  if (!canOpen(requester, f.requestType)) throw new AjudaError('request_type_not_allowed');
  const existing = await svc.store.findByIdempotency(p.ownerKey, f.idempotencyKey);
  if (existing) return replyStarted(svc, io, f, svc.owners.remember(existing), f.answers);
  // A JSON pair, not a join: an owner key or idempotency key may itself hold any separator (R7).
  const key = JSON.stringify([p.ownerKey, f.idempotencyKey]);
  let pending = inflight.get(key);
  const creator = !pending;
  if (!pending) {
    pending = (async () => {
      const wait = await takeStartToken();
      if (wait > 0) throw new AjudaError('rate_limited', undefined, { retryAfter: wait });
      return create(svc, p, f);
    })().finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  const { row, out } = await pending;
  try {
    await replyStarted(svc, io, f, row, f.answers);
  } finally {
    // The requester learns of the conversation before its first system messages arrive.
    if (creator) {
      publishAll(svc, out);
      void svc.events.emit('conversation.started', { conversationId: row.id });
    }
  }
}

async function create(svc: Services, p: RequesterPrincipal, f: F<'conversation.start'>): Promise<{ row: ConversationRow; out: MessageRow[] }> {
  const claims = p.kind === 'visitor' ? { ...f.claims } : undefined;
  const answerEmail = typeof f.answers?.email === 'string' ? f.answers.email : undefined;
  if (claims && answerEmail && !claims.email) claims.email = answerEmail;
  // R3/R5: matched for agents' eyes only; nothing observable by the requester depends on it.
  const contract = p.kind === 'realm_user' ? 'contract' : matchContract(claims, await svc.directory.contracts());
  const language = conversationLanguage(p.kind === 'realm_user' ? p.tokenLocale : null, p.locale, f.locale);
  const at = svc.clock.iso();
  const c: NewConversation = {
    id: newConversationId(),
    channel: p.channel,
    requesterKind: p.kind,
    ownerKey: p.ownerKey,
    visitorId: p.kind === 'visitor' ? p.visitorId : null,
    realmId: p.kind === 'realm_user' ? p.realmId : null,
    userId: p.kind === 'realm_user' ? p.userId : null,
    requesterName: p.kind === 'realm_user' ? p.name : null,
    requesterEmail: p.kind === 'realm_user' ? p.email : null,
    claims: claims && Object.keys(claims).length ? claims : null,
    contractMatch: contract,
    requestType: f.requestType,
    language,
    idempotencyKey: f.idempotencyKey,
    at,
  };
  // Intake answered at start: checked against the directory first, applied in the same command.
  let intake: ((cur: ConversationRow, tx: TxView) => Effects) | undefined;
  if (f.answers) {
    const v = await checkIntake(svc, c, f.answers);
    if (v.ok) {
      const inputs = await routeInputs(svc, c, v.value);
      intake = (cur, tx) => intakeEffects(svc, cur, v.value, inputs, at, tx);
    }
  }
  const actor = p.kind === 'visitor' ? `visitor:${p.visitorId}` : `user:${p.realmId}:${p.userId}`;
  const r = await svc.store.startConversation(c, { actor, action: 'conversation.started', detail: { type: f.requestType, channel: p.channel } }, intake);
  return { row: svc.owners.remember(r.conversation), out: r.messages };
}

async function replyStarted(svc: Services, io: HandlerIo, f: F<'conversation.start'>, c: ConversationRow, answers: unknown): Promise<void> {
  if (c.requestType !== f.requestType) throw new AjudaError('idempotency_conflict');
  io.reply(ConversationStarted, { type: 'conversation.started', ref: f.ref, conversation: await svc.views.requesterView(c) });
  if (c.status === 'intake' && answers) {
    const v = await checkIntake(svc, c, answers);
    if (!v.ok) throw new AjudaError('intake_invalid', undefined, { fields: v.fields });
  }
}

export async function intakeSubmit(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'intake.submit'>): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  if (c.status !== 'intake') {
    io.reply(ConversationUpdated, { type: 'conversation.updated', ref: f.ref, conversation: await svc.views.requesterView(c) });
    return;
  }
  const v = await checkIntake(svc, c, f.answers);
  if (!v.ok) throw new AjudaError('intake_invalid', undefined, { fields: v.fields });
  const inputs = await routeInputs(svc, c, v.value);
  const at = svc.clock.iso();
  let out: MessageRow[] = [];
  try {
    out = (await svc.store.completeIntake(c.id, (cur, tx) => intakeEffects(svc, cur, v.value, inputs, at, tx))).messages;
  } catch (e) {
    // Submitted meanwhile (a retry): the conversation as it now is answers this one too.
    if (!(e instanceof StoreConflict)) throw e;
  }
  publishAll(svc, out);
  const fresh = (await svc.store.getConversation(c.id))!;
  io.reply(ConversationUpdated, { type: 'conversation.updated', ref: f.ref, conversation: await svc.views.requesterView(fresh) });
  await svc.events.emit('conversation.changed', { conversationId: c.id });
}

export async function list(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'conversation.list'>): Promise<void> {
  const rows = await svc.store.listByOwner(p.ownerKey);
  io.reply(ConversationListResult, { type: 'conversation.list.result', ref: f.ref, conversations: await Promise.all(rows.map((c) => svc.views.requesterView(c))) });
}

/**
 * Append a message. The ack goes out only after the batch holding it committed; a retry with
 * the same clientMsgId gets the original ack (exactly-once in effect).
 */
export async function send(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'message.send'>): Promise<void> {
  const r = await appendFor(svc, p, f);
  io.reply(MessageAck, { type: 'message.ack', ref: f.ref, conversationId: r.message.conversationId, clientMsgId: f.clientMsgId, seq: r.message.seq, at: r.message.createdAt });
  await announce(svc, r, io.session);
}

/** After the ack: the message to whoever listens (the sender's socket `origin` already has it), and the take, if the reply took it. */
export async function announce(svc: Services, r: Appended, origin?: SessionState): Promise<void> {
  if (!r.duplicate) void svc.events.emit('message.created', { message: r.message, origin });
  if (r.taken) await svc.events.emit('conversation.changed', { conversationId: r.message.conversationId });
}

/**
 * The decision and the command of a message — access (R7a), the state checks, the append (a retried
 * clientMsgId answers with the stored message) — for the socket and the public API. `take: false`:
 * an agent's reply leaves a queued conversation queued (the API's system tokens, which are no agent).
 */
export async function appendFor(
  svc: Services,
  p: ConnPrincipal,
  f: { conversationId: string; clientMsgId: string; body: string; kind?: 'text' | 'note' | undefined; attachments?: readonly string[] | undefined },
  opts: { take?: boolean } = {},
): Promise<Appended> {
  const isAgent = p.kind === 'agent';
  const files = f.attachments ?? [];
  if (!f.body.length && !files.length) throw new AjudaError('bad_frame', 'body is required (it may be empty only with attachments)');
  if (!isAgent && f.kind === 'note') throw new AjudaError('forbidden');
  const kind = isAgent && f.kind === 'note' ? 'note' : 'text';
  const sender = isAgent ? `agent:${p.agentId}` : 'requester';
  const senderName = isAgent ? p.name : p.kind === 'realm_user' ? p.name : null;
  // A requester's access to their own conversation never changes, so a row read moments ago may
  // decide (no extra read per message where reads cost a round trip); the append re-checks the
  // status it was decided on, and any refusal is confirmed on the committed row first.
  let fresh = isAgent;
  let c = await loadFor(svc, p, f.conversationId, { recent: !fresh });
  for (let conflicts = 0; ; ) {
    const refusal = c.status === 'intake' ? 'intake_pending' : c.status === 'closed' || (!isAgent && c.status === 'resolved') ? 'conversation_closed' : null;
    if (refusal && !fresh) {
      c = await loadFor(svc, p, f.conversationId);
      fresh = true;
      continue;
    }
    if (refusal) throw new AjudaError(refusal);
    // The uploads this message takes (this sender's, in this conversation, not expired): stored with it.
    const params = files.length ? await svc.attachments.paramsFor(files, c.id, sender, f.clientMsgId) : null;
    try {
      return await svc.store.appendMessage({
        params,
        conversationId: c.id,
        sender,
        senderName,
        kind,
        body: f.body,
        clientMsgId: f.clientMsgId,
        at: svc.clock.iso(),
        // The seq and the SLA timestamps of who spoke are set by the same statement (R10).
        who: kind === 'text' ? (isAgent ? 'agent' : 'requester') : null,
        // Replying to an unassigned conversation takes it, as in every helpdesk (decided on the row inside the command).
        ...(isAgent && kind === 'text' && opts.take !== false ? { takeIfQueued: { agentId: p.agentId, routing: routingReason('taken_by_reply', { name: p.name }) } } : {}),
        expectStatus: c.status,
      });
    } catch (e) {
      // The status moved between the read and the write: decide again on the committed row.
      if (!(e instanceof StoreConflict) || ++conflicts > 3) throw e instanceof StoreConflict ? new AjudaError('invalid_state') : e;
      c = await loadFor(svc, p, f.conversationId);
      fresh = true;
    }
  }
}

export async function typing(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'typing.set'>): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  await svc.events.emit('typing.changed', { conversation: c, from: p.kind === 'agent' ? 'agent' : 'requester', on: f.on });
}

export async function read(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'read'>): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  const seq = Math.min(f.lastReadSeq, c.lastSeq);
  const isAgent = p.kind === 'agent';
  const current = isAgent ? c.agentReadSeq : c.requesterReadSeq;
  if (seq <= current) return;
  await svc.store.markRead(c.id, isAgent ? 'agent' : 'requester', seq);
  await svc.events.emit('conversation.read', { conversation: c, by: isAgent ? 'agent' : 'requester', lastReadSeq: seq });
}

/** Replay what the client missed, in order, from the database (the only source of truth). */
export async function resume(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'session.resume'>): Promise<void> {
  // R13: an agent who handled it may keep following it read-only (Access.mayRead).
  const c = p.kind === 'agent' ? await svc.access.loadReadable(p, f.conversationId) : await loadFor(svc, p, f.conversationId);
  const includeNotes = p.kind === 'agent';
  if (c.lastSeq - f.lastSeq > svc.config.limits.maxReplay)
    throw new AjudaError('snapshot_required', `more than ${svc.config.limits.maxReplay} messages missed: reload the conversation`);
  // Subscribe, then read: live messages of this conversation wait until the replay is sent, and
  // what the replay already carried is not sent twice (deduped by seq).
  const replay = svc.fanout.follow(io.session, c);
  let after = f.lastSeq;
  let replayed = 0;
  try {
    for (;;) {
      const rows = await svc.store.messagesAfter(c.id, after, 500, includeNotes);
      for (const m of rows) io.sendRaw(JSON.stringify(MessageCreated.parse({ type: 'message.created', message: messageView(m) })));
      replayed += rows.length;
      if (rows.length) after = rows.at(-1)!.seq;
      if (rows.length < 500) break;
    }
  } finally {
    replay.release(after);
  }
  const last = (await svc.store.getConversation(c.id))!.lastSeq;
  io.reply(ResumeDone, { type: 'resume.done', ref: f.ref, conversationId: c.id, lastSeq: last, replayed });
}

/** Only agents resolve (the table entry says so; a requester's frame never reaches this). */
export async function resolve(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'conversation.resolve'>): Promise<void> {
  await resolveConversation(svc, p, f.conversationId);
  await svc.ackAgent(io, f.ref, f.conversationId);
  void assignWaiting(svc).catch((err: unknown) => svc.log.error({ err }, 'assigning waiting conversations failed'));
}

/** Resolve (R14: the requester is then asked for feedback): the decision and the command, for the socket and the public API. */
export async function resolveConversation(svc: Services, p: AgentPrincipal, conversationId: string, actor = `agent:${p.agentId}`): Promise<void> {
  const c = await loadFor(svc, p, conversationId);
  const open = (s: ConversationRow['status']) => s !== 'resolved' && s !== 'closed' && s !== 'intake';
  if (!open(c.status)) throw new AjudaError('invalid_state');
  const at = svc.clock.iso();
  // The state is checked again on the row read inside the command: of two resolves, one wins.
  const { messages: out } = await guarded(
    svc.store.resolve(c.id, {}, (cur) => {
      if (!open(cur.status)) throw new StoreConflict('invalid_state');
      return {
        at,
        patch: { status: 'resolved', resolvedAt: at, updatedAt: at },
        audit: [{ actor, action: 'conversation.resolved' }],
        system: [systemLine(svc, cur, 'system.resolved', null)],
      };
    }),
  );
  publishAll(svc, out);
  await svc.events.emit('conversation.changed', { conversationId: c.id });
  // R14: ask the requester whether this answered their question.
  await svc.events.emit('feedback.requested', { conversation: c });
}

export async function reopen(svc: Services, io: HandlerIo, p: ConnPrincipal, f: F<'conversation.reopen'>): Promise<void> {
  const conversation = await reopenConversation(svc, p, f.conversationId);
  if (p.kind === 'agent') await svc.ackAgent(io, f.ref, conversation.id);
  else io.reply(ConversationUpdated, { type: 'conversation.updated', ref: f.ref, conversation: await svc.views.requesterView(conversation) });
}

/** Reopen a resolved conversation: the decision and the command, for the socket and the public API; the conversation as committed. */
export async function reopenConversation(svc: Services, p: ConnPrincipal, conversationId: string, actor = p.kind === 'agent' ? `agent:${p.agentId}` : 'requester'): Promise<ConversationRow> {
  const c = await loadFor(svc, p, conversationId);
  if (c.status !== 'resolved') throw new AjudaError('invalid_state');
  const at = svc.clock.iso();
  const { conversation, messages: out } = await guarded(
    svc.store.reopen(c.id, { status: 'resolved' }, (cur) => ({
      at,
      patch: { status: cur.assigneeId ? 'assigned' : 'queued', resolvedAt: null, updatedAt: at },
      audit: [{ actor, action: 'conversation.reopened' }],
      system: [systemLine(svc, cur, 'system.reopened', null)],
    })),
  );
  publishAll(svc, out);
  await svc.events.emit('conversation.changed', { conversationId: c.id });
  return conversation;
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
