
import { boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The PostgreSQL schema: the same tables, columns, keys and indexes as schema.ts (the SQLite
 * schema), in PostgreSQL's dialect — flags are `boolean`, ids are identity columns. Timestamps
 * stay ISO-8601 text and JSON columns stay text, so both adapters decode rows the same way.
 * test/schemas.test.ts checks the two describe the same tables and columns.
 */

export const realms = pgTable('realms', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
});

/** Which realms and email domains hold an active contract (R3, R5: agents' eyes only). */
export const contracts = pgTable('contracts', {
  id: text('id').primaryKey(),
  realmId: text('realm_id').notNull().references(() => realms.id),
  emailDomains: text('email_domains').notNull().default('[]'),
  active: boolean('active').notNull().default(true),
  /** The SLA tier the agreement names (R10): a row of sla_tiers; `default` is the built-in one. */
  tier: text('tier').notNull().default('default'),
});

export const projects = pgTable('projects', {
  id: text('id').primaryKey(),
  realmId: text('realm_id').notNull().references(() => realms.id),
  name: text('name').notNull(),
  ongoing: boolean('ongoing').notNull().default(false),
  team: text('team'),
}, (t) => [index('projects_realm').on(t.realmId)]);

export const pipelines = pgTable('pipelines', {
  id: text('id').primaryKey(),
  realmId: text('realm_id').notNull().references(() => realms.id),
  name: text('name').notNull(),
  key: text('key').notNull(),
  environment: text('environment', { enum: ['Prod', 'Test'] }).notNull(),
  status: text('status').notNull().default('running'),
  projectId: text('project_id'),
  inProjectPhase: boolean('in_project_phase').notNull().default(false),
}, (t) => [index('pipelines_realm').on(t.realmId), uniqueIndex('pipelines_realm_key').on(t.realmId, t.key)]);

/** Platform users seen in verified identity tokens. */
export const platformUsers = pgTable('platform_users', {
  realmId: text('realm_id').notNull(),
  id: text('id').notNull(),
  name: text('name'),
  email: text('email'),
  perms: text('perms').notNull().default('[]'),
  lastSeenAt: text('last_seen_at').notNull(),
}, (t) => [primaryKey({ columns: [t.realmId, t.id] })]);

export const agents = pgTable('agents', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['agent', 'lead', 'project-team', 'admin'] }).notNull(),
  languages: text('languages').notNull().default('[]'),
  teams: text('teams').notNull().default('[]'),
  available: boolean('available').notNull().default(true),
  disabled: boolean('disabled').notNull().default(false),
}, (t) => [uniqueIndex('agents_email').on(t.email)]);

/** Agent sessions: only the SHA-256 of the random token is stored. */
export const agentSessions = pgTable('agent_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  agentId: text('agent_id').notNull().references(() => agents.id),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
  endedAt: text('ended_at'),
});

/**
 * Ajuda processes sharing this database (cluster mode): each one's heartbeat and the agents it holds
 * sockets for, so routing on any node sees every online agent (R11). A row whose heartbeat is old
 * belongs to a process that died; it is ignored, and removed by the next node that starts.
 */
export const nodes = pgTable('nodes', {
  id: text('id').primaryKey(),
  agentIds: text('agent_ids').notNull().default('[]'),
  startedAt: text('started_at').notNull(),
  heartbeatAt: text('heartbeat_at').notNull(),
});

/** Visitors: only the SHA-256 of the ≥128-bit token is stored. */
export const visitors = pgTable('visitors', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull(),
  createdAt: text('created_at').notNull(),
  lastSeenAt: text('last_seen_at').notNull(),
  forgottenAt: text('forgotten_at'),
}, (t) => [uniqueIndex('visitors_token').on(t.tokenHash)]);

