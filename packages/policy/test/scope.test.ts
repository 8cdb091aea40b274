import { describe, expect, it } from 'vitest';
import { REQUEST_TYPES } from '@ajuda/protocol';
import { R8E_TEMPLATE_KEY, SCOPE_TEMPLATES, TEMPLATE_KEYS, adjustmentDecision, routeConversation, scopeDecision } from '../src/index.ts';
import { PL_ORDERS, route } from './fixtures.ts';

describe('out of scope', () => {
  for (const t of REQUEST_TYPES.map((x) => x.id)) {
    const auto = t === 'contract_question';
    it(`R8: scopeDecision for ${t} is ${auto ? 'an automatic polite close' : 'none'}`, () => {
      expect(scopeDecision(t)).toEqual(auto ? { kind: 'auto_close', messageKey: 'system.contract_question', rule: 'R8a' } : { kind: 'none' });
    });
  }
  it('R8: every out-of-scope rule that needs words has one canned template, with a distinct key', () => {
    expect(SCOPE_TEMPLATES.map((t) => t.rule)).toEqual(['R8a', 'R8b', 'R8c', 'R8e']);
    expect(new Set(TEMPLATE_KEYS).size).toBe(TEMPLATE_KEYS.length);
    for (const k of TEMPLATE_KEYS) expect(k).toMatch(/^template\.[a-z_]+$/);
  });
  it('R8a: a contract question is answered with the pointer to the account contact and closed', () => {
    const d = scopeDecision('contract_question');
    expect(d.kind).toBe('auto_close');
    expect(d.kind === 'auto_close' && d.rule).toBe('R8a');
    expect(SCOPE_TEMPLATES.find((t) => t.rule === 'R8a')?.key).toBe('template.contract');
  });
  it('R8b: a complex adjustment is routed to the project team, even with a grant', () => {
    expect(routeConversation(route({ pipeline: PL_ORDERS, flaggedComplex: true })).queue).toBe('project');
    const grant = [{ id: 'g1', realmId: 'acme', level: 'write' as const, expiresAt: new Date(10_000), revokedAt: null }];
    expect(adjustmentDecision('change_mapping_strategy', grant, 'acme', new Date(0))).toEqual({ kind: 'route_to_project', rule: 'R12d' });
  });
  it('R8b: there is a canned reply saying the change goes to the project team', () => {
    expect(SCOPE_TEMPLATES.find((t) => t.rule === 'R8b')?.key).toBe('template.project_team');
  });
  it('R8c: there is a canned reply explaining that project-phase pipelines belong to the project team', () => {
    expect(SCOPE_TEMPLATES.find((t) => t.rule === 'R8c')?.key).toBe('template.project_phase');
  });
  it('R8e: the external-systems reply template is exported under its key', () => {
    expect(R8E_TEMPLATE_KEY).toBe('template.external_systems');
    expect(SCOPE_TEMPLATES.find((t) => t.rule === 'R8e')?.key).toBe(R8E_TEMPLATE_KEY);
  });
});
