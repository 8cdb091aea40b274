import type pg from 'pg';
import type { AdminStore, CannedReply, Invite, RealmEntry, SlaTier } from './admin-store.ts';
import type { RealmSeed } from './repo.ts';
import type { Agent, AuditEntry, Pipeline, Project } from './store.ts';

type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;
type Rows = (sql: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>;

const AGENT = `SELECT id, email, name, password_hash AS "passwordHash", role, languages, teams, available, disabled FROM agents`;
const CANNED = `SELECT id, language, shortcut, title, body, updated_at AS "updatedAt" FROM canned_replies`;
const INVITE = `SELECT token_hash AS "tokenHash", agent_id AS "agentId", purpose, created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt", used_at AS "usedAt" FROM agent_invites`;
const MEMBERS = `(SELECT count(*)::int FROM agents a, jsonb_array_elements_text(a.teams::jsonb) m WHERE m = teams.id)`;

const arr = (s: unknown): string[] => {
  try {
    const v = JSON.parse(String(s ?? '[]')) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
};
const agentRow = (r: Record<string, unknown>): Agent => ({ ...(r as Agent), languages: arr(r.languages), teams: arr(r.teams) });
const tier = (r: Record<string, unknown>): SlaTier => ({ id: r.id as string, name: r.name as string, targets: JSON.parse(r.targets as string) as SlaTier['targets'], updatedAt: r.updatedAt as string });

/**
 * The administration commands on PostgreSQL: each one transaction (`tx`) that locks the row it
 * decides on (`FOR UPDATE`) or relies on a unique constraint, so two administrators racing get
 * one winner. `rows` is a read on any pooled connection.
 */
export function pgAdmin(tx: Tx, rows: Rows): AdminStore {
  const audit = (c: pg.PoolClient, a: AuditEntry, at: string, realmId: string | null = null) =>
    c.query(`INSERT INTO audit_log (at, actor, action, conversation_id, realm_id, detail) VALUES ($1, $2, $3, NULL, $4, $5)`, [at, a.actor, a.action, realmId, JSON.stringify(a.detail ?? {})]);
  const getAgent = async (c: pg.PoolClient, id: string, lock = false) => {
    const r = (await c.query(`${AGENT} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0] as Record<string, unknown> | undefined;
    return r ? agentRow(r) : undefined;
  };

  return {
    async listTeams() {
      return (await rows(`SELECT id, name, created_at AS "createdAt", ${MEMBERS} AS members FROM teams ORDER BY name, id`)) as never;
    },
    createTeam: (t, at, a) =>
      tx(async (c) => {
        const r = await c.query(`INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, [t.id, t.name, at]);
        if (!r.rowCount) return false;
        await audit(c, a, at);
        return true;
      }),
    renameTeam: (id, name, at, a) =>
      tx(async (c) => {
        if (!(await c.query(`UPDATE teams SET name = $1 WHERE id = $2`, [name, id])).rowCount) return false;
        await audit(c, a, at);
        return true;
      }),
    deleteTeam: (id, at, a) =>
      tx(async (c) => {
        if (!(await c.query(`SELECT 1 FROM teams WHERE id = $1 FOR UPDATE`, [id])).rowCount) return 'not_found' as const;
        // Agents joining the team meanwhile take their row lock after this read: lock them all first.
        await c.query(`SELECT 1 FROM agents FOR SHARE`);
        const used = await c.query(
          `SELECT 1 FROM agents a, jsonb_array_elements_text(a.teams::jsonb) m WHERE m = $1 UNION ALL SELECT 1 FROM projects WHERE team = $1 LIMIT 1`,
          [id],
        );
        if (used.rowCount) return 'in_use' as const;
        await c.query(`DELETE FROM teams WHERE id = $1`, [id]);
        await audit(c, a, at);
        return 'deleted' as const;
      }),

    createAgent: (ag, at, a) =>
      tx(async (c) => {
        // One creation at a time decides on the email (the unique index is case-sensitive; emails are not).
        await c.query(`SELECT pg_advisory_xact_lock(hashtext('ajuda.agents.email'))`);
        if ((await c.query(`SELECT 1 FROM agents WHERE id = $1 OR lower(email) = lower($2)`, [ag.id, ag.email])).rowCount) return false;
        await c.query(`INSERT INTO agents (id, email, name, password_hash, role, languages, teams, available, disabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
          ag.id, ag.email, ag.name, ag.passwordHash, ag.role, JSON.stringify(ag.languages), JSON.stringify(ag.teams), ag.available, ag.disabled,
        ]);
        await audit(c, a, at);
        return true;
      }),
    updateAgent: (id, p, at, a) =>
      tx(async (c) => {
        const cur = await getAgent(c, id, true);
        if (!cur) return undefined;
        const next = { ...cur, ...p };
        await c.query(`UPDATE agents SET name = $1, role = $2, languages = $3, teams = $4 WHERE id = $5`, [next.name, next.role, JSON.stringify(next.languages), JSON.stringify(next.teams), id]);
        await audit(c, a, at);
        return getAgent(c, id);
      }),
    enableAgent: (id, at, a) =>
      tx(async (c) => {
        if (!(await c.query(`UPDATE agents SET disabled = false WHERE id = $1`, [id])).rowCount) return false;
        await audit(c, a, at);
        return true;
      }),
    createInvite: (i, a) =>
      tx(async (c) => {
        if (!(await getAgent(c, i.agentId, true))) return false;
        await c.query(`UPDATE agent_invites SET used_at = $1 WHERE agent_id = $2 AND used_at IS NULL`, [i.createdAt, i.agentId]);
        await c.query(`INSERT INTO agent_invites (token_hash, agent_id, purpose, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
          i.tokenHash, i.agentId, i.purpose, i.createdBy, i.createdAt, i.expiresAt,
        ]);
        await audit(c, a, i.createdAt);
        return true;
      }),
    async findInvite(h) {
      return (await rows(`${INVITE} WHERE token_hash = $1`, [h]))[0] as Invite | undefined;
    },
    redeemInvite: (h, passwordHash, at, a) =>
      tx(async (c) => {
        const inv = (await c.query(`${INVITE} WHERE token_hash = $1 FOR UPDATE`, [h])).rows[0] as Invite | undefined;
        if (!inv || inv.usedAt || inv.expiresAt <= at) return undefined;
        const ag = await getAgent(c, inv.agentId, true);
        if (!ag || ag.disabled) return undefined;
        await c.query(`UPDATE agent_invites SET used_at = $1 WHERE token_hash = $2`, [at, h]);
        await c.query(`UPDATE agents SET password_hash = $1 WHERE id = $2`, [passwordHash, ag.id]);
        await c.query(`UPDATE agent_sessions SET ended_at = $1 WHERE agent_id = $2 AND ended_at IS NULL`, [at, ag.id]);
        await audit(c, a, at);
        return getAgent(c, ag.id);
      }),

    async listCanned(language) {
      return (language ? await rows(`${CANNED} WHERE language = $1 ORDER BY shortcut`, [language]) : await rows(`${CANNED} ORDER BY language, shortcut`)) as CannedReply[];
    },
    createCanned: (cr, a) =>
      tx(async (c) => {
        const r = await c.query(`INSERT INTO canned_replies (id, language, shortcut, title, body, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [
          cr.id, cr.language, cr.shortcut, cr.title, cr.body, cr.updatedAt,
        ]);
        if (!r.rowCount) return 'taken' as const;
        await audit(c, a, cr.updatedAt);
        return 'created' as const;
      }),
    updateCanned: (id, p, at, a) =>
      tx(async (c) => {
        const cur = (await c.query(`${CANNED} WHERE id = $1 FOR UPDATE`, [id])).rows[0] as CannedReply | undefined;
        if (!cur) return 'not_found' as const;
        const next = { ...cur, ...p, updatedAt: at };
        const r = await c.query(
          `UPDATE canned_replies SET language = $1, shortcut = $2, title = $3, body = $4, updated_at = $5 WHERE id = $6
           AND NOT EXISTS (SELECT 1 FROM canned_replies o WHERE o.language = $1 AND o.shortcut = $2 AND o.id <> $6)`,
          [next.language, next.shortcut, next.title, next.body, at, id],
        );
        if (!r.rowCount) return 'taken' as const;
        await audit(c, a, at);
        return next;
      }),
    deleteCanned: (id, at, a) =>
      tx(async (c) => {
        if (!(await c.query(`DELETE FROM canned_replies WHERE id = $1`, [id])).rowCount) return false;
        await audit(c, a, at);
        return true;
      }),

    async listSlaTiers() {
      return (await rows(`SELECT id, name, targets, updated_at AS "updatedAt" FROM sla_tiers ORDER BY id`)).map(tier);
    },
    putSlaTier: (t, a) =>
      tx(async (c) => {
        const r = await c.query(
          `INSERT INTO sla_tiers (id, name, targets, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, targets = excluded.targets, updated_at = excluded.updated_at RETURNING (xmax = 0) AS created`,
          [t.id, t.name, JSON.stringify(t.targets), t.updatedAt],
        );
        await audit(c, a, t.updatedAt);
        return { created: !!(r.rows[0] as { created: boolean }).created };
      }),
    deleteSlaTier: (id, at, a) =>
      tx(async (c) => {
        if (!(await c.query(`SELECT 1 FROM sla_tiers WHERE id = $1 FOR UPDATE`, [id])).rowCount) return 'not_found' as const;
        if ((await c.query(`SELECT 1 FROM contracts WHERE tier = $1 LIMIT 1`, [id])).rowCount) return 'in_use' as const;
        await c.query(`DELETE FROM sla_tiers WHERE id = $1`, [id]);
        await audit(c, a, at);
        return 'deleted' as const;
      }),
    async contractTiers() {
      return new Map((await rows(`SELECT realm_id AS "realmId", tier FROM contracts`)).map((r) => [r.realmId as string, r.tier as string]));
    },

    async listRealms() {
      const [realms, contracts, projects, pipelines] = await Promise.all([
        rows(`SELECT id, name, created_at AS "createdAt" FROM realms ORDER BY name, id`),
        rows(`SELECT realm_id AS "realmId", email_domains AS "emailDomains", active, tier FROM contracts`),
        rows(`SELECT id, realm_id AS "realmId", name, ongoing, team FROM projects ORDER BY name`),
        rows(`SELECT id, realm_id AS "realmId", name, key, environment, status, project_id AS "projectId", in_project_phase AS "inProjectPhase" FROM pipelines ORDER BY name`),
      ]);
      return realms.map((r): RealmEntry => {
        const c = contracts.find((x) => x.realmId === r.id);
        return {
          id: r.id as string,
          name: r.name as string,
          createdAt: r.createdAt as string,
          contract: c ? { emailDomains: arr(c.emailDomains), active: c.active as boolean, tier: c.tier as string } : null,
          projects: projects.filter((p) => p.realmId === r.id) as Project[],
          pipelines: pipelines.filter((p) => p.realmId === r.id) as Pipeline[],
        };
      });
    },
    putRealm: (r: RealmSeed, at, a) =>
      tx(async (c) => {
        const ins = await c.query(`INSERT INTO realms (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = excluded.name RETURNING (xmax = 0) AS created`, [r.id, r.name, at]);
        // The realm row is now locked by this transaction: concurrent puts of one realm run one after another.
        await c.query(`DELETE FROM contracts WHERE realm_id = $1`, [r.id]);
        if (r.contract)
          await c.query(`INSERT INTO contracts (id, realm_id, email_domains, active, tier) VALUES ($1, $2, $3, $4, $5)`, [`ct_${r.id}`, r.id, JSON.stringify(r.contract.emailDomains), r.contract.active, r.contract.tier ?? 'default']);
        await c.query(`DELETE FROM pipelines WHERE realm_id = $1 AND NOT (id = ANY($2::text[]))`, [r.id, r.pipelines.map((p) => p.id)]);
        await c.query(`DELETE FROM projects WHERE realm_id = $1 AND NOT (id = ANY($2::text[]))`, [r.id, r.projects.map((p) => p.id)]);
        for (const p of r.projects)
          await c.query(
            `INSERT INTO projects (id, realm_id, name, ongoing, team) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, ongoing = excluded.ongoing, team = excluded.team WHERE projects.realm_id = excluded.realm_id`,
            [p.id, r.id, p.name, p.ongoing, p.team],
          );
        for (const p of r.pipelines)
          await c.query(
            `INSERT INTO pipelines (id, realm_id, name, key, environment, status, project_id, in_project_phase) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, key = excluded.key, environment = excluded.environment, status = excluded.status,
             project_id = excluded.project_id, in_project_phase = excluded.in_project_phase WHERE pipelines.realm_id = excluded.realm_id`,
            [p.id, r.id, p.name, p.key, p.environment, p.status, p.projectId, p.inProjectPhase],
          );
        await audit(c, a, at, r.id);
        return { created: !!(ins.rows[0] as { created: boolean }).created };
      }),
    deleteRealm: (id, at, a) =>
      tx(async (c) => {
        if (!(await c.query(`SELECT 1 FROM realms WHERE id = $1 FOR UPDATE`, [id])).rowCount) return false;
        await c.query(`DELETE FROM pipelines WHERE realm_id = $1`, [id]);
        await c.query(`DELETE FROM projects WHERE realm_id = $1`, [id]);
        await c.query(`DELETE FROM contracts WHERE realm_id = $1`, [id]);
        await c.query(`DELETE FROM realms WHERE id = $1`, [id]);
        await audit(c, a, at, id);
        return true;
      }),

    async recentAudit(limit) {
      return (await rows(`SELECT id, at, actor, action, conversation_id AS "conversationId", realm_id AS "realmId", detail FROM audit_log ORDER BY id DESC LIMIT $1`, [limit])).map((r) => ({
        ...(r as never as { id: number; at: string; actor: string; action: string; conversationId: string | null; realmId: string | null }),
        id: Number(r.id),
        detail: JSON.parse(r.detail as string) as Record<string, unknown>,
      }));
    },
  };
}
