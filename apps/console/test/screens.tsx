import type { Locale } from '@ajuda/i18n';
import { render } from '@testing-library/preact';
import type { AgentApi } from '../src/api.ts';
import { makeT } from '../src/i18n.ts';
import { SignIn } from '../src/screens/SignIn.tsx';
import { answerOpen, conversation, iso, LEA, renderShell, verifiedIncident } from './helpers.tsx';

/** Every console screen in a rich state, for the i18n and accessibility tests. */
export const SCREENS = ['signin', 'inbox', 'conversation', 'conversation-visitor', 'leads'] as const;
export type ScreenName = (typeof SCREENS)[number];

const noApi: AgentApi = { me: async () => null, login: async () => ({ ok: false, reason: 'bad_credentials' }), logout: async () => undefined };

const escalation = {
  id: 'esc_1',
  conversationId: 'c_inc',
  reason: 'other_engineer',
  description: 'Orders still stuck after the fix',
  environment: 'Prod',
  justification: 'Second incident this week',
  source: 'widget',
  createdAt: iso(-5 * 60_000),
} as const;

const pipelines = [
  { id: 'pl_orders', name: 'Orders sync', key: 'ORD-SYNC-01', environment: 'Prod', status: 'running', projectId: null, inProjectPhase: false },
  { id: 'pl_migration', name: 'Legacy migration', key: 'MIG-LEG-04', environment: 'Test', status: 'paused', projectId: 'prj_migration', inProjectPhase: true },
];

export function renderScreen(name: ScreenName, locale: Locale): { container: HTMLElement; unmount(): void } {
  if (name === 'signin') {
    const r = render(<SignIn api={noApi} t={makeT(locale)} locale={locale} setLocale={() => undefined} onSignedIn={() => undefined} endedReason="token_expired" />);
    return { container: r.container as HTMLElement, unmount: r.unmount };
  }
  const breached = conversation({
    id: 'c_breach',
    priority: 'P1',
    requestType: 'technical_question',
    answers: { question: 'Why?', topic: 'Mapping' },
    sla: { firstResponseDueAt: iso(-60_000), nextResponseDueAt: null, resolutionDueAt: null, breached: ['first_response'] },
    requester: { kind: 'visitor', verified: false, name: null, email: null, userId: null, claims: { name: 'Carla', email: 'carla@x.example', realm: 'acme' }, contractMatch: 'no_contract' },
    unread: 2,
  });
  const incident = verifiedIncident({ escalated: true, queue: 'leads', feedback: { answered: true, comment: 'Thanks' }, status: 'resolved' });
  const project = conversation({ id: 'c_proj', queue: 'project', team: 'acme-migration', requestType: 'dev_question', language: 'es', answers: { question: 'q', logic: 'l', pipeline: { name: 'Legacy migration', key: 'MIG-LEG-04' }, environment: 'Test' } });
  const auth = conversation({ id: 'c_auth', channel: 'login', requestType: 'auth_incident', answers: { email: 'a@b.example', whatHappens: 'x', when: iso(-1000) }, assignee: { id: LEA.id, name: LEA.name }, status: 'assigned' });
  const contract = conversation({ id: 'c_contract', channel: 'website', requestType: 'contract_question', priority: null });
  const all = [breached, incident, project, auth, contract];
  const hash = name === 'conversation' ? '#/inbox/c_inc' : name === 'conversation-visitor' ? '#/inbox/c_breach' : name === 'leads' ? '#/leads' : '#/inbox';
  const h = renderShell({ me: LEA, locale, conversations: all, hash });
  h.server({ type: 'agent.escalation', escalation });
  h.server({ type: 'sla.breached', conversationId: 'c_breach', clock: 'first_response', at: iso(-60_000) });
  if (name === 'conversation') {
    answerOpen(h, { ...incident, status: 'assigned' }, {
      messages: [
        { conversationId: 'c_inc', seq: 1, sender: { role: 'requester', name: 'Ana Souza' }, kind: 'text', body: 'Orders are stuck', at: iso(-9000) },
        { conversationId: 'c_inc', seq: 2, sender: { role: 'system' }, kind: 'system', body: 'Assigned', at: iso(-8000) },
        { conversationId: 'c_inc', seq: 3, sender: { role: 'agent', name: 'Lea' }, kind: 'note', body: 'Check ERP', at: iso(-7000) },
        { conversationId: 'c_inc', seq: 4, sender: { role: 'agent', name: 'Lea' }, kind: 'text', body: 'Looking', at: iso(-6000) },
      ],
      escalations: [escalation],
    });
    const rv = h.socket.lastOfType('realm.view')!;
    h.server({
      type: 'realm.snapshot',
      ref: rv.ref,
      conversationId: 'c_inc',
      realmId: 'acme',
      pipelines,
      projects: [{ id: 'prj_migration', name: 'ERP migration', ongoing: true }],
      grant: { id: 'g1', level: 'write', grantedBy: 'Ana Souza', createdAt: iso(-1000), expiresAt: iso(600_000), revokedAt: null },
    });
    h.server({ type: 'typing', conversationId: 'c_inc', from: 'requester', on: true });
    h.server({ type: 'read.receipt', conversationId: 'c_inc', by: 'requester', lastReadSeq: 4 });
    // After the snapshot, the conversation resolves: feedback panel and reopen show too.
    h.server({ type: 'agent.conversation.updated', conversation: incident });
  }
  if (name === 'conversation-visitor') answerOpen(h, breached);
  return { container: h.container, unmount: h.unmount };
}
