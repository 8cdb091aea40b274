import type { ConversationRow, MessageRow } from '@ajuda/db';
import { agentServesQueue, activeGrant, type GrantRecord } from '@ajuda/policy';
import { AjudaError, ConversationSnapshot, Inbox, type ClientFrame, type FrameOf, type QueueKind } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import type { AgentPrincipal } from '../../session/principal.ts';
import type { HandlerIo } from '../../session/port.ts';
import { AGENTS, on, type HandlerEntry } from '../../session/handler.ts';
import { agentView, escalationView, grantView, messageView } from '../../projections.ts';
import { publishAll, loadFor } from '../conversations/handlers.ts';
import { assignWaiting, candidates, routingReason, systemMessage, tryAssign } from '../routing/routing.ts';

type F<T extends ClientFrame['type']> = FrameOf<ClientFrame, T>;

const RESOLVED_WINDOW_MS = 24 * 3600_000;

export function grantRecords(svc: Services, realmId: string): GrantRecord[] {
  return svc.repo.grants(realmId).map((g) => ({ id: g.id, realmId: g.realmId, level: g.level, expiresAt: new Date(g.expiresAt), revokedAt: g.revokedAt ? new Date(g.revokedAt) : null }));
}

export function currentGrant(svc: Services, realmId: string | null) {
  if (!realmId) return null;
  const g = activeGrant(grantRecords(svc, realmId), realmId, svc.now());
  const row = g ? svc.repo.grants(realmId).find((x) => x.id === g.id) : undefined;
  return row ? grantView(row) : null;
}

export function inbox(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'inbox.get'>): void {
  const since = new Date(svc.now().getTime() - RESOLVED_WINDOW_MS).toISOString();
  const rows = svc.repo.listOpen(since).filter((c) => svc.mayAccess(p, c));
  io.session.inbox.clear();
  for (const c of rows) io.session.inbox.add(c.id);
  const online = svc.onlineAgents();
  io.reply(Inbox, {
    type: 'inbox',
    ref: f.ref,
    conversations: rows.map((c) => svc.agentView(c)),
    escalations: rows.filter((c) => c.escalated).flatMap((c) => svc.repo.escalations(c.id).map(escalationView)),
    agents: svc.repo.listAgents().filter((a) => !a.disabled).map((a) => agentView(a, online.has(a.id))),
  });
}

export function open(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'conversation.open'>): void {
  // R13: a former assignee may still open it, read-only (the snapshot says so).
  const c = svc.loadReadable(p, f.conversationId);
  const handles = svc.mayAccess(p, c);
  const messages = svc.repo.messagesAfter(c.id, Math.max(0, c.lastSeq - 1000), 1000, true);
  if (!io.session.opened.has(c.id)) {
    io.session.opened.add(c.id);
    svc.hub.subscribe(`conv:${c.id}`, io.session);
  }
  if (handles) io.session.inbox.add(c.id);
  io.reply(ConversationSnapshot, {
    access: handles ? 'handle' : 'read',
    type: 'conversation.snapshot',
    ref: f.ref,
    conversation: svc.agentView(c),
    messages: messages.map(messageView),
    escalations: svc.repo.escalations(c.id).map(escalationView),
    grant: currentGrant(svc, c.realmId),
  });
}

export async function assign(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'conversation.assign'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  if (c.status === 'intake' || c.status === 'closed') throw new AjudaError('invalid_state');
  const targetId = f.agentId ?? p.agentId;
  const target = svc.repo.getAgent(targetId);
  // Someone outside the queue cannot be handed a conversation, except by a lead.
  if (!target || target.disabled) throw new AjudaError('not_found');
  if (p.role !== 'lead' && targetId !== p.agentId && !agentServesQueue({ role: target.role, teams: JSON.parse(target.teams) }, c.queue, c.team))
    throw new AjudaError('forbidden');
  await svc.writer.write(() => {
    const at = svc.iso();
    svc.repo.updateConversation(c.id, { assigneeId: targetId, status: c.status === 'resolved' ? c.status : 'assigned', updatedAt: at });
    svc.repo.addRouting({ conversationId: c.id, at, queue: c.queue, team: c.team, assigneeId: targetId, ...(targetId === p.agentId ? routingReason('taken', { name: p.name }) : routingReason('assigned_by', { name: target.name, by: p.name })) });
    svc.repo.audit(`agent:${p.agentId}`, 'conversation.assigned', c.id, c.realmId, { from: c.assigneeId, to: targetId }, at);
  });
  svc.conversationChanged(c.id);
  svc.ackAgent(io, f.ref, c.id);
}

