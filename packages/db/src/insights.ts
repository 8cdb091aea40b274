import type * as schema from './schema.ts';
import type { Conversation, Effects, MessageInput } from './store.ts';

/**
 * Search and reports, the parts both adapters share: which events a change writes to the
 * `conversation_events` log (decided here, from the row before and after the change, so both
 * backends write the same rows), and the shapes of the store port's search and events reads.
 *
 * The events are written by the adapters inside the command's transaction (see `apply` and
 * `appendMessage` in sqlite-store.ts and pg-store.ts): a command that rolls back writes none.
 */

export type EventKind = (typeof schema.conversationEvents.kind.enumValues)[number];

/** One row of the conversation events log (docs/reports.md says what each kind means). */
export interface ConversationEvent {
  id: number;
  conversationId: string;
  at: string;
  kind: EventKind;
  /** `agent:<id>`, `requester` or `system`; null when no one in particular. */
  actor: string | null;
  /** The conversation's priority, language, queue, team and request type when it happened. */
  priority: Conversation['priority'];
  language: Conversation['language'];
  queue: Conversation['queue'];
  team: string | null;
  requestType: string;
  /** `{ clock }` for an SLA breach, `{ answered }` for feedback, `{ assigneeId }` for an assignment. */
  detail: Record<string, unknown>;
}
export type NewEvent = Omit<ConversationEvent, 'id'>;

const dims = (c: Conversation) => ({ priority: c.priority, language: c.language, queue: c.queue, team: c.team, requestType: c.requestType });
const open = (s: Conversation['status']) => s === 'queued' || s === 'assigned';

/**
 * The events a decision's effects make, from the row before (`cur`, read in the transaction) and
 * after the change. The actor is the first audit entry's (who the command acted for).
 */
export function changeEvents(cur: Conversation, after: Conversation, e: Effects): NewEvent[] {
  const at = e.at;
  const actor = e.audit?.[0]?.actor ?? null;
  const d = dims(after);
  const out: NewEvent[] = [];
  const ev = (kind: EventKind, detail: Record<string, unknown> = {}, who: string | null = actor) => out.push({ conversationId: after.id, at, kind, actor: who, ...d, detail });
  if (after.queuedAt && after.queuedAt !== cur.queuedAt) ev('queued');
  if ((cur.status === 'resolved' || cur.status === 'closed') && open(after.status)) ev('reopened');
  if (after.assigneeId && after.assigneeId !== cur.assigneeId) ev('assigned', { assigneeId: after.assigneeId });
  if (e.escalation || (after.escalated && !cur.escalated)) ev('escalated');
  if (after.status === 'resolved' && cur.status !== 'resolved') ev('resolved');
  if (after.feedback && !cur.feedback) ev('feedback', { answered: after.feedback.answered });
  return out;
}

/**
 * The events one message makes: a requester's text, or an agent's (the first one ever in this
 * conversation also writes `first_agent_reply`). Notes and system lines make none.
 */
export function messageEvents(c: Conversation, m: Pick<MessageInput, 'who' | 'sender' | 'at'>, firstAgentReply: boolean): NewEvent[] {
  if (m.who === null) return [];
  const base = { conversationId: c.id, at: m.at, actor: m.sender, ...dims(c), detail: {} };
  if (m.who === 'requester') return [{ ...base, kind: 'requester_message' }];
  return firstAgentReply ? [{ ...base, kind: 'first_agent_reply' }, { ...base, kind: 'agent_reply' }] : [{ ...base, kind: 'agent_reply' }];
}

/** An SLA clock's breach, recorded once per conversation and clock (R10). */
export function breachEvent(c: Conversation, clock: string, at: string): NewEvent {
  return { conversationId: c.id, at, kind: 'sla_breach', actor: 'system', ...dims(c), detail: { clock } };
}

/** The columns of an event row, in the order both adapters insert them. */
export const EVENT_COLUMNS = 'conversation_id, at, kind, actor, priority, language, queue, team, request_type, detail';
export const eventValues = (e: NewEvent): unknown[] => [e.conversationId, e.at, e.kind, e.actor, e.priority, e.language, e.queue, e.team, e.requestType, JSON.stringify(e.detail)];
/** `SELECT` list of an event row, camelCased. */
export const EVENT_SELECT = `id, conversation_id AS "conversationId", at, kind, actor, priority, language, queue, team, request_type AS "requestType", detail`;
export function decodeEvent(r: Record<string, unknown>): ConversationEvent {
  let detail: Record<string, unknown> = {};
  try {
    detail = JSON.parse(String(r.detail ?? '{}')) as Record<string, unknown>;
  } catch {
    // An unreadable detail is an empty one.
  }
  return { ...(r as unknown as ConversationEvent), id: Number(r.id), detail };
}

// ── search ──

/**
 * A conversation search. `terms` are folded words (search-text.ts `queryTerms`): every one must
 * occur in the requester's name, email or realm, or all in one message (texts and notes), the last
 * as a prefix. `ids`: conversations matched by id exactly. With neither, the filters alone select.
 * Newest update first; `before` pages on after the last row of the previous page.
 */
export interface SearchQuery {
  terms: string[];
  ids: string[];
  status?: Array<Conversation['status']>;
  priority?: Array<NonNullable<Conversation['priority']>>;
  language?: Array<Conversation['language']>;
  queue?: Array<Conversation['queue']>;
  /** Created at or after / before (ISO instants). */
  createdFrom?: string;
  createdTo?: string;
  before?: { updatedAt: string; id: string };
  limit: number;
}

/**
 * The WHERE clause of a search with `?` placeholders, given how each backend matches words in the
 * conversation and message indexes, each with one `?` for `value` (null: no words to match).
 */
export function searchWhere(q: SearchQuery, match: { conversations: string; messages: string; value: string } | null): { where: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const any: string[] = [];
  if (q.ids.length) {
    any.push(`c.id IN (${q.ids.map(() => '?').join(', ')})`);
    values.push(...q.ids);
  }
  if (match) {
    any.push(match.conversations, match.messages);
    values.push(match.value, match.value);
  }
  if (any.length) parts.push(`(${any.join(' OR ')})`);
  const list = (col: string, vs: readonly unknown[] | undefined) => {
    if (!vs?.length) return;
    parts.push(`${col} IN (${vs.map(() => '?').join(', ')})`);
    values.push(...vs);
  };
  list('c.status', q.status);
  list('c.priority', q.priority);
  list('c.language', q.language);
  list('c.queue', q.queue);
  if (q.createdFrom) {
    parts.push('c.created_at >= ?');
    values.push(q.createdFrom);
  }
  if (q.createdTo) {
    parts.push('c.created_at < ?');
    values.push(q.createdTo);
  }
  if (q.before) {
    parts.push('(c.updated_at < ? OR (c.updated_at = ? AND c.id < ?))');
    values.push(q.before.updatedAt, q.before.updatedAt, q.before.id);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', values };
}

/** The store port's search and events reads (implemented by both adapters). */
export interface InsightReads {
  /**
   * Conversations matching a search, newest update first, at most `limit`. Access (R7) is the
   * caller's to check on each row, as for the inbox.
   */
  searchConversations(q: SearchQuery): Promise<Conversation[]>;
  /**
   * The events log for reports: every event at or after `from` of each conversation that has an
   * event in [from, to), per conversation in the order written.
   */
  conversationEvents(q: { from: string; to: string }): Promise<ConversationEvent[]>;
}
