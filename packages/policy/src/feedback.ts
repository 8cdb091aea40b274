import type { ConversationStatus } from '@ajuda/protocol';

/** R14: i18n key of "Did this answer your question?" (pt: "Respondeu à sua pergunta?"). */
export const FEEDBACK_QUESTION_KEY = 'feedback.question';

/**
 * R14: feedback is asked once a conversation is resolved.
 *
 * @example canGiveFeedback('resolved') // true
 */
export function canGiveFeedback(status: ConversationStatus): boolean {
  return status === 'resolved';
}

/**
 * R14: what the widget offers after the requester answers the feedback question. A "no" offers to
 * reopen or to escalate; escalating a resolved conversation reopens it first, since R13 applies to
 * open conversations only.
 *
 * @example afterFeedback(false) // ['reopen', 'escalate']
 */
export function afterFeedback(answered: boolean): Array<'reopen' | 'escalate'> {
  return answered ? [] : ['reopen', 'escalate'];
}

/**
 * R14: a resolved conversation may be reopened by its requester or an agent; closed is final.
 *
 * @example canReopen('resolved') // true
 */
export function canReopen(status: ConversationStatus): boolean {
  return status === 'resolved';
}
