import type * as schema from './schema.ts';
import type { RealmSeed } from './repo.ts';
import type { ApiStore, WebhookStore } from './api-store.ts';
import type { AdminStore } from './admin-store.ts';
import type { InsightReads } from './insights.ts';
import type { ArticleStore } from './article-store.ts';
import type { AttachmentStore } from './attachment-store.ts';
import type { EmailStore } from './email-store.ts';

/**
 * The store port: everything the server reads and writes, as async calls. Reads return typed
 * domain rows (JSON columns decoded, flags as booleans); writes are NAMED COMMANDS. A command
 * re-reads what it decides on inside its own transaction and guards its write (compare-and-set on
 * the state it read there), so a row read before the transaction is never written back. When the
 * expected state is gone, the command throws `StoreConflict` and writes nothing; when the backend
 * is momentarily locked it throws `StoreBusy` (transient: the server answers `db_busy`).
 *
 * Policy stays pure and outside: a command that must decide something inside its transaction
 * takes the decision as a function of the fresh row (`Decide`), never server code.
 *
 * Adapters: `SqliteStore` (sqlite-store.ts), `PgStore` (pg-store.ts). Every adapter passes
 * test/store.contract.test.ts.
 */

// ── domain rows (from the drizzle schema; JSON columns decoded) ──

export type Clock = 'first_response' | 'next_response' | 'resolution';
export type Feedback = { answered: boolean; comment?: string };
/** Params of a coded line (system message, routing reason): strings and numbers. */
export type Params = Record<string, string | number>;
/** A priority-trace line: a code and its params, or English text on older rows. */
export type TraceLine = string | { code: string; params?: Params };

type ConvSelect = typeof schema.conversations.$inferSelect;
export type Conversation = Omit<ConvSelect, 'answers' | 'claims' | 'priorityTrace' | 'breaches' | 'feedback'> & {
  answers: Record<string, unknown>;
  claims: Record<string, string> | null;
  priorityTrace: TraceLine[];
  breaches: Clock[];
  feedback: Feedback | null;
};
export type Message = Omit<typeof schema.messages.$inferSelect, 'id' | 'params'> & { params: Params | null };
export type Agent = Omit<typeof schema.agents.$inferSelect, 'languages' | 'teams'> & { languages: string[]; teams: string[] };
export type Pipeline = typeof schema.pipelines.$inferSelect;
export type Project = typeof schema.projects.$inferSelect;
export type Grant = typeof schema.grants.$inferSelect & { grantedByName: string | null };
export type Escalation = typeof schema.escalations.$inferSelect;
export type Routing = Omit<typeof schema.routingLog.$inferSelect, 'id' | 'params'> & { params: Params | null };
export type Audit = Omit<typeof schema.auditLog.$inferSelect, 'detail'> & { detail: Record<string, unknown> };
export type Contract = { realmId: string; realmName: string; emailDomains: string[]; active: boolean };
export type AgentSession = { agentId: string; expiresAt: string; endedAt: string | null };
export type Visitor = { id: string; forgottenAt: string | null };
/** An agent's alert preferences: the JSON object the server validated, and when it was saved. */
export type AlertPrefsRow = { prefs: Record<string, unknown>; updatedAt: string };

/** The row types the server uses (the same as above, by the names it has always used). */
export type ConversationRow = Conversation;
export type MessageRow = Message;
export type AgentRow = Agent;
export type PipelineRow = Pipeline;
export type ProjectRow = Project;
export type GrantRow = Grant;
export type EscalationRow = Escalation;
export type RoutingRow = Routing;
export type AuditRow = Audit;

// ── what commands write ──

