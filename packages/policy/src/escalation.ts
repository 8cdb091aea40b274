import type { ConversationStatus, Priority, QueueKind } from '@ajuda/protocol';

/** R13: the three grounds on which a requester may escalate. */
export const ESCALATION_REASONS = ['disagree', 'scenario_changed', 'other_engineer'] as const;

/**
 * R13: only an open conversation (queued or assigned) may be escalated; not one still in intake,
 * nor a resolved or closed one (reopen first, see `afterFeedback`).
 *
 * @example canEscalate('assigned') // true
 */
export function canEscalate(status: ConversationStatus): boolean {
  return status === 'queued' || status === 'assigned';
}

/**
 * R13: the effect of an escalation: the conversation joins the support leads' queue; its priority
 * is kept (escalating does not by itself change it).
 *
 * @example escalationOutcome({ priority: 'P3', queue: 'support', team: null }) // { priority: 'P3', queue: 'leads', team: null, ... }
 */
export function escalationOutcome(c: { priority: Priority | null; queue: QueueKind; team: string | null }): {
  priority: Priority | null;
  queue: 'leads';
  team: null;
  reason: string;
} {
  return { priority: c.priority, queue: 'leads', team: null, reason: 'R13: escalated by the requester; connected with a support lead, priority unchanged.' };
}
