import type Database from 'better-sqlite3';
import type { AdminStore, CannedReply, Invite, RealmEntry, SlaTier, Team } from './admin-store.ts';
import type { RealmSeed } from './repo.ts';
import type { Agent, AuditEntry, Pipeline, Project } from './store.ts';

type Run = <T>(fn: () => T) => Promise<T>;

const AGENT = `SELECT id, email, name, password_hash AS passwordHash, role, languages, teams, available, disabled FROM agents`;
const CANNED = `SELECT id, language, shortcut, title, body, updated_at AS updatedAt FROM canned_replies`;
const INVITE = `SELECT token_hash AS tokenHash, agent_id AS agentId, purpose, created_by AS createdBy, created_at AS createdAt, expires_at AS expiresAt, used_at AS usedAt FROM agent_invites`;

const arr = (s: unknown): string[] => {
  try {
    const v = JSON.parse(String(s ?? '[]')) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
};
const agentRow = (r: Record<string, unknown>): Agent => ({ ...(r as Agent), languages: arr(r.languages), teams: arr(r.teams), available: !!r.available, disabled: !!r.disabled });

/**
 * The administration commands on SQLite. `write` runs a closure as one command of the group
 * writer (its own savepoint: a throw rolls back only it); `read` runs a read.
 */
export function sqliteAdmin(db: () => Database.Database, write: Run, read: Run): AdminStore {
  const cache = new Map<string, Database.Statement>();
  const st = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db().prepare(sql)));
    return s;
  };
  const all = <T>(sql: string, ...v: unknown[]) => st(sql).all(...v) as T[];
  const get = <T>(sql: string, ...v: unknown[]) => st(sql).get(...v) as T | undefined;
  const run = (sql: string, ...v: unknown[]) => st(sql).run(...v).changes;
  const audit = (a: AuditEntry, at: string, realmId: string | null = null) =>
    run(`INSERT INTO audit_log (at, actor, action, conversation_id, realm_id, detail) VALUES (?, ?, ?, NULL, ?, ?)`, at, a.actor, a.action, realmId, JSON.stringify(a.detail ?? {}));
  const teamUsers = (id: string) =>
    get<{ n: number }>(`SELECT count(*) AS n FROM agents, json_each(agents.teams) j WHERE j.value = ?`, id)!.n +
    get<{ n: number }>(`SELECT count(*) AS n FROM projects WHERE team = ?`, id)!.n;
  const getAgent = (id: string) => {
    const r = get<Record<string, unknown>>(`${AGENT} WHERE id = ?`, id);
    return r ? agentRow(r) : undefined;
  };
  const tier = (r: { id: string; name: string; targets: string; updatedAt: string }): SlaTier => ({ ...r, targets: JSON.parse(r.targets) as SlaTier['targets'] });

  return {
    listTeams: () =>
      read(() =>
        all<Omit<Team, 'members'>>(`SELECT id, name, created_at AS createdAt FROM teams ORDER BY name, id`).map((t) => ({
          ...t,
          members: get<{ n: number }>(`SELECT count(*) AS n FROM agents, json_each(agents.teams) j WHERE j.value = ?`, t.id)!.n,
        })),
      ),
    createTeam: (t, at, a) =>
      write(() => {
        if (get(`SELECT 1 FROM teams WHERE id = ?`, t.id)) return false;
        run(`INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)`, t.id, t.name, at);
        audit(a, at);
        return true;
      }),
    renameTeam: (id, name, at, a) =>
      write(() => {
        if (!run(`UPDATE teams SET name = ? WHERE id = ?`, name, id)) return false;
        audit(a, at);
        return true;
      }),
    deleteTeam: (id, at, a) =>
      write(() => {
        if (!get(`SELECT 1 FROM teams WHERE id = ?`, id)) return 'not_found' as const;
        if (teamUsers(id) > 0) return 'in_use' as const;
        run(`DELETE FROM teams WHERE id = ?`, id);
        audit(a, at);
        return 'deleted' as const;
      }),

    createAgent: (ag, at, a) =>
      write(() => {
        if (get(`SELECT 1 FROM agents WHERE id = ? OR email = ? COLLATE NOCASE`, ag.id, ag.email)) return false;
        run(
          `INSERT INTO agents (id, email, name, password_hash, role, languages, teams, available, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ag.id, ag.email, ag.name, ag.passwordHash, ag.role, JSON.stringify(ag.languages), JSON.stringify(ag.teams), ag.available ? 1 : 0, ag.disabled ? 1 : 0,
        );
        audit(a, at);
        return true;
      }),
    updateAgent: (id, p, at, a) =>
      write(() => {
        const cur = getAgent(id);
        if (!cur) return undefined;
        const next = { ...cur, ...p };
        run(`UPDATE agents SET name = ?, role = ?, languages = ?, teams = ? WHERE id = ?`, next.name, next.role, JSON.stringify(next.languages), JSON.stringify(next.teams), id);
        audit(a, at);
        return getAgent(id);
      }),
    enableAgent: (id, at, a) =>
      write(() => {
        if (!run(`UPDATE agents SET disabled = 0 WHERE id = ?`, id)) return false;
        audit(a, at);
        return true;
      }),
    createInvite: (i, a) =>
      write(() => {
        if (!getAgent(i.agentId)) return false;
        run(`UPDATE agent_invites SET used_at = ? WHERE agent_id = ? AND used_at IS NULL`, i.createdAt, i.agentId);
        run(
          `INSERT INTO agent_invites (token_hash, agent_id, purpose, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
          i.tokenHash, i.agentId, i.purpose, i.createdBy, i.createdAt, i.expiresAt,
        );
        audit(a, i.createdAt);
        return true;
      }),
    findInvite: (h) => read(() => get<Invite>(`${INVITE} WHERE token_hash = ?`, h)),
    redeemInvite: (h, passwordHash, at, a) =>
      write(() => {
        const inv = get<Invite>(`${INVITE} WHERE token_hash = ?`, h);
        if (!inv || inv.usedAt || inv.expiresAt <= at) return undefined;
        const ag = getAgent(inv.agentId);
        if (!ag || ag.disabled) return undefined;
        if (!run(`UPDATE agent_invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, at, h)) return undefined;
        run(`UPDATE agents SET password_hash = ? WHERE id = ?`, passwordHash, ag.id);
        run(`UPDATE agent_sessions SET ended_at = ? WHERE agent_id = ? AND ended_at IS NULL`, at, ag.id);
        audit(a, at);
        return getAgent(ag.id);
      }),

    listCanned: (language) =>
      read(() => (language ? all<CannedReply>(`${CANNED} WHERE language = ? ORDER BY shortcut`, language) : all<CannedReply>(`${CANNED} ORDER BY language, shortcut`))),
    createCanned: (c, a) =>
      write(() => {
        if (get(`SELECT 1 FROM canned_replies WHERE id = ? OR (language = ? AND shortcut = ?)`, c.id, c.language, c.shortcut)) return 'taken' as const;
        run(`INSERT INTO canned_replies (id, language, shortcut, title, body, updated_at) VALUES (?, ?, ?, ?, ?, ?)`, c.id, c.language, c.shortcut, c.title, c.body, c.updatedAt);
        audit(a, c.updatedAt);
        return 'created' as const;
      }),
    updateCanned: (id, p, at, a) =>
      write(() => {
        const cur = get<CannedReply>(`${CANNED} WHERE id = ?`, id);
        if (!cur) return 'not_found' as const;
        const next = { ...cur, ...p, updatedAt: at };
        if (get(`SELECT 1 FROM canned_replies WHERE language = ? AND shortcut = ? AND id <> ?`, next.language, next.shortcut, id)) return 'taken' as const;
        run(`UPDATE canned_replies SET language = ?, shortcut = ?, title = ?, body = ?, updated_at = ? WHERE id = ?`, next.language, next.shortcut, next.title, next.body, at, id);
        audit(a, at);
        return next;
      }),
    deleteCanned: (id, at, a) =>
      write(() => {
        if (!run(`DELETE FROM canned_replies WHERE id = ?`, id)) return false;
        audit(a, at);
        return true;
      }),

    listSlaTiers: () => read(() => all<{ id: string; name: string; targets: string; updatedAt: string }>(`SELECT id, name, targets, updated_at AS updatedAt FROM sla_tiers ORDER BY id`).map(tier)),
    putSlaTier: (t, a) =>
      write(() => {
        const created = !get(`SELECT 1 FROM sla_tiers WHERE id = ?`, t.id);
        run(
          `INSERT INTO sla_tiers (id, name, targets, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, targets = excluded.targets, updated_at = excluded.updated_at`,
          t.id, t.name, JSON.stringify(t.targets), t.updatedAt,
        );
        audit(a, t.updatedAt);
        return { created };
      }),
    deleteSlaTier: (id, at, a) =>
      write(() => {
        if (!get(`SELECT 1 FROM sla_tiers WHERE id = ?`, id)) return 'not_found' as const;
        if (get(`SELECT 1 FROM contracts WHERE tier = ?`, id)) return 'in_use' as const;
        run(`DELETE FROM sla_tiers WHERE id = ?`, id);
        audit(a, at);
        return 'deleted' as const;
      }),
    contractTiers: () => read(() => new Map(all<{ realmId: string; tier: string }>(`SELECT realm_id AS realmId, tier FROM contracts`).map((r) => [r.realmId, r.tier]))),

    listRealms: () =>
      read(() =>
        all<{ id: string; name: string; createdAt: string }>(`SELECT id, name, created_at AS createdAt FROM realms ORDER BY name, id`).map((r): RealmEntry => {
          const c = get<{ emailDomains: string; active: number; tier: string }>(`SELECT email_domains AS emailDomains, active, tier FROM contracts WHERE realm_id = ?`, r.id);
          return {
            ...r,
            contract: c ? { emailDomains: arr(c.emailDomains), active: !!c.active, tier: c.tier } : null,
            projects: all<Omit<Project, 'ongoing'> & { ongoing: number }>(`SELECT id, realm_id AS realmId, name, ongoing, team FROM projects WHERE realm_id = ? ORDER BY name`, r.id).map((p) => ({ ...p, ongoing: !!p.ongoing })),
            pipelines: all<Omit<Pipeline, 'inProjectPhase'> & { inProjectPhase: number }>(
              `SELECT id, realm_id AS realmId, name, key, environment, status, project_id AS projectId, in_project_phase AS inProjectPhase FROM pipelines WHERE realm_id = ? ORDER BY name`,
              r.id,
            ).map((p) => ({ ...p, inProjectPhase: !!p.inProjectPhase })),
          };
        }),
      ),
    putRealm: (r: RealmSeed, at, a) =>
      write(() => {
        const created = !get(`SELECT 1 FROM realms WHERE id = ?`, r.id);
        run(`INSERT INTO realms (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name`, r.id, r.name, at);
        run(`DELETE FROM contracts WHERE realm_id = ?`, r.id);
        if (r.contract) run(`INSERT INTO contracts (id, realm_id, email_domains, active, tier) VALUES (?, ?, ?, ?, ?)`, `ct_${r.id}`, r.id, JSON.stringify(r.contract.emailDomains), r.contract.active ? 1 : 0, r.contract.tier ?? 'default');
        const keepP = JSON.stringify(r.projects.map((p) => p.id));
        const keepL = JSON.stringify(r.pipelines.map((p) => p.id));
        run(`DELETE FROM pipelines WHERE realm_id = ? AND id NOT IN (SELECT value FROM json_each(?))`, r.id, keepL);
        run(`DELETE FROM projects WHERE realm_id = ? AND id NOT IN (SELECT value FROM json_each(?))`, r.id, keepP);
        for (const p of r.projects)
          run(
            `INSERT INTO projects (id, realm_id, name, ongoing, team) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, ongoing = excluded.ongoing, team = excluded.team WHERE projects.realm_id = excluded.realm_id`,
            p.id, r.id, p.name, p.ongoing ? 1 : 0, p.team,
          );
        for (const p of r.pipelines)
          run(
            `INSERT INTO pipelines (id, realm_id, name, key, environment, status, project_id, in_project_phase) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, key = excluded.key, environment = excluded.environment, status = excluded.status,
             project_id = excluded.project_id, in_project_phase = excluded.in_project_phase WHERE pipelines.realm_id = excluded.realm_id`,
            p.id, r.id, p.name, p.key, p.environment, p.status, p.projectId, p.inProjectPhase ? 1 : 0,
          );
        audit(a, at, r.id);
        return { created };
      }),
    deleteRealm: (id, at, a) =>
      write(() => {
        if (!get(`SELECT 1 FROM realms WHERE id = ?`, id)) return false;
        run(`DELETE FROM pipelines WHERE realm_id = ?`, id);
        run(`DELETE FROM projects WHERE realm_id = ?`, id);
        run(`DELETE FROM contracts WHERE realm_id = ?`, id);
        run(`DELETE FROM realms WHERE id = ?`, id);
        audit(a, at, id);
        return true;
      }),

    recentAudit: (limit) =>
      read(() =>
        all<{ id: number; at: string; actor: string; action: string; conversationId: string | null; realmId: string | null; detail: string }>(
          `SELECT id, at, actor, action, conversation_id AS conversationId, realm_id AS realmId, detail FROM audit_log ORDER BY id DESC LIMIT ?`,
          limit,
        ).map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> })),
      ),
  };
}