export const conversations = pgTable('conversations', {
  id: text('id').primaryKey(),
  channel: text('channel', { enum: ['platform', 'login', 'website'] }).notNull(),
  requesterKind: text('requester_kind', { enum: ['visitor', 'realm_user'] }).notNull(),
  /** `v:<visitorId>` or `u:<realmId, % and : escaped>:<userId>` (injective; see realmUserOwnerKey): the owner every requester lookup is scoped by. */
  ownerKey: text('owner_key').notNull(),
  visitorId: text('visitor_id'),
  realmId: text('realm_id'),
  userId: text('user_id'),
  requesterName: text('requester_name'),
  requesterEmail: text('requester_email'),
  claims: text('claims'),
  contractMatch: text('contract_match', { enum: ['contract', 'no_contract', 'unknown'] }).notNull().default('unknown'),
  requestType: text('request_type').notNull(),
  answers: text('answers').notNull().default('{}'),
  priority: text('priority', { enum: ['P1', 'P2', 'P3', 'P4'] }),
  priorityTrace: text('priority_trace').notNull().default('[]'),
  status: text('status', { enum: ['intake', 'queued', 'assigned', 'resolved', 'closed'] }).notNull(),
  queue: text('queue', { enum: ['support', 'project', 'leads'] }).notNull().default('support'),
  team: text('team'),
  assigneeId: text('assignee_id'),
  language: text('language', { enum: ['pt', 'en', 'es'] }).notNull(),
  lastSeq: integer('last_seq').notNull().default(0),
  idempotencyKey: text('idempotency_key').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  queuedAt: text('queued_at'),
  firstAgentReplyAt: text('first_agent_reply_at'),
  lastRequesterMsgAt: text('last_requester_msg_at'),
  lastAgentReplyAt: text('last_agent_reply_at'),
  resolvedAt: text('resolved_at'),
  requesterReadSeq: integer('requester_read_seq').notNull().default(0),
  agentReadSeq: integer('agent_read_seq').notNull().default(0),
  escalated: boolean('escalated').notNull().default(false),
  flaggedComplex: boolean('flagged_complex').notNull().default(false),
  feedback: text('feedback'),
  breaches: text('breaches').notNull().default('[]'),
}, (t) => [
  uniqueIndex('conversations_owner_idem').on(t.ownerKey, t.idempotencyKey),
  index('conversations_owner').on(t.ownerKey),
  index('conversations_queue').on(t.queue, t.status),
  index('conversations_assignee').on(t.assigneeId, t.status),
  // The public API's listing: stable order by (updated_at, id), a cursor after the last row.
  index('conversations_updated').on(t.updatedAt, t.id),
]);

export const messages = pgTable('messages', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  conversationId: text('conversation_id').notNull(),
  seq: integer('seq').notNull(),
  /** `requester`, `agent:<id>` or `system`. */
  sender: text('sender').notNull(),
  senderName: text('sender_name'),
  kind: text('kind', { enum: ['text', 'system', 'note'] }).notNull(),
  /** Rendered in the conversation's language when written; the fallback for rows without a key. */
  body: text('body').notNull(),
  /** System messages: an i18n key and its JSON params, rendered in each viewer's language (R11). Null on older rows. */
  i18nKey: text('i18n_key'),
  params: text('params'),
  clientMsgId: text('client_msg_id'),
  createdAt: text('created_at').notNull(),
}, (t) => [
  uniqueIndex('messages_conv_seq').on(t.conversationId, t.seq),
  // Exactly-once in effect: a retried send with the same client id is the same message.
  uniqueIndex('messages_conv_sender_client').on(t.conversationId, t.sender, t.clientMsgId),
]);

export const routingLog = pgTable('routing_log', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  conversationId: text('conversation_id').notNull(),
  at: text('at').notNull(),
  queue: text('queue').notNull(),
  team: text('team'),
  assigneeId: text('assignee_id'),
  /** The rule code on new rows (also in `code`); readable English text on rows written before codes. */
  reason: text('reason').notNull(),
  /** A routing-reason code (e.g. `R11.assigned`) and its JSON params, rendered in the agent's language. */
  code: text('code'),
  params: text('params'),
}, (t) => [index('routing_conv').on(t.conversationId)]);

