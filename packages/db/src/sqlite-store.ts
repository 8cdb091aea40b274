import Database from 'better-sqlite3';
import { createDb, MIGRATIONS_DIR, type Db, type DbOptions } from './open.ts';
import { journalTimes, pendingMigrations } from './migration-state.ts';
import * as schema from './schema.ts';
import type { AgentRecord, AuditRecord, ConversationRecord, GrantRecord, MessageRecord, RoutingRecord } from './repo.ts';
import {
  StoreBusy,
  StoreConflict,
  type Agent,
  type Appended,
  type Audit,
  type AuditEntry,
  type Changed,
  type Clock,
  type Conversation,
  type ConversationPatch,
  type Decide,
  type Effects,
  type Expect,
  type Grant,
  type Leadership,
  type Message,
  type NewConversation,
  type MessageInput,
  type OpenCount,
  type Params,
  type Pipeline,
  type Readiness,
  type Routing,
  type Store,
  type StoreStats,
  type StoreTesting,
  type TxView,
} from './store.ts';
import { Repo } from './repo.ts';
import { SqliteApi } from './api-sqlite.ts';
import { SqliteEmail } from './email-sqlite.ts';
import { sqliteAdmin } from './admin-sqlite.ts';
import type { AdminStore } from './admin-store.ts';
import { sqliteArticles } from './article-sqlite.ts';
import { sqliteAttachments } from './attachment-sqlite.ts';
import type { AttachmentStore } from './attachment-store.ts';
import { GroupWriter, type WriteOptions } from './writer.ts';
import { SqliteInsights } from './insights-sqlite.ts';
import { breachEvent, changeEvents, messageEvents, type SearchQuery } from './insights.ts';

/**
 * The repository and its group writer, wired together: a rollback drops the repository's
 * cached rows, so nothing uncommitted is ever read back.
 *
 * @example const { repo, writer } = openStore(createDb(':memory:'));
 */
export function openStore(db: Db): { repo: Repo; writer: GroupWriter } {
  const repo = new Repo(db.sqlite);
  const writer = new GroupWriter(db.sqlite, db.durable);
  writer.onRollback = () => repo.forgetCached();
  db.setWriteGate(writer);
  return { repo, writer };
}

// ── decoding and encoding: the only place JSON columns and integer flags are touched ──

function json<T>(s: string | null | undefined, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}
const params = (s: string | null | undefined): Params | null => {
  const v = json<unknown>(s, null);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Params) : null;
};
const encParams = (p: Params | null | undefined): string | null => (p && Object.keys(p).length ? JSON.stringify(p) : null);

/**
 * Rows are immutable in the repository's cache: each version is decoded once, and a new version
 * (every message bumps the seq) reuses the previous version's decoded JSON columns when their text
 * did not change, so the hot path parses nothing. Decoded values are never mutated.
 */
const decoded = new WeakMap<ConversationRecord, Conversation>();
const previous = new Map<string, { raw: ConversationRecord; dec: Conversation }>();
function conversation(r: ConversationRecord): Conversation {
  let c = decoded.get(r);
  if (!c) {
    const p = previous.get(r.id);
    const keep = <K extends 'answers' | 'claims' | 'priorityTrace' | 'breaches' | 'feedback'>(k: K, fallback: Conversation[K]): Conversation[K] =>
      // These are text columns (RawRow maps only the boolean ones to numbers).
      p && p.raw[k] === r[k] ? p.dec[k] : json(r[k] as string | null, fallback);
    c = {
      ...r,
      answers: keep('answers', {}),
      claims: keep('claims', null),
      priorityTrace: keep('priorityTrace', []),
      breaches: keep('breaches', []),
      feedback: keep('feedback', null),
      escalated: !!r.escalated,
      flaggedComplex: !!r.flaggedComplex,
    };
    decoded.set(r, c);
    if (previous.size >= 50_000) previous.clear();
    previous.set(r.id, { raw: r, dec: c });
  }
  return c;
}
const maybeConversation = (r: ConversationRecord | undefined) => (r ? conversation(r) : undefined);

