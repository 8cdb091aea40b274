import { afterEach, describe, expect, it } from 'vitest';
import type { Agent, SlaTier, Store } from '../src/index.ts';

/**
 * The administration part of the store contract (`Store.admin`): what every backend must do for
 * teams, agents' accounts and their one-time links, canned replies, SLA tiers and the realm
 * directory one realm at a time — every change audited in its own transaction, refusals writing nothing.
 */
export function adminStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`admin store contract (${name})`, () => {
    let stores: Store[] = [];
    const fresh = async () => {
      const s = await open();
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of stores) await s.close();
      stores = [];
    });
    const iso = (ms = 0) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    const who = (action: string, detail: object = {}) => ({ actor: 'agent:ad', action, detail });
    const agent = (id: string, over: Partial<Agent> = {}): Agent => ({
      id, email: `${id}@example.com`, name: id, passwordHash: 'h0', role: 'agent', languages: ['en'], teams: [], available: true, disabled: false, ...over,
    });
    const actions = async (s: Store) => (await s.admin.recentAudit(500)).map((a) => a.action).reverse();

    it('teams: created once, renamed, deleted only when no agent or project names them; each change audited', async () => {
      const s = await fresh();
      expect(await s.admin.createTeam({ id: 'red', name: 'Red' }, iso(), who('team.created'))).toBe(true);
      expect(await s.admin.createTeam({ id: 'red', name: 'Again' }, iso(), who('team.created'))).toBe(false);
      expect(await s.admin.renameTeam('red', 'Crimson', iso(1), who('team.renamed'))).toBe(true);
      expect(await s.admin.renameTeam('nope', 'X', iso(1), who('team.renamed'))).toBe(false);
      await s.admin.createAgent(agent('a1', { teams: ['red'] }), iso(2), who('agent.created'));
      expect(await s.admin.listTeams()).toEqual([{ id: 'red', name: 'Crimson', createdAt: iso(), members: 1 }]);
      expect(await s.admin.deleteTeam('red', iso(3), who('team.deleted'))).toBe('in_use');
      await s.admin.updateAgent('a1', { teams: [] }, iso(4), who('agent.updated'));
      await s.loadRealms([{ id: 'r1', name: 'R1', projects: [{ id: 'p1', name: 'P', ongoing: true, team: 'red' }], pipelines: [] }], iso(5));
      expect(await s.admin.deleteTeam('red', iso(6), who('team.deleted'))).toBe('in_use');
      await s.admin.putRealm({ id: 'r1', name: 'R1', projects: [], pipelines: [] }, iso(7), who('realm.put'));
      expect(await s.admin.deleteTeam('red', iso(8), who('team.deleted'))).toBe('deleted');
      expect(await s.admin.deleteTeam('red', iso(9), who('team.deleted'))).toBe('not_found');
      expect(await s.admin.listTeams()).toEqual([]);
      expect(await actions(s)).toEqual(['team.created', 'team.renamed', 'agent.created', 'agent.updated', 'realm.put', 'team.deleted']);
    });

    it('agents: one per email whatever its case; updates return the committed row; enable undoes disable', async () => {
      const s = await fresh();
      expect(await s.admin.createAgent(agent('a1', { email: 'Ana@Example.com' }), iso(), who('agent.created'))).toBe(true);
      expect(await s.admin.createAgent(agent('a2', { email: 'ana@example.COM' }), iso(), who('agent.created'))).toBe(false);
      expect(await s.admin.createAgent(agent('a1', { email: 'other@example.com' }), iso(), who('agent.created'))).toBe(false);
      // Two creations racing for one email: exactly one wins.
      const race = await Promise.all([1, 2, 3, 4].map((i) => s.admin.createAgent(agent(`r${i}`, { email: 'race@example.com' }), iso(), who('agent.created'))));
      expect(race.filter(Boolean)).toHaveLength(1);
      const u = await s.admin.updateAgent('a1', { role: 'lead', languages: ['pt', 'es'], teams: ['x'] }, iso(1), who('agent.updated'));
      expect(u).toMatchObject({ id: 'a1', role: 'lead', languages: ['pt', 'es'], teams: ['x'], passwordHash: 'h0' });
      expect(await s.getAgent('a1')).toEqual(u);
      expect(await s.admin.updateAgent('ghost', { name: 'G' }, iso(), who('agent.updated'))).toBeUndefined();
      await s.disableAgent('a1', iso(2), who('agent.disabled'));
      expect((await s.getAgent('a1'))!.disabled).toBe(true);
      expect(await s.admin.enableAgent('a1', iso(3), who('agent.enabled'))).toBe(true);
      expect((await s.getAgent('a1'))!.disabled).toBe(false);
      expect(await s.admin.enableAgent('ghost', iso(3), who('agent.enabled'))).toBe(false);
      expect((await actions(s)).filter((a) => a === 'agent.created')).toHaveLength(2);
    });

    it('set-password links: single use, expiring, the latest link voids earlier ones, a reset ends sessions, a disabled agent cannot use one', async () => {
      const s = await fresh();
      await s.admin.createAgent(agent('a1'), iso(), who('agent.created'));
      const link = (h: string, at = iso(), ttl = 60_000) => s.admin.createInvite({ tokenHash: h, agentId: 'a1', purpose: 'invite', createdBy: 'agent:ad', createdAt: at, expiresAt: iso(Date.parse(at) - Date.UTC(2026, 0, 1) + ttl) }, who('agent.invited'));
      expect(await s.admin.createInvite({ tokenHash: 'x', agentId: 'ghost', purpose: 'invite', createdBy: 'a', createdAt: iso(), expiresAt: iso(1) }, who('agent.invited'))).toBe(false);
      expect(await link('h1')).toBe(true);
      expect(await s.admin.findInvite('h1')).toMatchObject({ agentId: 'a1', purpose: 'invite', usedAt: null });
      await s.startAgentSession('sess', 'a1', iso(), iso(3_600_000), who('agent.login'));
      // Concurrent uses of one link: exactly one sets the password.
      const uses = await Promise.all(['p1', 'p2', 'p3'].map((p) => s.admin.redeemInvite('h1', p, iso(10), who('agent.password_set'))));
      expect(uses.filter(Boolean)).toHaveLength(1);
      const winner = uses.find(Boolean)!;
      expect((await s.getAgent('a1'))!.passwordHash).toBe(winner.passwordHash);
      expect((await s.findSession('sess'))!.endedAt).toBe(iso(10));
      expect(await s.admin.redeemInvite('h1', 'again', iso(20), who('agent.password_set'))).toBeUndefined();
      // Expired.
      await link('h2', iso(100));
      expect(await s.admin.redeemInvite('h2', 'late', iso(100 + 60_000), who('agent.password_set'))).toBeUndefined();
      // A newer link voids the older one.
      await link('h3', iso(200));
      await link('h4', iso(300));
      expect(await s.admin.redeemInvite('h3', 'old', iso(400), who('agent.password_set'))).toBeUndefined();
      // Disabled agents cannot use a link.
      await s.disableAgent('a1', iso(500), who('agent.disabled'));
      expect(await s.admin.redeemInvite('h4', 'new', iso(600), who('agent.password_set'))).toBeUndefined();
      await s.admin.enableAgent('a1', iso(700), who('agent.enabled'));
      expect((await s.admin.redeemInvite('h4', 'new', iso(800), who('agent.password_set')))!.passwordHash).toBe('new');
      expect(await s.admin.redeemInvite('nope', 'x', iso(900), who('agent.password_set'))).toBeUndefined();
      expect((await actions(s)).filter((a) => a === 'agent.password_set')).toHaveLength(2);
    });

    it('canned replies: one shortcut per language, listed per language, edited and deleted', async () => {
      const s = await fresh();
      const c = (id: string, language: 'pt' | 'en' | 'es', shortcut: string) => ({ id, language, shortcut, title: `T ${id}`, body: `B ${id}`, updatedAt: iso() });
      expect(await s.admin.createCanned(c('c1', 'en', 'hello'), who('canned.created'))).toBe('created');
      expect(await s.admin.createCanned(c('c2', 'pt', 'hello'), who('canned.created'))).toBe('created');
      expect(await s.admin.createCanned(c('c3', 'en', 'hello'), who('canned.created'))).toBe('taken');
      expect(await s.admin.createCanned(c('c1', 'es', 'other'), who('canned.created'))).toBe('taken');
      expect(await s.admin.createCanned(c('c4', 'en', 'bye'), who('canned.created'))).toBe('created');
      expect((await s.admin.listCanned('en')).map((x) => x.shortcut)).toEqual(['bye', 'hello']);
      expect((await s.admin.listCanned()).map((x) => x.id)).toEqual(['c4', 'c1', 'c2']);
      expect(await s.admin.updateCanned('c4', { shortcut: 'hello' }, iso(1), who('canned.updated'))).toBe('taken');
      expect(await s.admin.updateCanned('c4', { body: 'Goodbye!' }, iso(1), who('canned.updated'))).toMatchObject({ id: 'c4', body: 'Goodbye!', updatedAt: iso(1) });
      expect(await s.admin.updateCanned('zz', { body: 'x' }, iso(1), who('canned.updated'))).toBe('not_found');
      expect(await s.admin.deleteCanned('c4', iso(2), who('canned.deleted'))).toBe(true);
      expect(await s.admin.deleteCanned('c4', iso(2), who('canned.deleted'))).toBe(false);
      expect(await actions(s)).toEqual(['canned.created', 'canned.created', 'canned.created', 'canned.updated', 'canned.deleted']);
    });

    it('SLA tiers: saved and replaced, named by contracts, not deleted while a contract names them', async () => {
      const s = await fresh();
      const targets = { firstResponseMin: 5, nextResponseMin: 10, resolutionMin: 60 };
      const gold: SlaTier = { id: 'gold', name: 'Gold', targets: { P1: targets, P2: targets, P3: targets, P4: targets }, updatedAt: iso() };
      expect(await s.admin.putSlaTier(gold, who('sla_tier.saved'))).toEqual({ created: true });
      expect(await s.admin.putSlaTier({ ...gold, name: 'Gold+', updatedAt: iso(1) }, who('sla_tier.saved'))).toEqual({ created: false });
      expect(await s.admin.listSlaTiers()).toEqual([{ ...gold, name: 'Gold+', updatedAt: iso(1) }]);
      await s.loadRealms([{ id: 'acme', name: 'Acme', contract: { emailDomains: ['acme.example'], active: true, tier: 'gold' }, projects: [], pipelines: [] }, { id: 'b', name: 'B', contract: { emailDomains: [], active: true }, projects: [], pipelines: [] }], iso(2));
      expect(Object.fromEntries(await s.admin.contractTiers())).toEqual({ acme: 'gold', b: 'default' });
      expect(await s.admin.deleteSlaTier('gold', iso(3), who('sla_tier.deleted'))).toBe('in_use');
      await s.admin.putRealm({ id: 'acme', name: 'Acme', contract: { emailDomains: ['acme.example'], active: true }, projects: [], pipelines: [] }, iso(4), who('realm.put'));
      expect(await s.admin.deleteSlaTier('gold', iso(5), who('sla_tier.deleted'))).toBe('deleted');
      expect(await s.admin.deleteSlaTier('gold', iso(5), who('sla_tier.deleted'))).toBe('not_found');
      expect(await actions(s)).toEqual(['sla_tier.saved', 'sla_tier.saved', 'realm.put', 'sla_tier.deleted']);
    });

    it('one realm at a time: a put makes the realm exactly what it says (idempotent), a delete removes it and its directory rows', async () => {
      const s = await fresh();
      const pipe = (id: string, projectId: string | null = null) => ({ id, name: id, key: id.toUpperCase(), environment: 'Prod' as const, status: 'running', projectId, inProjectPhase: false });
      const r = { id: 'acme', name: 'Acme', contract: { emailDomains: ['acme.example'], active: true, tier: 'default' }, projects: [{ id: 'p1', name: 'P1', ongoing: true, team: null }], pipelines: [pipe('l1', 'p1'), pipe('l2')] };
      expect(await s.admin.putRealm(r, iso(), who('realm.put'))).toEqual({ created: true });
      expect(await s.admin.putRealm(r, iso(1), who('realm.put'))).toEqual({ created: false });
      const [one] = await s.admin.listRealms();
      expect(one).toMatchObject({ id: 'acme', name: 'Acme', createdAt: iso(), contract: { emailDomains: ['acme.example'], active: true, tier: 'default' } });
      expect(one!.projects).toEqual([{ id: 'p1', realmId: 'acme', name: 'P1', ongoing: true, team: null }]);
      expect(one!.pipelines.map((p) => p.id)).toEqual(['l1', 'l2']);
      expect(one!.pipelines[0]).toEqual({ ...pipe('l1', 'p1'), realmId: 'acme' });
      // Leaving a pipeline, the project and the contract out removes them.
      await s.admin.putRealm({ id: 'acme', name: 'Acme Corp', contract: null, projects: [], pipelines: [pipe('l2')] }, iso(2), who('realm.put'));
      const [two] = await s.admin.listRealms();
      expect(two).toMatchObject({ name: 'Acme Corp', contract: null, projects: [] });
      expect(two!.pipelines.map((p) => p.id)).toEqual(['l2']);
      expect(await s.pipeline('acme', 'l1')).toBeUndefined();
      expect(await s.listContracts()).toEqual([]);
      expect(await s.admin.deleteRealm('acme', iso(3), who('realm.deleted'))).toBe(true);
      expect(await s.admin.deleteRealm('acme', iso(4), who('realm.deleted'))).toBe(false);
      expect(await s.admin.listRealms()).toEqual([]);
      expect(await s.pipelines('acme')).toEqual([]);
      expect(await s.getRealm('acme')).toBeUndefined();
      // Audited against the realm.
      expect((await s.auditOfRealm('acme')).map((a) => a.action)).toEqual(['realm.put', 'realm.put', 'realm.put', 'realm.deleted']);
    });
  });
}
