import type { AgentRow, ConversationRow, EscalationRow, GrantRow, MessageRow, PipelineRow, ProjectRow, RoutingRow } from '@ajuda/db';
import type {
  AgentConversationView,
  AgentView,
  EscalationView,
  GrantView,
  Locale,
  CodedLine,
  LineParams,
  MessageView,
  PipelineView,
  ProjectView,
  RequesterConversationView,
  RequestType,
  SlaView,
} from '@ajuda/protocol';

import { messageAttachments } from './attachments/attachments.ts';

/**
 * Named projections per audience: the only way data leaves the server. Each picks fields
 * explicitly; nothing is spread from a row (DESIGN: the projection is the allow-list).
 */

export function messageView(m: MessageRow): MessageView {
  const role = m.sender === 'requester' ? 'requester' : m.sender === 'system' ? 'system' : 'agent';
  const view: MessageView = { conversationId: m.conversationId, seq: m.seq, sender: { role }, kind: m.kind, body: m.body, at: m.createdAt };
  // R11: a coded system message is rendered by each viewer in their language; older rows have text only.
  if (m.i18nKey) {
    view.key = m.i18nKey;
    const params = lineParams(m.params);
    if (params) view.params = params;
  }
  if (m.senderName) view.sender.name = m.senderName;
  if (m.clientMsgId) view.clientMsgId = m.clientMsgId;
  const files = messageAttachments(m);
  if (files) view.attachments = files;
  return view;
}

/** Stored line params: an object of strings and numbers; anything else is dropped. */
function lineParams(raw: unknown): LineParams | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: LineParams = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
}

/** The stored priority trace: English lines (older conversations) and coded lines, split for the view. */
function priorityTrace(trace: readonly unknown[]): { text: string[]; lines: CodedLine[] } {
  const text: string[] = [];
  const lines: CodedLine[] = [];
  for (const item of trace) {
    if (typeof item === 'string') text.push(item);
    else if (item && typeof item === 'object' && typeof (item as { code?: unknown }).code === 'string') {
      const { code, params } = item as { code: string; params?: unknown };
      const p = lineParams(params);
      lines.push(p ? { code, params: p } : { code });
    }
  }
  return { text, lines };
}

export function requesterConversationView(
  c: ConversationRow,
  extra: { firstResponseDueAt: string | null; assigneeName: string | null },
): RequesterConversationView {
  return {
    id: c.id,
    channel: c.channel,
    requestType: c.requestType as RequestType,
    status: c.status,
    priority: c.priority,
    language: c.language,
    answers: c.answers,
    createdAt: c.createdAt,
    lastSeq: c.lastSeq,
    firstResponseDueAt: extra.firstResponseDueAt,
    assignee: extra.assigneeName ? { name: extra.assigneeName } : null,
    escalated: c.escalated,
    feedback: c.feedback,
    agentReadSeq: c.agentReadSeq,
    requesterReadSeq: c.requesterReadSeq,
  };
}

export function agentConversationView(
  c: ConversationRow,
  extra: { sla: SlaView; assignee: { id: string; name: string } | null; routing: RoutingRow[]; lastMessage?: LastMessage },
): AgentConversationView {
  const claims = c.claims as { email?: string; name?: string; realm?: string } | null;
  const trace = priorityTrace(c.priorityTrace);
  return {
    id: c.id,
    channel: c.channel,
    requestType: c.requestType as RequestType,
    status: c.status,
    priority: c.priority,
    priorityTrace: trace.text,
    priorityLines: trace.lines,
    language: c.language,
    answers: c.answers,
    realmId: c.realmId,
    requester: {
      kind: c.requesterKind,
      verified: c.requesterKind === 'realm_user',
      name: c.requesterKind === 'realm_user' ? c.requesterName : null,
      email: c.requesterKind === 'realm_user' ? c.requesterEmail : null,
      userId: c.userId,
      claims,
      contractMatch: c.contractMatch,
    },
    queue: c.queue,
    team: c.team,
    assignee: extra.assignee,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastSeq: c.lastSeq,
    unread: Math.max(0, c.lastSeq - c.agentReadSeq),
    sla: extra.sla,
    routingLog: extra.routing.map((r) => {
      const entry: AgentConversationView['routingLog'][number] = { at: r.at, queue: r.queue as 'support', team: r.team, assigneeId: r.assigneeId, reason: r.reason };
      if (r.code) {
        entry.code = r.code;
        const params = lineParams(r.params);
        if (params) entry.params = params;
      }
      return entry;
    }),
    escalated: c.escalated,
    feedback: c.feedback,
    lastMessage: extra.lastMessage ?? null,
  };
}

export type LastMessage = NonNullable<AgentConversationView['lastMessage']> | null;

const PREVIEW_CHARS = 120;

/** An inbox preview of a requester or agent message: the sender and the first non-empty line, truncated. */
export function lastMessagePreview(m: MessageRow): LastMessage {
  if (m.kind !== 'text') return null;
  const line = m.body.split(/\r?\n/).find((l) => l.trim().length > 0)?.trim() ?? '';
  const chars = [...line];
  const text = chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…` : line;
  const role = m.sender === 'requester' ? 'requester' : 'agent';
  return { role, ...(m.senderName ? { name: m.senderName } : {}), text, at: m.createdAt };
}

export function agentView(a: AgentRow, online: boolean): AgentView {
  return {
    id: a.id,
    name: a.name,
    role: a.role,
    languages: a.languages as Locale[],
    teams: a.teams,
    available: a.available && online,
  };
}

export function pipelineView(p: PipelineRow): PipelineView {
  return { id: p.id, name: p.name, key: p.key, environment: p.environment, status: p.status, projectId: p.projectId, inProjectPhase: p.inProjectPhase };
}

export function projectView(p: ProjectRow): ProjectView {
  return { id: p.id, name: p.name, ongoing: p.ongoing };
}

export function grantView(g: GrantRow): GrantView {
  return { id: g.id, level: g.level, grantedBy: g.grantedBy, grantedByName: g.grantedByName ?? null, createdAt: g.createdAt, expiresAt: g.expiresAt, revokedAt: g.revokedAt };
}

export function escalationView(e: EscalationRow): EscalationView {
  return {
    id: e.id,
    conversationId: e.conversationId,
    reason: e.reason as EscalationView['reason'],
    description: e.description,
    environment: e.environment as EscalationView['environment'],
    justification: e.justification,
    source: e.source,
    createdAt: e.createdAt,
  };
}