function encodePatch(p: ConversationPatch): Partial<ConversationRecord> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    switch (k) {
      case 'answers':
      case 'priorityTrace':
      case 'breaches':
        out[k] = JSON.stringify(v);
        break;
      case 'claims':
      case 'feedback':
        out[k] = v === null ? null : JSON.stringify(v);
        break;
      case 'escalated':
      case 'flaggedComplex':
        out[k] = v ? 1 : 0;
        break;
      default:
        out[k] = v;
    }
  }
  return out as Partial<ConversationRecord>;
}

const message = (m: MessageRecord): Message => ({
  conversationId: m.conversationId,
  seq: m.seq,
  sender: m.sender,
  senderName: m.senderName,
  kind: m.kind,
  body: m.body,
  i18nKey: m.i18nKey ?? null,
  params: params(m.params),
  clientMsgId: m.clientMsgId,
  createdAt: m.createdAt,
});
const agent = (a: AgentRecord): Agent => ({ ...a, languages: json(a.languages, []), teams: json(a.teams, []), available: !!a.available, disabled: !!a.disabled });
const maybeAgent = (a: AgentRecord | undefined) => (a ? agent(a) : undefined);
const grant = (g: GrantRecord): Grant => ({ ...g, grantedByName: g.grantedByName ?? null });
const routing = (r: RoutingRecord): Routing => ({ ...r, code: r.code ?? null, params: params(r.params) });
const audit = (a: AuditRecord): Audit => ({ ...a, detail: json(a.detail, {}) });
const pipeline = (p: { inProjectPhase: number | boolean } & Omit<Pipeline, 'inProjectPhase'>): Pipeline => ({ ...p, inProjectPhase: !!p.inProjectPhase });
const project = <P extends { ongoing: number | boolean }>(p: P) => ({ ...p, ongoing: !!p.ongoing });

/** better-sqlite3 reports a lock it waited for in vain as SQLITE_BUSY (or SQLITE_BUSY_*). */
function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) || (e instanceof Error && /database is locked/.test(e.message));
}
const busy = (e: unknown) => (isBusy(e) ? new StoreBusy(e) : e);
/** How long holdWriteLock's connection waits for a commit in progress before it takes the lock. */
const BUSY_LOCKER_MS = 5000;

function sameExpect(cur: Conversation, expect: Expect): string | null {
  for (const [k, v] of Object.entries(expect) as Array<[keyof Expect, unknown]>) if (v !== undefined && cur[k] !== v) return `${k} is ${String(cur[k])}, expected ${String(v)}`;
  return null;
}

export interface SqliteStoreOptions {
  /** The writer counters and checkpoint stats reported by stats(). */
  db: Db;
  repo: Repo;
  writer: GroupWriter;
}

/**
 * The SQLite adapter of the store port: today's Repo (prepared statements, the row cache) and
 * GroupWriter (group commit, durability sync; the checkpointer runs beside). Every command is ONE
 * `writer.write(() => …)` whose closure re-reads what it decides on, inside the batch transaction,
 * and writes with compare-and-set; it throws StoreConflict (its savepoint rolled back) if the
 * expected state is gone.
 */
export class SqliteStore implements Store {
  readonly db: Db;
  private readonly repo: Repo;
  private readonly writer: GroupWriter;
  private readonly tx: TxView;
  /** The public API's tokens and listings; the webhooks' endpoints, outbox and log (api-sqlite.ts). */
  readonly api: SqliteApi;
  readonly webhooks: SqliteApi;
  readonly admin: AdminStore = sqliteAdmin(() => this.db.sqlite, (fn) => this.write(fn), (fn) => this.read(fn));
  readonly articles = sqliteArticles(() => this.db.sqlite, (fn) => this.write(fn), (fn) => this.read(fn));
  readonly attachments: AttachmentStore = sqliteAttachments(() => this.db.sqlite, (fn) => this.write(fn), (fn) => this.read(fn));
  /** Email continuity's contacts, outbox and inbound Message-IDs (email-sqlite.ts). */
  readonly email: SqliteEmail = new SqliteEmail({ sqlite: () => this.db.sqlite, write: (run) => this.write(run), read: (run) => this.read(run) });

