import { StoreConflict, type ConversationRow, type Effects } from '@ajuda/db';
import { agentServesQueue, type GrantRecord } from '@ajuda/policy';
import { AjudaError, ConversationSnapshot, Inbox, type ClientFrame, type FrameOf, type QueueKind } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import type { AgentPrincipal } from '../../session/principal.ts';
import type { HandlerIo } from '../../session/port.ts';
import { AGENTS, on, type HandlerEntry } from '../../session/handler.ts';
import { agentView, escalationView, messageView } from '../../projections.ts';
import { publishAll, loadFor } from '../conversations/handlers.ts';
import { guarded } from '../guard.ts';
import { after, assignWaiting, candidates, routingReason, systemLine, andThen, tryAssign } from '../routing/routing.ts';

type F<T extends ClientFrame['type']> = FrameOf<ClientFrame, T>;

const RESOLVED_WINDOW_MS = 24 * 3600_000;

export async function grantRecords(svc: Services, realmId: string): Promise<GrantRecord[]> {
  return svc.views.grantRecords(realmId);
}

export async function currentGrant(svc: Services, realmId: string | null) {
  return svc.views.currentGrant(realmId);
}

export async function inbox(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'inbox.get'>): Promise<void> {
  const since = new Date(svc.clock.now().getTime() - RESOLVED_WINDOW_MS).toISOString();
  const rows = (await svc.store.listOpen(since)).filter((c) => svc.access.mayAccess(p, c));
  const [conversations, escalations, agents] = await Promise.all([
    Promise.all(rows.map((c) => svc.views.agentView(c))),
    Promise.all(rows.filter((c) => c.escalated).map((c) => svc.store.escalations(c.id))),
    svc.store.listAgents(),
  ]);
  io.session.inbox.clear();
  for (const c of rows) io.session.inbox.add(c.id);
  const online = svc.presence.online();
  io.reply(Inbox, {
    type: 'inbox',
    ref: f.ref,
    conversations,
    escalations: escalations.flat().map(escalationView),
    agents: agents.filter((a) => !a.disabled).map((a) => agentView(a, online.has(a.id))),
  });
}

export async function open(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'conversation.open'>): Promise<void> {
  // R13: a former assignee may still open it, read-only (the snapshot says so).
  const c = await svc.access.loadReadable(p, f.conversationId);
  const handles = svc.access.mayAccess(p, c);
  // Subscribe, then read: a message committed while the snapshot is read waits and follows it, once.
  const replay = svc.fanout.follow(io.session, c);
  let sent = 0;
  try {
    const [messages, escalations, grant, conversation] = await Promise.all([
      svc.store.messagesAfter(c.id, Math.max(0, c.lastSeq - 1000), 1000, true),
      svc.store.escalations(c.id),
      currentGrant(svc, c.realmId),
      svc.views.agentView(c),
    ]);
    if (handles) io.session.inbox.add(c.id);
    io.reply(ConversationSnapshot, {
      access: handles ? 'handle' : 'read',
      type: 'conversation.snapshot',
      ref: f.ref,
      conversation,
      messages: messages.map(messageView),
      escalations: escalations.map(escalationView),
      grant,
    });
    sent = messages.at(-1)?.seq ?? 0;
  } finally {
    replay.release(sent);
  }
}

/**
 * Who a command is audited as: the agent, or (the public API's system tokens) the token.
 * Sockets always act as their agent.
 */
export const agentActor = (p: AgentPrincipal) => `agent:${p.agentId}`;

export async function assign(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'conversation.assign'>): Promise<void> {
  await assignConversation(svc, p, f);
  await svc.ackAgent(io, f.ref, f.conversationId);
}

/** Assign a conversation to an agent (to `p` when no agent is named): the decision and the command, for the socket and the public API. */
export async function assignConversation(svc: Services, p: AgentPrincipal, f: { conversationId: string; agentId?: string | undefined }, actor = agentActor(p)): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  if (c.status === 'intake' || c.status === 'closed') throw new AjudaError('invalid_state');
  const targetId = f.agentId ?? p.agentId;
  const target = await svc.store.getAgent(targetId);
  // Someone outside the queue cannot be handed a conversation, except by a lead.
  if (!target || target.disabled) throw new AjudaError('not_found');
  if (p.role !== 'lead' && targetId !== p.agentId && !agentServesQueue({ role: target.role, teams: target.teams }, c.queue, c.team))
    throw new AjudaError('forbidden');
  const at = svc.clock.iso();
  // Decided on the queue and assignee read above: if another agent took or moved it meanwhile, this one loses.
  await guarded(
    svc.store.assign(c.id, { status: c.status, assigneeId: c.assigneeId, queue: c.queue }, (cur) => ({
      at,
      patch: { assigneeId: targetId, status: cur.status === 'resolved' ? cur.status : 'assigned', updatedAt: at },
      routing: [{ queue: cur.queue, team: cur.team, assigneeId: targetId, ...(targetId === p.agentId ? routingReason('taken', { name: p.name }) : routingReason('assigned_by', { name: target.name, by: p.name })) }],
      audit: [{ actor, action: 'conversation.assigned', detail: { from: cur.assigneeId, to: targetId } }],
    })),
  );
  await svc.events.emit('conversation.changed', { conversationId: c.id });
}

