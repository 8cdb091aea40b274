import type * as schema from './schema.ts';
import type { RealmSeed } from './repo.ts';
import type { Agent, AuditEntry, Pipeline, Project } from './store.ts';

/**
 * The administration part of the store port (`Store.admin`): teams, agents' accounts and their
 * one-time set-password links, canned replies, SLA tiers and the realm directory one realm at a
 * time. Every command writes its audit row in its own transaction; each re-reads what it decides
 * on there (an email taken, a team still in use, a link already used) and answers with a result
 * instead of writing when the state forbids it.
 *
 * Adapters: `sqliteAdmin` (admin-sqlite.ts), `pgAdmin` (admin-pg.ts); both pass the admin part of
 * test/store.contract.test.ts.
 */

export type Team = typeof schema.teams.$inferSelect & {
  /** Agents whose `teams` name it. */
  members: number;
};
export type CannedReply = typeof schema.cannedReplies.$inferSelect;
export type Invite = typeof schema.agentInvites.$inferSelect;
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
export interface Targets {
  firstResponseMin: number;
  nextResponseMin: number;
  resolutionMin: number;
}
/** An SLA tier (R10): the targets an agreement of this tier promises, per priority. */
export interface SlaTier {
  id: string;
  name: string;
  targets: Record<Priority, Targets>;
  updatedAt: string;
}
/** One realm as the directory holds it (the administrators' read-only view). */
export interface RealmEntry {
  id: string;
  name: string;
  createdAt: string;
  contract: { emailDomains: string[]; active: boolean; tier: string } | null;
  projects: Project[];
  pipelines: Pipeline[];
}
export type AgentPatch = Partial<Pick<Agent, 'name' | 'role' | 'languages' | 'teams'>>;
export type CannedPatch = Partial<Pick<CannedReply, 'language' | 'shortcut' | 'title' | 'body'>>;

export interface AdminStore {
  // teams
  listTeams(): Promise<Team[]>;
  /** False (nothing written) when a team with this id exists. */
  createTeam(t: { id: string; name: string }, at: string, audit: AuditEntry): Promise<boolean>;
  renameTeam(id: string, name: string, at: string, audit: AuditEntry): Promise<boolean>;
  /** `in_use`: an agent or a project still names it (nothing written). */
  deleteTeam(id: string, at: string, audit: AuditEntry): Promise<'deleted' | 'not_found' | 'in_use'>;

  // agents
  /** False (nothing written) when an agent has this email (case-insensitive) or this id. */
  createAgent(a: Agent, at: string, audit: AuditEntry): Promise<boolean>;
  /** The agent as committed; undefined when there is no such agent. */
  updateAgent(id: string, patch: AgentPatch, at: string, audit: AuditEntry): Promise<Agent | undefined>;
  /** Enable a disabled agent; false if there is no such agent. */
  enableAgent(id: string, at: string, audit: AuditEntry): Promise<boolean>;
  /**
   * A new one-time set-password link for an agent (only its hash is stored). Every earlier unused
   * link of that agent stops working. False when there is no such agent.
   */
  createInvite(i: Omit<Invite, 'usedAt'>, audit: AuditEntry): Promise<boolean>;
  findInvite(tokenHash: string): Promise<Invite | undefined>;
  /**
   * Use a link: only once, before it expires, for an agent who is not disabled. Sets the password,
   * ends the agent's sessions (a reset signs every device out) and marks the link used, in one
   * transaction; undefined (nothing written) when the link is unknown, used, expired or the agent disabled.
   */
  redeemInvite(tokenHash: string, passwordHash: string, at: string, audit: AuditEntry): Promise<Agent | undefined>;

  // canned replies
  listCanned(language?: CannedReply['language']): Promise<CannedReply[]>;
  /** `taken`: the language already has this shortcut (or the id exists). */
  createCanned(c: CannedReply, audit: AuditEntry): Promise<'created' | 'taken'>;
  updateCanned(id: string, patch: CannedPatch, at: string, audit: AuditEntry): Promise<CannedReply | 'not_found' | 'taken'>;
  deleteCanned(id: string, at: string, audit: AuditEntry): Promise<boolean>;

  // SLA tiers (R10)
  listSlaTiers(): Promise<SlaTier[]>;
  /** Insert or replace a tier; `created` tells which. */
  putSlaTier(t: SlaTier, audit: AuditEntry): Promise<{ created: boolean }>;
  /** `in_use`: a contract names it (nothing written). */
  deleteSlaTier(id: string, at: string, audit: AuditEntry): Promise<'deleted' | 'not_found' | 'in_use'>;
  /** Each realm's contract tier (realms without a contract are left out). */
  contractTiers(): Promise<Map<string, string>>;

  // the realm directory, one realm at a time
  listRealms(): Promise<RealmEntry[]>;
  /**
   * Make one realm exactly `r`: its name, its contract (or none) and exactly the projects and
   * pipelines listed (others of this realm are removed). Idempotent; `created` when it was new.
   */
  putRealm(r: RealmSeed, at: string, audit: AuditEntry): Promise<{ created: boolean }>;
  /** Remove a realm and its contract, projects and pipelines (conversations keep their realm id). False when absent. */
  deleteRealm(id: string, at: string, audit: AuditEntry): Promise<boolean>;

  /** The latest audit rows, newest first (administration's trail). */
  recentAudit(limit: number): Promise<Array<{ id: number; at: string; actor: string; action: string; conversationId: string | null; realmId: string | null; detail: Record<string, unknown> }>>;
}