/** The columns a decision may change on a conversation. */
export type ConversationPatch = Partial<Omit<Conversation, 'id' | 'ownerKey' | 'idempotencyKey' | 'createdAt' | 'lastSeq'>>;
export interface RoutingEntry {
  queue: string;
  team: string | null;
  assigneeId: string | null;
  code: string;
  params?: Params | null;
}
export interface AuditEntry {
  actor: string;
  action: string;
  detail?: object;
}
/** A system message: the i18n key, its params and the body rendered in the conversation's language. */
export interface SystemLine {
  key: string;
  params: Params | null;
  body: string;
}
/**
 * What a decision writes, all in the command's transaction: a patch of the conversation, routing
 * log rows, audit rows, system messages (appended in order, each with the next seq) and an
 * escalation record.
 */
export interface Effects {
  /** When: every row written is stamped with it. */
  at: string;
  patch?: ConversationPatch;
  routing?: RoutingEntry[];
  audit?: AuditEntry[];
  system?: SystemLine[];
  escalation?: Omit<Escalation, 'conversationId'>;
}

/** What a decision may read inside the transaction, besides the conversation itself. */
export interface TxView {
  agents(): Agent[];
  /** Assigned conversations per agent. */
  openCounts(): Map<string, number>;
}

/**
 * A decision taken inside the command's transaction on the fresh row. Return the effects, or
 * throw `StoreConflict` (the expected state is gone) — or any error: nothing is written.
 */
export type Decide = (cur: Conversation, tx: TxView) => Effects;

/** The state a command expects to find; any mismatch inside the transaction is a `StoreConflict`. */
export type Expect = Partial<Pick<Conversation, 'status' | 'assigneeId' | 'updatedAt' | 'priority' | 'queue'>>;

export interface Changed {
  /** The conversation as committed. */
  conversation: Conversation;
  /** System messages appended, in seq order. */
  messages: Message[];
}

export interface NewConversation {
  id: string;
  channel: Conversation['channel'];
  requesterKind: Conversation['requesterKind'];
  ownerKey: string;
  visitorId: string | null;
  realmId: string | null;
  userId: string | null;
  requesterName: string | null;
  requesterEmail: string | null;
  claims: Record<string, string> | null;
  contractMatch: Conversation['contractMatch'];
  requestType: string;
  language: Conversation['language'];
  idempotencyKey: string;
  at: string;
}

export interface MessageInput {
  conversationId: string;
  sender: string;
  senderName: string | null;
  kind: Message['kind'];
  body: string;
  clientMsgId: string | null;
  at: string;
  /** Whose SLA clock the message moves (R10): a requester's or an agent's text; null for notes and system lines. */
  who: 'requester' | 'agent' | null;
  /** An agent's reply to a queued conversation takes it (checked on the fresh row inside the transaction). */
  takeIfQueued?: { agentId: string; routing: Pick<RoutingEntry, 'code' | 'params'> };
  /**
   * The status the caller decided on: if the conversation's status is another by the time the
   * message would be written, nothing is written and the command throws `StoreConflict` (a retried
   * clientMsgId already stored still returns the stored message).
   */
  expectStatus?: Conversation['status'];
  /** Params stored with the message: a text message's attachments (`attachments`: their JSON, see apps/server/src/attachments/). */
  params?: Params | null;
}

export interface Appended {
  message: Message;
  /** A retry with the same clientMsgId: the stored message, nothing written. */
  duplicate: boolean;
  /** The reply took the conversation (see MessageInput.takeIfQueued). */
  taken: boolean;
}

export interface StoreStats {
  batches: number;
  writes: number;
  maxBatch: number;
  checkpoints?: unknown;
}

/** Open conversations of one status, queue and priority (see `Store.countOpen`). */
export interface OpenCount {
  status: 'intake' | 'queued' | 'assigned';
  queue: Conversation['queue'];
  /** Null while in intake (no priority decided yet). */
  priority: Conversation['priority'];
  count: number;
}