/** Transfers are audited and logged in the routing log (R4a, R8b, R13). */
export async function transfer(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'conversation.transfer'>): Promise<void> {
  await transferConversation(svc, p, f);
  await svc.ackAgent(io, f.ref, f.conversationId);
}

/** Move a conversation to another queue or agent: the decision and the command, for the socket and the public API. */
export async function transferConversation(
  svc: Services,
  p: AgentPrincipal,
  f: { conversationId: string; queue?: QueueKind | undefined; agentId?: string | undefined; reason: string },
  actor = agentActor(p),
): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  if (c.status === 'intake' || c.status === 'closed') throw new AjudaError('invalid_state');
  if (!f.queue && !f.agentId) throw new AjudaError('bad_frame', 'queue or agentId is required');
  const queue: QueueKind = f.queue ?? c.queue;
  let team = queue === c.queue ? c.team : null;
  // R8b: the project's own team when one is known; otherwise the project-team pool picks it up.
  if (queue === 'project') team = c.team ?? (await projectTeamOf(svc, c));
  const target = f.agentId ? await svc.store.getAgent(f.agentId) : undefined;
  if (f.agentId && (!target || target.disabled)) throw new AjudaError('not_found');
  const at = svc.clock.iso();
  const { messages: out } = await guarded(
    svc.store.transfer(c.id, { status: c.status, assigneeId: c.assigneeId, queue: c.queue }, (cur, tx) => {
      // The agent's own words (f.reason) stay as typed; the rest is a code rendered in each reader's language.
      const why = target
        ? routingReason('transferred_to_agent', { by: p.name, name: target.name, note: f.reason })
        : routingReason(team ? 'transferred_to_team' : 'transferred_to_queue', { by: p.name, queue, ...(team ? { team } : {}), note: f.reason });
      const moved: Effects = {
        at,
        patch: {
          queue,
          team,
          updatedAt: at,
          ...(queue === 'project' ? { flaggedComplex: true } : {}), // R8b: complex change → project team
          ...(target ? { assigneeId: target.id, status: 'assigned' as const } : { assigneeId: null, status: 'queued' as const }),
        },
        routing: [{ queue, team, assigneeId: target?.id ?? null, ...why }],
        audit: [{ actor, action: 'conversation.transferred', detail: { queue, team, agentId: target?.id ?? null, reason: f.reason } }],
        system: queue !== cur.queue ? [systemLine(svc, cur, queue === 'project' ? 'system.transferred_project' : 'system.transferred', null)] : [],
      };
      if (target) return moved;
      return andThen(moved, tryAssign(svc, after(cur, moved), candidates(svc, tx).filter((x) => x.id !== p.agentId || queue !== cur.queue), at));
    }),
  );
  publishAll(svc, out);
  await svc.events.emit('conversation.changed', { conversationId: c.id });
}

async function projectTeamOf(svc: Services, c: ConversationRow): Promise<string | null> {
  if (!c.realmId) return null;
  const answers = c.answers as { pipeline?: { key?: string }; project?: { id?: string } };
  const pipe = answers.pipeline?.key ? await svc.directory.pipelineByKey(c.realmId, answers.pipeline.key) : undefined;
  const projectId = answers.project?.id ?? pipe?.projectId;
  return (projectId && (await svc.directory.project(c.realmId, projectId))?.team) || null;
}

/** R9: an agent may change the priority; the change and its reason are audited and traced. */
export async function setPriority(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'priority.set'>): Promise<void> {
  await changePriority(svc, p, f);
  await svc.ackAgent(io, f.ref, f.conversationId);
}

/** R9: change the priority, the reason audited and traced: the decision and the command, for the socket and the public API. */
export async function changePriority(
  svc: Services,
  p: AgentPrincipal,
  f: { conversationId: string; priority: NonNullable<ConversationRow['priority']>; reason?: string | undefined },
  actor = agentActor(p),
): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  if (c.status === 'intake') throw new AjudaError('invalid_state');
  const at = svc.clock.iso();
  // The change is from the priority the agent saw: if another changed it meanwhile, this one loses (no lost trace line).
  await guarded(
    svc.store.setPriority(c.id, { priority: c.priority }, (cur) => {
      if (cur.status === 'intake') throw new StoreConflict('invalid_state');
      // Older conversations hold English lines, newer ones coded lines; the change is always coded.
      const line = { code: 'R9.changed', params: { name: p.name, from: cur.priority ?? 'none', to: f.priority, ...(f.reason !== undefined ? { note: f.reason } : {}) } };
      return {
        at,
        patch: { priority: f.priority, priorityTrace: [...cur.priorityTrace, line], updatedAt: at },
        audit: [{ actor, action: 'priority.changed', detail: { from: cur.priority, to: f.priority, reason: f.reason } }],
      };
    }),
  );
  await svc.events.emit('conversation.changed', { conversationId: c.id });
}

export async function availability(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'agent.availability'>): Promise<void> {
  await svc.store.setAgentAvailable(p.agentId, f.available);
  await svc.events.emit('agent.changed', { agentId: p.agentId, available: f.available });
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
