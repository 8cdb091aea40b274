import type { AgentRole } from '@ajuda/protocol';

/** Who administers: an agent's role and teams as the server read them for this request. */
export interface AdminActor {
  id: string;
  role: AgentRole;
  teams: readonly string[];
}
/** An agent's account as far as administration decides on it. */
export interface ManagedAgent {
  id: string;
  role: AgentRole;
  teams: readonly string[];
}

/**
 * Administration of the whole deployment (teams, canned replies, SLA tiers, the realm directory,
 * any agent): admins only.
 *
 * @example mayAdminister({ id: 'a1', role: 'admin', teams: [] }) // true
 */
export function mayAdminister(actor: AdminActor): boolean {
  return actor.role === 'admin';
}

/**
 * Whether `actor` may manage an existing agent at all (see, reset, disable, enable, edit). Admins
 * manage everyone; a lead manages the agents and project-team members of their own teams (never
 * another lead or an admin); nobody else manages anyone.
 *
 * @example mayManageAgent({ id: 'l', role: 'lead', teams: ['t1'] }, { id: 'x', role: 'agent', teams: ['t1'] }) // true
 */
export function mayManageAgent(actor: AdminActor, target: ManagedAgent): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'lead') return false;
  if (target.role === 'admin' || target.role === 'lead') return false;
  return target.teams.some((t) => actor.teams.includes(t));
}

const outside = (actor: AdminActor, teams: readonly string[]) =>
  teams
    .filter((t) => !actor.teams.includes(t))
    .sort()
    .join('\u0000');

/**
 * Whether `actor` may make an agent `after` out of `before` (null: a new agent). Admins may do
 * anything except take away their own admin role (so the deployment keeps an admin). A lead may
 * only give the roles `agent` or `project-team`, may add or remove only their own teams, and the
 * agent must stay in at least one of them.
 *
 * @example mayChangeAgent(lead, null, { id: 'n', role: 'agent', teams: ['t1'] }) // true when the lead is in t1
 */
export function mayChangeAgent(actor: AdminActor, before: ManagedAgent | null, after: ManagedAgent): boolean {
  if (actor.role === 'admin') return !(before && before.id === actor.id && after.role !== 'admin');
  if (actor.role !== 'lead') return false;
  if (before && !mayManageAgent(actor, before)) return false;
  if (after.role !== 'agent' && after.role !== 'project-team') return false;
  if (outside(actor, before?.teams ?? []) !== outside(actor, after.teams)) return false;
  return after.teams.some((t) => actor.teams.includes(t));
}

/**
 * Whether `actor` may disable `target`: whoever manages them, never oneself (an admin cannot lock
 * the deployment out by disabling the last admin account they are using).
 *
 * @example mayDisableAgent(admin, admin) // false
 */
export function mayDisableAgent(actor: AdminActor, target: ManagedAgent): boolean {
  return actor.id !== target.id && mayManageAgent(actor, target);
}