/** Transfers are audited and logged in the routing log (R4a, R8b, R13). */
export async function transfer(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'conversation.transfer'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  if (c.status === 'intake' || c.status === 'closed') throw new AjudaError('invalid_state');
  if (!f.queue && !f.agentId) throw new AjudaError('bad_frame', 'queue or agentId is required');
  const queue: QueueKind = f.queue ?? c.queue;
  let team = queue === c.queue ? c.team : null;
  // R8b: the project's own team when one is known; otherwise the project-team pool picks it up.
  if (queue === 'project') team = c.team ?? projectTeamOf(svc, c);
  const target = f.agentId ? svc.repo.getAgent(f.agentId) : undefined;
  if (f.agentId && (!target || target.disabled)) throw new AjudaError('not_found');
  const out: MessageRow[] = [];
  await svc.writer.write(() => {
    const at = svc.iso();
    const patch: Partial<ConversationRow> = { queue, team, updatedAt: at };
    if (queue === 'project') patch.flaggedComplex = 1; // R8b: complex change → project team
    if (target) Object.assign(patch, { assigneeId: target.id, status: 'assigned' });
    else Object.assign(patch, { assigneeId: null, status: 'queued' });
    svc.repo.updateConversation(c.id, patch);
    // The agent's own words (f.reason) stay as typed; the rest is a code rendered in each reader's language.
    const why = target
      ? routingReason('transferred_to_agent', { by: p.name, name: target.name, note: f.reason })
      : routingReason(team ? 'transferred_to_team' : 'transferred_to_queue', { by: p.name, queue, ...(team ? { team } : {}), note: f.reason });
    svc.repo.addRouting({ conversationId: c.id, at, queue, team, assigneeId: target?.id ?? null, ...why });
    svc.repo.audit(`agent:${p.agentId}`, 'conversation.transferred', c.id, c.realmId, { queue, team, agentId: target?.id ?? null, reason: f.reason }, at);
    if (queue !== c.queue) out.push(systemMessage(svc, c, queue === 'project' ? 'system.transferred_project' : 'system.transferred', null, at));
    if (!target) tryAssign(svc, svc.repo.getConversation(c.id)!, candidates(svc).filter((x) => x.id !== p.agentId || queue !== c.queue), at, out);
  });
  publishAll(svc, out);
  svc.conversationChanged(c.id);
  svc.ackAgent(io, f.ref, c.id);
}

function projectTeamOf(svc: Services, c: ConversationRow): string | null {
  if (!c.realmId) return null;
  const answers = JSON.parse(c.answers) as { pipeline?: { key?: string }; project?: { id?: string } };
  const pipe = answers.pipeline?.key ? svc.directory.pipelineByKey(c.realmId, answers.pipeline.key) : undefined;
  const projectId = answers.project?.id ?? pipe?.projectId;
  return (projectId && svc.directory.project(c.realmId, projectId)?.team) || null;
}

/** R9: an agent may change the priority; the change and its reason are audited and traced. */
export async function setPriority(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'priority.set'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  if (c.status === 'intake') throw new AjudaError('invalid_state');
  await svc.writer.write(() => {
    const at = svc.iso();
    // Older conversations hold English lines, newer ones coded lines; the change is always coded.
    const trace = JSON.parse(c.priorityTrace) as unknown[];
    trace.push({ code: 'R9.changed', params: { name: p.name, from: c.priority ?? 'none', to: f.priority, note: f.reason } });
    svc.repo.updateConversation(c.id, { priority: f.priority, priorityTrace: JSON.stringify(trace), updatedAt: at });
    svc.repo.audit(`agent:${p.agentId}`, 'priority.changed', c.id, c.realmId, { from: c.priority, to: f.priority, reason: f.reason }, at);
  });
  svc.conversationChanged(c.id);
  svc.ackAgent(io, f.ref, c.id);
}

export async function availability(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'agent.availability'>): Promise<void> {
  await svc.writer.write(() => svc.repo.setAgentAvailable(p.agentId, f.available));
  if (f.available) await assignWaiting(svc);
}

/** The agents' desk frames. */
export const agentHandlers: readonly HandlerEntry[] = [
  on('inbox.get', AGENTS, inbox),
  on('conversation.open', AGENTS, open),
  on('conversation.assign', AGENTS, assign),
  on('conversation.transfer', AGENTS, transfer),
  on('priority.set', AGENTS, setPriority),
  on('agent.availability', AGENTS, availability),
];
