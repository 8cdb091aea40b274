import { z } from 'zod';
import { Channel, Environment, Id, Locale, MAX_ATTACHMENTS, MAX_BODY_CHARS, Priority, QueueKind, Ref } from './common.ts';
import { RequestType } from './intake.ts';
import {
  AgentConversationView,
  AgentView,
  EscalationReason,
  EscalationView,
  GrantView,
  MessageView,
  PipelineView,
  PrincipalView,
  ProjectView,
  RequesterConversationView,
} from './views.ts';

const frame = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ref: Ref, ...shape });

const ClientMsgId = z.string().min(1).max(64);
const ConvRef = { conversationId: Id };

// ───────────── client → server ─────────────

/** First frame on every socket. Credentials travel here, never in the URL. */
export const SessionHello = frame('session.hello', {
  v: z.number().int(),
  /** Requester sockets: where the widget is embedded (R1). */
  channel: Channel.optional(),
  /** Requester: a JWT signed by the host platform. */
  identityToken: z.string().max(8192).optional(),
  /** Requester: a visitor token minted earlier by this server. */
  visitorToken: z.string().max(200).optional(),
  /** Agent: a session token from POST /api/agent/login. */
  sessionToken: z.string().max(200).optional(),
  /** The browser's or the requester's choice of language (R11). */
  locale: Locale.optional(),
});

export const Ping = frame('ping', {});
export const SessionResume = frame('session.resume', { ...ConvRef, lastSeq: z.number().int().nonnegative() });
export const ConversationList = frame('conversation.list', {});
export const ConversationStart = frame('conversation.start', {
  idempotencyKey: z.string().min(8).max(64),
  requestType: RequestType,
  locale: Locale.optional(),
  answers: z.record(z.string(), z.unknown()).optional(),
  /** What a visitor says about themselves: stays a claim (R1). */
  claims: z
    .object({ email: z.string().max(200).optional(), name: z.string().max(200).optional(), realm: z.string().max(200).optional() })
    .optional(),
});
export const IntakeSubmit = frame('intake.submit', { ...ConvRef, answers: z.record(z.string(), z.unknown()) });
export const MessageSend = frame('message.send', {
  ...ConvRef,
  clientMsgId: ClientMsgId,
  /** The text; may be empty only when the message carries attachments (refused `bad_frame` otherwise). */
  body: z.string().max(MAX_BODY_CHARS),
  /** Uploads (POST /api/attachments) of this sender in this conversation that the message takes, in order. */
  attachments: z.array(Id).max(MAX_ATTACHMENTS).optional(),
  /** Agents only: an internal note is never shown to the requester. */
  kind: z.enum(['text', 'note']).optional(),
});
export const TypingSet = frame('typing.set', { ...ConvRef, on: z.boolean() });
export const ReadSet = frame('read', { ...ConvRef, lastReadSeq: z.number().int().nonnegative() });
export const RealmDirectoryGet = frame('realm.directory.get', {});
export const EscalationCreate = frame('escalation.create', {
  ...ConvRef,
  reason: EscalationReason,
  description: z.string().trim().min(1).max(4000),
  environment: Environment,
  justification: z.string().trim().min(1).max(4000),
});
export const FeedbackSubmit = frame('feedback.submit', { ...ConvRef, answered: z.boolean(), comment: z.string().max(2000).optional() });
export const ConversationReopen = frame('conversation.reopen', { ...ConvRef });
export const GrantCreate = frame('grant.create', { level: z.literal('write'), minutes: z.number().int().min(5).max(60 * 24 * 30) });
export const GrantRevoke = frame('grant.revoke', { grantId: Id });
export const GrantListGet = frame('grant.list.get', {});
// agents
export const InboxGet = frame('inbox.get', {});
export const ConversationOpen = frame('conversation.open', { ...ConvRef });
export const ConversationAssign = frame('conversation.assign', { ...ConvRef, agentId: Id.optional() });
export const ConversationTransfer = frame('conversation.transfer', {
  ...ConvRef,
  queue: QueueKind.optional(),
  agentId: Id.optional(),
  reason: z.string().trim().min(1).max(1000),
});
export const PrioritySet = frame('priority.set', { ...ConvRef, priority: Priority, reason: z.string().trim().min(1).max(1000) });
export const ConversationResolve = frame('conversation.resolve', { ...ConvRef });
export const RealmView = frame('realm.view', { ...ConvRef });
export const RealmAdjust = frame('realm.adjust', { ...ConvRef, pipelineId: Id, action: z.enum(['restart', 'pause', 'resume']) });
export const AgentAvailability = frame('agent.availability', { available: z.boolean() });
// email continuity (requesters)
/** Where this conversation's answers are emailed, if anywhere (answered `email.status`). */
export const EmailStatusGet = frame('email.status.get', { ...ConvRef });
/** "Email me the answer": a code is mailed to `address`; it is used once confirmed (answered `email.status`, `pending`). */
export const EmailRequest = frame('email.request', { ...ConvRef, address: z.email().max(200) });
/** The code from the mail (answered `email.status`: `confirmed`, or `pending` with the `problem`). */
export const EmailConfirm = frame('email.confirm', { ...ConvRef, code: z.string().trim().regex(/^\d{6}$/, 'six digits') });
/** The conversation as text: mailed to the confirmed address, or in the answer (a `.txt` download). */
export const TranscriptGet = frame('transcript.get', { ...ConvRef, deliver: z.enum(['email', 'download']) });