  constructor(o: SqliteStoreOptions) {
    this.db = o.db;
    this.repo = o.repo;
    this.writer = o.writer;
    this.tx = { agents: () => this.repo.listAgents().map(agent), openCounts: () => this.repo.openCounts() };
    this.api = this.webhooks = new SqliteApi({ sqlite: () => this.db.sqlite, write: (run) => this.write(run), read: (run) => this.read(run), getConversations: (ids) => this.getConversations(ids) });
    this.writer.onBatch = (seconds, writes, error) => {
      if (error !== undefined) {
        this.commitError = error;
        return;
      }
      this.commitError = null;
      try {
        this.onCommit?.(seconds, writes);
      } catch {
        // An observer's failure never touches the writer.
      }
    };
  }

  /** Open a database file (or `:memory:`), apply migrations and wrap it. */
  static open(file: string, opts: DbOptions = {}): SqliteStore {
    const db = createDb(file, opts);
    const { repo, writer } = openStore(db);
    return new SqliteStore({ db, repo, writer });
  }

  private async read<T>(run: () => T): Promise<T> {
    try {
      return run();
    } catch (e) {
      throw busy(e);
    }
  }

  private write<T>(run: () => T, opts?: WriteOptions): Promise<T> {
    return this.writer.write(run, opts).catch((e: unknown) => {
      throw busy(e);
    });
  }

  // ── reads ──
  /** Every read is current here (`recent` changes nothing: the row cache is the committed state). */
  getConversation(id: string, _opts?: { recent?: boolean }) {
    return this.read(() => maybeConversation(this.repo.getConversation(id)));
  }
  getConversations(ids: readonly string[]) {
    return this.read(() => ids.map((id) => this.repo.getConversation(id)).filter((r) => r !== undefined).map(conversation));
  }
  findByIdempotency(ownerKey: string, key: string) {
    return this.read(() => maybeConversation(this.repo.findByIdempotency(ownerKey, key)));
  }
  listByOwner(ownerKey: string) {
    return this.read(() => this.repo.listByOwner(ownerKey).map(conversation));
  }
  listOpen(resolvedSince: string) {
    return this.read(() => this.repo.listOpen(resolvedSince).map(conversation));
  }
  listWaiting() {
    return this.read(() => this.repo.listWaiting().map(conversation));
  }
  messagesAfter(conversationId: string, afterSeq: number, limit: number, includeNotes: boolean) {
    return this.read(() => this.repo.messagesAfter(conversationId, afterSeq, limit, includeNotes).map(message));
  }
  routing(conversationId: string) {
    return this.read(() => this.repo.routing(conversationId).map(routing));
  }
  escalations(conversationId: string) {
    return this.read(() => this.repo.escalations(conversationId));
  }
  auditOf(conversationId: string) {
    return this.read(() => this.repo.auditOf(conversationId).map(audit));
  }
  auditOfRealm(realmId: string) {
    return this.read(() => this.repo.auditOfRealm(realmId).map(audit));
  }
  getAgent(id: string) {
    return this.read(() => maybeAgent(this.repo.getAgent(id)));
  }
  findAgentByEmail(email: string) {
    return this.read(() => maybeAgent(this.repo.findAgentByEmail(email)));
  }
  listAgents() {
    return this.read(() => this.repo.listAgents().map(agent));
  }
  openCounts() {
    return this.read(() => this.repo.openCounts());
  }
  findSession(tokenHash: string) {
    return this.read(() => this.repo.findSession(tokenHash));
  }
  findVisitor(tokenHash: string) {
    return this.read(() => this.repo.findVisitor(tokenHash));
  }
  getRealm(id: string) {
    return this.read(() => this.repo.getRealm(id));
  }
  listContracts() {
    return this.read(() => this.repo.listContracts());
  }
  pipelines(realmId: string) {
    return this.read(() => this.repo.pipelines(realmId).map(pipeline));
  }
  pipeline(realmId: string, id: string) {
    return this.read(() => {
      const p = this.repo.pipeline(realmId, id);
      return p ? pipeline(p) : undefined;
    });
  }
  pipelineByKey(realmId: string, key: string) {
    return this.read(() => {
      const p = this.repo.pipelineByKey(realmId, key);
      return p ? pipeline(p) : undefined;
    });
  }
  projects(realmId: string) {
    return this.read(() => this.repo.projects(realmId).map(project));
  }
  project(realmId: string, id: string) {
    return this.read(() => {
      const p = this.repo.project(realmId, id);
      return p ? project(p) : undefined;
    });
  }
  grants(realmId: string) {
    return this.read(() => this.repo.grants(realmId).map(grant));
  }

