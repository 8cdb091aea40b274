import type {
  AgentConversationView,
  AttachmentView,
  AgentView,
  EscalationView,
  GrantView,
  MessageView,
  PipelineView,
  ProjectView,
  ServerFrame,
} from '@ajuda/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConnectionStatus } from './connection.ts';

export interface PendingMessage {
  clientMsgId: string;
  conversationId: string;
  kind: 'text' | 'note';
  body: string;
  /** Files the message takes (uploaded before it was sent); retried with it, by the same ids. */
  attachments?: AttachmentView[];
  failed: boolean;
}

export interface RealmState {
  realmId: string;
  pipelines: PipelineView[];
  projects: ProjectView[];
  grant: GrantView | null;
}

export interface OpenConversation {
  id: string;
  loaded: boolean;
  messages: MessageView[];
  pending: PendingMessage[];
  escalations: EscalationView[];
  grant: GrantView | null;
  requesterTyping: boolean;
  /** Highest seq the requester has read (read receipts). */
  requesterReadSeq: number;
  realm: RealmState | null;
  /** `read`: escalated or transferred away from this agent, who may still follow it (R13). */
  access: 'handle' | 'read';
  /** The conversation as the last snapshot showed it (the pane's fallback when it is not in the inbox). */
  view: AgentConversationView | null;
  /** The server no longer lets this agent read it: the pane says what happened instead of an error. */
  gone: boolean;
}

export interface SlaBreach {
  conversationId: string;
  clock: 'first_response' | 'next_response' | 'resolution';
  at: string;
}

export interface Notice {
  i18nKey: string;
  code: string;
}

export interface ConsoleState {
  status: ConnectionStatus;
  me: AgentView | null;
  inboxLoaded: boolean;
  conversations: Readonly<Record<string, AgentConversationView>>;
  agents: AgentView[];
  open: OpenConversation | null;
  /** Escalation details by conversation id (leads' view, R13). */
  escalations: Readonly<Record<string, EscalationView[]>>;
  breaches: SlaBreach[];
  notice: Notice | null;
  /** The largest file the server takes (session.ready): a bigger one is refused before it is sent. */
  uploadMaxBytes?: number;
}

export type Action =
  | { type: 'frame'; frame: ServerFrame }
  | { type: 'status'; status: ConnectionStatus }
  | { type: 'open'; id: string }
  | { type: 'close' }
  | { type: 'pending.add'; message: PendingMessage }
  | { type: 'pending.failed'; clientMsgId: string }
  | { type: 'pending.retry'; clientMsgId: string }
  | { type: 'open.gone'; id: string }
  | { type: 'notice.clear' };

export function initialState(me: AgentView | null = null): ConsoleState {
  return { status: 'connecting', me, inboxLoaded: false, conversations: {}, agents: [], open: null, escalations: {}, breaches: [], notice: null };
}

function emptyOpen(id: string): OpenConversation {
  return { id, loaded: false, messages: [], pending: [], escalations: [], grant: null, requesterTyping: false, requesterReadSeq: 0, realm: null, access: 'handle', view: null, gone: false };
}

/** Insert by seq, ignoring a seq we already hold (at-least-once delivery, exactly-once display). */
export function insertMessage(list: readonly MessageView[], m: MessageView): MessageView[] {
  if (list.some((x) => x.seq === m.seq)) return list as MessageView[];
  const out = [...list];
  let i = out.length;
  while (i > 0 && out[i - 1]!.seq > m.seq) i--;
  out.splice(i, 0, m);
  return out;
}

function mergeEscalations(map: Readonly<Record<string, EscalationView[]>>, list: readonly EscalationView[]) {
  if (list.length === 0) return map;
  const out: Record<string, EscalationView[]> = { ...map };
  for (const e of list) {
    const cur = out[e.conversationId] ?? [];
    if (!cur.some((x) => x.id === e.id)) out[e.conversationId] = [...cur, e];
  }
  return out;
}

function withOpen(state: ConsoleState, id: string, fn: (o: OpenConversation) => OpenConversation): ConsoleState {
  if (!state.open || state.open.id !== id) return state;
  return { ...state, open: fn(state.open) };
}

/** The console's state machine: every server frame and UI intent goes through here (pure). */
export function reduce(state: ConsoleState, action: Action): ConsoleState {
  switch (action.type) {
    case 'status':
      return { ...state, status: action.status };
    case 'open':
      if (state.open?.id === action.id) return state;
      return { ...state, open: emptyOpen(action.id) };
    case 'close':
      return { ...state, open: null };
    case 'pending.add':
      return withOpen(state, action.message.conversationId, (o) => ({ ...o, pending: [...o.pending, action.message] }));
    case 'pending.failed':
    case 'pending.retry': {
      if (!state.open) return state;
      const failed = action.type === 'pending.failed';
      return {
        ...state,
        open: { ...state.open, pending: state.open.pending.map((p) => (p.clientMsgId === action.clientMsgId ? { ...p, failed } : p)) },
      };
    }
    case 'notice.clear':
      return { ...state, notice: null };
    case 'open.gone':
      return withOpen(state, action.id, (o) => ({ ...o, gone: true }));
    case 'frame':
      return reduceFrame(state, action.frame);
  }
}

