import { StoreConflict, type ConversationRow, type Effects, type EscalationRow } from '@ajuda/db';
import { canEscalate } from '@ajuda/policy';
import { AjudaError, EscalationCreated, FeedbackRecorded, type ClientFrame, type FrameOf } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { shortId } from '../../crypto.ts';
import type { RequesterPrincipal } from '../../session/principal.ts';
import type { HandlerIo } from '../../session/port.ts';
import { REQUESTERS, on, type HandlerEntry } from '../../session/handler.ts';
import { escalationView } from '../../projections.ts';
import { loadFor, publishAll } from '../conversations/handlers.ts';
import { guarded } from '../guard.ts';
import { after, candidates, routingReason, systemLine, andThen, tryAssign } from '../routing/routing.ts';

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
  const at = svc.clock.iso();
  const e: EscalationRow = { id: shortId('esc'), conversationId: c.id, ...input, createdAt: at };
  // Decided on the state read above, checked again inside the command: of two escalations, one wins.
  const { messages: out } = await guarded(
    svc.store.escalate(c.id, { status: c.status, assigneeId: c.assigneeId, queue: c.queue }, (cur, tx) => {
      if (!canEscalate(cur.status)) throw new StoreConflict('invalid_state');
      const moved: Effects = {
        at,
        escalation: e,
        patch: { escalated: true, queue: 'leads', team: null, status: 'queued', assigneeId: null, updatedAt: at },
        routing: [{ queue: 'leads', team: null, assigneeId: null, ...routingReason('R13.escalated_via', { reason: input.reason, source: input.source }) }],
        audit: [{ actor, action: 'conversation.escalated', detail: { escalationId: e.id, reason: input.reason, source: input.source } }],
        system: [systemLine(svc, cur, 'system.escalated', null)],
      };
      return andThen(moved, tryAssign(svc, after(cur, moved), candidates(svc, tx), at));
    }),
    'invalid_state',
    'only an open conversation can be escalated',
  );
  const row = e;
  publishAll(svc, out);
  await svc.events.emit('conversation.changed', { conversationId: c.id });
  await svc.events.emit('escalation.created', { escalation: row });
  return row;
}

export async function fromWidget(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'escalation.create'>): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  const e = await escalate(svc, c, { reason: f.reason, description: f.description, environment: f.environment, justification: f.justification, source: 'widget' }, 'requester');
  io.reply(EscalationCreated, { type: 'escalation.created', ref: f.ref, escalation: escalationView(e) });
}

/** R14: "Did this answer your question?" — yes/no and an optional comment, once resolved. */
export async function feedback(svc: Services, io: HandlerIo, p: RequesterPrincipal, f: F<'feedback.submit'>): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  if (c.status !== 'resolved') throw new AjudaError('invalid_state');
  const value = { answered: f.answered, ...(f.comment ? { comment: f.comment } : {}) };
  const at = svc.clock.iso();
  await guarded(
    svc.store.recordFeedback(c.id, { status: 'resolved' }, () => ({
      at,
      patch: { feedback: value, updatedAt: at },
      audit: [{ actor: 'requester', action: 'feedback.recorded', detail: value }],
    })),
  );
  io.reply(FeedbackRecorded, { type: 'feedback.recorded', ref: f.ref, conversationId: c.id, ...value });
  await svc.events.emit('feedback.recorded', { conversationId: c.id, ...value });
  await svc.events.emit('conversation.changed', { conversationId: c.id });
}

/** The requester's escalation and feedback frames. */
export const escalationHandlers: readonly HandlerEntry[] = [
  on('escalation.create', REQUESTERS, fromWidget),
  on('feedback.submit', REQUESTERS, feedback),
];
