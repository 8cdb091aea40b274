import { z } from 'zod';
import { AgentRole, Channel, ConversationStatus, Environment, Id, Locale, MAX_ATTACHMENTS, Priority, QueueKind } from './common.ts';
import { RequestType } from './intake.ts';

/**
 * Projections: the allow-lists of what may leave the server, one per audience.
 * Nothing is spread from a database row into a frame; every outbound frame is parsed
 * with these schemas, which strip any field they do not name.
 */

export const SenderView = z.object({
  role: z.enum(['requester', 'agent', 'system']),
  name: z.string().max(200).optional(),
});

export const MessageKind = z.enum(['text', 'system', 'note']);
export type MessageKind = z.infer<typeof MessageKind>;

/**
 * The params of a stored line (a system message, a routing reason, a priority reason): codes, names,
 * ids and numbers, never rendered text. Clients render the line in their own language (R11).
 */
export const LineParams = z.record(z.string(), z.union([z.string(), z.number()]));
export type LineParams = z.infer<typeof LineParams>;

/** A coded line: `code` names a rule or event (e.g. `R11.assigned`), `params` fill its text. */
export const CodedLine = z.object({ code: z.string().max(100), params: LineParams.optional() });
export type CodedLine = z.infer<typeof CodedLine>;

/**
 * A file a message carries. The type is the one the server decided from the bytes. The file is at
 * `GET /api/attachments/<id>` and, when `thumb`, a small image at `GET /api/attachments/<id>/thumb`,
 * for whoever may read the message (anyone else gets 404).
 */