function reduceFrame(state: ConsoleState, f: ServerFrame): ConsoleState {
  switch (f.type) {
    case 'session.ready':
      return f.principal.kind === 'agent' ? { ...state, me: f.principal.agent, uploadMaxBytes: f.uploadMaxBytes } : state;
    case 'inbox': {
      const conversations: Record<string, AgentConversationView> = {};
      for (const c of f.conversations) conversations[c.id] = c;
      return { ...state, inboxLoaded: true, conversations, agents: f.agents };
    }
    case 'agent.conversation.updated': {
      const c = f.conversation;
      const next = { ...state, conversations: { ...state.conversations, [c.id]: c } };
      // In this agent's queues again (transferred back, reassigned): they handle it, not only read it.
      if (state.open?.id === c.id) next.open = { ...state.open, view: c, access: 'handle', gone: false };
      return next;
    }
    case 'agent.conversation.removed': {
      if (!(f.conversationId in state.conversations)) return state;
      const { [f.conversationId]: _gone, ...rest } = state.conversations;
      return { ...state, conversations: rest };
    }
    case 'conversation.snapshot': {
      const c = f.conversation;
      const base = state.open?.id === c.id ? state.open : emptyOpen(c.id);
      const access = f.access ?? 'handle';
      const known = new Set(f.messages.map((m) => m.clientMsgId).filter(Boolean));
      const open: OpenConversation = {
        ...base,
        loaded: true,
        messages: [...f.messages].sort((a, b) => a.seq - b.seq),
        // A message we sent before a reconnect may already be committed: drop it from pending.
        pending: base.pending.filter((p) => !known.has(p.clientMsgId)),
        escalations: f.escalations,
        grant: f.grant,
        access,
        view: c,
        gone: false,
      };
      // A conversation this agent may only read is not one of their queues: it stays out of the inbox.
      let conversations = state.conversations;
      if (access === 'handle') conversations = { ...conversations, [c.id]: c };
      else if (c.id in conversations) {
        const { [c.id]: _read, ...rest } = conversations;
        conversations = rest;
      }
      return {
        ...state,
        conversations,
        open: state.open?.id === c.id ? open : state.open,
        escalations: mergeEscalations(state.escalations, f.escalations),
      };
    }
    case 'message.created': {
      const m = f.message;
      return withOpen(state, m.conversationId, (o) => ({
        ...o,
        messages: insertMessage(o.messages, m),
        pending: m.clientMsgId ? o.pending.filter((p) => p.clientMsgId !== m.clientMsgId) : o.pending,
        requesterTyping: m.sender.role === 'requester' ? false : o.requesterTyping,
      }));
    }
    case 'message.ack':
      return withOpen(state, f.conversationId, (o) => {
        const p = o.pending.find((x) => x.clientMsgId === f.clientMsgId);
        if (!p) return o;
        const message: MessageView = {
          conversationId: f.conversationId,
          seq: f.seq,
          sender: { role: 'agent', ...(state.me ? { name: state.me.name } : {}) },
          kind: p.kind,
          body: p.body,
          clientMsgId: p.clientMsgId,
          ...(p.attachments ? { attachments: p.attachments } : {}),
          at: f.at,
        };
        return { ...o, messages: insertMessage(o.messages, message), pending: o.pending.filter((x) => x !== p) };
      });
    case 'typing':
      if (f.from !== 'requester') return state;
      return withOpen(state, f.conversationId, (o) => (o.requesterTyping === f.on ? o : { ...o, requesterTyping: f.on }));
    case 'read.receipt':
      if (f.by !== 'requester') return state;
      return withOpen(state, f.conversationId, (o) => (f.lastReadSeq > o.requesterReadSeq ? { ...o, requesterReadSeq: f.lastReadSeq } : o));
    case 'realm.snapshot':
      return withOpen(state, f.conversationId, (o) => ({
        ...o,
        realm: { realmId: f.realmId, pipelines: f.pipelines, projects: f.projects, grant: f.grant },
        grant: f.grant,
      }));
    case 'agent.escalation':
      return { ...state, escalations: mergeEscalations(state.escalations, [f.escalation]) };
    case 'sla.breached': {
      if (state.breaches.some((b) => b.conversationId === f.conversationId && b.clock === f.clock)) return state;
      return { ...state, breaches: [{ conversationId: f.conversationId, clock: f.clock, at: f.at }, ...state.breaches].slice(0, 200) };
    }
    case 'error':
      // Errors answering a request are shown where the request was made; the rest become a notice.
      if (f.ref) return state;
      return { ...state, notice: { code: f.code, i18nKey: f.i18nKey ?? `error.${f.code}` } };
    default:
      return state;
  }
}

/**
 * A tiny external store: one state object, replaced on each action; components pick slices
 * with `useStore` and re-render only when their slice changes identity.
 *
 * @example const store = new Store(initialState()); store.dispatch({ type: 'status', status: 'ready' });
 */
export class Store {
  private listeners = new Set<() => void>();
  constructor(private state: ConsoleState) {}
  get(): ConsoleState {
    return this.state;
  }
  dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const l of [...this.listeners]) l();
  }
  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/** Subscribe a component to a slice of the store. */
export function useStore<T>(store: Store, select: (s: ConsoleState) => T): T {
  const [value, setValue] = useState(() => select(store.get()));
  const selectRef = useRef(select);
  selectRef.current = select;
  const valueRef = useRef(value);
  valueRef.current = value;
  useEffect(() => {
    const check = () => {
      const next = selectRef.current(store.get());
      if (!Object.is(next, valueRef.current)) {
        valueRef.current = next;
        setValue(() => next);
      }
    };
    check();
    return store.subscribe(check);
  }, [store]);
  return select(store.get());
}
