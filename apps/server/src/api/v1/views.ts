import type { z } from 'zod';
import type { AgentRow, ApiToken, ConversationRow, EscalationRow, MessageRow, OutboxRow, WebhookAttempt, WebhookEndpoint } from '@ajuda/db';
import { AjudaError, type AttachmentView } from '@ajuda/protocol';
import { messageAttachments } from '../../attachments/attachments.ts';
import type { Services } from '../../context.ts';
import type { ApiAgent, ApiAttachment, ApiAttempt, ApiConversation, ApiDelivery, ApiEscalation, ApiMessage, ApiTokenInfo, ApiWebhookEndpoint } from './schemas.ts';

/**
 * The public API's projections: each picks its fields from a row (the allow-list), as
 * projections.ts does for the sockets. The webhooks send the same objects.
 */

type Names = ReadonlyMap<string, string>;

/** Agent names by id, read once for a page of conversations. */
export async function agentNames(svc: Services): Promise<Names> {
  return new Map((await svc.store.listAgents()).map((a) => [a.id, a.name]));
}

export function apiConversation(svc: Services, c: ConversationRow, names: Names): z.input<typeof ApiConversation> {
  const claims = c.claims && Object.keys(c.claims).length ? { ...c.claims } : null;
  return {
    id: c.id,
    channel: c.channel,
    requestType: c.requestType,
    status: c.status,
    priority: c.priority,
    language: c.language,
    queue: c.queue,
    team: c.team,
    assignee: c.assigneeId ? { id: c.assigneeId, name: names.get(c.assigneeId) ?? c.assigneeId } : null,
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
    answers: c.answers,
    escalated: c.escalated,
    feedback: c.feedback,
    sla: svc.views.slaView(c),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    resolvedAt: c.resolvedAt,
    lastSeq: c.lastSeq,
  };
}

export function apiMessage(m: MessageRow): z.input<typeof ApiMessage> {
  const role = m.sender === 'requester' ? 'requester' : m.sender === 'system' ? 'system' : 'agent';
  const sender: z.input<typeof ApiMessage>['sender'] = { role };
  if (role === 'agent' && m.sender.startsWith('agent:') && m.sender !== 'agent:system') sender.agentId = m.sender.slice(6);
  if (m.senderName) sender.name = m.senderName;
  const out: z.input<typeof ApiMessage> = { conversationId: m.conversationId, seq: m.seq, kind: m.kind, sender, body: m.body, at: m.createdAt };
  if (m.i18nKey) {
    out.key = m.i18nKey;
    if (m.params) {
      const params: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(m.params)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
      out.params = params;
    }
  }
  if (m.clientMsgId) out.clientMsgId = m.clientMsgId;
  const files = messageAttachments(m);
  if (files) out.attachments = files.map(apiAttachment);
  return out;
}

/** A file as the API shows it: its view and where this API serves it. */
export function apiAttachment(a: AttachmentView): z.input<typeof ApiAttachment> {
  return { ...a, url: `/api/v1/attachments/${a.id}` };
}

export function apiEscalation(e: EscalationRow): z.input<typeof ApiEscalation> {
  return {
    id: e.id,
    conversationId: e.conversationId,
    reason: e.reason as z.input<typeof ApiEscalation>['reason'],
    description: e.description,
    environment: e.environment as z.input<typeof ApiEscalation>['environment'],
    justification: e.justification,
    source: e.source,
    createdAt: e.createdAt,
  };
}

export function apiAgent(a: AgentRow, online: boolean): z.input<typeof ApiAgent> {
  return { id: a.id, name: a.name, email: a.email, role: a.role, languages: a.languages, teams: a.teams, available: a.available && online, disabled: a.disabled };
}

export function apiToken(t: ApiToken): z.input<typeof ApiTokenInfo> {
  return { id: t.id, name: t.name, scopes: t.scopes, agentId: t.agentId, createdBy: t.createdBy, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt, lastUsedAt: t.lastUsedAt };
}

export function apiEndpoint(e: WebhookEndpoint, now: Date): z.input<typeof ApiWebhookEndpoint> {
  const rotating = !!e.previousSecret && !!e.previousSecretUntil && new Date(e.previousSecretUntil) > now;
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.disabledAt === null,
    disabledAt: e.disabledAt,
    disabledReason: e.disabledReason,
    failingSince: e.failingSince,
    rotating,
    previousSecretUntil: rotating ? e.previousSecretUntil : null,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export function apiDelivery(r: OutboxRow): z.input<typeof ApiDelivery> {
  return {
    id: r.id,
    endpointId: r.endpointId,
    event: r.event,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.createdAt,
    nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt : null,
    lastAttemptAt: r.lastAttemptAt,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    deliveredAt: r.deliveredAt,
  };
}

export function apiAttempt(a: WebhookAttempt): z.input<typeof ApiAttempt> {
  return { attempt: a.attempt, at: a.at, ok: a.ok, statusCode: a.statusCode, error: a.error, durationMs: a.durationMs };
}

/** An opaque cursor: the position after which the next page starts. */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}
/** The cursor's parts, or `bad_request` for one this server did not make. */
export function decodeCursor(cursor: string | undefined, n: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string' && x.length <= 100)) return v as string[];
  } catch {
    // refused below
  }
  throw new AjudaError('bad_request', 'invalid cursor: pass nextCursor of the previous page as it was');
}