export const ClientFrame = z.discriminatedUnion('type', [
  SessionHello,
  Ping,
  SessionResume,
  ConversationList,
  ConversationStart,
  IntakeSubmit,
  MessageSend,
  TypingSet,
  ReadSet,
  RealmDirectoryGet,
  EscalationCreate,
  FeedbackSubmit,
  ConversationReopen,
  GrantCreate,
  GrantRevoke,
  GrantListGet,
  InboxGet,
  ConversationOpen,
  ConversationAssign,
  ConversationTransfer,
  PrioritySet,
  ConversationResolve,
  RealmView,
  RealmAdjust,
  AgentAvailability,
  EmailStatusGet,
  EmailRequest,
  EmailConfirm,
  TranscriptGet,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ClientFrameType = ClientFrame['type'];
export const CLIENT_FRAME_TYPES = ClientFrame.options.map((o) => o.shape.type.value);

/** Frames only a requester socket may send; the rest of the non-common ones are the agents'. */
export const REQUESTER_ONLY: ReadonlySet<ClientFrameType> = new Set([
  'conversation.start',
  'intake.submit',
  'realm.directory.get',
  'escalation.create',
  'feedback.submit',
  'grant.create',
  'grant.revoke',
  'grant.list.get',
  'email.status.get',
  'email.request',
  'email.confirm',
  'transcript.get',
]);
export const AGENT_ONLY: ReadonlySet<ClientFrameType> = new Set([
  'inbox.get',
  'conversation.open',
  'conversation.assign',
  'conversation.transfer',
  'priority.set',
  'conversation.resolve',
  'realm.view',
  'realm.adjust',
  'agent.availability',
]);

// ───────────── server → client ─────────────

export const FieldErrors = z.record(z.string(), z.object({ code: z.string(), i18nKey: z.string() }));

export const ErrorFrame = frame('error', {
  code: z.string(),
  message: z.string().optional(),
  i18nKey: z.string().optional(),
  conversationId: Id.optional(),
  fields: FieldErrors.optional(),
  /** Seconds until a rate-limited client may try again. */
  retryAfter: z.number().optional(),
  /** A reference to the server log for internal errors. */
  incident: z.string().optional(),
});
export const SessionReady = frame('session.ready', {
  v: z.number().int(),
  principal: PrincipalView,
  /** Minted for a new visitor; the widget keeps it to come back as the same visitor. */
  visitorToken: z.string().optional(),
  locale: Locale,
  heartbeatMs: z.number().int(),
  /** Request types this requester may open (R2–R4). */
  requestTypes: z.array(RequestType).optional(),
  /** When the identity token stops being accepted; the widget fetches a fresh one before. */
  expiresAt: z.string().optional(),
  /** The largest file the server takes (AJUDA_UPLOAD_MAX_MB): a bigger one is refused before a byte is sent. */
  uploadMaxBytes: z.number().int().positive().optional(),
});
export const Pong = frame('pong', { at: z.string() });
export const SessionEnded = frame('session.ended', { reason: z.enum(['logout', 'disabled', 'token_expired', 'grant_revoked', 'shutdown']) });
export const ConversationStarted = frame('conversation.started', { conversation: RequesterConversationView });
export const ConversationUpdated = frame('conversation.updated', { conversation: RequesterConversationView });
export const ConversationListResult = frame('conversation.list.result', { conversations: z.array(RequesterConversationView) });
export const MessageAck = frame('message.ack', { ...ConvRef, clientMsgId: ClientMsgId, seq: z.number().int().positive(), at: z.string() });
export const MessageCreated = frame('message.created', { message: MessageView });
export const Typing = frame('typing', { ...ConvRef, from: z.enum(['requester', 'agent']), on: z.boolean() });
export const ReadReceipt = frame('read.receipt', { ...ConvRef, by: z.enum(['requester', 'agent']), lastReadSeq: z.number().int().nonnegative() });
export const ResumeDone = frame('resume.done', { ...ConvRef, lastSeq: z.number().int().nonnegative(), replayed: z.number().int().nonnegative() });
export const RealmDirectory = frame('realm.directory', { pipelines: z.array(PipelineView), projects: z.array(ProjectView) });
export const EscalationCreated = frame('escalation.created', { escalation: EscalationView });
export const FeedbackRequested = frame('feedback.requested', { ...ConvRef });
export const FeedbackRecorded = frame('feedback.recorded', { ...ConvRef, answered: z.boolean(), comment: z.string().optional() });
export const GrantList = frame('grant.list', { grants: z.array(GrantView) });
// to agents
export const Inbox = frame('inbox', {
  conversations: z.array(AgentConversationView),
  agents: z.array(AgentView),
  /** Escalations of the escalated conversations listed (R13), so leads see their fields at once. */
  escalations: z.array(EscalationView).optional(),
});
export const AgentConversationUpdated = frame('agent.conversation.updated', { conversation: AgentConversationView });
export const AgentConversationRemoved = frame('agent.conversation.removed', { ...ConvRef });
export const ConversationSnapshot = frame('conversation.snapshot', {
  conversation: AgentConversationView,
  messages: z.array(MessageView),
  escalations: z.array(EscalationView),
  grant: GrantView.nullable(),
  /** `read`: the agent no longer handles it (escalated or transferred away) and may only read it. */
  access: z.enum(['handle', 'read']).optional(),
});
export const RealmSnapshot = frame('realm.snapshot', {
  ...ConvRef,
  realmId: z.string(),
  pipelines: z.array(PipelineView),
  projects: z.array(ProjectView),
  grant: GrantView.nullable(),
});
export const SlaBreached = frame('sla.breached', { ...ConvRef, clock: z.enum(['first_response', 'next_response', 'resolution']), at: z.string() });
export const AgentEscalation = frame('agent.escalation', { escalation: EscalationView });
/**
 * A conversation's email state: `enabled` (the server sends email), the `address` answers go to
 * (`confirmed`: an identity token's email or a confirmed one; `pending`: waiting for its code) and,
 * after `email.confirm`, why a code was not taken.
 */
export const EmailStatus = frame('email.status', {
  ...ConvRef,
  enabled: z.boolean(),
  state: z.enum(['none', 'pending', 'confirmed']),
  address: z.string().nullable(),
  source: z.enum(['identity', 'typed']).nullable(),
  problem: z.enum(['wrong_code', 'code_expired', 'too_many', 'no_code']).optional(),
});
/** `transcript.get`: the text (download) or the address it was mailed to. */
export const Transcript = frame('transcript', { ...ConvRef, text: z.string().optional(), emailedTo: z.string().optional() });

export const ServerFrame = z.discriminatedUnion('type', [
  ErrorFrame,
  SessionReady,
  Pong,
  SessionEnded,
  ConversationStarted,
  ConversationUpdated,
  ConversationListResult,
  MessageAck,
  MessageCreated,
  Typing,
  ReadReceipt,
  ResumeDone,
  RealmDirectory,
  EscalationCreated,
  FeedbackRequested,
  FeedbackRecorded,
  GrantList,
  Inbox,
  AgentConversationUpdated,
  AgentConversationRemoved,
  ConversationSnapshot,
  RealmSnapshot,
  SlaBreached,
  AgentEscalation,
  EmailStatus,
  Transcript,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type ServerFrameType = ServerFrame['type'];
export const SERVER_FRAME_TYPES = ServerFrame.options.map((o) => o.shape.type.value);

/** Narrow a frame union member by its type. */
export type FrameOf<U extends { type: string }, T extends U['type']> = Extract<U, { type: T }>;

/** Close codes used on the WebSocket (4000–4999 are application codes). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  policy: 1008,
  tooBig: 1009,
  authFailed: 4001,
  sessionEnded: 4003,
  helloTimeout: 4008,
  rateLimited: 4029,
} as const;

export { AgentView };
