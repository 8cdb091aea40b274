import type {
  GrantView,
  Locale,
  MessageView,
  PipelineView,
  ProjectView,
  RequestType,
  RequesterConversationView,
} from '@ajuda/protocol';
import type { ConnStatus, OutboxEntry } from './connection.ts';
import type { RequesterPrincipal, WidgetServerFrame as ServerFrame } from './guards.ts';

/** Which screen the panel shows. */
export type View =
  | { name: 'home' }
  | { name: 'intake'; requestType: RequestType; conversationId?: string }
  | { name: 'conversation'; id: string }
  | { name: 'escalate'; id: string }
  | { name: 'grants' }
  /** A help-centre article: `back` is where Back and "I still need help" return (an intake form), `text` what the person searched for. */
  | { name: 'article'; slug: string; back?: { name: 'intake'; requestType: RequestType; conversationId?: string }; text?: string };

export interface Notice {
  code: string;
  i18nKey?: string;
  retryAfter?: number;
}

/** Everything the screens render. Updated only through `reduce` (frames) and small setters. */
export interface AppState {
  status: ConnStatus;
  view: View;
  locale: Locale;
  /** The panel is visible on the host page (host.show / host.hide). */
  visible: boolean;
  principal: RequesterPrincipal | null;
  requestTypes: RequestType[];
  /** The largest file the server takes (session.ready); unknown until then. */
  uploadMaxBytes?: number;
  conversations: Record<string, RequesterConversationView>;
  listLoaded: boolean;
  /** Messages per conversation, sorted by seq, one per seq. */
  messages: Record<string, MessageView[]>;
  outbox: readonly OutboxEntry[];
  agentTyping: Record<string, boolean>;
  /** What the agent has read (read receipts, "Seen"). */
  agentRead: Record<string, number>;
  /** What this requester has read (unread count). */
  myRead: Record<string, number>;
  feedbackRequested: Record<string, boolean>;
  directory: { pipelines: PipelineView[]; projects: ProjectView[] } | null;
  grants: GrantView[] | null;
  notice: Notice | null;
  /** Text for the aria-live region (new messages). */
  announcement: string;
  primaryColor: string | null;
}

export function initialState(locale: Locale): AppState {
  return {
    status: 'connecting',
    view: { name: 'home' },
    locale,
    visible: true,
    principal: null,
    requestTypes: [],
    conversations: {},
    listLoaded: false,
    messages: {},
    outbox: [],
    agentTyping: {},
    agentRead: {},
    myRead: {},
    feedbackRequested: {},
    directory: null,
    grants: null,
    notice: null,
    announcement: '',
    primaryColor: null,
  };
}

/**
 * Inserts a message keeping seq order and one entry per seq (dedupe is also done by the connection;
 * this keeps the view right even if a frame is delivered twice).
 * @example insertMessage([m1, m3], m2) // [m1, m2, m3]
 */
export function insertMessage(list: readonly MessageView[], m: MessageView): MessageView[] {
  let i = list.length;
  while (i > 0 && list[i - 1]!.seq > m.seq) i--;
  if (i > 0 && list[i - 1]!.seq === m.seq) return list as MessageView[];
  return [...list.slice(0, i), m, ...list.slice(i)];
}

/**
 * Takes conversations from the server, with its read positions: what the agent has read ("Seen") and
 * what this requester has read (unread count) are right after a reload too. Positions only move forward.
 */
function withConversations(s: AppState, list: readonly RequesterConversationView[]): AppState {
  const conversations = { ...s.conversations };
  const agentRead = { ...s.agentRead };
  const myRead = { ...s.myRead };
  for (const c of list) {
    conversations[c.id] = c;
    agentRead[c.id] = Math.max(agentRead[c.id] ?? 0, c.agentReadSeq);
    myRead[c.id] = Math.max(myRead[c.id] ?? 0, c.requesterReadSeq);
  }
  return { ...s, conversations, agentRead, myRead };
}

