import { z } from 'zod';
import { Channel, ConversationStatus, Environment, EscalationReason, Locale, MAX_ATTACHMENTS, MAX_BODY_CHARS, Priority, QueueKind } from '@ajuda/protocol';
import { SCOPES } from '../tokens.ts';

/**
 * The public API's schemas: what `/api/v1` accepts and answers. Routes validate requests and
 * serialise responses with them (fastify-type-provider-zod), and the OpenAPI document is generated
 * from them; each named one is a component of that document (registered in `apiSchemas`).
 */
export const apiSchemas = z.registry<{ id: string; description?: string }>();
const named = <S extends z.ZodType>(id: string, schema: S, description?: string): S => {
  apiSchemas.add(schema, description ? { id, description } : { id });
  return schema;
};

const Instant = z.iso.datetime({ offset: true }).describe('An instant, ISO 8601 (UTC).');
const Text = (max: number) => z.string().trim().min(1).max(max);
const Id = z.string().min(1).max(64);

// ── errors ──

export const Problem = named(
  'Problem',
  z.looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('The error code (the same table as the WebSocket error frames).'),
    detail: z.string().optional(),
    retryAfter: z.number().int().optional().describe('rate_limited: seconds to wait.'),
    incident: z.string().optional().describe('5xx: the reference in the server log.'),
  }),
  'An RFC 9457 problem (application/problem+json).',
);
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });
/** The refusals every authenticated route may answer. */
export const errors = {
  400: problem('The request is malformed: a parameter or the body does not match the schema.'),
  401: problem('No token, or an unknown, revoked or expired one (auth_failed).'),
  403: problem('The token lacks the scope this needs (forbidden), or the action is not the acting agent’s to take.'),
  429: problem('Too many requests with this token (rate_limited, see retryAfter).'),
} as const;
export const notFound = { 404: problem('No such object, or not one this token may see (R7: both answer the same).') } as const;
export const tooLarge = { 413: problem('A file, or the request, is over AJUDA_UPLOAD_MAX_MB, or the conversation’s files over AJUDA_UPLOAD_CONVERSATION_MAX_MB (payload_too_large).') } as const;
export const unsupported = { 415: problem('Not multipart/form-data, or a file of a type not allowed (svg, html, xml, executables, polyglots…): unsupported_media_type.') } as const;
export const conflict = { 409: problem('The conversation is not in a state that allows this (invalid_state, intake_pending, conversation_closed).') } as const;

// ── objects ──

export const ApiAgentRef = z.object({ id: z.string(), name: z.string() });

export const ApiSla = z.object({
  firstResponseDueAt: z.string().nullable(),
  nextResponseDueAt: z.string().nullable(),
  resolutionDueAt: z.string().nullable(),
  breached: z.array(z.enum(['first_response', 'next_response', 'resolution'])),
});

export const ApiConversation = named(
  'Conversation',
  z.object({
    id: z.string(),
    channel: Channel,
    requestType: z.string(),
    status: ConversationStatus,
    priority: Priority.nullable(),
    language: Locale,
    queue: QueueKind,
    team: z.string().nullable(),
    assignee: ApiAgentRef.nullable(),
    realmId: z.string().nullable(),
    requester: z.object({
      kind: z.enum(['visitor', 'realm_user']),
      verified: z.boolean().describe('Only a realm user signed in through the platform is verified (R1).'),
      name: z.string().nullable(),
      email: z.string().nullable(),
      userId: z.string().nullable(),
      claims: z.record(z.string(), z.string()).nullable().describe('What a visitor said about themselves: unverified (R1).'),
      contractMatch: z.enum(['contract', 'no_contract', 'unknown']),
    }),
    answers: z.record(z.string(), z.unknown()).describe('The intake answers (R6, R15).'),
    escalated: z.boolean(),
    feedback: z.object({ answered: z.boolean(), comment: z.string().optional() }).nullable(),
    sla: ApiSla,
    createdAt: z.string(),
    updatedAt: z.string(),
    resolvedAt: z.string().nullable(),
    lastSeq: z.number().int().nonnegative(),
  }),
  'A conversation as an agent sees it.',
);