export const AttachmentView = z.object({
  id: Id,
  name: z.string().max(255),
  type: z.string().max(100),
  size: z.number().int().nonnegative(),
  /** An image the server re-encoded (metadata stripped): shown inline; other files are downloads. */
  image: z.boolean(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  thumb: z.boolean(),
});
export type AttachmentView = z.infer<typeof AttachmentView>;

export const MessageView = z.object({
  conversationId: Id,
  seq: z.number().int().positive(),
  sender: SenderView,
  kind: MessageKind,
  /** The text; for a system message with a `key`, the fallback in the conversation's language. */
  body: z.string(),
  /** System messages: an i18n key (e.g. `system.assigned`) each viewer renders in their own language with `params`. */
  key: z.string().max(100).optional(),
  params: LineParams.optional(),
  clientMsgId: z.string().max(64).optional(),
  /** Files the message carries, in the order sent. */
  attachments: z.array(AttachmentView).max(MAX_ATTACHMENTS).optional(),
  at: z.string(),
});
export type MessageView = z.infer<typeof MessageView>;

export const SlaView = z.object({
  firstResponseDueAt: z.string().nullable(),
  nextResponseDueAt: z.string().nullable(),
  resolutionDueAt: z.string().nullable(),
  breached: z.array(z.enum(['first_response', 'next_response', 'resolution'])),
});
export type SlaView = z.infer<typeof SlaView>;

/** What a requester sees of their own conversation. */
export const RequesterConversationView = z.object({
  id: Id,
  channel: Channel,
  requestType: RequestType,
  status: ConversationStatus,
  priority: Priority.nullable(),
  language: Locale,
  answers: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  lastSeq: z.number().int().nonnegative(),
  /** When a first answer is due, in words on the widget (R9, R10). */
  firstResponseDueAt: z.string().nullable(),
  assignee: z.object({ name: z.string() }).nullable(),
  escalated: z.boolean(),
  feedback: z.object({ answered: z.boolean(), comment: z.string().optional() }).nullable(),
  /** Read positions, so "Seen" and the unread count survive a reload. */
  agentReadSeq: z.number().int().nonnegative(),
  requesterReadSeq: z.number().int().nonnegative(),
});
export type RequesterConversationView = z.infer<typeof RequesterConversationView>;

export const RequesterSummary = z.object({
  kind: z.enum(['visitor', 'realm_user']),
  /** True only when an identity token verified by the server says who this is (R1). */
  verified: z.boolean(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  userId: z.string().nullable(),
  /** What a visitor typed about themselves: shown as unverified claims (R1, R3). */
  claims: z.object({ email: z.string().optional(), name: z.string().optional(), realm: z.string().optional() }).nullable(),
  /** Whether a claim matches a contract: for agents' eyes only (R5). */
  contractMatch: z.enum(['contract', 'no_contract', 'unknown']),
});

export const RoutingEntry = z.object({
  at: z.string(),
  queue: QueueKind,
  team: z.string().nullable(),
  assigneeId: z.string().nullable(),
  /** The code on entries that have one; readable English on entries recorded before codes. */
  reason: z.string(),
  /** Why, as a code (e.g. `R11.assigned`) and params the console renders in the agent's language. */
  code: z.string().max(100).optional(),
  params: LineParams.optional(),
});
export type RoutingEntry = z.infer<typeof RoutingEntry>;

/** What an agent sees of a conversation in their queues (R7b, R15). */
export const AgentConversationView = z.object({
  id: Id,
  channel: Channel,
  requestType: RequestType,
  status: ConversationStatus,
  priority: Priority.nullable(),
  /** Why this priority, as text: conversations recorded before coded lines only. */
  priorityTrace: z.array(z.string()),
  /** Why this priority, as coded lines (R9), rendered in the agent's language. */
  priorityLines: z.array(CodedLine).optional(),
  language: Locale,
  answers: z.record(z.string(), z.unknown()),
  realmId: z.string().nullable(),
  requester: RequesterSummary,
  queue: QueueKind,
  team: z.string().nullable(),
  assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastSeq: z.number().int().nonnegative(),
  unread: z.number().int().nonnegative(),
  sla: SlaView,
  routingLog: z.array(RoutingEntry),
  escalated: z.boolean(),
  feedback: z.object({ answered: z.boolean(), comment: z.string().optional() }).nullable(),
  /** The newest requester or agent message: who wrote it and its first line, truncated (inbox preview). */
  lastMessage: z.object({ role: z.enum(['requester', 'agent']), name: z.string().optional(), text: z.string().max(200), at: z.string() }).nullable().optional(),
});
export type AgentConversationView = z.infer<typeof AgentConversationView>;

export const PipelineView = z.object({
  id: z.string(),
  name: z.string(),
  key: z.string(),
  environment: Environment,
  status: z.string(),
  projectId: z.string().nullable(),
  inProjectPhase: z.boolean(),
});
export type PipelineView = z.infer<typeof PipelineView>;

export const ProjectView = z.object({ id: z.string(), name: z.string(), ongoing: z.boolean() });
export type ProjectView = z.infer<typeof ProjectView>;

export const GrantView = z.object({
  id: z.string(),
  level: z.enum(['write']),
  grantedBy: z.string(),
  /** The granting user's name, for people to read (the id is for machines); null when unknown. */
  grantedByName: z.string().nullable().optional(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  /** R12c: every use of this grant (an agent's change in the realm), oldest first, for the customer's grant screen. */
  uses: z.array(z.object({ at: z.string(), action: z.string(), target: z.string(), by: z.string() })).optional(),
});
export type GrantView = z.infer<typeof GrantView>;

export const EscalationReason = z.enum(['disagree', 'scenario_changed', 'other_engineer']);
export type EscalationReason = z.infer<typeof EscalationReason>;

export const EscalationView = z.object({
  id: z.string(),
  conversationId: Id,
  reason: EscalationReason,
  description: z.string(),
  environment: Environment,
  justification: z.string(),
  source: z.enum(['widget', 'email', 'api']),
  createdAt: z.string(),
});
export type EscalationView = z.infer<typeof EscalationView>;

export const AgentView = z.object({
  id: z.string(),
  name: z.string(),
  role: AgentRole,
  languages: z.array(Locale),
  teams: z.array(z.string()),
  available: z.boolean(),
});
export type AgentView = z.infer<typeof AgentView>;

export const PrincipalView = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('visitor') }),
  z.object({ kind: z.literal('realm_user'), name: z.string().nullable(), realmName: z.string().nullable(), canGrant: z.boolean() }),
  z.object({ kind: z.literal('agent'), agent: AgentView }),
]);
