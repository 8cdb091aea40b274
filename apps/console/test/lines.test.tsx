import { afterEach, describe, expect, it } from 'vitest';
import type { Locale } from '@ajuda/i18n';
import type { AgentConversationView } from '@ajuda/protocol';
import { answerOpen, iso, renderShell, verifiedIncident, type Harness } from './helpers.tsx';

/**
 * R11: rule, routing, priority and system lines arrive as codes + params and are shown in the
 * agent's console language; lines stored as text before codes still show as stored.
 */
let h: Harness | null = null;
afterEach(() => {
  h?.unmount();
  h = null;
});

const CODED: Partial<AgentConversationView> = {
  priorityTrace: [],
  priorityLines: [
    { code: 'R9.environment', params: { environment: 'Prod' } },
    { code: 'R9.impact', params: { impact: 'partial' } },
    { code: 'R9.workaround_no' },
    { code: 'R9.proposed', params: { priority: 'P2', why: 'prod_no_workaround' } },
    { code: 'R9.changed', params: { name: 'Léa Martins', from: 'P3', to: 'P2', note: 'Go-live amanhã' } },
  ],
  routingLog: [
    { at: iso(-50 * 60_000), queue: 'support', team: null, assigneeId: null, reason: 'default.support', code: 'default.support', params: { requestType: 'incident' } },
    { at: iso(-49 * 60_000), queue: 'support', team: null, assigneeId: 'ag_joao', reason: 'R11.assigned', code: 'R11.assigned', params: { name: 'João', language: 'es' } },
    { at: iso(-40 * 60_000), queue: 'project', team: 'acme-migration', assigneeId: null, reason: 'transferred_to_team', code: 'transferred_to_team', params: { by: 'João', queue: 'project', team: 'acme-migration', note: 'muda a estratégia' } },
    { at: iso(-30 * 60_000), queue: 'leads', team: null, assigneeId: null, reason: 'R13.escalated_via', code: 'R13.escalated_via', params: { reason: 'disagree', source: 'widget' } },
    { at: iso(-20 * 60_000), queue: 'leads', team: null, assigneeId: null, reason: 'R10.breached_clock', code: 'R10.breached_clock', params: { clock: 'first_response' } },
  ],
};

const SYSTEM = [
  { conversationId: 'c_inc', seq: 1, sender: { role: 'system' }, kind: 'system', body: 'Thanks, we have everything we need…', key: 'system.queued', params: { id: 'c_inc', minutes: 240 }, at: iso(-50 * 60_000) },
  { conversationId: 'c_inc', seq: 2, sender: { role: 'system' }, kind: 'system', body: 'João is now looking after your conversation.', key: 'system.assigned', params: { name: 'João' }, at: iso(-49 * 60_000) },
];

const PIPELINES = [
  { id: 'pl_orders', name: 'Orders sync', key: 'ORD-SYNC-01', environment: 'Prod', status: 'running', projectId: null, inProjectPhase: false },
  { id: 'pl_migration', name: 'Legacy migration', key: 'MIG-LEG-04', environment: 'Test', status: 'paused', projectId: null, inProjectPhase: false },
];
const GRANT = { id: 'gr_1', level: 'write', grantedBy: 'Ana Souza', createdAt: iso(-60_000), expiresAt: iso(30 * 60_000), revokedAt: null };

function open(locale: Locale, over: Partial<AgentConversationView> = CODED) {
  const conv = verifiedIncident(over);
  h = renderShell({ locale, conversations: [conv], hash: `#/inbox/${conv.id}` });
  answerOpen(h, conv, { messages: SYSTEM });
  const req = h.socket.lastOfType('realm.view')!;
  h.server({ type: 'realm.snapshot', ref: req.ref, conversationId: 'c_inc', realmId: 'acme', pipelines: PIPELINES, projects: [], grant: GRANT });
  return h;
}

const text = (h: Harness, sel: string) => [...h.container.querySelectorAll<HTMLElement>(sel)].map((e) => e.textContent ?? '');