export const escalations = pgTable('escalations', {
  id: text('id').primaryKey(),
  conversationId: text('conversation_id').notNull(),
  reason: text('reason').notNull(),
  description: text('description').notNull(),
  environment: text('environment').notNull(),
  justification: text('justification').notNull(),
  source: text('source', { enum: ['widget', 'email', 'api'] }).notNull(),
  createdAt: text('created_at').notNull(),
}, (t) => [index('escalations_conv').on(t.conversationId), index('escalations_created').on(t.createdAt, t.id)]);

/** Write access granted by a customer to support (R12). */
export const grants = pgTable('grants', {
  id: text('id').primaryKey(),
  realmId: text('realm_id').notNull(),
  level: text('level', { enum: ['write'] }).notNull(),
  grantedBy: text('granted_by').notNull(),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
  revokedAt: text('revoked_at'),
}, (t) => [index('grants_realm').on(t.realmId)]);

/** Append-only: UPDATE and DELETE are refused by a trigger (migration 0001). */
export const auditLog = pgTable('audit_log', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  at: text('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  conversationId: text('conversation_id'),
  realmId: text('realm_id'),
  detail: text('detail').notNull().default('{}'),
}, (t) => [index('audit_conv').on(t.conversationId)]);


/** Support teams (agents' `teams` and projects' `team` hold a team's id; the name is what people read). */
export const teams = pgTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
});

/** Canned replies per language, inserted in the console's composer by `/shortcut`. */
export const cannedReplies = pgTable('canned_replies', {
  id: text('id').primaryKey(),
  language: text('language', { enum: ['pt', 'en', 'es'] }).notNull(),
  shortcut: text('shortcut').notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  updatedAt: text('updated_at').notNull(),
}, (t) => [uniqueIndex('canned_lang_shortcut').on(t.language, t.shortcut)]);

/** One-time set-password links (invitations and resets): only the SHA-256 of the token is stored. */
export const agentInvites = pgTable('agent_invites', {
  tokenHash: text('token_hash').primaryKey(),
  agentId: text('agent_id').notNull().references(() => agents.id),
  purpose: text('purpose', { enum: ['invite', 'reset'] }).notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
  usedAt: text('used_at'),
}, (t) => [index('agent_invites_agent').on(t.agentId)]);

/** SLA targets per contract tier (R10): JSON { P1: { firstResponseMin, nextResponseMin, resolutionMin }, … }. */
export const slaTiers = pgTable('sla_tiers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  targets: text('targets').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/**
 * Public API tokens (`/api/v1`): only the SHA-256 of the random token is stored (shown once). The
 * token acts for `agent_id` (R7 access of that agent), or for the system when null. `scopes`: JSON list.
 */
export const apiTokens = pgTable('api_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  scopes: text('scopes').notNull().default('[]'),
  agentId: text('agent_id'),
  createdBy: text('created_by').notNull(),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at'),
  revokedAt: text('revoked_at'),
  lastUsedAt: text('last_used_at'),
}, (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash)]);

/**
 * Outgoing webhook endpoints. `events`: JSON list (empty: every event). `secret` signs deliveries
 * (Standard Webhooks, `whsec_…`); during a rotation `previous_secret` signs too, until
 * `previous_secret_until`. `failing_since`: the first failure of the current run of failures.
 */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description').notNull().default(''),
  events: text('events').notNull().default('[]'),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretUntil: text('previous_secret_until'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  failingSince: text('failing_since'),
  disabledAt: text('disabled_at'),
  disabledReason: text('disabled_reason'),
});

