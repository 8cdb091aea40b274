import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Locale, QueueKind } from '@ajuda/protocol';
import { agentServesQueue, conversationLanguage, pickAgent, routeConversation, toLocale, type AgentCandidate, type RouteInput } from '../src/index.ts';
import { PL_MIGRATION, PL_ORDERS, PRJ_DONE, PRJ_MIGRATION, route, STAFF, visitor } from './fixtures.ts';

describe('routing', () => {
  type Row = [rule: 'R4' | 'R4a' | 'R8b' | 'R8c' | 'R10' | 'R13', what: string, input: Partial<RouteInput>, queue: QueueKind, team: string | null, reason: string];
  const table: Row[] = [
    ['R4a', 'an incident about an ongoing project goes to its project team, not support', { project: PRJ_MIGRATION, projectTeam: 'acme-migration' }, 'project', 'acme-migration', 'R4a:'],
    ['R4a', 'a question about a finished project stays with support', { requestType: 'dev_question', project: PRJ_DONE, projectTeam: 'old-team' }, 'support', null, 'Default:'],
    ['R8c', 'a pipeline still in the project phase goes to the project team running it', { pipeline: PL_MIGRATION, projectTeam: 'acme-migration' }, 'project', 'acme-migration', 'R8c:'],
    ['R8c', 'a project-phase pipeline without a known team goes to the project queue unassigned to a team', { pipeline: PL_MIGRATION }, 'project', null, 'R8c:'],
    ['R8b', 'a request an agent flags as a complex adjustment goes to the project team', { pipeline: PL_ORDERS, flaggedComplex: true, projectTeam: 'acme-migration' }, 'project', 'acme-migration', 'R8b:'],
    ['R13', 'an escalated conversation goes to the support leads', { escalated: true }, 'leads', null, 'R13:'],
    ['R13', 'escalation wins over project routing', { escalated: true, pipeline: PL_MIGRATION, projectTeam: 'acme-migration' }, 'leads', null, 'R13:'],
    ['R13', 'an SLA breach brings in the support leads', { slaBreached: true }, 'leads', null, 'R10/R13:'],
    ['R10', 'a breached SLA routes to leads even for a project conversation', { slaBreached: true, project: PRJ_MIGRATION, projectTeam: 'acme-migration' }, 'leads', null, 'R10/R13:'],
    ['R4', 'a plain incident in a published pipeline goes to support', { pipeline: PL_ORDERS }, 'support', null, 'Default:'],
  ];
  const check = ([, , input, queue, team, reason]: Row) => () => {
    const d = routeConversation(route(input));
    expect(d.queue).toBe(queue);
    expect(d.team).toBe(team);
    expect(d.reason.startsWith(reason)).toBe(true);
  };
  // Literal rule prefixes, so the coverage meta-test can read the names statically.
  for (const row of table.filter((r) => r[0] === 'R4')) it(`R4: ${row[1]}`, check(row));
  for (const row of table.filter((r) => r[0] === 'R4a')) it(`R4a: ${row[1]}`, check(row));
  for (const row of table.filter((r) => r[0] === 'R8b')) it(`R8b: ${row[1]}`, check(row));
  for (const row of table.filter((r) => r[0] === 'R8c')) it(`R8c: ${row[1]}`, check(row));
  for (const row of table.filter((r) => r[0] === 'R10')) it(`R10: ${row[1]}`, check(row));
  for (const row of table.filter((r) => r[0] === 'R13')) it(`R13: ${row[1]}`, check(row));
  it('R8c: the routing reason names the pipeline as "name (key)"', () => {
    expect(routeConversation(route({ pipeline: PL_MIGRATION, projectTeam: 'acme-migration' })).reason).toContain('Legacy migration (MIG-LEG-04)');
  });
  it('R5: (property) a visitor is routed the same whatever realm facts come along, so routing is no oracle', () => {
    const pipelines = fc.constantFrom(null, PL_ORDERS, PL_MIGRATION);
    const projects = fc.constantFrom(null, PRJ_MIGRATION, PRJ_DONE);
    fc.assert(
      fc.property(pipelines, projects, fc.option(fc.string()), fc.boolean(), fc.boolean(), fc.boolean(), (pipeline, project, projectTeam, escalated, flaggedComplex, slaBreached) => {
        const v = visitor({ realm: 'acme' }, 'login');
        const withFacts = routeConversation(route({ requester: v, pipeline, project, projectTeam, escalated, flaggedComplex, slaBreached }));
        const without = routeConversation(route({ requester: v, pipeline: null, project: null, projectTeam, escalated, flaggedComplex, slaBreached }));
        expect(withFacts).toEqual(without);
      }),
    );
  });
});