/** English words of the rule, routing, system, status and grant lines: none may show in a pt or es console. */
const ENGLISH = /\b(assigned to|speaks|goes to the support queue|proposed|impact:|workaround|changed|transferred|escalated|breached|target|is now looking after|we aim to answer|running|paused|Customer granted|expires in)\b/i;

describe('coded lines in the console language (R11)', () => {
  it('R11: pt: routing history, priority reasons, system messages, pipeline statuses and the grant line show no English rule text', () => {
    const h = open('pt');
    const all = [...text(h, '.timeline li'), ...text(h, '.trace li'), ...text(h, '.msg--system'), ...text(h, '.realm')].join('\n');
    expect(all).not.toMatch(ENGLISH);
    expect(all).toContain('R11: atribuída a João: disponível, fala espanhol, com menos conversas abertas.');
    expect(all).toContain('Padrão: o tipo de pedido “incidente” vai para a fila de suporte.');
    expect(all).toContain('Transferida por João para a equipe do projeto (acme-migration): muda a estratégia');
    expect(all).toContain('R13: escalonada (discorda do resultado) via widget.');
    expect(all).toContain('R10: a meta de primeira resposta foi violada; enviada aos líderes.');
    expect(all).toContain('R9: proposta P2 (Alta): indisponibilidade ou degradação impactando Prod sem contorno definido.');
    expect(all).toContain('R9: Léa Martins alterou P3 → P2: Go-live amanhã');
    expect(all).toContain('João está agora cuidando da sua conversa.');
    expect(all).toContain('pretendemos responder em até 4 horas');
    expect(text(h, '.realm td')).toEqual(expect.arrayContaining(['em execução', 'pausado']));
    // A sentence each: no "concedeu acesso de escrita expira em".
    expect(h.container.querySelector('.banner--grant')!.textContent).toMatch(/^O cliente concedeu acesso de escrita\. Expira em 30m 00s \(concedido por Ana Souza\)\./);
  });

  it('R11: es: the same lines in Spanish', () => {
    const h = open('es');
    const all = [...text(h, '.timeline li'), ...text(h, '.trace li'), ...text(h, '.msg--system'), ...text(h, '.realm')].join('\n');
    expect(all).not.toMatch(ENGLISH);
    expect(all).toContain('R11: asignada a João: disponible, habla español, con menos conversaciones abiertas.');
    expect(all).toContain('R9: impacto: indisponibilidad parcial.');
    expect(all).toContain('João se encarga ahora de su conversación.');
    expect(text(h, '.realm td')).toEqual(expect.arrayContaining(['en ejecución', 'en pausa']));
    expect(h.container.querySelector('.banner--grant')!.textContent).toMatch(/^El cliente concedió acceso de escritura\. Caduca en 30m 00s \(concedido por Ana Souza\)\./);
  });

  it('R11: en: the same codes read as English sentences', () => {
    const h = open('en');
    expect(text(h, '.timeline li').join('\n')).toContain('R11: assigned to João: available, speaks Spanish, fewest open conversations.');
    expect(text(h, '.trace li')).toContain('R9: proposed P2 (High): unavailability or degradation impacting Prod with no defined workaround.');
    expect(text(h, '.realm td')).toEqual(expect.arrayContaining(['running', 'paused']));
    expect(h.container.querySelector('.banner--grant')!.textContent).toMatch(/^Customer granted write access\. Expires in 30m 00s/);
  });

  it('R11: lines stored as text before codes still show as stored', () => {
    const h = open('pt', {
      priorityTrace: ['R9: proposed P4 (Low): no unavailability.'],
      routingLog: [{ at: iso(-50 * 60_000), queue: 'support', team: null, assigneeId: null, reason: 'Default: general_question goes to the support queue.' }],
    });
    expect(text(h, '.timeline li').join('')).toContain('Default: general_question goes to the support queue.');
    expect(text(h, '.trace li')).toEqual(['R9: proposed P4 (Low): no unavailability.']);
  });
});