/** Applies one server frame to the state. Pure. */
export function reduce(s: AppState, f: ServerFrame): AppState {
  switch (f.type) {
    case 'session.ready':
      return { ...s, principal: f.principal, requestTypes: f.requestTypes ?? [], uploadMaxBytes: f.uploadMaxBytes, notice: null };
    case 'conversation.list.result':
      return { ...withConversations(s, f.conversations), listLoaded: true };
    case 'conversation.started':
    case 'conversation.updated': {
      const c = f.conversation;
      const feedbackRequested =
        c.status === 'resolved' && !c.feedback ? { ...s.feedbackRequested, [c.id]: true } : s.feedbackRequested;
      return { ...withConversations(s, [c]), feedbackRequested };
    }
    case 'message.created': {
      const m = f.message;
      if (m.kind === 'note') return s; // never shown to requesters (the server does not send them either)
      const list = s.messages[m.conversationId] ?? [];
      const next = insertMessage(list, m);
      if (next === list) return s;
      const conv = s.conversations[m.conversationId];
      const conversations =
        conv && m.seq > conv.lastSeq ? { ...s.conversations, [conv.id]: { ...conv, lastSeq: m.seq } } : s.conversations;
      const fromOther = m.sender.role !== 'requester';
      // History replayed on resume (seq the conversation already had) is not announced again.
      const isNew = !conv || m.seq > conv.lastSeq;
      return {
        ...s,
        messages: { ...s.messages, [m.conversationId]: next },
        conversations,
        agentTyping: fromOther ? { ...s.agentTyping, [m.conversationId]: false } : s.agentTyping,
        announcement: fromOther && isNew ? `${m.sender.name ?? ''}\u2002${m.body}`.trim() : s.announcement,
      };
    }
    case 'message.ack': {
      // Our own message is committed: it becomes a real message at its seq.
      const entry = s.outbox.find((e) => e.clientMsgId === f.clientMsgId);
      if (!entry) return s;
      const m: MessageView = {
        conversationId: f.conversationId,
        seq: f.seq,
        sender: { role: 'requester' },
        kind: 'text',
        body: entry.body,
        clientMsgId: f.clientMsgId,
        // Its files stay with it (the server's message.created carries the same views).
        ...(entry.files?.length ? { attachments: entry.files } : {}),
        at: f.at,
      };
      const list = s.messages[f.conversationId] ?? [];
      return {
        ...s,
        messages: { ...s.messages, [f.conversationId]: insertMessage(list, m) },
        // Writing means having read everything before it.
        myRead: { ...s.myRead, [f.conversationId]: Math.max(s.myRead[f.conversationId] ?? 0, f.seq) },
      };
    }
    case 'typing':
      if (f.from === 'requester') return s;
      return { ...s, agentTyping: { ...s.agentTyping, [f.conversationId]: f.on } };
    case 'read.receipt':
      if (f.by !== 'agent') return s;
      return { ...s, agentRead: { ...s.agentRead, [f.conversationId]: Math.max(s.agentRead[f.conversationId] ?? 0, f.lastReadSeq) } };
    case 'realm.directory':
      return { ...s, directory: { pipelines: f.pipelines, projects: f.projects } };
    case 'grant.list':
      return { ...s, grants: f.grants };
    case 'feedback.requested':
      return { ...s, feedbackRequested: { ...s.feedbackRequested, [f.conversationId]: true } };
    case 'feedback.recorded': {
      const conv = s.conversations[f.conversationId];
      const feedback = { answered: f.answered, ...(f.comment ? { comment: f.comment } : {}) };
      return {
        ...s,
        conversations: conv ? { ...s.conversations, [conv.id]: { ...conv, feedback } } : s.conversations,
        feedbackRequested: { ...s.feedbackRequested, [f.conversationId]: false },
      };
    }
    case 'escalation.created': {
      const conv = s.conversations[f.escalation.conversationId];
      return conv ? { ...s, conversations: { ...s.conversations, [conv.id]: { ...conv, escalated: true } } } : s;
    }
    case 'error':
      return {
        ...s,
        notice: { code: f.code, ...(f.i18nKey ? { i18nKey: f.i18nKey } : {}), ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}) },
      };
    default:
      return s;
  }
}

/** Unread messages from agents (and system) across conversations: the launcher badge. */
export function unreadCount(s: AppState): number {
  let n = 0;
  for (const [id, list] of Object.entries(s.messages)) {
    const read = s.myRead[id] ?? 0;
    for (const m of list) if (m.seq > read && m.sender.role !== 'requester') n++;
  }
  return n;
}

/** Conversations newest first. */
export function conversationList(s: AppState): RequesterConversationView[] {
  return Object.values(s.conversations).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/**
 * A minimal observable store.
 * @example const store = new Store(initialState('en')); store.subscribe(() => render(store.get()));
 */
export class Store {
  private listeners = new Set<() => void>();
  constructor(private state: AppState) {}
  get(): AppState {
    return this.state;
  }
  set(update: Partial<AppState> | ((s: AppState) => AppState)): void {
    const next = typeof update === 'function' ? update(this.state) : { ...this.state, ...update };
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  }
  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
