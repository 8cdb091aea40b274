import type Database from 'better-sqlite3';
import { StoreConflict } from './store.ts';
import type * as schema from './schema.ts';

/**
 * The SQLite repository. Every statement is prepared once; the hot path (append a message)
 * is two statements. Writes are called from inside GroupWriter batches; reads anywhere.
 * Rows come back camelCased and are never sent to a client as they are: the server
 * projects them (see @ajuda/protocol views).
 */

/**
 * A row as better-sqlite3 returns it: the drizzle schema's select type with every boolean-mode
 * integer column as the 0/1 number SQLite stores (drizzle would map it; raw statements do not).
 * JSON columns stay text here; the store adapter decodes both (sqlite-store.ts).
 */
export type RawRow<T> = { [K in keyof T]: T[K] extends boolean ? number : T[K] };

export type ConversationRecord = RawRow<typeof schema.conversations.$inferSelect>;
/** A message without its rowid (never selected: `seq` orders a conversation's messages). */
export type MessageRecord = RawRow<Omit<typeof schema.messages.$inferSelect, 'id'>>;
export type AgentRecord = RawRow<typeof schema.agents.$inferSelect>;
export type PipelineRecord = RawRow<typeof schema.pipelines.$inferSelect>;
export type ProjectRecord = RawRow<typeof schema.projects.$inferSelect>;
/** A grant with the granting user's name as their identity token last gave it (platform_users; null when unknown). */
export type GrantRecord = RawRow<typeof schema.grants.$inferSelect> & { grantedByName: string | null };
export type EscalationRecord = RawRow<typeof schema.escalations.$inferSelect>;
/** A routing-log row without its rowid. `reason` is the code on new rows (English text on rows written before codes; `code` null there). */
export type RoutingRecord = RawRow<Omit<typeof schema.routingLog.$inferSelect, 'id'>>;
export type AuditRecord = RawRow<typeof schema.auditLog.$inferSelect>;

const CONV_COLS: Record<keyof ConversationRecord, string> = {
  id: 'id',
  channel: 'channel',
  requesterKind: 'requester_kind',
  ownerKey: 'owner_key',
  visitorId: 'visitor_id',
  realmId: 'realm_id',
  userId: 'user_id',
  requesterName: 'requester_name',
  requesterEmail: 'requester_email',
  claims: 'claims',
  contractMatch: 'contract_match',
  requestType: 'request_type',
  answers: 'answers',
  priority: 'priority',
  priorityTrace: 'priority_trace',
  status: 'status',
  queue: 'queue',
  team: 'team',
  assigneeId: 'assignee_id',
  language: 'language',
  lastSeq: 'last_seq',
  idempotencyKey: 'idempotency_key',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  queuedAt: 'queued_at',
  firstAgentReplyAt: 'first_agent_reply_at',
  lastRequesterMsgAt: 'last_requester_msg_at',
  lastAgentReplyAt: 'last_agent_reply_at',
  resolvedAt: 'resolved_at',
  requesterReadSeq: 'requester_read_seq',
  agentReadSeq: 'agent_read_seq',
  escalated: 'escalated',
  flaggedComplex: 'flagged_complex',
  feedback: 'feedback',
  breaches: 'breaches',
};
const select = (cols: Record<string, string>) =>
  Object.entries(cols)
    .map(([k, c]) => `${c} AS "${k}"`)
    .join(', ');
const CONV_SELECT = `SELECT ${select(CONV_COLS)} FROM conversations`;
/** The columns appending a message changes (see bumpSeq). */
const BUMPED = ['lastSeq', 'updatedAt', 'lastRequesterMsgAt', 'lastAgentReplyAt', 'firstAgentReplyAt'] as const;
type Bumped = Pick<ConversationRecord, (typeof BUMPED)[number]>;
const BUMPED_COLS = Object.fromEntries(BUMPED.map((k) => [k, CONV_COLS[k]]));
const MSG_SELECT = `SELECT conversation_id AS conversationId, seq, sender, sender_name AS senderName, kind, body,
  i18n_key AS i18nKey, params, client_msg_id AS clientMsgId, created_at AS createdAt FROM messages`;
const AGENT_SELECT = `SELECT id, email, name, password_hash AS passwordHash, role, languages, teams, available, disabled FROM agents`;
const PIPE_SELECT = `SELECT id, realm_id AS realmId, name, key, environment, status, project_id AS projectId,
  in_project_phase AS inProjectPhase FROM pipelines`;