  // ── search and the events log (insights-sqlite.ts) ──
  private insightsOf: SqliteInsights | null = null;
  private get insights(): SqliteInsights {
    return (this.insightsOf ??= new SqliteInsights(this.db.sqlite));
  }
  searchConversations(q: SearchQuery) {
    return this.read(() => this.insights.searchIds(q)).then(async (ids) => {
      const rows = new Map((await this.getConversations(ids)).map((c) => [c.id, c]));
      return ids.map((id) => rows.get(id)).filter((c) => c !== undefined);
    });
  }
  conversationEvents(q: { from: string; to: string }) {
    return this.read(() => this.insights.events(q));
  }

  // ── inside a transaction ──
  private current(id: string): Conversation {
    const r = this.repo.getConversation(id);
    if (!r) throw new StoreConflict('not_found');
    return conversation(r);
  }

  /** Apply a decision's effects to `cur` (read in this transaction), the patch compare-and-set. */
  private apply(cur: Conversation, e: Effects, at: string): Changed {
    const repo = this.repo;
    if (e.escalation) repo.addEscalation({ ...e.escalation, conversationId: cur.id });
    if (e.patch && Object.keys(e.patch).length) {
      if (!repo.updateConversationIf(cur.id, { status: cur.status, assigneeId: cur.assigneeId, updatedAt: cur.updatedAt }, encodePatch(e.patch)))
        throw new StoreConflict('changed meanwhile');
    }
    for (const r of e.routing ?? [])
      repo.addRouting({ conversationId: cur.id, at, queue: r.queue, team: r.team, assigneeId: r.assigneeId, reason: r.code, code: r.code, params: encParams(r.params) });
    for (const a of e.audit ?? []) repo.audit(a.actor, a.action, cur.id, cur.realmId, a.detail ?? {}, at);
    const messages: Message[] = [];
    for (const l of e.system ?? []) {
      const r = repo.appendMessage({ conversationId: cur.id, sender: 'system', senderName: null, kind: 'system', body: l.body, i18nKey: l.key, params: encParams(l.params), clientMsgId: null, at });
      messages.push(message(r.row));
    }
    const after = this.current(cur.id);
    // The events log (reports), in the same transaction as the change it records.
    this.insights.write(changeEvents(cur, after, e));
    return { conversation: after, messages };
  }

  private change(id: string, expect: Expect | null, decide: Decide): Promise<Changed> {
    return this.write(() => {
      const cur = this.current(id);
      const wrong = expect && sameExpect(cur, expect);
      if (wrong) throw new StoreConflict(wrong);
      const e = decide(cur, this.tx);
      return this.apply(cur, e, e.at);
    });
  }