/**
 * The webhook outbox: one row per event and endpoint, written when the event is handled, deleted
 * never (pruned when old). Any process may deliver a row: it claims it first (`claimed_by` until
 * `claimed_until`), so two processes never send the same attempt. `id` is the `webhook-id`.
 */
export const webhookOutbox = pgTable('webhook_outbox', {
  id: text('id').primaryKey(),
  endpointId: text('endpoint_id').notNull(),
  event: text('event').notNull(),
  payload: text('payload').notNull(),
  createdAt: text('created_at').notNull(),
  status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: text('next_attempt_at').notNull(),
  claimedBy: text('claimed_by'),
  claimedUntil: text('claimed_until'),
  lastAttemptAt: text('last_attempt_at'),
  lastStatus: integer('last_status'),
  lastError: text('last_error'),
  deliveredAt: text('delivered_at'),
}, (t) => [index('webhook_outbox_due').on(t.status, t.nextAttemptAt), index('webhook_outbox_endpoint').on(t.endpointId, t.createdAt)]);

/** The delivery log: one row per attempt (HTTP status or the error, how long it took). */
export const webhookAttempts = pgTable('webhook_attempts', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  outboxId: text('outbox_id').notNull(),
  endpointId: text('endpoint_id').notNull(),
  attempt: integer('attempt').notNull(),
  at: text('at').notNull(),
  ok: boolean('ok').notNull().default(false),
  statusCode: integer('status_code'),
  error: text('error'),
  durationMs: integer('duration_ms').notNull().default(0),
}, (t) => [index('webhook_attempts_outbox').on(t.outboxId), index('webhook_attempts_endpoint').on(t.endpointId, t.at)]);

/**
 * Each agent's alert preferences (which events raise a desktop notification, a sound, the tab badge;
 * the sound and its volume; the reminder for an unassigned P1/P2), as the JSON the server validated.
 */
export const alertPrefs = pgTable('alert_prefs', {
  agentId: text('agent_id').primaryKey().references(() => agents.id),
  prefs: text('prefs').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/**
 * Email continuity: one row per conversation whose requester gave (or was given, by an identity
 * token) an address. A typed address is usable once its code is confirmed; only the code's SHA-256
 * is kept. `notified_seq` is the last agent message already emailed (never emailed twice).
 */
export const emailContacts = pgTable('email_contacts', {
  conversationId: text('conversation_id').primaryKey(),
  address: text('address'),
  /** `identity` (the token's email claim) or `typed` (a visitor's, confirmed with a code). */
  source: text('source', { enum: ['identity', 'typed'] }).notNull(),
  verifiedAt: text('verified_at'),
  codeHash: text('code_hash'),
  codeExpiresAt: text('code_expires_at'),
  codeAttempts: integer('code_attempts').notNull().default(0),
  notifiedSeq: integer('notified_seq').notNull().default(0),
  /** The Message-ID of the last email sent for this conversation (In-Reply-To of the next). */
  lastMessageId: text('last_message_id'),
  updatedAt: text('updated_at').notNull(),
});

/** Email jobs (notifications, codes, transcripts, answers to escalation mail): durable, claimed with a lease, retried. */
export const emailOutbox = pgTable('email_outbox', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['notify', 'code', 'transcript', 'answer'] }).notNull(),
  conversationId: text('conversation_id'),
  payload: text('payload').notNull(),
  createdAt: text('created_at').notNull(),
  status: text('status', { enum: ['pending', 'sent', 'skipped', 'failed'] }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: text('next_attempt_at').notNull(),
  claimedBy: text('claimed_by'),
  claimedUntil: text('claimed_until'),
  lastError: text('last_error'),
  sentAt: text('sent_at'),
}, (t) => [index('email_outbox_due').on(t.status, t.nextAttemptAt), index('email_outbox_conv').on(t.conversationId, t.kind, t.status)]);