/** What the readiness probe asks the store (see `Store.readiness`). */
export interface Readiness {
  /** Commands can be written now. */
  writable: boolean;
  /** Migrations this release ships that the database has not applied (the schema is behind the code). */
  pendingMigrations: number;
  /** Why it is not writable, in words for the probe's answer and the log. */
  reason?: string;
}

/** Test seams every adapter offers, so server tests need not know the backend. */
export interface StoreTesting {
  /** Called inside each commit's transaction right before COMMIT; throwing fails the whole batch (or the one command). */
  beforeCommit: ((batchSize: number) => void) | null;
  /**
   * A fixture statement in plain SQL with `?` placeholders (the adapter translates them), run on a
   * connection of its own where the backend has several; rows for a SELECT. Write portable SQL.
   */
  sql<T = Record<string, unknown>>(statement: string, ...params: unknown[]): Promise<T[]>;
  /**
   * Another connection takes the write lock on the conversation and message tables and holds it
   * until the returned function is called: commands meanwhile wait up to the busy timeout, then
   * fail with `StoreBusy`.
   */
  holdWriteLock(): Promise<() => Promise<void>>;
}

/** Held leadership of one job (see `Store.tryLeadership`). */
export interface Leadership {
  /** Settles when leadership is lost (its connection failed); the holder must stop the job. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

// ── errors ──

/** The state a command expected is gone (another writer changed it first). Nothing was written. */
export class StoreConflict extends Error {
  readonly code = 'conflict' as const;
  constructor(readonly reason: string = 'state changed') {
    super(`store conflict: ${reason}`);
    this.name = 'StoreConflict';
  }
}

/** The backend is momentarily locked (SQLite: SQLITE_BUSY); the caller may retry. */
export class StoreBusy extends Error {
  readonly code = 'busy' as const;
  constructor(cause?: unknown) {
    super('store busy', { cause });
    this.name = 'StoreBusy';
  }
}

// ── the port ──

/** Search and the events log for reports: `searchConversations`, `conversationEvents` (insights.ts). */
export interface Store extends InsightReads {
  // conversations and messages
  /**
   * A conversation as committed. `recent`: a row this process read moments ago may answer instead
   * (a backend where a read is a round trip keeps them briefly) — only for a decision the following
   * command re-checks (e.g. `MessageInput.expectStatus`) and never for access that can change.
   */
  getConversation(id: string, opts?: { recent?: boolean }): Promise<Conversation | undefined>;
  /** Several conversations as committed, in one read where the backend allows (missing ids are left out). */
  getConversations(ids: readonly string[]): Promise<Conversation[]>;
  findByIdempotency(ownerKey: string, key: string): Promise<Conversation | undefined>;
  listByOwner(ownerKey: string): Promise<Conversation[]>;
  /** Conversations in play, and those resolved since `resolvedSince` (agents' inboxes). */
  listOpen(resolvedSince: string): Promise<Conversation[]>;
  listWaiting(): Promise<Conversation[]>;
  messagesAfter(conversationId: string, afterSeq: number, limit: number, includeNotes: boolean): Promise<Message[]>;
  routing(conversationId: string): Promise<Routing[]>;
  escalations(conversationId: string): Promise<Escalation[]>;
  auditOf(conversationId: string): Promise<Audit[]>;
  auditOfRealm(realmId: string): Promise<Audit[]>;
  // agents, sessions, visitors
  getAgent(id: string): Promise<Agent | undefined>;
  findAgentByEmail(email: string): Promise<Agent | undefined>;
  listAgents(): Promise<Agent[]>;
  openCounts(): Promise<Map<string, number>>;
  findSession(tokenHash: string): Promise<AgentSession | undefined>;
  findVisitor(tokenHash: string): Promise<Visitor | undefined>;
  // realm directory and grants
  getRealm(id: string): Promise<{ id: string; name: string } | undefined>;
  listContracts(): Promise<Contract[]>;
  pipelines(realmId: string): Promise<Pipeline[]>;
  pipeline(realmId: string, id: string): Promise<Pipeline | undefined>;
  pipelineByKey(realmId: string, key: string): Promise<Pipeline | undefined>;
  projects(realmId: string): Promise<Project[]>;
  project(realmId: string, id: string): Promise<Project | undefined>;
  grants(realmId: string): Promise<Grant[]>;

