import type { ConversationRow, EscalationRow, MessageRow } from '@ajuda/db';
import { canEscalate } from '@ajuda/policy';
import { AgentEscalation, AjudaError, EscalationCreated, FeedbackRecorded, type ClientFrame, type FrameOf } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { shortId } from '../../crypto.ts';
import type { RequesterPrincipal } from '../../session/principal.ts';
import type { HandlerIo } from '../../session/port.ts';
import { REQUESTERS, on, type HandlerEntry } from '../../session/handler.ts';
import { escalationView } from '../../projections.ts';
import { loadFor, publishAll } from '../conversations/handlers.ts';
import { candidates, routingReason, systemMessage, tryAssign } from '../routing/routing.ts';

type F<T extends ClientFrame['type']> = FrameOf<ClientFrame, T>;

export interface EscalationInput {
  reason: EscalationRow['reason'];
  description: string;
  environment: 'Prod' | 'Test';
  justification: string;
  source: EscalationRow['source'];
}

/**
 * R13: escalate an open conversation to a support lead. The priority does not change; the
 * conversation moves to the leads' queue and a lead is brought in.
 */
export async function escalate(svc: Services, c: ConversationRow, input: EscalationInput, actor: string): Promise<EscalationRow> {
  if (!canEscalate(c.status)) throw new AjudaError('invalid_state', 'only an open conversation can be escalated');
  const out: MessageRow[] = [];
  const row = await svc.writer.write(() => {
    const at = svc.iso();
    const e: EscalationRow = { id: shortId('esc'), conversationId: c.id, ...input, createdAt: at };
    svc.repo.addEscalation(e);
    svc.repo.updateConversation(c.id, { escalated: 1, queue: 'leads', team: null, status: 'queued', assigneeId: null, updatedAt: at });
    svc.repo.addRouting({ conversationId: c.id, at, queue: 'leads', team: null, assigneeId: null, ...routingReason('R13.escalated_via', { reason: input.reason, source: input.source }) });
    svc.repo.audit(actor, 'conversation.escalated', c.id, c.realmId, { escalationId: e.id, reason: input.reason, source: input.source }, at);
    out.push(systemMessage(svc, c, 'system.escalated', null, at));
    tryAssign(svc, svc.repo.getConversation(c.id)!, candidates(svc), at, out);
    return e;
  });
  publishAll(svc, out);
  svc.conversationChanged(c.id);
  const json = JSON.stringify(AgentEscalation.parse({ type: 'agent.escalation', escalation: escalationView(row) }));
  for (const conn of svc.hub.members('agents')) if (conn.principal?.kind === 'agent' && conn.principal.role === 'lead') conn.sendRaw(json);
  return row;
}

export async function fromWidget(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'escalation.create'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  const e = await escalate(svc, c, { reason: f.reason, description: f.description, environment: f.environment, justification: f.justification, source: 'widget' }, 'requester');
  io.reply(EscalationCreated, { type: 'escalation.created', ref: f.ref, escalation: escalationView(e) });
}

/** R14: "Did this answer your question?" — yes/no and an optional comment, once resolved. */
export async function feedback(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'feedback.submit'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  if (c.status !== 'resolved') throw new AjudaError('invalid_state');
  const value = { answered: f.answered, ...(f.comment ? { comment: f.comment } : {}) };
  await svc.writer.write(() => {
    const at = svc.iso();
    svc.repo.updateConversation(c.id, { feedback: JSON.stringify(value), updatedAt: at });
    svc.repo.audit('requester', 'feedback.recorded', c.id, c.realmId, value, at);
  });
  const json = JSON.stringify(FeedbackRecorded.parse({ type: 'feedback.recorded', conversationId: c.id, ...value }));
  io.reply(FeedbackRecorded, { type: 'feedback.recorded', ref: f.ref, conversationId: c.id, ...value });
  svc.hub.publish(`conv:${c.id}`, json);
  svc.conversationChanged(c.id);
}

/** The requester's escalation and feedback frames. */
export const escalationHandlers: readonly HandlerEntry[] = [
  on('escalation.create', REQUESTERS, fromWidget),
  on('feedback.submit', REQUESTERS, feedback),
];
