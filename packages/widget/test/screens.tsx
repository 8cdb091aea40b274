import type { ComponentChildren } from 'preact';
import { App } from '../src/ui/App.tsx';
import { ConversationScreen, EscalateScreen } from '../src/ui/Conversation.tsx';
import { GrantsScreen } from '../src/ui/Grants.tsx';
import { IntakeForm } from '../src/ui/IntakeForm.tsx';
import type { AppState } from '../src/state.ts';
import { REQUEST_TYPES } from '@ajuda/protocol';
import { translator, type Locale } from '@ajuda/i18n';
import { CATALOGS, conv, directory, msg, realmUser, visitor } from './helpers.tsx';

export interface ScreenCase {
  name: string;
  ui: (locale: Locale) => ComponentChildren;
  state: Partial<AppState>;
  /** Submit the first form after render (to show validation errors). */
  submit?: boolean;
}

const messages = {
  c_7Hx2Q: [msg(1, 'system', 'Conversation queued'), msg(2, 'requester', 'It fails'), msg(3, 'agent', 'Looking into it')],
};
const hourAhead = new Date(Date.now() + 3_600_000).toISOString();

/** Every screen of the widget in the states worth checking (used by the i18n and axe tests). */
export const SCREENS: ScreenCase[] = [
  {
    name: 'home (visitor, offline, with an error notice)',
    ui: () => <App />,
    state: { principal: visitor, requestTypes: ['general_question', 'technical_question', 'auth_incident', 'contract_question'], listLoaded: true, status: 'offline', notice: { code: 'rate_limited', retryAfter: 30 } },
  },
  {
    name: 'home (realm user with conversations and grants link)',
    ui: () => <App />,
    state: {
      principal: realmUser,
      requestTypes: REQUEST_TYPES.map((d) => d.id),
      listLoaded: true,
      conversations: { c_7Hx2Q: conv(), c_8Kp1: conv({ id: 'c_8Kp1', status: 'resolved', requestType: 'dev_question' }) },
    },
  },
  ...REQUEST_TYPES.map(
    (d): ScreenCase => ({
      name: `intake ${d.id} with errors`,
      ui: (l) => <IntakeForm requestType={d.id} onDone={() => {}} t={translator(CATALOGS[l], l)} />,
      state: { principal: realmUser, directory },
      submit: true,
    }),
  ),
  {
    name: 'intake incident as a visitor (free text pipeline)',
    ui: (l) => <IntakeForm requestType="incident" onDone={() => {}} t={translator(CATALOGS[l], l)} />,
    state: { principal: visitor },
  },
  {
    name: 'conversation (assigned, typing, pending and failed messages)',
    ui: () => <ConversationScreen id="c_7Hx2Q" />,
    state: {
      principal: realmUser,
      conversations: { c_7Hx2Q: conv() },
      messages,
      agentRead: { c_7Hx2Q: 2 },
      agentTyping: { c_7Hx2Q: true },
      outbox: [
        { conversationId: 'c_7Hx2Q', clientMsgId: 'm1', body: 'pending', at: hourAhead },
        { conversationId: 'c_7Hx2Q', clientMsgId: 'm2', body: 'refused', at: hourAhead, failed: 'conversation_closed' },
      ],
    },
  },
  {
    name: 'conversation (queued, unassigned, no messages)',
    ui: () => <ConversationScreen id="c_7Hx2Q" />,
    state: { principal: visitor, conversations: { c_7Hx2Q: conv({ status: 'queued', assignee: null, escalated: true }) } },
  },
  {
    name: 'conversation (intake pending)',
    ui: () => <ConversationScreen id="c_7Hx2Q" />,
    state: { principal: visitor, conversations: { c_7Hx2Q: conv({ status: 'intake', priority: null }) } },
  },
  {
    name: 'conversation (resolved, feedback asked)',
    ui: () => <ConversationScreen id="c_7Hx2Q" />,
    state: { principal: realmUser, conversations: { c_7Hx2Q: conv({ status: 'resolved' }) }, messages, feedbackRequested: { c_7Hx2Q: true } },
  },
  {
    name: 'conversation (resolved, answered no)',
    ui: () => <ConversationScreen id="c_7Hx2Q" />,
    state: { principal: realmUser, conversations: { c_7Hx2Q: conv({ status: 'resolved', feedback: { answered: false } }) }, messages },
  },
  {
    name: 'conversation (closed)',
    ui: () => <ConversationScreen id="c_7Hx2Q" />,
    state: { principal: realmUser, conversations: { c_7Hx2Q: conv({ status: 'closed' }) }, messages },
  },
  {
    name: 'escalate with errors',
    ui: () => <EscalateScreen id="c_7Hx2Q" />,
    state: { principal: realmUser, conversations: { c_7Hx2Q: conv() } },
    submit: true,
  },
  {
    name: 'grants with an active grant',
    ui: () => <GrantsScreen />,
    state: {
      principal: realmUser,
      grants: [
        { id: 'g1', level: 'write', grantedBy: 'Ana Souza', createdAt: new Date().toISOString(), expiresAt: hourAhead, revokedAt: null },
        { id: 'g0', level: 'write', grantedBy: 'Ana Souza', createdAt: new Date().toISOString(), expiresAt: hourAhead, revokedAt: new Date().toISOString() },
      ],
    },
  },
  {
    name: 'grants with none',
    ui: () => <GrantsScreen />,
    state: { principal: realmUser, grants: [] },
  },
];
