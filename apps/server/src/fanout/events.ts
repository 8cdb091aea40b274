import type { ConversationRow, EscalationRow, MessageRow, PipelineRow } from '@ajuda/db';
import type { SessionState } from '../session/port.ts';

/**
 * The domain events: what happened, after it committed. Domain code emits them; the fan-out
 * module turns them into frames per audience, and any other listener (webhooks, email, metrics)
 * subscribes by name with a typed payload — no edit to domain files.
 *
 * Payloads carry rows as they were read after the commit; a listener must not write them back.
 */
export interface DomainEvents {
  /** A message was appended (text, note or system line). `origin` is the sender's socket, which already has its ack. */
  'message.created': { message: MessageRow; origin?: SessionState | undefined; /** Known when the emitter had it (carried between processes). */ ownerKey?: string | undefined };
  /** A conversation was created (its requester already has `conversation.started`). */
  'conversation.started': { conversationId: string };
  /** A conversation's state changed (status, priority, queue, assignee, feedback…). */
  'conversation.changed': { conversationId: string };
  /** Someone read up to `lastReadSeq`. */
  'conversation.read': { conversation: ConversationRow; by: 'agent' | 'requester'; lastReadSeq: number };
  /** A typing indicator, never stored. */
  'typing.changed': { conversation: ConversationRow; from: 'agent' | 'requester'; on: boolean };
  /** R14: a resolved conversation asks its requester whether it answered the question. */
  'feedback.requested': { conversation: ConversationRow };
  /** R14: the requester answered. */
  'feedback.recorded': { conversationId: string; answered: boolean; comment?: string };
  /** R13: a conversation was escalated to the leads. */
  'escalation.created': { escalation: EscalationRow };
  /** R10: a clock breached (recorded once per clock). */
  'sla.breached': { conversationId: string; clock: 'first_response' | 'next_response' | 'resolution'; at: string };
  /** R12: a realm's grants changed (created, revoked). */
  'grants.changed': { realmId: string };
  /** R12d: support changed a pipeline under the customer's grant (paused, resumed); the pipeline as committed. */
  'pipeline.changed': { realmId: string; pipeline: PipelineRow };
  /** An agent's availability changed. */
  'agent.changed': { agentId: string; available: boolean };
  /** An agent's login session ended (logout: that session's sockets) or the agent was disabled (all of them). */
  'agent.ended': { agentId: string; reason: 'logout' | 'disabled'; sessionHash?: string | undefined };
}

export type EventName = keyof DomainEvents;
/**
 * How an event reached this process. `remote`: another Ajuda process committed it and the cluster
 * bus carried it here (a hint: it may arrive late, twice, or not at all). Listeners that act on
 * sockets of this process take both; a listener with an effect outside (a webhook, an email) must
 * act on local events only, or every process would send it.
 */
export interface EmitMeta {
  remote: boolean;
}
/** A listener; one that does slow I/O (a webhook) should queue it and return at once. */
export type Listener<E extends EventName> = (payload: DomainEvents[E], meta: EmitMeta) => void | Promise<void>;
type Listeners = { [E in EventName]?: Array<Listener<E>> };

/**
 * The in-process domain event bus. `emit` calls the listeners at once, in subscription order
 * (so the frames they send keep the order the domain emitted them in), and resolves when the
 * promises they returned have settled: a handler that awaits `emit` answers after the fan-out.
 * A listener that throws or rejects is logged and stops neither the others nor the handler.
 *
 * @example
 * const off = svc.events.on('escalation.created', ({ escalation }) => { webhooks.enqueue('escalation.created', escalation); });
 * off(); // unsubscribe
 */
export class EventBus {
  private readonly listeners: Listeners = {};

  constructor(private readonly onError: (err: unknown, event: EventName) => void = () => {}) {}

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    const list: Array<Listener<E>> = this.listeners[event] ?? [];
    list.push(listener);
    this.listeners[event] = list as Listeners[E];
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  emit<E extends EventName>(event: E, payload: DomainEvents[E], meta: EmitMeta = LOCAL): Promise<void> {
    const list: Array<Listener<E>> | undefined = this.listeners[event];
    if (!list?.length) return DONE;
    let pending: Array<Promise<void>> | null = null;
    for (const l of [...list]) {
      try {
        const r = l(payload, meta);
        if (r) (pending ??= []).push(r.catch((err: unknown) => this.onError(err, event)));
      } catch (err) {
        this.onError(err, event);
      }
    }
    return pending ? Promise.all(pending).then(() => undefined) : DONE;
  }

  /** How many listeners an event has. */
  count(event: EventName): number {
    return this.listeners[event]?.length ?? 0;
  }
}

const DONE: Promise<void> = Promise.resolve();
const LOCAL: EmitMeta = { remote: false };
