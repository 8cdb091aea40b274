import type { ConversationRow, MessageRow } from '@ajuda/db';
import { renderSystemLine, type LineParams } from '@ajuda/i18n';
import { pickAgent, routeConversation, type AgentCandidate, type Requester } from '@ajuda/policy';
import type { Locale, QueueKind, RequestType } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { pipelineView, projectView } from '../../projections.ts';

/** The requester as policy sees it, rebuilt from the stored conversation. */
export function requesterOf(c: ConversationRow): Requester {
  if (c.requesterKind === 'realm_user' && c.realmId && c.userId)
    return { kind: 'realm_user', channel: c.channel, realmId: c.realmId, userId: c.userId, perms: [] };
  const claims = c.claims ? (JSON.parse(c.claims) as Record<string, string>) : undefined;
  return { kind: 'visitor', channel: c.channel, ...(claims ? { claims } : {}) };
}

/** R4a, R8b, R8c, R13: ask policy which queue; reads the realm only for authenticated conversations (R7). */
export function decideRoute(svc: Services, c: ConversationRow, answers: Record<string, unknown>, slaBreached = false) {
  let pipeline = null;
  let project = null;
  let projectTeam: string | null = null;
  if (c.realmId) {
    const key = (answers.pipeline as { key?: string } | undefined)?.key;
    const pRow = key ? svc.directory.pipelineByKey(c.realmId, key) : undefined;
    pipeline = pRow ? pipelineView(pRow) : null;
    const projectId = (answers.project as { id?: string } | undefined)?.id ?? pRow?.projectId ?? null;
    const prjRow = projectId ? svc.directory.project(c.realmId, projectId) : undefined;
    project = prjRow ? projectView(prjRow) : null;
    projectTeam = prjRow?.team ?? null;
  }
  return routeConversation({
    requestType: c.requestType as RequestType,
    answers,
    requester: requesterOf(c),
    pipeline,
    project,
    projectTeam,
    escalated: !!c.escalated,
    flaggedComplex: !!c.flaggedComplex,
    slaBreached,
  });
}

export function candidates(svc: Services): AgentCandidate[] {
  const online = svc.onlineAgents();
  const open = svc.repo.openCounts();
  return svc.repo.listAgents().map((a) => ({
    id: a.id,
    role: a.role,
    languages: JSON.parse(a.languages) as Locale[],
    teams: JSON.parse(a.teams) as string[],
    available: !!a.available && !a.disabled && online.has(a.id),
    openCount: open.get(a.id) ?? 0,
  }));
}

/**
 * Inside a write: assign a queued conversation to the best available agent (R11), or leave it
 * waiting. Returns the agent id chosen, if any.
 */
export function tryAssign(svc: Services, c: ConversationRow, cands: AgentCandidate[], at: string, out: MessageRow[]): string | null {
  const agentId = pickAgent(cands, { queue: c.queue as QueueKind, team: c.team, language: c.language });
  if (!agentId) return null;
  const agent = svc.repo.getAgent(agentId)!;
  svc.repo.updateConversation(c.id, { status: 'assigned', assigneeId: agentId, updatedAt: at });
  svc.repo.addRouting({
    conversationId: c.id,
    at,
    queue: c.queue,
    team: c.team,
    assigneeId: agentId,
    ...routingReason('R11.assigned', { name: agent.name, language: c.language }),
  });
  svc.repo.audit('system', 'conversation.assigned', c.id, c.realmId, { agentId }, at);
  const cand = cands.find((x) => x.id === agentId);
  if (cand) cand.openCount++;
  out.push(systemMessage(svc, c, 'system.assigned', { name: agent.name }, at));
  return agentId;
}

/**
 * Inside a write: append a system message as an i18n key and params (R11). Every viewer renders it
 * in their own language; the text in the conversation's language is stored with it as the fallback.
 */
export function systemMessage(svc: Services, c: Pick<ConversationRow, 'id' | 'language'>, key: string, params: LineParams | null, at: string): MessageRow {
  const body = renderSystemLine(svc.t[c.language], key, params) ?? key;
  const stored = params && Object.keys(params).length ? JSON.stringify(params) : null;
  return svc.repo.appendMessage({ conversationId: c.id, sender: 'system', senderName: null, kind: 'system', body, i18nKey: key, params: stored, clientMsgId: null, at }).row;
}

/** A routing-log reason as a code and params (the console renders it in the agent's language); `reason` keeps the code. */
export function routingReason(code: string, params: LineParams = {}): { reason: string; code: string; params: string | null } {
  return { reason: code, code, params: Object.keys(params).length ? JSON.stringify(params) : null };
}

/** Assign every waiting conversation that someone can now take (an agent came online, freed up, …). */
export async function assignWaiting(svc: Services): Promise<void> {
  const out: MessageRow[] = [];
  const changed = await svc.writer.write(() => {
    const cands = candidates(svc);
    if (!cands.some((c) => c.available)) return [];
    const at = svc.iso();
    const done: string[] = [];
    for (const c of svc.repo.listWaiting()) if (tryAssign(svc, c, cands, at, out)) done.push(c.id);
    return done;
  });
  for (const m of out) svc.publishMessage(m);
  for (const id of changed) svc.conversationChanged(id);
}