const PROJ_SELECT = `SELECT id, realm_id AS realmId, name, ongoing, team FROM projects`;
const GRANT_SELECT = `SELECT id, realm_id AS realmId, level, granted_by AS grantedBy, created_at AS createdAt,
  expires_at AS expiresAt, revoked_at AS revokedAt,
  (SELECT u.name FROM platform_users u WHERE u.realm_id = grants.realm_id AND u.id = grants.granted_by) AS grantedByName FROM grants`;
const ESC_SELECT = `SELECT id, conversation_id AS conversationId, reason, description, environment, justification,
  source, created_at AS createdAt FROM escalations`;

export interface NewMessageRecord {
  conversationId: string;
  sender: string;
  senderName: string | null;
  kind: 'text' | 'system' | 'note';
  body: string;
  /** System messages: the i18n key and JSON params (see MessageRecord). */
  i18nKey?: string | null;
  params?: string | null;
  clientMsgId: string | null;
  at: string;
}

export interface RealmSeed {
  id: string;
  name: string;
  /** `tier`: the SLA tier the agreement names (R10); `default` when left out. */
  contract?: { emailDomains: string[]; active: boolean; tier?: string } | null;
  projects: Array<{ id: string; name: string; ongoing: boolean; team: string | null }>;
  pipelines: Array<{
    id: string;
    name: string;
    key: string;
    environment: 'Prod' | 'Test';
    status: string;
    projectId: string | null;
    inProjectPhase: boolean;
  }>;
}

export class Repo {
  private readonly s;

