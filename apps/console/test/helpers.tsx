import type { Locale } from '@ajuda/i18n';
import type { AgentConversationView, AgentView } from '@ajuda/protocol';
import { PROTOCOL_VERSION } from '@ajuda/protocol';
import { act, render } from '@testing-library/preact';
import type { Ticker } from '../src/clock.ts';
import type { SocketLike } from '../src/connection.ts';
import { makeT } from '../src/i18n.ts';
import { Shell } from '../src/Shell.tsx';
import type { Store } from '../src/store.ts';

/** A frame the console sent, as the fake socket recorded it. */
export type SentFrame = { type: string; ref?: string; conversationId?: string; clientMsgId?: string; [k: string]: unknown };

/** A fake WebSocket (tests only): records what the console sends, lets the test play the server. */
export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: SentFrame[] = [];
  closedWith: number | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as SentFrame);
  }
  close(code = 1000) {
    this.closedWith = code;
    this.readyState = 3;
  }
  // test side
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverSend(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  sentOfType(type: string) {
    return this.sent.filter((f) => f.type === type);
  }
  lastOfType(type: string) {
    const all = this.sentOfType(type);
    return all[all.length - 1];
  }
}

/** A clock the test moves by hand, driving a ticker like the real one. */
export function manualTicker(start: number): Ticker & { advance(ms: number): void; set(ms: number): void } {
  let now = start;
  const listeners = new Set<() => void>();
  return {
    now: () => now,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    advance(ms) {
      now += ms;
      for (const l of [...listeners]) l();
    },
    set(ms) {
      now = ms;
      for (const l of [...listeners]) l();
    },
  };
}

export const NOW = Date.parse('2025-03-10T12:00:00.000Z');
export const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

export const JOAO: AgentView = { id: 'ag_joao', name: 'João', role: 'agent', languages: ['pt', 'en'], teams: [], available: true };
export const LEA: AgentView = { id: 'ag_lea', name: 'Lea', role: 'lead', languages: ['pt', 'en', 'es'], teams: [], available: true };
export const EMMA: AgentView = { id: 'ag_emma', name: 'Emma', role: 'agent', languages: ['en'], teams: [], available: false };

export function conversation(over: Partial<AgentConversationView> & { id: string }): AgentConversationView {
  return {
    channel: 'platform',
    requestType: 'general_question',
    status: 'queued',
    priority: 'P4',
    priorityTrace: [],
    language: 'pt',
    answers: { question: 'How do I map fields?' },
    realmId: null,
    requester: { kind: 'visitor', verified: false, name: null, email: null, userId: null, claims: null, contractMatch: 'unknown' },
    queue: 'support',
    team: null,
    assignee: null,
    createdAt: iso(-60 * 60_000),
    updatedAt: iso(-60 * 60_000),
    lastSeq: 0,
    unread: 0,
    sla: { firstResponseDueAt: iso(60 * 60_000), nextResponseDueAt: null, resolutionDueAt: null, breached: [] },
    routingLog: [],
    escalated: false,
    feedback: null,
    ...over,
  };
}

export const INCIDENT_ANSWERS = {
  pipeline: { name: 'Orders sync', key: 'ORD-SYNC-01' },
  environment: 'Prod',
  impact: 'partial',
  workaround: 'no',
  errorMessage: 'HTTP 500 from ERP endpoint',
  errorAt: '2025-03-10T09:15:00.000Z',
  expected: 'Orders arrive in ERP',
  observed: 'Orders stuck in retry',
  analysis: 'Replayed 3 orders in Test: same error',
};

export function verifiedIncident(over: Partial<AgentConversationView> = {}): AgentConversationView {
  return conversation({
    id: 'c_inc',
    requestType: 'incident',
    priority: 'P2',
    priorityTrace: ['environment:Prod', 'impact:partial', 'workaround:no'],
    answers: INCIDENT_ANSWERS,
    realmId: 'acme',
    requester: { kind: 'realm_user', verified: true, name: 'Ana Souza', email: 'ana@acme.example', userId: 'u_ana', claims: null, contractMatch: 'contract' },
    assignee: { id: JOAO.id, name: JOAO.name },
    status: 'assigned',
    routingLog: [{ at: iso(-50 * 60_000), queue: 'support', team: null, assigneeId: JOAO.id, reason: 'language:pt' }],
    ...over,
  });
}

export interface Harness {
  socket: FakeSocket;
  store: Store;
  ticker: ReturnType<typeof manualTicker>;
  container: HTMLElement;
  unmount(): void;
  server(frame: object): void;
}

/** Render the signed-in console over a fake socket and complete the handshake and inbox load. */
export function renderShell(opts: { me?: AgentView; locale?: Locale; conversations?: AgentConversationView[]; agents?: AgentView[]; hash?: string; now?: number } = {}): Harness {
  const me = opts.me ?? JOAO;
  const locale = opts.locale ?? 'en';
  const ticker = manualTicker(opts.now ?? NOW);
  history.replaceState(null, '', opts.hash ?? '#/inbox');
  FakeSocket.instances = [];
  let store!: Store;
  const r = render(
    <Shell
      me={me}
      t={makeT(locale)}
      locale={locale}
      setLocale={() => undefined}
      ticker={ticker}
      socketUrl="ws://console.test/ws/agent"
      socketFactory={(url) => new FakeSocket(url)}
      onSignOut={() => undefined}
      onSessionEnded={() => undefined}
      storeRef={(s) => (store = s)}
    />,
  );
  const socket = FakeSocket.instances[0]!;
  const server = (frame: object) => act(() => socket.serverSend(frame));
  act(() => socket.open());
  server({ type: 'session.ready', v: PROTOCOL_VERSION, principal: { kind: 'agent', agent: me }, locale, heartbeatMs: 0 });
  server({ type: 'inbox', conversations: opts.conversations ?? [], agents: opts.agents ?? [JOAO, EMMA, LEA] });
  return { socket, store, ticker, container: r.container as HTMLElement, unmount: r.unmount, server };
}

/** Answer the console's pending `conversation.open` with a snapshot. */
export function answerOpen(h: Harness, conv: AgentConversationView, extra: Record<string, unknown> = {}) {
  const req = h.socket.lastOfType('conversation.open');
  if (!req) throw new Error('console did not send conversation.open');
  h.server({ type: 'conversation.snapshot', ref: req.ref, conversation: conv, messages: [], escalations: [], grant: null, ...extra });
}