export const ApiAttachment = named(
  'Attachment',
  z.object({
    id: z.string(),
    name: z.string().describe('The file name as uploaded.'),
    type: z.string().describe('The type the server decided from the bytes (never the uploader’s claim).'),
    size: z.number().int().nonnegative().describe('Bytes.'),
    image: z.boolean().describe('A re-encoded image (PNG, JPEG, GIF, WebP), without EXIF or GPS.'),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    thumb: z.boolean().describe('A WebP thumbnail exists at `url` + `/thumb`.'),
    url: z.string().describe('Its download on this API: `/api/v1/attachments/{id}` (conversations:read; agents’ downloads are audited).'),
  }),
  'A file a message carries.',
);
export const ApiUpload = ApiAttachment.extend({ expiresAt: z.string().describe('Deleted at this instant unless a message takes it (`attachments` of a reply or note).') });

export const ApiMessage = named(
  'Message',
  z.object({
    conversationId: z.string(),
    seq: z.number().int().positive(),
    kind: z.enum(['text', 'note', 'system']).describe('note: internal, never shown to the requester.'),
    sender: z.object({ role: z.enum(['requester', 'agent', 'system']), agentId: z.string().optional(), name: z.string().optional() }),
    body: z.string().describe('The text; a system line rendered in the conversation’s language.'),
    key: z.string().optional().describe('System lines: the i18n key, to render in another language with params.'),
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    clientMsgId: z.string().optional(),
    attachments: z.array(ApiAttachment).optional().describe('The files it carries (notes’ only to agents).'),
    at: z.string(),
  }),
);

export const ApiEscalation = named(
  'Escalation',
  z.object({
    id: z.string(),
    conversationId: z.string(),
    reason: EscalationReason,
    description: z.string(),
    environment: Environment,
    justification: z.string(),
    source: z.enum(['widget', 'email', 'api']),
    createdAt: z.string(),
  }),
  'R13: an escalation to the support leads.',
);

export const ApiAgent = named(
  'Agent',
  z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.string(),
    languages: z.array(z.string()),
    teams: z.array(z.string()),
    available: z.boolean(),
    disabled: z.boolean(),
  }),
);

export const Scope = z.enum(SCOPES);
export const ApiTokenInfo = named(
  'ApiToken',
  z.object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    agentId: z.string().nullable().describe('The agent the token acts for; null: the system.'),
    createdBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().describe('Recorded at most once a minute.'),
  }),
  'An API token (its secret is shown once, when it is created).',
);

export const WEBHOOK_EVENTS = ['conversation.started', 'conversation.updated', 'message.created', 'escalation.created', 'sla.breached', 'feedback.recorded'] as const;
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);

export const ApiWebhookEndpoint = named(
  'WebhookEndpoint',
  z.object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()).describe('Event types delivered; empty: every event.'),
    enabled: z.boolean(),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable(),
    failingSince: z.string().nullable().describe('The first failed delivery of the current run of failures.'),
    rotating: z.boolean().describe('A previous secret still signs too (until previousSecretUntil).'),
    previousSecretUntil: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const ApiDelivery = named(
  'WebhookDelivery',
  z.object({
    id: z.string().describe('The webhook-id header of every attempt.'),
    endpointId: z.string(),
    event: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    createdAt: z.string(),
    nextAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
  }),
);

export const ApiAttempt = named(
  'WebhookAttempt',
  z.object({
    attempt: z.number().int(),
    at: z.string(),
    ok: z.boolean(),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
  }),
);

// ── requests ──

