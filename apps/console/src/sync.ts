import type { AgentConversationView } from '@ajuda/protocol';
import type { AgentConnection } from './connection.ts';
import type { ConsoleState, OpenConversation, Store } from './store.ts';

type Conn = Pick<AgentConnection, 'request'>;

/** The highest seq the open pane holds (notes included: agents get them too). */
export function heldSeq(o: OpenConversation): number {
  return o.messages.length ? o.messages[o.messages.length - 1]!.seq : 0;
}

/** A change that may have moved the conversation between queues, people or subscriptions. */
function routingChanged(a: AgentConversationView, b: AgentConversationView): boolean {
  return a.status !== b.status || a.queue !== b.queue || a.team !== b.team || a.escalated !== b.escalated || (a.assignee?.id ?? null) !== (b.assignee?.id ?? null);
}

/**
 * Bring the open conversation up to date. With messages already shown, by seq: `session.resume`
 * replays only what is missing and subscribes the socket again; without, or when the server no longer
 * lists it for this agent, a full `conversation.open` (which also says whether they may only read it).
 * A refusal marks the pane "gone" (it says what happened; never an error that does not clear).
 *
 * @example resyncOpen(store, conn, 'seq')
 */
export function resyncOpen(store: Store, conn: Conn, how: 'seq' | 'snapshot' = 'seq'): Promise<void> {
  const o = store.get().open;
  if (!o || store.get().status !== 'ready') return Promise.resolve();
  const id = o.id;
  const bySeq = how === 'seq' && o.loaded;
  const req = bySeq
    ? conn.request({ type: 'session.resume', conversationId: id, lastSeq: heldSeq(o) })
    : conn.request({ type: 'conversation.open', conversationId: id });
  return req.then(
    () => undefined,
    (e: { frame?: { code: string } }) => {
      const code = e.frame?.code;
      if (code === 'not_found' || code === 'forbidden') store.dispatch({ type: 'open.gone', id });
      // Too much missed for a replay: take the whole snapshot instead.
      else if (bySeq && code === 'snapshot_required') return resyncOpen(store, conn, 'snapshot');
    },
  );
}

/**
 * Keep the open conversation in sync (defect: a pane went stale after an escalation and a transfer
 * back): after every change of its row — it left the inbox, came back, changed queue, status or
 * assignee, or its last seq is ahead of what the pane holds — resync. Returns the unsubscribe.
 *
 * @example const stop = keepOpenInSync(store, conn);
 */
export function keepOpenInSync(store: Store, conn: Conn): () => void {
  let prev: ConsoleState = store.get();
  let inFlight: string | null = null;
  const run = (id: string, how: 'seq' | 'snapshot') => {
    if (inFlight === id) return;
    inFlight = id;
    void resyncOpen(store, conn, how).finally(() => {
      if (inFlight === id) inFlight = null;
    });
  };
  return store.subscribe(() => {
    const next = store.get();
    const before = prev;
    prev = next;
    const o = next.open;
    if (!o || !o.loaded || next.status !== 'ready' || before.open?.id !== o.id) return;
    const was = before.conversations[o.id];
    const now = next.conversations[o.id];
    if (was && !now && o.access === 'handle') return run(o.id, 'snapshot'); // left this agent's queues: may they still read it?
    if (!now || now === was) return;
    if (!was || routingChanged(was, now) || now.lastSeq > heldSeq(o)) run(o.id, 'seq');
  });
}