  // ── commands: conversations ──
  startConversation(n: NewConversation, a: AuditEntry, then?: Decide): Promise<Changed & { created: boolean }> {
    return this.write(() => {
      const again = this.repo.findByIdempotency(n.ownerKey, n.idempotencyKey);
      if (again) return { conversation: conversation(again), messages: [], created: false };
      const row: ConversationRecord = {
        id: n.id, channel: n.channel, requesterKind: n.requesterKind, ownerKey: n.ownerKey, visitorId: n.visitorId, realmId: n.realmId,
        userId: n.userId, requesterName: n.requesterName, requesterEmail: n.requesterEmail,
        claims: n.claims && Object.keys(n.claims).length ? JSON.stringify(n.claims) : null, contractMatch: n.contractMatch,
        requestType: n.requestType, answers: '{}', priority: null, priorityTrace: '[]', status: 'intake', queue: 'support', team: null,
        assigneeId: null, language: n.language, lastSeq: 0, idempotencyKey: n.idempotencyKey, createdAt: n.at, updatedAt: n.at,
        queuedAt: null, firstAgentReplyAt: null, lastRequesterMsgAt: null, lastAgentReplyAt: null, resolvedAt: null,
        requesterReadSeq: 0, agentReadSeq: 0, escalated: 0, flaggedComplex: 0, feedback: null, breaches: '[]',
      };
      this.repo.insertConversation(row);
      this.repo.audit(a.actor, a.action, n.id, n.realmId, a.detail ?? {}, n.at);
      const cur = this.current(n.id);
      if (!then) return { conversation: cur, messages: [], created: true };
      return { ...this.apply(cur, then(cur, this.tx), n.at), created: true };
    });
  }

  completeIntake(id: string, decide: Decide) {
    return this.change(id, { status: 'intake' }, decide);
  }

  appendMessage(m: MessageInput): Promise<Appended> {
    return this.write(
      () => {
        // The first agent reply of the conversation (decided inside the transaction, for the events log).
        const first = m.who === 'agent' && this.repo.getConversation(m.conversationId)?.firstAgentReplyAt === null;
        const r = this.repo.appendMessage(
          { conversationId: m.conversationId, sender: m.sender, senderName: m.senderName, kind: m.kind, body: m.body, params: encParams(m.params ?? null), clientMsgId: m.clientMsgId, at: m.at },
          m.who,
          m.expectStatus,
        );
        let taken = false;
        // Decided on the row the same statement returned: the state inside this transaction.
        if (m.takeIfQueued && r.conversation && r.conversation.status === 'queued') {
          const t = m.takeIfQueued;
          this.repo.updateConversation(m.conversationId, { status: 'assigned', assigneeId: t.agentId });
          const cur = r.conversation;
          this.repo.addRouting({ conversationId: m.conversationId, at: m.at, queue: cur.queue, team: cur.team, assigneeId: t.agentId, reason: t.routing.code, code: t.routing.code, params: encParams(t.routing.params) });
          taken = true;
        }
        if (!r.duplicate && r.conversation) {
          const c = conversation(r.conversation);
          this.insights.write(messageEvents(c, m, first));
          if (taken) this.insights.write(changeEvents(c, this.current(m.conversationId), { at: m.at, audit: [{ actor: m.sender, action: 'taken' }] }));
        }
        return { message: message(r.row), duplicate: r.duplicate, taken };
      },
      // Touches only the database and its row cache: safe to run again (see WriteOptions).
      { replayable: true },
    );
  }

  markRead(id: string, by: 'requester' | 'agent', seq: number): Promise<boolean> {
    return this.write(
      () => {
        const c = this.repo.getConversation(id);
        if (!c) return false;
        const now = by === 'agent' ? c.agentReadSeq : c.requesterReadSeq;
        const to = Math.min(seq, c.lastSeq);
        if (to <= now) return false;
        this.repo.updateConversation(id, by === 'agent' ? { agentReadSeq: to } : { requesterReadSeq: to });
        return true;
      },
      { replayable: true },
    );
  }

  assign(id: string, expect: Expect, decide: Decide) {
    return this.change(id, expect, decide);
  }
  transfer(id: string, expect: Expect, decide: Decide) {
    return this.change(id, expect, decide);
  }
  escalate(id: string, expect: Expect, decide: Decide) {
    return this.change(id, expect, decide);
  }
  resolve(id: string, expect: Expect, decide: Decide) {
    return this.change(id, expect, decide);
  }
  reopen(id: string, expect: Expect, decide: Decide) {
    return this.change(id, expect, decide);
  }
  setPriority(id: string, expect: Expect, decide: Decide) {
    return this.change(id, expect, decide);
  }
  recordFeedback(id: string, expect: Expect, decide: Decide) {
    return this.change(id, expect, decide);
  }