  // ── commands: conversations ──
  /**
   * Create a conversation, or return the one the same owner already started with the same
   * idempotency key (`created: false`, nothing written). `then` runs on the new row in the same
   * transaction (intake answered at start).
   */
  startConversation(c: NewConversation, audit: AuditEntry, then?: Decide): Promise<Changed & { created: boolean }>;
  /** R6–R11: intake done. Expects status `intake`; `decide` sets priority, queue and maybe an assignee. */
  completeIntake(id: string, decide: Decide): Promise<Changed>;
  /** The next gapless seq; a retried clientMsgId returns the stored message. */
  appendMessage(m: MessageInput): Promise<Appended>;
  /** Read position; only ever moves forward. Returns false if it did not move. */
  markRead(id: string, by: 'requester' | 'agent', seq: number): Promise<boolean>;
  assign(id: string, expect: Expect, decide: Decide): Promise<Changed>;
  transfer(id: string, expect: Expect, decide: Decide): Promise<Changed>;
  escalate(id: string, expect: Expect, decide: Decide): Promise<Changed>;
  resolve(id: string, expect: Expect, decide: Decide): Promise<Changed>;
  reopen(id: string, expect: Expect, decide: Decide): Promise<Changed>;
  setPriority(id: string, expect: Expect, decide: Decide): Promise<Changed>;
  recordFeedback(id: string, expect: Expect, decide: Decide): Promise<Changed>;
  /** R10: each clock's breach is recorded once per conversation; returns the ones newly recorded. */
  recordBreaches(found: Array<{ id: string; clock: Clock }>, at: string): Promise<Array<{ id: string; clock: Clock }>>;
  /** Offer every waiting conversation to `decide` (each in its own guarded step of one transaction). */
  assignWaiting(decide: Decide): Promise<Changed[]>;

  // ── commands: grants and the realm directory ──
  grant(g: Omit<Grant, 'revokedAt' | 'grantedByName'>, audit: AuditEntry): Promise<void>;
  /** False (nothing written) when there is no such unrevoked grant in the realm. */
  revokeGrant(realmId: string, id: string, at: string, audit: AuditEntry): Promise<boolean>;
  /**
   * R12: a small adjustment under a grant. `mayWrite` sees the realm's grants as read inside the
   * transaction (a revocation committed first wins); `decide` gets the pipeline and returns the
   * status and effects (audit, a system line in the conversation).
   */
  adjustPipeline(conversationId: string, realmId: string, pipelineId: string, mayWrite: (grants: Grant[]) => boolean, decide: (p: Pipeline, grants: Grant[]) => { status: string; effects: Effects }): Promise<Changed & { pipeline: Pipeline }>;
  setPipelineStatus(realmId: string, id: string, status: string): Promise<void>;
  loadRealms(realms: RealmSeed[], at: string): Promise<void>;

  // ── commands: people ──
  upsertPlatformUser(realmId: string, id: string, name: string | null, email: string | null, perms: readonly string[], at: string): Promise<void>;
  insertVisitor(id: string, tokenHash: string, at: string): Promise<void>;
  touchVisitor(id: string, at: string): Promise<void>;
  forgetVisitor(id: string, at: string): Promise<void>;
  upsertAgent(a: Agent): Promise<void>;
  setAgentAvailable(id: string, available: boolean): Promise<void>;
  /** Disable an agent and end all their sessions; false if there is no such agent. */
  disableAgent(id: string, at: string, audit: AuditEntry): Promise<boolean>;
  startAgentSession(tokenHash: string, agentId: string, at: string, expiresAt: string, audit: AuditEntry): Promise<void>;
  endSession(tokenHash: string, at: string): Promise<void>;
  audit(entry: AuditEntry & { conversationId: string | null; realmId: string | null; at: string }): Promise<void>;