/** `a,b,c` or repeated: a list of one enum's values. */
const listOf = <T extends z.ZodEnum>(e: T) =>
  z
    .string()
    .max(200)
    .transform((s, ctx) => {
      const parts = s.split(',').map((x) => x.trim()).filter(Boolean);
      const out: Array<z.output<T>> = [];
      for (const p of parts) {
        const r = e.safeParse(p);
        if (!r.success) {
          ctx.addIssue({ code: 'custom', message: `"${p}" is not one of ${e.options.join(', ')}` });
          return z.NEVER;
        }
        out.push(r.data);
      }
      return out;
    })
    .describe(`Comma-separated: ${e.options.join(', ')}.`);

export const Cursor = z.string().max(400).describe('From nextCursor of the previous page.');
export const Limit = z.coerce.number().int().min(1).max(100).default(50).describe('Page size, at most 100.');

export const ConversationListQuery = z.object({
  status: listOf(ConversationStatus).optional(),
  priority: listOf(Priority).optional(),
  language: listOf(Locale).optional(),
  queue: listOf(QueueKind).optional(),
  updatedSince: Instant.optional().describe('Only conversations updated at or after this instant.'),
  cursor: Cursor.optional(),
  limit: Limit,
});

export const ConversationParams = z.object({ id: Id });
export const MessagesQuery = z.object({
  afterSeq: z.coerce.number().int().min(0).default(0).describe('Messages with a seq after this one.'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const MessageBody = z
  .object({
    body: z.string().max(MAX_BODY_CHARS).default('').describe('The text; may be empty only when it carries attachments.'),
    clientMsgId: z.string().min(1).max(64).optional().describe('Retrying with the same clientMsgId stores the message once (the stored one answers).'),
    attachments: z
      .array(Id)
      .max(MAX_ATTACHMENTS)
      .optional()
      .describe('Ids of files uploaded to this conversation with `POST /conversations/{id}/attachments` by the same token, not yet taken by a message.'),
  })
  .refine((b) => b.body.length > 0 || (b.attachments?.length ?? 0) > 0, { message: 'body is required (it may be empty only with attachments)', path: ['body'] });
export const AssignBody = z.object({ agentId: Id.optional().describe('Whom to assign; default: the token’s agent (a system token must name one).') });
export const TransferBody = z
  .object({ queue: QueueKind.optional(), agentId: Id.optional(), reason: Text(1000) })
  .refine((b) => b.queue !== undefined || b.agentId !== undefined, { message: 'queue or agentId is required' });
export const PriorityBody = z.object({ priority: Priority, reason: Text(1000).describe('Why (R9: audited and shown in the priority trace).') });

export const EscalationListQuery = z.object({ since: Instant.optional(), cursor: Cursor.optional(), limit: Limit });

export const TokenCreate = z.object({
  name: Text(100),
  scopes: z.array(Scope).min(1).max(3),
  agentId: Id.nullable().describe('The agent the token acts for (its access, R7), or null: the system (every queue).'),
  expiresAt: Instant.optional().describe('When it stops working; default: never.'),
});
export const TokenParams = z.object({ id: Id });

export const WebhookCreate = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  events: z.array(WebhookEvent).max(WEBHOOK_EVENTS.length).default([]),
  description: z.string().trim().max(500).default(''),
});
export const WebhookUpdate = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  events: z.array(WebhookEvent).max(WEBHOOK_EVENTS.length).optional(),
  description: z.string().trim().max(500).optional(),
  enabled: z.boolean().optional().describe('false: stop deliveries; true: resume them (and forget past failures).'),
});
export const WebhookParams = z.object({ id: Id });
export const RotateBody = z.object({
  previousValidHours: z.number().int().min(0).max(24 * 7).default(24).describe('How long the old secret keeps signing too.'),
});
export const DeliveryParams = z.object({ id: Id, deliveryId: Id });
export const DeliveryListQuery = z.object({ status: z.enum(['pending', 'delivered', 'failed']).optional(), cursor: Cursor.optional(), limit: Limit });