  recordBreaches(found: Array<{ id: string; clock: Clock }>, at: string) {
    return this.write(() => {
      const done: Array<{ id: string; clock: Clock }> = [];
      for (const { id, clock } of found) {
        const r = this.repo.getConversation(id);
        if (!r) continue;
        const c = conversation(r);
        if (c.breaches.includes(clock)) continue;
        this.repo.updateConversation(id, { breaches: JSON.stringify([...c.breaches, clock]) });
        this.repo.audit('system', 'sla.breached', id, c.realmId, { clock, priority: c.priority }, at);
        this.repo.addRouting({ conversationId: id, at, queue: c.queue, team: c.team, assigneeId: c.assigneeId, reason: 'R10.breached_clock', code: 'R10.breached_clock', params: JSON.stringify({ clock }) });
        this.insights.write([breachEvent(c, clock, at)]);
        done.push({ id, clock });
      }
      return done;
    });
  }

  assignWaiting(decide: Decide): Promise<Changed[]> {
    return this.write(() => {
      const out: Changed[] = [];
      for (const r of this.repo.listWaiting()) {
        const cur = conversation(r);
        const e = decide(cur, this.tx);
        if (!e.patch && !e.routing?.length && !e.audit?.length && !e.system?.length) continue;
        out.push(this.apply(cur, e, e.at));
      }
      return out;
    });
  }

  // ── commands: grants and the realm directory ──
  grant(g: Omit<Grant, 'revokedAt' | 'grantedByName'>, a: AuditEntry) {
    return this.write(() => {
      this.repo.addGrant(g);
      this.repo.audit(a.actor, a.action, null, g.realmId, a.detail ?? {}, g.createdAt);
    });
  }
  revokeGrant(realmId: string, id: string, at: string, a: AuditEntry) {
    return this.write(() => {
      const done = this.repo.revokeGrant(realmId, id, at);
      if (done) this.repo.audit(a.actor, a.action, null, realmId, a.detail ?? {}, at);
      return done;
    });
  }
  adjustPipeline(
    conversationId: string,
    realmId: string,
    pipelineId: string,
    mayWrite: (grants: Grant[]) => boolean,
    decide: (p: Pipeline, grants: Grant[]) => { status: string; effects: Effects },
  ) {
    return this.write(() => {
      // Read inside the transaction: a revocation committed before this one wins (R12c).
      const grants = this.repo.grants(realmId).map(grant);
      if (!mayWrite(grants)) throw new StoreConflict('grant_required');
      const p = this.repo.pipeline(realmId, pipelineId);
      if (!p) throw new StoreConflict('not_found');
      const d = decide(pipeline(p), grants);
      this.repo.setPipelineStatus(realmId, p.id, d.status);
      const cur = this.current(conversationId);
      return { ...this.apply(cur, d.effects, d.effects.at), pipeline: pipeline({ ...p, status: d.status }) };
    });
  }
  setPipelineStatus(realmId: string, id: string, status: string) {
    return this.write(() => this.repo.setPipelineStatus(realmId, id, status));
  }
  loadRealms(realms: Parameters<Store['loadRealms']>[0], at: string) {
    return this.write(() => {
      for (const r of realms) this.repo.loadRealm(r, at);
    });
  }

