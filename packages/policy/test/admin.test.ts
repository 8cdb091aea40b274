import { describe, expect, it } from 'vitest';
import { agentServesQueue, mayAdminister, mayChangeAgent, mayDisableAgent, mayManageAgent, pickAgent } from '../src/index.ts';

const admin = { id: 'ad', role: 'admin' as const, teams: [] };
const lead = { id: 'le', role: 'lead' as const, teams: ['red'] };
const agent = (teams: string[], role: 'agent' | 'project-team' | 'lead' | 'admin' = 'agent', id = 'x') => ({ id, role, teams });

describe('administration', () => {
  it('only admins administer the deployment', () => {
    expect(mayAdminister(admin)).toBe(true);
    expect(mayAdminister(lead)).toBe(false);
    expect(mayAdminister(agent(['red']))).toBe(false);
  });

  it('a lead manages the agents and project-team members of their own teams only', () => {
    expect(mayManageAgent(lead, agent(['red']))).toBe(true);
    expect(mayManageAgent(lead, agent(['red', 'blue'], 'project-team'))).toBe(true);
    expect(mayManageAgent(lead, agent(['blue']))).toBe(false);
    expect(mayManageAgent(lead, agent([]))).toBe(false);
    expect(mayManageAgent(lead, agent(['red'], 'lead'))).toBe(false);
    expect(mayManageAgent(lead, agent(['red'], 'admin'))).toBe(false);
    expect(mayManageAgent(agent(['red']), agent(['red']))).toBe(false);
    expect(mayManageAgent(admin, agent(['blue'], 'lead'))).toBe(true);
  });

  it('a lead gives only agent or project-team roles, moves only their own teams, and keeps the member in one of them', () => {
    expect(mayChangeAgent(lead, null, agent(['red']))).toBe(true);
    expect(mayChangeAgent(lead, null, agent(['blue']))).toBe(false);
    expect(mayChangeAgent(lead, null, agent(['red'], 'lead'))).toBe(false);
    expect(mayChangeAgent(lead, null, agent(['red'], 'admin'))).toBe(false);
    expect(mayChangeAgent(lead, agent(['red', 'blue']), agent(['red']))).toBe(false); // removed someone else's team
    expect(mayChangeAgent(lead, agent(['red', 'blue']), agent(['red', 'blue'], 'project-team'))).toBe(true);
    expect(mayChangeAgent(lead, agent(['red']), agent([]))).toBe(false);
    expect(mayChangeAgent(lead, agent(['blue']), agent(['blue', 'red']))).toBe(false); // not theirs to begin with
  });

  it('an admin may change anyone but cannot take away their own admin role or disable themselves', () => {
    expect(mayChangeAgent(admin, agent(['blue'], 'lead'), agent([], 'admin'))).toBe(true);
    expect(mayChangeAgent(admin, { ...admin }, { ...admin, role: 'lead' })).toBe(false);
    expect(mayDisableAgent(admin, { ...admin })).toBe(false);
    expect(mayDisableAgent(admin, agent([], 'admin', 'other'))).toBe(true);
    expect(mayDisableAgent(lead, agent(['red']))).toBe(true);
    expect(mayDisableAgent(lead, { ...lead })).toBe(false);
  });

  it('R7b/R11: admins see every queue but are never picked to answer', () => {
    expect(agentServesQueue({ role: 'admin', teams: [] }, 'project', 'red')).toBe(true);
    const base = { languages: ['en' as const], teams: [], available: true, openCount: 0 };
    expect(pickAgent([{ id: 'a', role: 'admin', ...base }], { queue: 'support', team: null, language: 'en' })).toBeNull();
    expect(pickAgent([{ id: 'a', role: 'admin', ...base }], { queue: 'leads', team: null, language: 'en' })).toBeNull();
  });
});