  constructor(readonly sqlite: Database.Database) {
    const p = <T = unknown>(sql: string) => sqlite.prepare<unknown[], T>(sql);
    this.s = {
      convById: p<ConversationRecord>(`${CONV_SELECT} WHERE id = ?`),
      convByOwnerIdem: p<ConversationRecord>(`${CONV_SELECT} WHERE owner_key = ? AND idempotency_key = ?`),
      convsByOwner: p<ConversationRecord>(`${CONV_SELECT} WHERE owner_key = ? ORDER BY created_at DESC LIMIT 100`),
      convsOpen: p<ConversationRecord>(
        `${CONV_SELECT} WHERE status IN ('intake','queued','assigned') OR (status = 'resolved' AND updated_at > ?) ORDER BY created_at`,
      ),
      convsWaiting: p<ConversationRecord>(`${CONV_SELECT} WHERE status = 'queued' ORDER BY queued_at`),
      // One statement per message: the next seq, and the SLA timestamps of who spoke (R10).
      bumpSeq: p<Bumped>(`UPDATE conversations SET last_seq = last_seq + 1,
        updated_at = IIF(@who IS NULL, updated_at, @at),
        last_requester_msg_at = IIF(@who = 'requester', @at, last_requester_msg_at),
        last_agent_reply_at = IIF(@who = 'agent', @at, last_agent_reply_at),
        first_agent_reply_at = IIF(@who = 'agent', COALESCE(first_agent_reply_at, @at), first_agent_reply_at)
        WHERE id = @id RETURNING ${select(BUMPED_COLS)}`),
      msgByClient: p<MessageRecord>(`${MSG_SELECT} WHERE conversation_id = ? AND sender = ? AND client_msg_id = ?`),
      insertMsg: p(`INSERT INTO messages (conversation_id, seq, sender, sender_name, kind, body, i18n_key, params, client_msg_id, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      msgsAfter: p<MessageRecord>(`${MSG_SELECT} WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      msgsAfterPublic: p<MessageRecord>(`${MSG_SELECT} WHERE conversation_id = ? AND seq > ? AND kind != 'note' ORDER BY seq LIMIT ?`),
      openCounts: p<{ assigneeId: string; n: number }>(
        `SELECT assignee_id AS assigneeId, count(*) AS n FROM conversations WHERE status = 'assigned' AND assignee_id IS NOT NULL GROUP BY assignee_id`,
      ),
      agentById: p<AgentRecord>(`${AGENT_SELECT} WHERE id = ?`),
      agentByEmail: p<AgentRecord>(`${AGENT_SELECT} WHERE email = ? COLLATE NOCASE`),
      agents: p<AgentRecord>(`${AGENT_SELECT} ORDER BY id`),
      insertAgent: p(`INSERT INTO agents (id, email, name, password_hash, role, languages, teams, available, disabled)
        VALUES (@id, @email, @name, @passwordHash, @role, @languages, @teams, @available, @disabled)
        ON CONFLICT(id) DO UPDATE SET email = excluded.email, name = excluded.name, role = excluded.role,
        languages = excluded.languages, teams = excluded.teams`),
      setAvailable: p(`UPDATE agents SET available = ? WHERE id = ?`),
      setDisabled: p(`UPDATE agents SET disabled = ? WHERE id = ?`),
      insertSession: p(`INSERT INTO agent_sessions (token_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
      sessionByHash: p<{ agentId: string; expiresAt: string; endedAt: string | null }>(
        `SELECT agent_id AS agentId, expires_at AS expiresAt, ended_at AS endedAt FROM agent_sessions WHERE token_hash = ?`,
      ),
      endSession: p(`UPDATE agent_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL`),
      endAgentSessions: p(`UPDATE agent_sessions SET ended_at = ? WHERE agent_id = ? AND ended_at IS NULL`),
      insertVisitor: p(`INSERT INTO visitors (id, token_hash, created_at, last_seen_at) VALUES (?, ?, ?, ?)`),
      visitorByHash: p<{ id: string; forgottenAt: string | null }>(
        `SELECT id, forgotten_at AS forgottenAt FROM visitors WHERE token_hash = ?`,
      ),
      touchVisitor: p(`UPDATE visitors SET last_seen_at = ? WHERE id = ?`),
      forgetVisitor: p(`UPDATE visitors SET forgotten_at = ? WHERE id = ?`),
      upsertUser: p(`INSERT INTO platform_users (realm_id, id, name, email, perms, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(realm_id, id) DO UPDATE SET name = excluded.name, email = excluded.email, perms = excluded.perms,
        last_seen_at = excluded.last_seen_at`),
      realmById: p<{ id: string; name: string }>(`SELECT id, name FROM realms WHERE id = ?`),
      upsertRealm: p(`INSERT INTO realms (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name`),
      deleteContracts: p(`DELETE FROM contracts WHERE realm_id = ?`),
      insertContract: p(`INSERT INTO contracts (id, realm_id, email_domains, active, tier) VALUES (?, ?, ?, ?, ?)`),
      contracts: p<{ realmId: string; realmName: string; emailDomains: string; active: number }>(
        `SELECT c.realm_id AS realmId, r.name AS realmName, c.email_domains AS emailDomains, c.active FROM contracts c JOIN realms r ON r.id = c.realm_id`,
      ),
      upsertProject: p(`INSERT INTO projects (id, realm_id, name, ongoing, team) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET name = excluded.name, ongoing = excluded.ongoing, team = excluded.team
        WHERE projects.realm_id = excluded.realm_id`),
      upsertPipeline: p(`INSERT INTO pipelines (id, realm_id, name, key, environment, status, project_id, in_project_phase)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, key = excluded.key,
        environment = excluded.environment, status = excluded.status, project_id = excluded.project_id,
        in_project_phase = excluded.in_project_phase WHERE pipelines.realm_id = excluded.realm_id`),
      pipelinesOf: p<PipelineRecord>(`${PIPE_SELECT} WHERE realm_id = ? ORDER BY name`),
      pipeline: p<PipelineRecord>(`${PIPE_SELECT} WHERE realm_id = ? AND id = ?`),
      pipelineByKey: p<PipelineRecord>(`${PIPE_SELECT} WHERE realm_id = ? AND key = ?`),
      setPipelineStatus: p(`UPDATE pipelines SET status = ? WHERE realm_id = ? AND id = ?`),
      projectsOf: p<ProjectRecord>(`${PROJ_SELECT} WHERE realm_id = ? ORDER BY name`),
      project: p<ProjectRecord>(`${PROJ_SELECT} WHERE realm_id = ? AND id = ?`),
      insertRouting: p(`INSERT INTO routing_log (conversation_id, at, queue, team, assignee_id, reason, code, params) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      routingOf: p<RoutingRecord>(`SELECT conversation_id AS conversationId, at, queue, team, assignee_id AS assigneeId, reason, code, params
        FROM routing_log WHERE conversation_id = ? ORDER BY id`),
      insertEscalation: p(`INSERT INTO escalations (id, conversation_id, reason, description, environment, justification, source, created_at)
        VALUES (@id, @conversationId, @reason, @description, @environment, @justification, @source, @createdAt)`),
      escalationsOf: p<EscalationRecord>(`${ESC_SELECT} WHERE conversation_id = ? ORDER BY created_at`),
      insertGrant: p(`INSERT INTO grants (id, realm_id, level, granted_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`),
      revokeGrant: p(`UPDATE grants SET revoked_at = ? WHERE id = ? AND realm_id = ? AND revoked_at IS NULL`),
      grantsOf: p<GrantRecord>(`${GRANT_SELECT} WHERE realm_id = ? ORDER BY created_at DESC LIMIT 50`),
      audit: p(`INSERT INTO audit_log (at, actor, action, conversation_id, realm_id, detail) VALUES (?, ?, ?, ?, ?, ?)`),
      auditOf: p<AuditRecord>(`SELECT id, at, actor, action, conversation_id AS conversationId, realm_id AS realmId, detail
        FROM audit_log WHERE conversation_id = ? ORDER BY id`),
      auditByRealm: p<AuditRecord>(`SELECT id, at, actor, action, conversation_id AS conversationId, realm_id AS realmId, detail
        FROM audit_log WHERE realm_id = ? ORDER BY id`),
    };
  }

  // ── conversations ──
  /**
   * Write-through cache of conversation rows: every message reads its conversation, so the hot
   * path does not go to SQLite for it. Rows are never mutated in place. The group writer calls
   * `forgetCached()` when it rolls anything back, so the cache never holds an uncommitted row.
   */
  private readonly convCache = new Map<string, ConversationRecord>();
  private cache(row: ConversationRecord): ConversationRecord {
    if (this.convCache.size >= 50_000) this.convCache.clear();
    this.convCache.set(row.id, row);
    return row;
  }
  forgetCached(): void {
    this.convCache.clear();
  }
  getConversation(id: string): ConversationRecord | undefined {
    const hit = this.convCache.get(id);
    if (hit) return hit;
    const row = this.s.convById.get(id);
    return row ? this.cache(row) : undefined;
  }
  findByIdempotency(ownerKey: string, key: string): ConversationRecord | undefined {
    return this.s.convByOwnerIdem.get(ownerKey, key);
  }
  listByOwner(ownerKey: string): ConversationRecord[] {
    return this.s.convsByOwner.all(ownerKey);
  }
  /** Conversations still in play (and the ones resolved since `resolvedSince`), for agents' inboxes. */
  listOpen(resolvedSince: string): ConversationRecord[] {
    return this.s.convsOpen.all(resolvedSince);
  }
  listWaiting(): ConversationRecord[] {
    return this.s.convsWaiting.all();
  }
  insertConversation(row: ConversationRecord): void {
    const keys = Object.keys(CONV_COLS) as Array<keyof ConversationRecord>;
    const sql = `INSERT INTO conversations (${keys.map((k) => CONV_COLS[k]).join(', ')}) VALUES (${keys.map((k) => '@' + k).join(', ')})`;
    this.cachedPrepare(sql).run(row);
    this.convCache.delete(row.id);
  }
  updateConversation(id: string, patch: Partial<ConversationRecord>): void {
    const keys = (Object.keys(patch) as Array<keyof ConversationRecord>).filter((k) => k !== 'id' && k in CONV_COLS);
    if (!keys.length) return;
    const sql = `UPDATE conversations SET ${keys.map((k) => `${CONV_COLS[k]} = @${k}`).join(', ')} WHERE id = @id`;
    this.cachedPrepare(sql).run({ ...patch, id });
    const cached = this.convCache.get(id);
    if (cached) this.convCache.set(id, { ...cached, ...patch, id });
  }
  /**
   * Compare-and-set: update only if status, assignee and updatedAt still hold what `expect` says.
   * Returns false (nothing written) otherwise.
   */
  updateConversationIf(id: string, expect: Pick<ConversationRecord, 'status' | 'assigneeId' | 'updatedAt'>, patch: Partial<ConversationRecord>): boolean {
    const keys = (Object.keys(patch) as Array<keyof ConversationRecord>).filter((k) => k !== 'id' && k in CONV_COLS);
    if (!keys.length) return true;
    const sql = `UPDATE conversations SET ${keys.map((k) => `${CONV_COLS[k]} = @${k}`).join(', ')}
      WHERE id = @id AND status = @expStatus AND assignee_id IS @expAssignee AND updated_at = @expUpdatedAt`;
    const values: Record<string, unknown> = { id, expStatus: expect.status, expAssignee: expect.assigneeId, expUpdatedAt: expect.updatedAt };
    for (const k of keys) values[k] = patch[k];
    if (this.cachedPrepare(sql).run(values).changes === 0) return false;
    const cached = this.convCache.get(id);
    if (cached) this.convCache.set(id, { ...cached, ...patch, id });
    return true;
  }
  private readonly stmtCache = new Map<string, Database.Statement>();
  private cachedPrepare(sql: string): Database.Statement {
    let st = this.stmtCache.get(sql);
    if (!st) {
      st = this.sqlite.prepare(sql);
      this.stmtCache.set(sql, st);
    }
    return st;
  }

  // ── messages ──
  /**
   * Append a message with the next gapless seq, or return the one already stored for the same
   * (conversation, sender, clientMsgId): a retried send is the same message (exactly-once in effect).
   */
  appendMessage(m: NewMessageRecord, who: 'requester' | 'agent' | null = null, expectStatus?: ConversationRecord['status']): { row: MessageRecord; duplicate: boolean; conversation: ConversationRecord | null } {
    if (m.clientMsgId !== null) {
      const existing = this.s.msgByClient.get(m.conversationId, m.sender, m.clientMsgId);
      if (existing) return { row: existing, duplicate: true, conversation: null };
    }
    if (expectStatus !== undefined && this.getConversation(m.conversationId)?.status !== expectStatus) throw new StoreConflict('status changed meanwhile');
    const changed = this.s.bumpSeq.get({ id: m.conversationId, who, at: m.at });
    if (!changed) throw new Error(`conversation ${m.conversationId} missing`);
    // Only the columns the statement changed come back (a whole row per message costs more than
    // the INSERT); the cached row is patched, or read once if it was not cached.
    const before = this.convCache.get(m.conversationId) ?? this.s.convById.get(m.conversationId)!;
    const bumped = this.cache({ ...before, ...changed });
    this.s.insertMsg.run(m.conversationId, bumped.lastSeq, m.sender, m.senderName, m.kind, m.body, m.i18nKey ?? null, m.params ?? null, m.clientMsgId, m.at);
    return {
      row: {
        conversationId: m.conversationId,
        seq: bumped.lastSeq,
        sender: m.sender,
        senderName: m.senderName,
        kind: m.kind,
        body: m.body,
        i18nKey: m.i18nKey ?? null,
        params: m.params ?? null,
        clientMsgId: m.clientMsgId,
        createdAt: m.at,
      },
      duplicate: false,
      conversation: bumped,
    };
  }
  messagesAfter(conversationId: string, afterSeq: number, limit: number, includeNotes: boolean): MessageRecord[] {
    return (includeNotes ? this.s.msgsAfter : this.s.msgsAfterPublic).all(conversationId, afterSeq, limit);
  }

  // ── agents ──
  getAgent(id: string): AgentRecord | undefined {
    return this.s.agentById.get(id);
  }
  findAgentByEmail(email: string): AgentRecord | undefined {
    return this.s.agentByEmail.get(email);
  }
  listAgents(): AgentRecord[] {
    return this.s.agents.all();
  }
  upsertAgent(a: AgentRecord): void {
    this.s.insertAgent.run(a);
  }
  setAgentAvailable(id: string, available: boolean): void {
    this.s.setAvailable.run(available ? 1 : 0, id);
  }
  setAgentDisabled(id: string, disabled: boolean): void {
    this.s.setDisabled.run(disabled ? 1 : 0, id);
  }
  openCounts(): Map<string, number> {
    return new Map(this.s.openCounts.all().map((r) => [r.assigneeId, r.n]));
  }
  insertSession(tokenHash: string, agentId: string, at: string, expiresAt: string): void {
    this.s.insertSession.run(tokenHash, agentId, at, expiresAt);
  }
  findSession(tokenHash: string) {
    return this.s.sessionByHash.get(tokenHash);
  }
  endSession(tokenHash: string, at: string): void {
    this.s.endSession.run(at, tokenHash);
  }
  endAgentSessions(agentId: string, at: string): void {
    this.s.endAgentSessions.run(at, agentId);
  }

  // ── visitors and platform users ──
  insertVisitor(id: string, tokenHash: string, at: string): void {
    this.s.insertVisitor.run(id, tokenHash, at, at);
  }
  findVisitor(tokenHash: string) {
    return this.s.visitorByHash.get(tokenHash);
  }
  touchVisitor(id: string, at: string): void {
    this.s.touchVisitor.run(at, id);
  }
  forgetVisitor(id: string, at: string): void {
    this.s.forgetVisitor.run(at, id);
  }
  upsertPlatformUser(realmId: string, id: string, name: string | null, email: string | null, perms: readonly string[], at: string): void {
    this.s.upsertUser.run(realmId, id, name, email, JSON.stringify(perms), at);
  }

  // ── realm directory ──
  getRealm(id: string) {
    return this.s.realmById.get(id);
  }
  listContracts() {
    return this.s.contracts.all().map((c) => ({ ...c, emailDomains: JSON.parse(c.emailDomains) as string[], active: !!c.active }));
  }
  pipelines(realmId: string): PipelineRecord[] {
    return this.s.pipelinesOf.all(realmId);
  }
  pipeline(realmId: string, id: string): PipelineRecord | undefined {
    return this.s.pipeline.get(realmId, id);
  }
  pipelineByKey(realmId: string, key: string): PipelineRecord | undefined {
    return this.s.pipelineByKey.get(realmId, key);
  }
  setPipelineStatus(realmId: string, id: string, status: string): void {
    this.s.setPipelineStatus.run(status, realmId, id);
  }
  projects(realmId: string): ProjectRecord[] {
    return this.s.projectsOf.all(realmId);
  }
  project(realmId: string, id: string): ProjectRecord | undefined {
    return this.s.project.get(realmId, id);
  }
  /** Load (insert or update) one realm's directory data. Call inside a transaction. */
  loadRealm(r: RealmSeed, at: string): void {
    this.s.upsertRealm.run(r.id, r.name, at);
    this.s.deleteContracts.run(r.id);
    if (r.contract) this.s.insertContract.run(`ct_${r.id}`, r.id, JSON.stringify(r.contract.emailDomains), r.contract.active ? 1 : 0, r.contract.tier ?? 'default');
    for (const p of r.projects) this.s.upsertProject.run(p.id, r.id, p.name, p.ongoing ? 1 : 0, p.team);
    for (const p of r.pipelines)
      this.s.upsertPipeline.run(p.id, r.id, p.name, p.key, p.environment, p.status, p.projectId, p.inProjectPhase ? 1 : 0);
  }

  // ── routing, escalations, grants, audit ──
  addRouting(r: RoutingRecord): void {
    this.s.insertRouting.run(r.conversationId, r.at, r.queue, r.team, r.assigneeId, r.reason, r.code ?? null, r.params ?? null);
  }
  routing(conversationId: string): RoutingRecord[] {
    return this.s.routingOf.all(conversationId);
  }
  addEscalation(e: EscalationRecord): void {
    this.s.insertEscalation.run(e);
  }
  escalations(conversationId: string): EscalationRecord[] {
    return this.s.escalationsOf.all(conversationId);
  }
  addGrant(g: Omit<GrantRecord, 'revokedAt' | 'grantedByName'>): void {
    this.s.insertGrant.run(g.id, g.realmId, g.level, g.grantedBy, g.createdAt, g.expiresAt);
  }
  revokeGrant(realmId: string, id: string, at: string): boolean {
    return this.s.revokeGrant.run(at, id, realmId).changes > 0;
  }
  grants(realmId: string): GrantRecord[] {
    return this.s.grantsOf.all(realmId);
  }
  audit(actor: string, action: string, conversationId: string | null, realmId: string | null, detail: object, at: string): void {
    this.s.audit.run(at, actor, action, conversationId, realmId, JSON.stringify(detail));
  }
  auditOf(conversationId: string): AuditRecord[] {
    return this.s.auditOf.all(conversationId);
  }
  auditOfRealm(realmId: string): AuditRecord[] {
    return this.s.auditByRealm.all(realmId);
  }
}