  // ── commands: people ──
  upsertPlatformUser(realmId: string, id: string, name: string | null, email: string | null, perms: readonly string[], at: string) {
    return this.write(() => this.repo.upsertPlatformUser(realmId, id, name, email, perms, at));
  }
  insertVisitor(id: string, tokenHash: string, at: string) {
    return this.write(() => this.repo.insertVisitor(id, tokenHash, at));
  }
  touchVisitor(id: string, at: string) {
    return this.write(() => this.repo.touchVisitor(id, at));
  }
  forgetVisitor(id: string, at: string) {
    return this.write(() => this.repo.forgetVisitor(id, at));
  }
  upsertAgent(a: Agent) {
    return this.write(() =>
      this.repo.upsertAgent({ ...a, languages: JSON.stringify(a.languages), teams: JSON.stringify(a.teams), available: a.available ? 1 : 0, disabled: a.disabled ? 1 : 0 }),
    );
  }
  setAgentAvailable(id: string, available: boolean) {
    return this.write(() => this.repo.setAgentAvailable(id, available));
  }
  disableAgent(id: string, at: string, a: AuditEntry) {
    return this.write(() => {
      if (!this.repo.getAgent(id)) return false;
      this.repo.setAgentDisabled(id, true);
      this.repo.endAgentSessions(id, at);
      this.repo.audit(a.actor, a.action, null, null, a.detail ?? {}, at);
      return true;
    });
  }
  startAgentSession(tokenHash: string, agentId: string, at: string, expiresAt: string, a: AuditEntry) {
    return this.write(() => {
      this.repo.insertSession(tokenHash, agentId, at, expiresAt);
      this.repo.audit(a.actor, a.action, null, null, a.detail ?? {}, at);
    });
  }
  endSession(tokenHash: string, at: string) {
    return this.write(() => this.repo.endSession(tokenHash, at));
  }
  audit(e: AuditEntry & { conversationId: string | null; realmId: string | null; at: string }) {
    return this.write(() => this.repo.audit(e.actor, e.action, e.conversationId, e.realmId, e.detail ?? {}, e.at));
  }

  // ── cluster ──
  alertPrefs(agentId: string) {
    return this.read(() => {
      const r = this.db.sqlite.prepare('SELECT prefs, updated_at FROM alert_prefs WHERE agent_id = ?').get(agentId) as { prefs: string; updated_at: string } | undefined;
      return r ? { prefs: JSON.parse(r.prefs) as Record<string, unknown>, updatedAt: r.updated_at } : undefined;
    });
  }
  saveAlertPrefs(agentId: string, prefs: Record<string, unknown>, at: string) {
    return this.write(() => {
      this.db.sqlite
        .prepare('INSERT INTO alert_prefs (agent_id, prefs, updated_at) VALUES (?, ?, ?) ON CONFLICT (agent_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at')
        .run(agentId, JSON.stringify(prefs), at);
    });
  }
  heartbeatNode(nodeId: string, agentIds: readonly string[], at: string, forgetBefore: string) {
    return this.write(() => {
      this.db.sqlite.prepare('DELETE FROM nodes WHERE heartbeat_at < ? AND id <> ?').run(forgetBefore, nodeId);
      this.db.sqlite
        .prepare('INSERT INTO nodes (id, agent_ids, started_at, heartbeat_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET agent_ids = excluded.agent_ids, heartbeat_at = excluded.heartbeat_at')
        .run(nodeId, JSON.stringify(agentIds), at, at);
    });
  }
  nodePresence(since: string) {
    return this.read(() =>
      (this.db.sqlite.prepare('SELECT id, agent_ids FROM nodes WHERE heartbeat_at >= ?').all(since) as Array<{ id: string; agent_ids: string }>).map((r) => ({
        nodeId: r.id,
        agentIds: JSON.parse(r.agent_ids) as string[],
      })),
    );
  }
  forgetNode(nodeId: string) {
    return this.write(() => void this.db.sqlite.prepare('DELETE FROM nodes WHERE id = ?').run(nodeId));
  }
  /** One process owns a SQLite file: it always leads. */
  async tryLeadership(): Promise<Leadership> {
    return { lost: new Promise<void>(() => {}), release: async () => {} };
  }

  // ── observability ──
  onCommit: ((seconds: number, writes: number) => void) | null = null;
  /** The error of the last group commit, if it failed whole; null once one commits. */
  private commitError: unknown = null;
  private closed = false;
  private journal: number[] | null = null;
  private countOpenStmt: Database.Statement | null = null;