  // ── agents' alert preferences ──
  /** An agent's alert preferences as last saved (the JSON the server validated), or undefined if never saved. */
  alertPrefs(agentId: string): Promise<AlertPrefsRow | undefined>;
  /** Save an agent's alert preferences whole (insert, or replace what was there). */
  saveAlertPrefs(agentId: string, prefs: Record<string, unknown>, at: string): Promise<void>;

  // ── cluster: presence and leadership ──
  /**
   * This process is alive and holds sockets for `agentIds` (cluster mode, every heartbeat). Rows of
   * nodes whose heartbeat is before `forgetBefore` are removed in the same statement's transaction.
   */
  heartbeatNode(nodeId: string, agentIds: readonly string[], at: string, forgetBefore: string): Promise<void>;
  /** The agents with a socket on each node whose heartbeat is at or after `since`. */
  nodePresence(since: string): Promise<Array<{ nodeId: string; agentIds: string[] }>>;
  /** This process stops: its presence goes with it. */
  forgetNode(nodeId: string): Promise<void>;
  /**
   * Try to become the one process that runs the job `name` (the SLA ticker). Null when another
   * process holds it. PostgreSQL: a session advisory lock on a connection of its own, so a process
   * that dies (or loses that connection) lets another take over; SQLite has one process, always leader.
   */
  tryLeadership(name: string): Promise<Leadership | null>;

  // ── the public API and outgoing webhooks (api-store.ts) ──
  /** API tokens and the listings the API pages through. */
  readonly api: ApiStore;
  /** Webhook endpoints, the outbox and the delivery log. */
  readonly webhooks: WebhookStore;
  /** Administration: teams, agents' accounts and set-password links, canned replies, SLA tiers, one realm at a time. */
  readonly admin: AdminStore;
  /** The help centre: articles, their search and the daily counters of its use (article-store.ts). */
  readonly articles: ArticleStore;
  /** Uploaded files' rows (attachment-store.ts); the bytes are in the server's blob storage. */
  readonly attachments: AttachmentStore;
  /** Email continuity: each conversation's address and code, the email outbox, inbound Message-IDs (email-store.ts). */
  readonly email: EmailStore;

  // ── observability ──
  /**
   * Open conversations (intake, queued, assigned) counted by status, queue and priority: the
   * metrics gauge, read on each scrape. Reads only open rows (through the queue/status index).
   */
  countOpen(): Promise<OpenCount[]>;
  /**
   * The readiness probe: whether this process can write now and whether every migration it ships
   * is applied. Cheap, and never throws (a failure to ask is `writable: false` with the reason).
   * SQLite: the connection is open and not read-only, and the last group commit did not fail (if
   * it did, an empty commit is tried). PostgreSQL: a pooled connection answers within 2 s, the
   * server is not a standby (`pg_is_in_recovery()`) and transactions are not read-only.
   */
  readiness(): Promise<Readiness>;
  /**
   * Told after each commit, for the latency histogram: seconds it took and the commands it carried.
   * SQLite: one group commit, from BEGIN until durable (what an ack waits for). PostgreSQL: one
   * command, from asking for a connection until COMMIT returned. Null: nobody listens.
   */
  onCommit: ((seconds: number, writes: number) => void) | null;

  // ── lifecycle ──
  /** Seams for tests only (fault injection, fixtures); never used by the server. */
  readonly testing: StoreTesting;
  /** Cheap liveness check (the health endpoint). */
  ping(): Promise<void>;
  /** Writer counters, for the benchmark. */
  stats(): Promise<StoreStats>;
  /** Resolves when every command issued so far has settled. */
  drain(): Promise<void>;
  close(): Promise<void>;
}
