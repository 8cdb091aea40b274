import type { AuditEntry, Conversation, Escalation } from './store.ts';

/**
 * The public API's part of the store port (`Store.api`): its tokens and the listings it pages
 * through; and the outgoing webhooks' part (`Store.webhooks`): endpoints, the durable outbox and
 * the delivery log. Adapters: api-sqlite.ts and api-pg.ts; both pass test/store.contract.test.ts.
 */

// ── API tokens ──

/** A public API token. Only the SHA-256 of the token is stored; the token itself is shown once. */
export interface ApiToken {
  id: string;
  name: string;
  tokenHash: string;
  /** `conversations:read`, `conversations:write`, `admin`. */
  scopes: string[];
  /** The agent the token acts for (R7: that agent's access); null: the system. */
  agentId: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A page of conversations in a stable order: (updatedAt, id) ascending, after a cursor. */
export interface ConversationQuery {
  status?: ReadonlyArray<Conversation['status']>;
  priority?: ReadonlyArray<NonNullable<Conversation['priority']>>;
  language?: ReadonlyArray<Conversation['language']>;
  queue?: ReadonlyArray<Conversation['queue']>;
  /** Updated at or after this instant. */
  updatedSince?: string;
  /** Strictly after this row in the order. */
  after?: { updatedAt: string; id: string };
  limit: number;
}

/** A page of escalations: (createdAt, id) ascending, after a cursor. */
export interface EscalationQuery {
  since?: string;
  after?: { createdAt: string; id: string };
  limit: number;
}

export interface ApiStore {
  createToken(t: Omit<ApiToken, 'revokedAt' | 'lastUsedAt'>, audit: AuditEntry): Promise<void>;
  findToken(tokenHash: string): Promise<ApiToken | undefined>;
  /** Every token (revoked ones too), oldest first. */
  listTokens(): Promise<ApiToken[]>;
  /** False (nothing written) when there is no such token or it is already revoked. */
  revokeToken(id: string, at: string, audit: AuditEntry): Promise<boolean>;
  /** Record a use (the caller decides how often). */
  touchToken(id: string, at: string): Promise<void>;
  listConversations(q: ConversationQuery): Promise<Conversation[]>;
  listEscalations(q: EscalationQuery): Promise<Escalation[]>;
}

// ── webhooks ──

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  /** Event types delivered to it; empty: every event. */
  events: string[];
  /** `whsec_<base64>`: signs every delivery. */
  secret: string;
  /** During a rotation the previous secret signs too (a second signature), until `previousSecretUntil`. */
  previousSecret: string | null;
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
  /** The first failure of the current run of failures; null once a delivery succeeds. */
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
}

export type EndpointPatch = Partial<Pick<WebhookEndpoint, 'url' | 'description' | 'events'>> & {
  /** true: enable (and forget the failures); false: disable with `disabledReason`. */
  enabled?: boolean;
  disabledReason?: string;
};

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint: the `webhook-id` is its id, the body its payload. */
export interface OutboxRow {
  id: string;
  endpointId: string;
  event: string;
  payload: string;
  createdAt: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  claimedBy: string | null;
  claimedUntil: string | null;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}
export type NewOutboxRow = Pick<OutboxRow, 'id' | 'endpointId' | 'event' | 'payload' | 'createdAt' | 'nextAttemptAt'>;

export interface WebhookAttempt {
  id: number;
  outboxId: string;
  endpointId: string;
  attempt: number;
  at: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** What one attempt gave, recorded by the process that claimed the row. */
export interface AttemptOutcome {
  id: string;
  /** The claimer: the outcome is recorded only while the claim is this one's. */
  by: string;
  at: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** A failure: pending again at this instant, or null: failed for good (attempts exhausted). */
  retryAt: string | null;
  /** A failure: the endpoint is disabled if it has been failing since this instant or earlier. */
  disableIfFailingSince: string;
  disabledReason: string;
}

export interface WebhookStore {
  createEndpoint(e: Omit<WebhookEndpoint, 'failingSince' | 'disabledAt' | 'disabledReason' | 'previousSecret' | 'previousSecretUntil'>, audit: AuditEntry): Promise<void>;
  getEndpoint(id: string): Promise<WebhookEndpoint | undefined>;
  /** Every endpoint, oldest first. */
  listEndpoints(): Promise<WebhookEndpoint[]>;
  /** The endpoint as committed; undefined when there is none. */
  updateEndpoint(id: string, patch: EndpointPatch, at: string, audit: AuditEntry): Promise<WebhookEndpoint | undefined>;
  /**
   * Rotate the secret in one transaction: the current secret becomes the previous one (still
   * signing until `previousUntil`), `secret` the new one.
   */
  rotateSecret(id: string, secret: string, previousUntil: string, at: string, audit: AuditEntry): Promise<WebhookEndpoint | undefined>;
  /** The endpoint, its outbox rows and their log; false when there is none. */
  deleteEndpoint(id: string, at: string, audit: AuditEntry): Promise<boolean>;

  /** Write events to the outbox (one row per endpoint), pending and due at `nextAttemptAt`. */
  enqueue(rows: readonly NewOutboxRow[]): Promise<void>;
  /**
   * Claim up to `limit` pending rows due at `now` of enabled endpoints, unclaimed or whose claim
   * lapsed, for `by` until `until`; two processes never hold the same row (PostgreSQL: FOR UPDATE
   * SKIP LOCKED). Oldest due first.
   */
  claim(now: string, until: string, by: string, limit: number): Promise<OutboxRow[]>;
  /**
   * Record an attempt on a row this claimer still holds: the log row, the outbox row's new state
   * (delivered; pending again at `retryAt`; failed) and the endpoint's failure run (reset by a
   * success; started by a failure; the endpoint disabled when it has lasted long enough).
   * `recorded: false` (nothing written) when the claim is no longer this one's.
   */
  finish(o: AttemptOutcome): Promise<{ recorded: boolean; endpointDisabled: boolean }>;
  /** Deliver a row again now (any status): pending, due at `at`, attempts from zero, unclaimed. */
  replay(id: string, at: string, audit: AuditEntry): Promise<OutboxRow | undefined>;
  getOutbox(id: string): Promise<OutboxRow | undefined>;
  /** An endpoint's rows, newest first, before a (createdAt, id) cursor. */
  listOutbox(q: { endpointId: string; status?: OutboxStatus; before?: { createdAt: string; id: string }; limit: number }): Promise<OutboxRow[]>;
  attempts(outboxId: string): Promise<WebhookAttempt[]>;
  /** Pending rows (the outbox depth). */
  pendingCount(): Promise<number>;
  /** Remove delivered and failed rows (and their log) created before `before`; how many rows went. */
  prune(before: string): Promise<number>;
}
