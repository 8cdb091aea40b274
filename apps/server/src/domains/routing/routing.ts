import type { ConversationRow, Effects, MessageRow, Params, RoutingEntry, SystemLine, TxView } from '@ajuda/db';
import { renderSystemLine, type LineParams } from '@ajuda/i18n';
import { pickAgent, routeConversation, type AgentCandidate, type Requester } from '@ajuda/policy';
import type { Locale, PipelineView, ProjectView, QueueKind, RequestType } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { pipelineView, projectView } from '../../projections.ts';

/** The requester as policy sees it, rebuilt from the stored conversation. */
export function requesterOf(c: ConversationRow): Requester {
  if (c.requesterKind === 'realm_user' && c.realmId && c.userId)
    return { kind: 'realm_user', channel: c.channel, realmId: c.realmId, userId: c.userId, perms: [] };
  return { kind: 'visitor', channel: c.channel, ...(c.claims ? { claims: c.claims } : {}) };
}

/** The realm rows a routing decision reads (R7). Looked up before the command: they do not change with the conversation. */
export interface RouteInputs {
  pipeline: PipelineView | null;
  project: ProjectView | null;
  projectTeam: string | null;
}

/** Reads the realm only for authenticated conversations (R7). */
export async function routeInputs(svc: Services, c: Pick<ConversationRow, 'realmId'>, answers: Record<string, unknown>): Promise<RouteInputs> {
  if (!c.realmId) return { pipeline: null, project: null, projectTeam: null };
  const key = (answers.pipeline as { key?: string } | undefined)?.key;
  const pRow = key ? await svc.directory.pipelineByKey(c.realmId, key) : undefined;
  const projectId = (answers.project as { id?: string } | undefined)?.id ?? pRow?.projectId ?? null;
  const prjRow = projectId ? await svc.directory.project(c.realmId, projectId) : undefined;
  return { pipeline: pRow ? pipelineView(pRow) : null, project: prjRow ? projectView(prjRow) : null, projectTeam: prjRow?.team ?? null };
}

/** R4a, R8b, R8c, R13: ask policy which queue (pure: the conversation as read inside the command). */
export function decideRoute(c: ConversationRow, answers: Record<string, unknown>, inputs: RouteInputs, slaBreached = false) {
  return routeConversation({
    requestType: c.requestType as RequestType,
    answers,
    requester: requesterOf(c),
    pipeline: inputs.pipeline,
    project: inputs.project,
    projectTeam: inputs.projectTeam,
    escalated: c.escalated,
    flaggedComplex: c.flaggedComplex,
    slaBreached,
  });
}

export type Candidate = AgentCandidate & { name: string };

/** Who could take a conversation, from the agents as read inside the command (R11). */
export function candidates(svc: Services, tx: TxView): Candidate[] {
  const online = svc.presence.online();
  const open = tx.openCounts();
  return tx.agents().map((a) => ({
    id: a.id,
    name: a.name,
    role: a.role,
    languages: a.languages as Locale[],
    teams: a.teams,
    available: a.available && !a.disabled && online.has(a.id),
    openCount: open.get(a.id) ?? 0,
  }));
}

/**
 * Inside a command: the effects of assigning a queued conversation to the best available agent
 * (R11), or null to leave it waiting. `c` is the conversation as the command's earlier effects left it.
 */
export function tryAssign(svc: Services, c: ConversationRow, cands: Candidate[], at: string): Effects | null {
  const agentId = pickAgent(cands, { queue: c.queue as QueueKind, team: c.team, language: c.language });
  if (!agentId) return null;
  const cand = cands.find((x) => x.id === agentId)!;
  cand.openCount++;
  return {
    at,
    patch: { status: 'assigned', assigneeId: agentId, updatedAt: at },
    routing: [{ queue: c.queue, team: c.team, assigneeId: agentId, ...routingReason('R11.assigned', { name: cand.name, language: c.language }) }],
    audit: [{ actor: 'system', action: 'conversation.assigned', detail: { agentId } }],
    system: [systemLine(svc, c, 'system.assigned', { name: cand.name })],
  };
}

/**
 * A system message as an i18n key and params (R11). Every viewer renders it in their own
 * language; the text in the conversation's language is stored with it as the fallback.
 */
export function systemLine(svc: Services, c: Pick<ConversationRow, 'language'>, key: string, params: LineParams | null): SystemLine {
  const body = renderSystemLine(svc.t[c.language], key, params) ?? key;
  return { key, params: params && Object.keys(params).length ? (params as Params) : null, body };
}

/** A routing-log reason as a code and params (the console renders it in the agent's language). */
export function routingReason(code: string, params: LineParams = {}): Pick<RoutingEntry, 'code' | 'params'> {
  return { code, params: Object.keys(params).length ? (params as Params) : null };
}

/** Effects one after the other: patches merged, rows and lines in order. */
export function andThen(a: Effects, b: Effects | null): Effects {
  if (!b) return a;
  return {
    at: a.at,
    patch: { ...a.patch, ...b.patch },
    routing: [...(a.routing ?? []), ...(b.routing ?? [])],
    audit: [...(a.audit ?? []), ...(b.audit ?? [])],
    system: [...(a.system ?? []), ...(b.system ?? [])],
    ...(a.escalation || b.escalation ? { escalation: a.escalation ?? b.escalation } : {}),
  };
}

/** The conversation as `e`'s patch leaves it (for the next decision of the same command). */
export const after = (c: ConversationRow, e: Effects): ConversationRow => ({ ...c, ...e.patch });

/** Assign every waiting conversation that someone can now take (an agent came online, freed up, …). */
export async function assignWaiting(svc: Services): Promise<void> {
  const at = svc.clock.iso();
  let cands: Candidate[] | null = null;
  const changed = await svc.store.assignWaiting((c, tx) => {
    cands ??= candidates(svc, tx);
    if (!cands.some((x) => x.available)) return { at };
    return tryAssign(svc, c, cands, at) ?? { at };
  });
  const out: MessageRow[] = changed.flatMap((ch) => ch.messages);
  for (const ch of changed) svc.owners.remember(ch.conversation);
  for (const m of out) void svc.events.emit('message.created', { message: m });
  for (const ch of changed) void svc.events.emit('conversation.changed', { conversationId: ch.conversation.id });
}
