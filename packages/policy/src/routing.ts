import { LOCALES } from '@ajuda/protocol';
import type { AgentRole, Locale, PipelineView, ProjectView, QueueKind, RequestType } from '@ajuda/protocol';
import type { Requester } from './requester.ts';

export interface RouteInput {
  requestType: RequestType;
  answers: Record<string, unknown>;
  requester: Requester;
  /** The realm pipeline the requester picked (realm users only), as looked up by the server. */
  pipeline: PipelineView | null;
  /** The realm project concerned (picked, or the pipeline's project). */
  project: ProjectView | null;
  /** The project team running that project, if any. */
  projectTeam: string | null;
  escalated: boolean;
  /** An agent flagged the request as a complex adjustment (R8b, R12d). */
  flaggedComplex: boolean;
  slaBreached: boolean;
}

export interface RouteDecision {
  queue: QueueKind;
  team: string | null;
  /** Readable English, cites the rule (for logs and tests). */
  reason: string;
  /** The same, as a code and params: what the routing log stores and the console renders in the agent's language. */
  code: string;
  params: Record<string, string>;
}

/**
 * Decide which queue a conversation belongs in. First match wins:
 * 1. R13: escalated → leads. 2. R10/R13: SLA breached → leads.
 * 3. R8c: the pipeline is still in the project phase → project (its team).
 * 4. R4a: the project is still ongoing with the project team → project (its team).
 * 5. R8b: flagged as a complex adjustment → project (the project team when known).
 * 6. otherwise support.
 * Realm facts (3, 4) count only for authenticated realm users: a visitor's typed pipeline is never
 * looked up, so routing cannot become an oracle (R5, R8d).
 *
 * @example routeConversation({ ...input, escalated: true }).queue // 'leads'
 */
export function routeConversation(input: RouteInput): RouteDecision {
  if (input.escalated) return { queue: 'leads', team: null, reason: 'R13: the requester escalated the conversation to a support lead.', code: 'R13.escalated', params: {} };
  if (input.slaBreached) return { queue: 'leads', team: null, reason: 'R10/R13: an SLA target was breached; a support lead takes over.', code: 'R10.breached', params: {} };
  const realmFacts = input.requester.kind === 'realm_user';
  const team = input.projectTeam;
  const teamWords = team ? `project team ${team}` : 'the project team';
  const teamCode = team ? '_team' : '';
  const teamParam: Record<string, string> = team ? { team } : {};
  if (realmFacts && input.pipeline?.inProjectPhase) {
    return {
      queue: 'project',
      team,
      reason: `R8c: pipeline ${input.pipeline.name} (${input.pipeline.key}) is still in the project phase; routed to ${teamWords}.`,
      code: `R8c.project_phase${teamCode}`,
      params: { pipeline: input.pipeline.name, key: input.pipeline.key, ...teamParam },
    };
  }
  if (realmFacts && input.project?.ongoing) {
    return {
      queue: 'project',
      team,
      reason: `R4a: project ${input.project.name} is still ongoing with ${teamWords}; routed there, not to support.`,
      code: `R4a.project_ongoing${teamCode}`,
      params: { project: input.project.name, ...teamParam },
    };
  }
  if (input.flaggedComplex) {
    return { queue: 'project', team, reason: `R8b: a complex adjustment that changes the flow's designed strategy; routed to ${teamWords}.`, code: `R8b.complex${teamCode}`, params: teamParam };
  }
  return { queue: 'support', team: null, reason: `Default: ${input.requestType} goes to the support queue.`, code: 'default.support', params: { requestType: input.requestType } };
}

export interface AgentCandidate {
  id: string;
  role: AgentRole;
  languages: readonly Locale[];
  teams: readonly string[];
  available: boolean;
  openCount: number;
}

/**
 * Whether an agent works a queue (used for access, R7b, and for assignment, R11).
 * Leads (and admins, who oversee) serve every queue; agents serve support; project-team members serve the project queue for
 * their teams (a project conversation without a team is open to every project-team member).
 *
 * @example agentServesQueue({ role: 'project-team', teams: ['acme-migration'] }, 'project', 'acme-migration') // true
 */
export function agentServesQueue(agent: Pick<AgentCandidate, 'role' | 'teams'>, queue: QueueKind, team: string | null): boolean {
  switch (agent.role) {
    case 'lead':
    case 'admin':
      return true;
    case 'agent':
      return queue === 'support';
    case 'project-team':
      return queue === 'project' && (team === null || agent.teams.includes(team));
  }
}

function fewestOpen(cands: readonly AgentCandidate[]): string | null {
  let best: AgentCandidate | null = null;
  for (const c of cands) {
    if (!best || c.openCount < best.openCount || (c.openCount === best.openCount && c.id < best.id)) best = c;
  }
  return best?.id ?? null;
}

/**
 * R11: pick the agent for a conversation: available, serving the queue, speaking its language;
 * the fewest open conversations, ties broken by id. For the support queue, leads are only a
 * fallback when no agent fits (they are kept free for escalations). Project and leads queues go to
 * their own roles only. Null when nobody fits: the conversation waits in its queue.
 *
 * @example pickAgent(agents, { queue: 'support', team: null, language: 'es' }) // 'sofia'
 */
export function pickAgent(
  candidates: readonly AgentCandidate[],
  target: { queue: QueueKind; team: string | null; language: Locale },
): string | null {
  const fits = candidates.filter(
    (c) => c.available && c.languages.includes(target.language) && agentServesQueue(c, target.queue, target.team),
  );
  const ownRole = target.queue === 'support' ? 'agent' : target.queue === 'leads' ? 'lead' : 'project-team';
  const primary = fits.filter((c) => c.role === ownRole);
  if (primary.length) return fewestOpen(primary);
  return target.queue === 'support' ? fewestOpen(fits.filter((c) => c.role === 'lead')) : null;
}

/**
 * Map a locale tag or an Accept-Language list ("pt-BR,pt;q=0.9,en;q=0.8") to a supported locale.
 * Tags are read in the order given (q-values are not re-sorted); null when none is supported.
 *
 * @example toLocale('es-419') // 'es'
 */
export function toLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  for (const part of tag.split(',')) {
    const base = part.split(';')[0]?.trim().toLowerCase().split(/[-_]/)[0] ?? '';
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale;
  }
  return null;
}

/**
 * R11: a conversation's language: the one the requester's widget shows when they start it (their
 * explicit pick, the host's, else the browser's — what they read), else the identity token's locale,
 * else the language the socket said hello in, else English. Unsupported tags are skipped.
 *
 * @example conversationLanguage('pt', 'en', 'es') // 'es'
 */
export function conversationLanguage(tokenLocale?: string | null, browserLocale?: string | null, chosen?: string | null): Locale {
  return toLocale(chosen) ?? toLocale(tokenLocale) ?? toLocale(browserLocale) ?? 'en';
}