/** Inbound mail already handled, by Message-ID (a relay or provider delivering twice writes once). */
export const emailInbound = pgTable('email_inbound', {
  messageId: text('message_id').primaryKey(),
  kind: text('kind').notNull(),
  conversationId: text('conversation_id'),
  receivedAt: text('received_at').notNull(),
});

/** What happened to each conversation, for reports (see schema.ts). Append-only (triggers in the migration). */
export const conversationEvents = pgTable('conversation_events', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  conversationId: text('conversation_id').notNull(),
  at: text('at').notNull(),
  kind: text('kind', {
    enum: ['queued', 'assigned', 'first_agent_reply', 'agent_reply', 'requester_message', 'resolved', 'reopened', 'escalated', 'sla_breach', 'feedback'],
  }).notNull(),
  actor: text('actor'),
  priority: text('priority', { enum: ['P1', 'P2', 'P3', 'P4'] }),
  language: text('language', { enum: ['pt', 'en', 'es'] }).notNull(),
  queue: text('queue', { enum: ['support', 'project', 'leads'] }).notNull(),
  team: text('team'),
  requestType: text('request_type').notNull(),
  detail: text('detail').notNull().default('{}'),
}, (t) => [index('conversation_events_at').on(t.at), index('conversation_events_conv').on(t.conversationId, t.id)]);

/**
 * Help-centre articles (Markdown; `html` is the server's sanitised rendering, `plain` its text for
 * search). Translations share a slug. Searched through `article_search` (a custom migration).
 */
export const articles = pgTable('articles', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull(),
  language: text('language', { enum: ['pt', 'en', 'es'] }).notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  html: text('html').notNull(),
  plain: text('plain').notNull(),
  audience: text('audience', { enum: ['public', 'authenticated', 'contract'] }).notNull(),
  requestTypes: text('request_types').notNull().default('[]'),
  tags: text('tags').notNull().default('[]'),
  position: integer('position').notNull().default(0),
  status: text('status', { enum: ['draft', 'published'] }).notNull().default('draft'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
  publishedAt: text('published_at'),
}, (t) => [uniqueIndex('articles_slug_language').on(t.slug, t.language), index('articles_status_language').on(t.status, t.language)]);

/** The help centre's use per day, channel and language: counts only, never a query. */
export const articleStats = pgTable('article_stats', {
  day: text('day').notNull(),
  channel: text('channel').notNull(),
  language: text('language').notNull(),
  searches: integer('searches').notNull().default(0),
  suggested: integer('suggested').notNull().default(0),
  opened: integer('opened').notNull().default(0),
  answered: integer('answered').notNull().default(0),
  continued: integer('continued').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.day, t.channel, t.language] })]);

/**
 * Files people attach (apps/server/src/attachments/): one row per upload, bound to its conversation and its
 * uploader (`requester` or `agent:<id>`, as a message's sender). The bytes live in the blob storage under
 * `blob_key` (the SHA-256 of the stored bytes: content-addressed, shared by identical files); an image's
 * thumbnail under `thumb_key`. `client_msg_id` is set when a message of the same sender takes the upload
 * (its attachments are the rows with the message's conversation, sender and client id); until then the upload
 * expires at `expires_at`.
 */
export const attachments = pgTable('attachments', {
  id: text('id').primaryKey(),
  conversationId: text('conversation_id').notNull(),
  uploader: text('uploader').notNull(),
  filename: text('filename').notNull(),
  /** Decided by the server from the bytes, never taken from the client. */
  contentType: text('content_type').notNull(),
  size: integer('size').notNull(),
  blobKey: text('blob_key').notNull(),
  thumbKey: text('thumb_key'),
  width: integer('width'),
  height: integer('height'),
  clientMsgId: text('client_msg_id'),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull(),
}, (t) => [
  index('attachments_message').on(t.conversationId, t.uploader, t.clientMsgId),
  index('attachments_expiry').on(t.expiresAt),
  index('attachments_blob').on(t.blobKey),
]);