  countOpen(): Promise<OpenCount[]> {
    return this.read(() => {
      // `queue IN (every queue)` lets SQLite walk the (queue, status) index: only open rows are read.
      this.countOpenStmt ??= this.db.sqlite.prepare(
        `SELECT status, queue, priority, count(*) AS count FROM conversations
         WHERE queue IN (${schema.conversations.queue.enumValues.map((q) => `'${q}'`).join(', ')}) AND status IN ('intake', 'queued', 'assigned')
         GROUP BY status, queue, priority ORDER BY status, queue, priority`,
      );
      return this.countOpenStmt.all() as OpenCount[];
    });
  }

  async readiness(): Promise<Readiness> {
    const sqlite = this.db.sqlite;
    if (this.closed || !sqlite.open) return { writable: false, pendingMigrations: 0, reason: 'the database is closed' };
    let pending: number;
    try {
      this.journal ??= journalTimes(MIGRATIONS_DIR);
      const applied = sqlite.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`).get() as { n: number };
      const last = applied.n ? (sqlite.prepare('SELECT max(created_at) AS last FROM __drizzle_migrations').get() as { last: number | string | null }).last : null;
      pending = pendingMigrations(this.journal, last === null ? null : Number(last));
    } catch (e) {
      return { writable: false, pendingMigrations: 0, reason: `the database cannot be read: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (sqlite.readonly) return { writable: false, pendingMigrations: pending, reason: 'the database is open read-only' };
    if (this.commitError !== null) {
      // The last commit failed: see whether one goes through now (an empty transaction, through the writer).
      await this.write(() => undefined).catch(() => undefined);
      const e = this.commitError as { code?: unknown; message?: unknown } | null;
      if (e !== null) return { writable: false, pendingMigrations: pending, reason: `the last commit failed: ${String(e?.code ?? e?.message ?? e)}` };
    }
    return { writable: true, pendingMigrations: pending };
  }

  // ── lifecycle ──
  readonly testing: StoreTesting = (() => {
    const store = this;
    return {
      get beforeCommit() {
        return store.writer.beforeCommit;
      },
      set beforeCommit(hook: StoreTesting['beforeCommit']) {
        store.writer.beforeCommit = hook;
      },
      async sql<T>(statement: string, ...params: unknown[]): Promise<T[]> {
        // The server's own connection: SQLite has one writer, and the statement sees (and its
        // write drops) the repository's cached rows.
        const st = store.db.sqlite.prepare(statement);
        try {
          if (st.reader) return st.all(...params) as T[];
          st.run(...params);
        } catch (e) {
          throw busy(e);
        }
        store.repo.forgetCached();
        return [];
      },
      async holdWriteLock(): Promise<() => Promise<void>> {
        const file = store.db.file;
        if (file === ':memory:') throw new Error('holdWriteLock needs a database file: an in-memory database has no second connection');
        const other = new Database(file, { fileMustExist: true });
        try {
          // Waits for a batch in progress, then takes the write lock (the whole database, in SQLite).
          other.pragma(`busy_timeout = ${BUSY_LOCKER_MS}`);
          other.exec('BEGIN IMMEDIATE');
        } catch (e) {
          other.close();
          throw e;
        }
        let released = false;
        return async () => {
          if (released) return;
          released = true;
          try {
            if (other.inTransaction) other.exec('ROLLBACK');
          } finally {
            other.close();
          }
        };
      },
    };
  })();
  ping() {
    return this.read(() => {
      this.db.sqlite.prepare('SELECT 1').get();
    });
  }
  async stats(): Promise<StoreStats> {
    const w = this.writer;
    return { batches: w.batches, writes: w.writes, maxBatch: w.maxBatch, checkpoints: await this.db.checkpointStats() };
  }
  drain() {
    return this.writer.drain();
  }
  async close() {
    this.closed = true;
    await this.writer.drain();
    this.db.close();
  }

}