describe('assignment', () => {
  const staff = (patch: Record<string, Partial<AgentCandidate>> = {}): AgentCandidate[] => STAFF.map((a) => ({ ...a, ...patch[a.id] }));
  const table: Array<[what: string, agents: AgentCandidate[], target: { queue: QueueKind; team: string | null; language: Locale }, want: string | null]> = [
    ['a Spanish conversation goes to the agent who speaks Spanish', staff(), { queue: 'support', team: null, language: 'es' }, 'sofia'],
    ['a Portuguese conversation goes to the Portuguese-speaking agent', staff(), { queue: 'support', team: null, language: 'pt' }, 'joao'],
    ['an English conversation goes to the agent with the fewest open conversations', staff(), { queue: 'support', team: null, language: 'en' }, 'emma'],
    ['ties on open conversations are broken by id', staff({ joao: { openCount: 1 } }), { queue: 'support', team: null, language: 'en' }, 'emma'],
    ['ties on open conversations are broken by id (other order)', staff({ joao: { openCount: 1 }, emma: { openCount: 1 } }).reverse(), { queue: 'support', team: null, language: 'en' }, 'emma'],
    ['unavailable agents are skipped', staff({ emma: { available: false } }), { queue: 'support', team: null, language: 'en' }, 'joao'],
    ['a lead takes support only when no agent speaks the language', staff({ sofia: { available: false } }), { queue: 'support', team: null, language: 'es' }, 'lea'],
    ['nobody fits: the conversation waits', staff({ sofia: { available: false }, lea: { available: false } }), { queue: 'support', team: null, language: 'es' }, null],
    ['the leads queue goes to a lead only', staff(), { queue: 'leads', team: null, language: 'en' }, 'lea'],
    ['the leads queue waits rather than going to an agent', staff({ lea: { available: false } }), { queue: 'leads', team: null, language: 'en' }, null],
    ['the project queue goes to the project team of that team', staff(), { queue: 'project', team: 'acme-migration', language: 'pt' }, 'pedro'],
    ['the project queue of another team does not go to pedro', staff(), { queue: 'project', team: 'globex-rollout', language: 'pt' }, null],
    ['a project conversation in Spanish waits for a Spanish-speaking project-team member', staff(), { queue: 'project', team: 'acme-migration', language: 'es' }, null],
    ['no candidates at all: null', [], { queue: 'support', team: null, language: 'en' }, null],
  ];
  for (const [what, agents, target, want] of table) {
    it(`R11: ${what}`, () => {
      expect(pickAgent(agents, target)).toBe(want);
    });
  }
  it('R11: (property) a picked agent is always available and speaks the language', () => {
    const cand = fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      role: fc.constantFrom<'agent' | 'lead' | 'project-team'>('agent', 'lead', 'project-team'),
      languages: fc.subarray<Locale>(['pt', 'en', 'es']),
      teams: fc.subarray(['t1', 't2']),
      available: fc.boolean(),
      openCount: fc.nat(5),
    });
    fc.assert(
      fc.property(fc.array(cand, { maxLength: 8 }), fc.constantFrom<QueueKind>('support', 'project', 'leads'), fc.constantFrom(null, 't1'), fc.constantFrom<Locale>('pt', 'en', 'es'), (agents, queue, team, language) => {
        const id = pickAgent(agents, { queue, team, language });
        if (id === null) return;
        const chosen = agents.filter((a) => a.id === id);
        expect(chosen.some((a) => a.available && a.languages.includes(language) && agentServesQueue(a, queue, team))).toBe(true);
      }),
    );
  });
  const serves: Array<[role: AgentCandidate['role'], teams: string[], queue: QueueKind, team: string | null, want: boolean]> = [
    ['agent', [], 'support', null, true],
    ['agent', [], 'project', 'acme-migration', false],
    ['agent', [], 'leads', null, false],
    ['lead', [], 'support', null, true],
    ['lead', [], 'project', 'acme-migration', true],
    ['lead', [], 'leads', null, true],
    ['project-team', ['acme-migration'], 'project', 'acme-migration', true],
    ['project-team', ['acme-migration'], 'project', null, true],
    ['project-team', ['acme-migration'], 'project', 'other', false],
    ['project-team', ['acme-migration'], 'support', null, false],
  ];
  for (const [role, teams, queue, team, want] of serves) {
    it(`R7b: a ${role}${teams.length ? ` of ${teams.join(',')}` : ''} ${want ? 'serves' : 'does not serve'} the ${queue} queue${team ? ` of ${team}` : ''}`, () => {
      expect(agentServesQueue({ role, teams }, queue, team)).toBe(want);
    });
  }
});

describe('conversation language', () => {
  const table: Array<[what: string, args: [string | null, string | null, string | null], want: Locale]> = [
    ['the language the requester reads when they start comes first', ['pt', 'es-ES', 'en'], 'en'],
    ['then the identity token locale', ['pt', 'es-ES', null], 'pt'],
    ['then the locale the socket said hello in', [null, 'es-419', null], 'es'],
    ['a chosen language wins over the hello locale (picked after connecting)', [null, 'en', 'es'], 'es'],
    ['English when nothing is known', [null, null, null], 'en'],
    ['an unsupported token locale falls through to the browser', ['fr', 'pt-BR', null], 'pt'],
    ['an Accept-Language list picks its first supported tag', [null, 'de-DE,es;q=0.8,en;q=0.5', null], 'es'],
    ['region and case do not matter', ['PT_br', null, null], 'pt'],
    ['nothing supported anywhere gives English', ['fr', 'de', 'it'], 'en'],
  ];
  for (const [what, args, want] of table) {
    it(`R11: ${what}`, () => {
      expect(conversationLanguage(...args)).toBe(want);
    });
  }
  it('R11: toLocale returns null for an unsupported or empty tag', () => {
    expect(toLocale('')).toBeNull();
    expect(toLocale('ja-JP')).toBeNull();
    expect(toLocale(undefined)).toBeNull();
  });
});

