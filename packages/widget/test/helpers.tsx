import { cleanup, render } from '@testing-library/preact';
import type { ComponentChildren } from 'preact';
import { afterEach, vi } from 'vitest';
import { translator, type Catalog, type Locale } from '@ajuda/i18n';
import en from '@ajuda/i18n/widget/en';
import pt from '@ajuda/i18n/widget/pt';
import es from '@ajuda/i18n/widget/es';
import type { MessageView, RequesterConversationView } from '@ajuda/protocol';
import { AppContext, type Actions } from '../src/ui/context.ts';
import { initialState, type AppState } from '../src/state.ts';

// Vitest globals are off, so Testing Library cannot register its own cleanup.
afterEach(() => cleanup());

export const CATALOGS: Record<Locale, Catalog> = { en, pt, es };

/** Drafts kept in memory, as the controller keeps them in storage. */
export function memoryDrafts(initial: Record<string, string> = {}): Pick<Actions, 'getDraft' | 'setDraft'> & { drafts: Map<string, string> } {
  const drafts = new Map(Object.entries(initial));
  return {
    drafts,
    getDraft: vi.fn((name: string) => drafts.get(name) ?? null),
    setDraft: vi.fn((name: string, value: string | null) => {
      if (value === null) drafts.delete(name);
      else drafts.set(name, value);
    }),
  };
}

/** Actions that record calls and answer ok unless a test overrides them. */
export function fakeActions(over: Partial<Actions> = {}): Actions {
  return {
    go: vi.fn(),
    startConversation: vi.fn(async () => ({ ok: true as const })),
    submitIntake: vi.fn(async () => ({ ok: true as const })),
    loadDirectory: vi.fn(),
    sendMessage: vi.fn(),
    discardMessage: vi.fn(),
    auth: vi.fn(() => 'Bearer vt_test'),
    setTyping: vi.fn(),
    markRead: vi.fn(),
    escalate: vi.fn(async () => ({ ok: true as const })),
    submitFeedback: vi.fn(async () => ({ ok: true as const })),
    reopen: vi.fn(async () => ({ ok: true as const })),
    loadGrants: vi.fn(),
    createGrant: vi.fn(async () => ({ ok: true as const })),
    revokeGrant: vi.fn(async () => ({ ok: true as const })),
    setLocale: vi.fn(),
    dismissNotice: vi.fn(),
    close: vi.fn(),
    copy: vi.fn(async () => true),
    ...memoryDrafts(),
    ...over,
  };
}

/**
 * Renders UI inside the app context with a real catalog. `missing` collects every key the UI asked
 * for that the catalog lacks, so "no missing key" is checked on what is actually rendered.
 */
export function renderApp(ui: ComponentChildren, opts: { state?: Partial<AppState>; locale?: Locale; actions?: Actions } = {}) {
  const locale = opts.locale ?? 'en';
  const catalog = CATALOGS[locale];
  const base = translator(catalog, locale);
  const missing: string[] = [];
  const t = (key: string, params?: Record<string, string | number>) => {
    if (!Object.hasOwn(catalog, key)) missing.push(key);
    return base(key, params);
  };
  const actions = opts.actions ?? fakeActions();
  const state: AppState = { ...initialState(locale), status: 'online', visible: true, ...opts.state, locale };
  const utils = render(<AppContext.Provider value={{ state, actions, t }}>{ui}</AppContext.Provider>);
  const rerenderWith = (s: Partial<AppState>) =>
    utils.rerender(<AppContext.Provider value={{ state: { ...state, ...s }, actions, t }}>{ui}</AppContext.Provider>);
  return { ...utils, actions, missing, state, rerenderWith };
}

export const realmUser = { kind: 'realm_user' as const, name: 'Ana Souza', realmName: 'Acme Integrations', canGrant: true };
export const visitor = { kind: 'visitor' as const };

export function conv(over: Partial<RequesterConversationView> = {}): RequesterConversationView {
  return {
    id: 'c_7Hx2Q',
    channel: 'platform',
    requestType: 'incident',
    status: 'assigned',
    priority: 'P2',
    language: 'en',
    answers: { environment: 'Prod' },
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    lastSeq: 0,
    firstResponseDueAt: new Date(Date.now() + 15 * 60_000 + 20_000).toISOString(),
    assignee: { name: 'Joao Pereira' },
    escalated: false,
    feedback: null,
    agentReadSeq: 0,
    requesterReadSeq: 0,
    ...over,
  };
}

export function msg(seq: number, role: 'requester' | 'agent' | 'system', body: string, conversationId = 'c_7Hx2Q'): MessageView {
  return {
    conversationId,
    seq,
    sender: role === 'agent' ? { role, name: 'Joao Pereira' } : { role },
    kind: role === 'system' ? 'system' : 'text',
    body,
    at: new Date(Date.now() - (100 - seq) * 1000).toISOString(),
  };
}

export const directory = {
  pipelines: [
    { id: 'pl_orders', name: 'Orders sync', key: 'ORD-SYNC-01', environment: 'Prod' as const, status: 'running', projectId: null, inProjectPhase: false },
    { id: 'pl_migration', name: 'Legacy migration', key: 'MIG-LEG-04', environment: 'Test' as const, status: 'running', projectId: 'prj_migration', inProjectPhase: true },
  ],
  projects: [{ id: 'prj_migration', name: 'ERP migration', ongoing: true }],
};

/** Text and accessible-name attributes of a container: where a raw i18n key would show. */
export function visibleStrings(el: Element): string[] {
  const out: string[] = [];
  // Text node by text node: textContent would glue "end." to the next "Start" and look like a key.
  const walker = el.ownerDocument.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.nodeValue?.trim()) out.push(n.nodeValue);
  for (const node of Array.from(el.querySelectorAll('*'))) {
    for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
      const v = node.getAttribute(a);
      if (v) out.push(v);
    }
  }
  return out;
}

/** Dotted identifiers like `intake.field.x.label`: a key that was not translated. */
export const RAW_KEY = /\b[a-z][a-zA-Z_]*\.[a-zA-Z_]+(?:\.[a-zA-Z_0-9]+)*\b/;
