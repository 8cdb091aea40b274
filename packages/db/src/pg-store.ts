import { getTableColumns, type Table } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { journalTimes, pendingMigrations } from './migration-state.ts';
import type { RealmSeed } from './repo.ts';
import { PgApi } from './api-pg.ts';
import { PgEmail } from './email-pg.ts';
import { pgAdmin } from './admin-pg.ts';
import { pgArticles } from './article-pg.ts';
import { pgAttachments } from './attachment-pg.ts';
import * as t from './schema-pg.ts';
import { backfillSearch, events as readEvents, indexConversation, searchable, searchIds, writeEvents } from './insights-pg.ts';
import { breachEvent, changeEvents, messageEvents, type SearchQuery } from './insights.ts';
import {
  StoreBusy,
  StoreConflict,
  type Agent,
  type Appended,
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
  type MessageInput,
  type NewConversation,
  type OpenCount,
  type Params,
  type Pipeline,
  type Readiness,
  type Store,
  type StoreStats,
  type StoreTesting,
  type TxView,
} from './store.ts';

/**
 * The PostgreSQL adapter of the store port, on node-postgres with a pool.
 *
 * - Every command is one transaction (READ COMMITTED). A command that decides on a conversation
 *   first takes the row's lock (`SELECT … FOR UPDATE`), decides on that fresh row, and writes
 *   compare-and-set on the state it read; a mismatch is a `StoreConflict` and nothing is written.
 * - A message's seq is `last_seq + 1`, taken by the UPDATE that holds the conversation's row lock
 *   until COMMIT, and the message is inserted in the same transaction: gapless per conversation
 *   and committed in seq order (never a PostgreSQL sequence: it leaves gaps and commits out of
 *   order). A requester's message is ONE statement (a data-modifying CTE), so one round trip.
 * - Idempotency is by unique constraints: a racing retry of the same clientMsgId or start key
 *   fails on the constraint, its transaction rolls back whole (no seq taken), and the retry reads
 *   the winner's row.
 * - Serialization failures and deadlocks are retried a few times; lock timeouts (the busy
 *   timeout), a server that is shutting down or restarting, and lost connections are `StoreBusy`,
 *   which clients see as the documented transient error and retry.
 * - A command's promise settles after COMMIT returned: acks follow durability, which
 *   `synchronous_commit` (AJUDA_SYNCHRONOUS FULL → on, NORMAL → off) defines.
 */

export const PG_MIGRATIONS_DIR = fileURLToPath(new URL('../drizzle-pg', import.meta.url));
/** The advisory lock every process takes around migrations (several may start at once). */
const MIGRATION_LOCK = 0x616a7564; // "ajud"
/** How long a row read by this process may answer `getConversation(id, { recent: true })`. */
const RECENT_MS = 2000;

export interface PgStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Pool size (AJUDA_PG_POOL_MAX). */
  poolMax?: number;
  /** FULL: synchronous_commit=on (an ack survives a crash of the server); NORMAL: off. */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a command waits for a row or table lock before it is StoreBusy (lock_timeout). */
  busyTimeoutMs?: number;
  /** Apply pending migrations on open (default true; AJUDA_MIGRATE=off for release pipelines). */
  migrate?: boolean;
  /** Called when an idle pooled connection fails (the server logs it). */
  onError?: (err: Error) => void;
}

/**
 * Apply the PostgreSQL migrations under an advisory lock, so processes starting together take
 * turns and the later ones find nothing left to do.
 *
 * @example await migratePg('postgres://ajuda@127.0.0.1:5432/ajuda');
 */
export async function migratePg(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET client_min_messages = warning');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: PG_MIGRATIONS_DIR });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}

// ── rows: column lists from the drizzle schema, JSON columns decoded ──

/** `col AS "key", …` for every column of a table, straight from the schema. */
function columns(table: Table, alias = ''): string {
  return Object.entries(getTableColumns(table))
    .map(([key, col]) => `${alias}${col.name} AS "${key}"`)
    .join(', ');
}
const CONV_COLS = getTableColumns(t.conversations);
const CONV = columns(t.conversations);
const MSG = Object.entries(getTableColumns(t.messages))
  .filter(([k]) => k !== 'id')
  .map(([k, c]) => `${c.name} AS "${k}"`)
  .join(', ');
const AGENT = columns(t.agents);
const PIPE = columns(t.pipelines);
const PROJ = columns(t.projects);
const ESC = columns(t.escalations);
const ROUTING = Object.entries(getTableColumns(t.routingLog))
  .filter(([k]) => k !== 'id')
  .map(([k, c]) => `${c.name} AS "${k}"`)
  .join(', ');
const AUDIT = columns(t.auditLog);
const GRANT = `${columns(t.grants, 'g.')},
  (SELECT u.name FROM platform_users u WHERE u.realm_id = g.realm_id AND u.id = g.granted_by) AS "grantedByName"`;

type Raw = Record<string, unknown>;
function json<T>(s: unknown, fallback: T): T {
  if (typeof s !== 'string' || !s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}
const params = (s: unknown): Params | null => {
  const v = json<unknown>(s, null);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Params) : null;
};
const encParams = (p: Params | null | undefined): string | null => (p && Object.keys(p).length ? JSON.stringify(p) : null);

const conversation = (r: Raw): Conversation =>
  ({
    ...(r as typeof t.conversations.$inferSelect),
    answers: json(r.answers, {}),
    claims: json(r.claims, null),
    priorityTrace: json(r.priorityTrace, []),
    breaches: json(r.breaches, []),
    feedback: json(r.feedback, null),
  }) as Conversation;
const message = (r: Raw): Message => ({ ...r, params: params(r.params) }) as Message;
const agent = (r: Raw): Agent => ({ ...(r as typeof t.agents.$inferSelect), languages: json(r.languages, []), teams: json(r.teams, []) }) as Agent;

const JSON_COLS = new Set(['answers', 'priorityTrace', 'breaches', 'claims', 'feedback']);
function encode(k: string, v: unknown): unknown {
  if (!JSON_COLS.has(k)) return v;
  return v === null ? null : JSON.stringify(v);
}

// ── errors ──

const code = (e: unknown): string | undefined => (e as { code?: string })?.code;
/** Serialization failure, deadlock: the transaction may simply run again. */
const retryable = (e: unknown) => code(e) === '40001' || code(e) === '40P01';
/** Transient: a lock waited for in vain, the server going down or starting, the connection lost. */
function transient(e: unknown): boolean {
  const c = code(e) ?? '';
  if (['55P03', '57014', '57P01', '57P02', '57P03', '53300'].includes(c) || c.startsWith('08')) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(c)) return true;
  const m = e instanceof Error ? e.message : '';
  // pg-pool's "timeout exceeded when trying to connect": every pooled connection stayed busy for
  // connectionTimeoutMillis — an overloaded store, answered `unavailable` so the client retries.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(m);
}
const unique = (e: unknown, constraint: string) => code(e) === '23505' && (e as { constraint?: string }).constraint === constraint;

type Q = pg.PoolClient | pg.Pool;

/**
 * A named (prepared) statement for a fixed SQL text: each pooled connection parses and plans it
 * once, then only binds and executes — the hot statements skip PostgreSQL's parser and planner.
 */
const names = new Map<string, string>();
function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (!name) names.set(text, (name = `ajuda_${names.size}`));
  return { name, text, values };
}

/** `?` placeholders (outside quotes) to `$1, $2, …`. */
function positional(sql: string): string {
  let n = 0;
  let quote: string | null = null;
  let out = '';
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '?') {
      out += `$${++n}`;
      continue;
    }
    out += ch;
  }
  return out;
}

function sameExpect(cur: Conversation, expect: Expect): string | null {
  for (const [k, v] of Object.entries(expect) as Array<[keyof Expect, unknown]>) if (v !== undefined && cur[k] !== v) return `${k} is ${String(cur[k])}, expected ${String(v)}`;
  return null;
}

// The next seq for a message, and the SLA timestamps of who spoke (R10); $1 id, $2 who, $3 at.
const BUMP = `UPDATE conversations SET last_seq = last_seq + 1,
    updated_at = CASE WHEN $2::text IS NULL THEN updated_at ELSE $3 END,
    last_requester_msg_at = CASE WHEN $2 = 'requester' THEN $3 ELSE last_requester_msg_at END,
    last_agent_reply_at = CASE WHEN $2 = 'agent' THEN $3 ELSE last_agent_reply_at END,
    first_agent_reply_at = CASE WHEN $2 = 'agent' THEN COALESCE(first_agent_reply_at, $3) ELSE first_agent_reply_at END`;
/**
 * A message's rows for search and reports, in the same statement: its folded text ($12, null for a
 * system line) in message_search, and its events (a requester's or an agent's text; the first agent
 * reply of the conversation too) in conversation_events, with the conversation's dimensions as bumped.
 */
const APPEND_INDEX = `, idx AS (
    INSERT INTO message_search (conversation_id, seq, tsv) SELECT $1, seq, to_tsvector('simple', $12::text) FROM ins WHERE $12::text IS NOT NULL
  ), ev AS (
    INSERT INTO conversation_events (conversation_id, at, kind, actor, priority, language, queue, team, request_type)
    SELECT $1, $3, k.kind, $4, b.priority, b.language, b.queue, b.team, b.request_type
    FROM bump b CROSS JOIN LATERAL unnest(CASE WHEN $2 = 'requester' THEN ARRAY['requester_message']
      WHEN b.old_first IS NULL THEN ARRAY['first_agent_reply', 'agent_reply'] ELSE ARRAY['agent_reply'] END) WITH ORDINALITY AS k(kind, n)
    WHERE $2::text IS NOT NULL ORDER BY k.n
  )`;
/**
 * Append in one statement: a stored message with the same (conversation, sender, clientMsgId)
 * is returned as it is (`duplicate`); otherwise the seq is bumped under the row lock and the
 * message inserted. $4 sender, $5 sender_name, $6 kind, $7 body, $8 i18n_key, $9 params, $10 client_msg_id,
 * $11 the status the caller expects (null: any).
 */
const APPEND = `WITH dup AS (
    SELECT ${MSG} FROM messages WHERE $10::text IS NOT NULL AND conversation_id = $1 AND sender = $4 AND client_msg_id = $10
  ), bump AS (
    ${BUMP} FROM (SELECT first_agent_reply_at AS old_first FROM conversations WHERE id = $1) o
    WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM dup) AND ($11::text IS NULL OR status = $11)
    RETURNING last_seq, priority, language, queue, team, request_type, o.old_first
  ), ins AS (
    INSERT INTO messages (conversation_id, seq, sender, sender_name, kind, body, i18n_key, params, client_msg_id, created_at)
    SELECT $1, last_seq, $4, $5, $6, $7, $8, $9, $10, $3 FROM bump RETURNING ${MSG}
  )${APPEND_INDEX}
  SELECT false AS duplicate, * FROM ins UNION ALL SELECT true AS duplicate, * FROM dup`;

export class PgStore implements Store {
  private readonly pending = new Set<Promise<unknown>>();
  /** Per conversation, the tail of this process's commands that append to it (see `serial`). */
  private readonly tails = new Map<string, Promise<unknown>>();
  private counters = { batches: 0, writes: 0 };
  /** The public API's tokens and listings; the webhooks' endpoints, outbox and log (api-pg.ts). */
  readonly api: PgApi = new PgApi({ rows: (sql, values) => this.rows(sql, values), tx: (fn) => this.tx(fn), getConversations: (ids) => this.getConversations(ids) });
  readonly webhooks: PgApi = this.api;
  readonly admin = pgAdmin((fn) => this.tx(fn), (sql, values) => this.rows(sql, values));
  readonly articles = pgArticles((fn) => this.tx(fn), (sql, values) => this.rows(sql, values));
  readonly attachments = pgAttachments((fn) => this.tx(fn), (sql, values) => this.rows(sql, values));
  /** Email continuity's contacts, outbox and inbound Message-IDs (email-pg.ts). */
  readonly email: PgEmail = new PgEmail({ rows: (sql, values) => this.rows(sql, values), tx: (fn) => this.tx(fn) });
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    private readonly opts: PgStoreOptions,
  ) {}

  /** Connect, apply migrations (unless `migrate: false`) and wrap the pool. */
  static async open(opts: PgStoreOptions): Promise<PgStore> {
    if (opts.migrate !== false) await migratePg(opts.url);
    const settings = [`synchronous_commit=${opts.synchronous === 'NORMAL' ? 'off' : 'on'}`, `lock_timeout=${opts.busyTimeoutMs ?? 1000}`];
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolMax ?? 10,
      options: settings.map((s) => `-c ${s}`).join(' '),
      connectionTimeoutMillis: 5000,
    });
    // An idle client losing its server must not crash the process; the next command reconnects.
    pool.on('error', (err) => opts.onError?.(err));
    const store = new PgStore(pool, opts);
    await store.ping();
    // Rows written before the search tables existed get their search rows (nothing to do after the first time).
    if (opts.migrate !== false) await backfillSearch(pool);
    return store;
  }

  /** Every command goes through here: drained on close, and its latency told to `onCommit`. */
  private track<T>(p: Promise<T>): Promise<T> {
    const t0 = performance.now();
    this.pending.add(p);
    const done = () => this.pending.delete(p);
    p.then(() => {
      done();
      try {
        this.onCommit?.((performance.now() - t0) / 1000, 1);
      } catch {
        // An observer's failure never touches the command.
      }
    }, done);
    return p;
  }

  /**
   * Run this process's seq-taking commands on one conversation one after another. The row lock
   * already makes seqs gapless across processes; this keeps the order in which their promises
   * settle — and so the order of acks and of live `message.created` events — the seq order.
   * (Two commits on two pooled connections may otherwise be answered in either order.)
   */
  private serial<T>(conversationId: string, run: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(conversationId) ?? Promise.resolve();
    const mine = prev.then(run, run);
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(conversationId, tail);
    void tail.then(() => {
      if (this.tails.get(conversationId) === tail) this.tails.delete(conversationId);
    });
    return mine;
  }

  /** A read: one statement on any pooled connection. */
  private async rows(sql: string, values: unknown[] = []): Promise<Raw[]> {
    // No stored text holds U+0000 (PostgreSQL refuses it; the server refuses it on input), so a
    // lookup by such a value finds nothing — answered without asking the server, which would error.
    if (values.some((v) => typeof v === 'string' && v.includes('\u0000'))) {
      if (/^\s*SELECT/i.test(sql)) return [];
      throw new Error('text may not contain U+0000 (NUL)');
    }
    try {
      return (await this.pool.query(prepared(sql, values))).rows as Raw[];
    } catch (e) {
      throw transient(e) ? new StoreBusy(e) : e;
    }
  }
  private async one(sql: string, values: unknown[] = []): Promise<Raw | undefined> {
    return (await this.rows(sql, values))[0];
  }

  /**
   * One command: BEGIN … COMMIT on one connection, settled after COMMIT returned. Serialization
   * failures and deadlocks run it again (a few times); transient failures are StoreBusy.
   */
  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.track(
      (async () => {
        for (let attempt = 0; ; attempt++) {
          let client: pg.PoolClient;
          try {
            client = await this.pool.connect();
          } catch (e) {
            throw new StoreBusy(e);
          }
          let broken: Error | undefined;
          try {
            await client.query('BEGIN');
            const out = await fn(client);
            this.testing.beforeCommit?.(1);
            await client.query('COMMIT');
            this.counters.batches++;
            this.counters.writes++;
            return out;
          } catch (e) {
            await client.query('ROLLBACK').catch((err: Error) => (broken = err));
            if (retryable(e) && attempt < 4) continue;
            if (transient(e)) {
              broken ??= e as Error;
              throw new StoreBusy(e);
            }
            throw e;
          } finally {
            client.release(broken);
          }
        }
      })(),
    );
  }

  private async locked(c: Q, id: string): Promise<Conversation> {
    const r = (await c.query(prepared(`SELECT ${CONV} FROM conversations WHERE id = $1 FOR UPDATE`, [id]))).rows[0] as Raw | undefined;
    if (!r) throw new StoreConflict('not_found');
    return conversation(r);
  }
  private async fetchConversation(c: Q, id: string): Promise<Conversation> {
    return conversation((await c.query(prepared(`SELECT ${CONV} FROM conversations WHERE id = $1`, [id]))).rows[0] as Raw);
  }

  /** What a decision may read: fetched inside the transaction, before it runs. */
  private async view(c: Q): Promise<TxView> {
    const [agents, counts] = await Promise.all([
      c.query(`SELECT ${AGENT} FROM agents ORDER BY id`),
      c.query(`SELECT assignee_id AS "assigneeId", count(*)::int AS n FROM conversations WHERE status = 'assigned' AND assignee_id IS NOT NULL GROUP BY assignee_id`),
    ]);
    const list = (agents.rows as Raw[]).map(agent);
    const map = new Map((counts.rows as Array<{ assigneeId: string; n: number }>).map((r) => [r.assigneeId, r.n]));
    return { agents: () => list, openCounts: () => map };
  }

  private async insertMessage(c: Q, m: { conversationId: string; sender: string; senderName: string | null; kind: Message['kind']; body: string; i18nKey: string | null; params: string | null; clientMsgId: string | null; at: string }, who: MessageInput['who'], expectStatus: Conversation['status'] | null = null): Promise<{ message: Message; duplicate: boolean }> {
    const r = (await c.query(prepared(APPEND, [m.conversationId, who, m.at, m.sender, m.senderName, m.kind, m.body, m.i18nKey, m.params, m.clientMsgId, expectStatus, m.kind === 'system' ? null : searchable(m.body)]))).rows[0] as Raw | undefined;
    if (!r) {
      if (expectStatus !== null) throw new StoreConflict('status changed meanwhile (or no such conversation)');
      throw new Error(`conversation ${m.conversationId} missing`);
    }
    const { duplicate, ...row } = r;
    return { message: message(row), duplicate: duplicate === true };
  }
  private async routingRow(c: Q, id: string, at: string, r: { queue: string; team: string | null; assigneeId: string | null; code: string; params?: Params | null }) {
    await c.query(`INSERT INTO routing_log (conversation_id, at, queue, team, assignee_id, reason, code, params) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`, [
      id, at, r.queue, r.team, r.assigneeId, r.code, encParams(r.params),
    ]);
  }
  private async auditRow(c: Q, a: AuditEntry, conversationId: string | null, realmId: string | null, at: string) {
    await c.query(`INSERT INTO audit_log (at, actor, action, conversation_id, realm_id, detail) VALUES ($1, $2, $3, $4, $5, $6)`, [
      at, a.actor, a.action, conversationId, realmId, JSON.stringify(a.detail ?? {}),
    ]);
  }

  /** A decision's effects on `cur` (locked in this transaction), the patch compare-and-set. */
  private async apply(c: Q, cur: Conversation, e: Effects): Promise<Changed> {
    const at = e.at;
    if (e.escalation) {
      const x = e.escalation;
      await c.query(`INSERT INTO escalations (id, conversation_id, reason, description, environment, justification, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        x.id, cur.id, x.reason, x.description, x.environment, x.justification, x.source, x.createdAt,
      ]);
    }
    const patch = Object.entries(e.patch ?? {}).filter(([k, v]) => v !== undefined && k in CONV_COLS && k !== 'id');
    if (patch.length) {
      const values: unknown[] = [cur.id, cur.status, cur.assigneeId, cur.updatedAt];
      const sets = patch.map(([k, v]) => {
        values.push(encode(k, v));
        return `${CONV_COLS[k as keyof typeof CONV_COLS].name} = $${values.length}`;
      });
      const r = await c.query(`UPDATE conversations SET ${sets.join(', ')} WHERE id = $1 AND status = $2 AND assignee_id IS NOT DISTINCT FROM $3 AND updated_at = $4`, values);
      if (r.rowCount === 0) throw new StoreConflict('changed meanwhile');
    }
    for (const r of e.routing ?? []) await this.routingRow(c, cur.id, at, r);
    for (const a of e.audit ?? []) await this.auditRow(c, a, cur.id, cur.realmId, at);
    const messages: Message[] = [];
    for (const l of e.system ?? []) {
      const r = await this.insertMessage(c, { conversationId: cur.id, sender: 'system', senderName: null, kind: 'system', body: l.body, i18nKey: l.key, params: encParams(l.params), clientMsgId: null, at }, null);
      messages.push(r.message);
    }
    const after = await this.fetchConversation(c, cur.id);
    // The events log (reports), in the same transaction as the change it records.
    await writeEvents(c, changeEvents(cur, after, e));
    if (after.requesterName !== cur.requesterName || after.requesterEmail !== cur.requesterEmail || after.realmId !== cur.realmId) await indexConversation(c, after);
    return { conversation: after, messages };
  }

  private change(id: string, expect: Expect | null, decide: Decide): Promise<Changed> {
    this.recent.delete(id);
    return this.serial(id, () => this.tx(async (c) => {
      const cur = await this.locked(c, id);
      const wrong = expect && sameExpect(cur, expect);
      if (wrong) throw new StoreConflict(wrong);
      return this.apply(c, cur, decide(cur, await this.view(c)));
    }));
  }

  // ── search and the events log (insights-pg.ts) ──
  async searchConversations(q: SearchQuery) {
    const ids = await searchIds(this.pool, q).catch((e: unknown) => {
      throw transient(e) ? new StoreBusy(e) : e;
    });
    const rows = new Map((await this.getConversations(ids)).map((c) => [c.id, c]));
    return ids.map((id) => rows.get(id)).filter((c) => c !== undefined);
  }
  conversationEvents(q: { from: string; to: string }) {
    return readEvents(this.pool, q).catch((e: unknown) => {
      throw transient(e) ? new StoreBusy(e) : e;
    });
  }

  // ── reads ──
  /** Rows read moments ago, for `getConversation(id, { recent: true })`; dropped when this process changes them. */
  private readonly recent = new Map<string, { row: Conversation; at: number }>();
  private remember(row: Conversation): void {
    if (this.recent.size >= 20_000) this.recent.clear();
    this.recent.set(row.id, { row, at: Date.now() });
  }
  /** Per conversation, the last read handed out (see getConversation). */
  private readonly reads = new Map<string, Promise<unknown>>();
  /**
   * Reads of one conversation settle in the order they were asked for (the queries themselves run
   * concurrently): a socket's frames read their conversation first, so the frames reach their
   * commands — and a person's messages their seqs — in the order they were sent, as on a store
   * whose reads answer at once.
   */
  getConversation(id: string, opts: { recent?: boolean } = {}): Promise<Conversation | undefined> {
    const hit = opts.recent ? this.recent.get(id) : undefined;
    const query =
      hit && Date.now() - hit.at < RECENT_MS
        ? Promise.resolve(hit.row)
        : this.one(`SELECT ${CONV} FROM conversations WHERE id = $1`, [id]).then((r) => {
            const row = r ? conversation(r) : undefined;
            if (row) this.remember(row);
            return row;
          });
    const prev = this.reads.get(id);
    // Its failure is reported through `ordered`; until then it must not count as unhandled.
    query.catch(() => undefined);
    const ordered = prev ? prev.then(() => query, () => query) : query;
    const settled = ordered.then(
      () => undefined,
      () => undefined,
    );
    this.reads.set(id, settled);
    void settled.then(() => {
      if (this.reads.get(id) === settled) this.reads.delete(id);
    });
    return ordered;
  }
  async getConversations(ids: readonly string[]) {
    if (!ids.length) return [];
    const rows = (await this.rows(`SELECT ${CONV} FROM conversations WHERE id = ANY($1::text[])`, [ids.filter((id) => !id.includes('\u0000'))])).map(conversation);
    for (const row of rows) this.remember(row);
    return rows;
  }
  async findByIdempotency(ownerKey: string, key: string) {
    const r = await this.one(`SELECT ${CONV} FROM conversations WHERE owner_key = $1 AND idempotency_key = $2`, [ownerKey, key]);
    return r ? conversation(r) : undefined;
  }
  async listByOwner(ownerKey: string) {
    return (await this.rows(`SELECT ${CONV} FROM conversations WHERE owner_key = $1 ORDER BY created_at DESC LIMIT 100`, [ownerKey])).map(conversation);
  }
  async listOpen(resolvedSince: string) {
    return (
      await this.rows(`SELECT ${CONV} FROM conversations WHERE status IN ('intake','queued','assigned') OR (status = 'resolved' AND updated_at > $1) ORDER BY created_at`, [resolvedSince])
    ).map(conversation);
  }
  async listWaiting() {
    return (await this.rows(`SELECT ${CONV} FROM conversations WHERE status = 'queued' ORDER BY queued_at`)).map(conversation);
  }
  async messagesAfter(conversationId: string, afterSeq: number, limit: number, includeNotes: boolean) {
    const notes = includeNotes ? '' : ` AND kind <> 'note'`;
    return (await this.rows(`SELECT ${MSG} FROM messages WHERE conversation_id = $1 AND seq > $2${notes} ORDER BY seq LIMIT $3`, [conversationId, afterSeq, limit])).map(message);
  }
  async routing(conversationId: string) {
    return (await this.rows(`SELECT ${ROUTING} FROM routing_log WHERE conversation_id = $1 ORDER BY id`, [conversationId])).map((r) => ({ ...r, params: params(r.params) }) as never);
  }
  async escalations(conversationId: string) {
    return (await this.rows(`SELECT ${ESC} FROM escalations WHERE conversation_id = $1 ORDER BY created_at`, [conversationId])) as never[];
  }
  async auditOf(conversationId: string) {
    return (await this.rows(`SELECT ${AUDIT} FROM audit_log WHERE conversation_id = $1 ORDER BY id`, [conversationId])).map((a) => ({ ...a, detail: json(a.detail, {}) }) as never);
  }
  async auditOfRealm(realmId: string) {
    return (await this.rows(`SELECT ${AUDIT} FROM audit_log WHERE realm_id = $1 ORDER BY id`, [realmId])).map((a) => ({ ...a, detail: json(a.detail, {}) }) as never);
  }
  async getAgent(id: string) {
    const r = await this.one(`SELECT ${AGENT} FROM agents WHERE id = $1`, [id]);
    return r ? agent(r) : undefined;
  }
  async findAgentByEmail(email: string) {
    const r = await this.one(`SELECT ${AGENT} FROM agents WHERE lower(email) = lower($1)`, [email]);
    return r ? agent(r) : undefined;
  }
  async listAgents() {
    return (await this.rows(`SELECT ${AGENT} FROM agents ORDER BY id`)).map(agent);
  }
  async openCounts() {
    const rows = await this.rows(`SELECT assignee_id AS "assigneeId", count(*)::int AS n FROM conversations WHERE status = 'assigned' AND assignee_id IS NOT NULL GROUP BY assignee_id`);
    return new Map(rows.map((r) => [r.assigneeId as string, r.n as number]));
  }
  async findSession(tokenHash: string) {
    return (await this.one(`SELECT agent_id AS "agentId", expires_at AS "expiresAt", ended_at AS "endedAt" FROM agent_sessions WHERE token_hash = $1`, [tokenHash])) as never;
  }
  async findVisitor(tokenHash: string) {
    return (await this.one(`SELECT id, forgotten_at AS "forgottenAt" FROM visitors WHERE token_hash = $1`, [tokenHash])) as never;
  }
  async getRealm(id: string) {
    return (await this.one(`SELECT id, name FROM realms WHERE id = $1`, [id])) as { id: string; name: string } | undefined;
  }
  async listContracts() {
    const rows = await this.rows(`SELECT c.realm_id AS "realmId", r.name AS "realmName", c.email_domains AS "emailDomains", c.active FROM contracts c JOIN realms r ON r.id = c.realm_id`);
    return rows.map((c) => ({ realmId: c.realmId as string, realmName: c.realmName as string, emailDomains: json<string[]>(c.emailDomains, []), active: c.active as boolean }));
  }
  async pipelines(realmId: string) {
    return (await this.rows(`SELECT ${PIPE} FROM pipelines WHERE realm_id = $1 ORDER BY name`, [realmId])) as Pipeline[];
  }
  async pipeline(realmId: string, id: string) {
    return (await this.one(`SELECT ${PIPE} FROM pipelines WHERE realm_id = $1 AND id = $2`, [realmId, id])) as Pipeline | undefined;
  }
  async pipelineByKey(realmId: string, key: string) {
    return (await this.one(`SELECT ${PIPE} FROM pipelines WHERE realm_id = $1 AND key = $2`, [realmId, key])) as Pipeline | undefined;
  }
  async projects(realmId: string) {
    return (await this.rows(`SELECT ${PROJ} FROM projects WHERE realm_id = $1 ORDER BY name`, [realmId])) as never[];
  }
  async project(realmId: string, id: string) {
    return (await this.one(`SELECT ${PROJ} FROM projects WHERE realm_id = $1 AND id = $2`, [realmId, id])) as never;
  }
  async grants(realmId: string) {
    return (await this.rows(`SELECT ${GRANT} FROM grants g WHERE g.realm_id = $1 ORDER BY g.created_at DESC LIMIT 50`, [realmId])) as Grant[];
  }

  // ── commands: conversations ──
  startConversation(n: NewConversation, a: AuditEntry, then?: Decide): Promise<Changed & { created: boolean }> {
    return this.tx(async (c) => {
      const row: Record<string, unknown> = {
        id: n.id, channel: n.channel, requesterKind: n.requesterKind, ownerKey: n.ownerKey, visitorId: n.visitorId, realmId: n.realmId, userId: n.userId,
        requesterName: n.requesterName, requesterEmail: n.requesterEmail, claims: n.claims && Object.keys(n.claims).length ? JSON.stringify(n.claims) : null,
        contractMatch: n.contractMatch, requestType: n.requestType, status: 'intake', language: n.language, idempotencyKey: n.idempotencyKey,
        createdAt: n.at, updatedAt: n.at,
      };
      const keys = Object.keys(row);
      const cols = keys.map((k) => CONV_COLS[k as keyof typeof CONV_COLS].name);
      // The unique (owner, key) index decides between two racing starts; the loser reads the winner's row.
      const ins = await c.query(
        `INSERT INTO conversations (${cols.join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (owner_key, idempotency_key) DO NOTHING RETURNING id`,
        keys.map((k) => row[k]),
      );
      if (!ins.rowCount) {
        const again = (await c.query(`SELECT ${CONV} FROM conversations WHERE owner_key = $1 AND idempotency_key = $2`, [n.ownerKey, n.idempotencyKey])).rows[0] as Raw;
        return { conversation: conversation(again), messages: [], created: false };
      }
      await this.auditRow(c, a, n.id, n.realmId, n.at);
      const cur = await this.locked(c, n.id);
      await indexConversation(c, cur);
      if (!then) return { conversation: cur, messages: [], created: true };
      return { ...(await this.apply(c, cur, then(cur, await this.view(c)))), created: true };
    });
  }

  completeIntake(id: string, decide: Decide) {
    return this.change(id, { status: 'intake' }, decide);
  }

  appendMessage(m: MessageInput): Promise<Appended> {
    const input = { conversationId: m.conversationId, sender: m.sender, senderName: m.senderName, kind: m.kind, body: m.body, i18nKey: null, params: encParams(m.params ?? null), clientMsgId: m.clientMsgId, at: m.at };
    const attempt = async (): Promise<Appended> => {
      if (!m.takeIfQueued && !this.testing.beforeCommit) {
        // The hot path: one statement, its own transaction.
        const r = await this.track(this.insertMessage(this.pool, input, m.who, m.expectStatus ?? null));
        if (!r.duplicate) this.counters.writes++;
        return { ...r, taken: false };
      }
      return this.tx(async (c) => {
        // The row lock first: the status the reply decides on is the one it commits against.
        const cur = m.takeIfQueued ? await this.locked(c, m.conversationId) : null;
        const r = await this.insertMessage(c, input, m.who, m.expectStatus ?? null);
        let taken = false;
        if (cur && m.takeIfQueued && !r.duplicate && cur.status === 'queued') {
          const take = m.takeIfQueued;
          await c.query(`UPDATE conversations SET status = 'assigned', assignee_id = $2 WHERE id = $1`, [m.conversationId, take.agentId]);
          await this.routingRow(c, m.conversationId, m.at, { queue: cur.queue, team: cur.team, assigneeId: take.agentId, code: take.routing.code, params: take.routing.params ?? null });
          await writeEvents(c, changeEvents(cur, await this.fetchConversation(c, m.conversationId), { at: m.at, audit: [{ actor: m.sender, action: 'taken' }] }));
          taken = true;
          this.recent.delete(m.conversationId);
        }
        return { ...r, taken };
      });
    };
    return this.serial(m.conversationId, async () => {
      try {
        return await attempt();
      } catch (e) {
        // A concurrent retry with the same clientMsgId (another process) won the unique index: ours rolled back whole; read the winner's.
        if (unique(e, 'messages_conv_sender_client')) return attempt();
        throw transient(e) ? new StoreBusy(e) : e;
      }
    });
  }

  markRead(id: string, by: 'requester' | 'agent', seq: number): Promise<boolean> {
    const col = by === 'agent' ? 'agent_read_seq' : 'requester_read_seq';
    return this.track(
      this.rows(`UPDATE conversations SET ${col} = LEAST($2::int, last_seq) WHERE id = $1 AND LEAST($2::int, last_seq) > ${col} RETURNING id`, [id, seq]).then((r) => r.length > 0),
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
    return this.tx(async (c) => {
      const done: Array<{ id: string; clock: Clock }> = [];
      for (const { id, clock } of found) {
        const r = (await c.query(`SELECT ${CONV} FROM conversations WHERE id = $1 FOR UPDATE`, [id])).rows[0] as Raw | undefined;
        if (!r) continue;
        const cur = conversation(r);
        if (cur.breaches.includes(clock)) continue;
        await c.query(`UPDATE conversations SET breaches = $2 WHERE id = $1`, [id, JSON.stringify([...cur.breaches, clock])]);
        await this.auditRow(c, { actor: 'system', action: 'sla.breached', detail: { clock, priority: cur.priority } }, id, cur.realmId, at);
        await this.routingRow(c, id, at, { queue: cur.queue, team: cur.team, assigneeId: cur.assigneeId, code: 'R10.breached_clock', params: { clock } });
        await writeEvents(c, [breachEvent(cur, clock, at)]);
        done.push({ id, clock });
      }
      return done;
    });
  }

  assignWaiting(decide: Decide): Promise<Changed[]> {
    return this.tx(async (c) => {
      const out: Changed[] = [];
      // Another process offering the same queue skips what this one holds (and the reverse).
      const waiting = (await c.query(`SELECT ${CONV} FROM conversations WHERE status = 'queued' ORDER BY queued_at FOR UPDATE SKIP LOCKED`)).rows as Raw[];
      for (const r of waiting) {
        const cur = conversation(r);
        const e = decide(cur, await this.view(c));
        if (!e.patch && !e.routing?.length && !e.audit?.length && !e.system?.length) continue;
        this.recent.delete(cur.id);
        out.push(await this.apply(c, cur, e));
      }
      return out;
    });
  }

  // ── commands: grants and the realm directory ──
  grant(g: Omit<Grant, 'revokedAt' | 'grantedByName'>, a: AuditEntry) {
    return this.tx(async (c) => {
      await c.query(`INSERT INTO grants (id, realm_id, level, granted_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`, [g.id, g.realmId, g.level, g.grantedBy, g.createdAt, g.expiresAt]);
      await this.auditRow(c, a, null, g.realmId, g.createdAt);
    });
  }
  revokeGrant(realmId: string, id: string, at: string, a: AuditEntry) {
    return this.tx(async (c) => {
      const r = await c.query(`UPDATE grants SET revoked_at = $1 WHERE id = $2 AND realm_id = $3 AND revoked_at IS NULL`, [at, id, realmId]);
      if (!r.rowCount) return false;
      await this.auditRow(c, a, null, realmId, at);
      return true;
    });
  }
  adjustPipeline(
    conversationId: string,
    realmId: string,
    pipelineId: string,
    mayWrite: (grants: Grant[]) => boolean,
    decide: (p: Pipeline, grants: Grant[]) => { status: string; effects: Effects },
  ) {
    this.recent.delete(conversationId);
    return this.serial(conversationId, () => this.tx(async (c) => {
      // FOR SHARE: a revocation waits for this command, or this one sees it committed (R12c).
      const grants = (await c.query(`SELECT ${GRANT} FROM grants g WHERE g.realm_id = $1 ORDER BY g.created_at DESC LIMIT 50 FOR SHARE OF g`, [realmId])).rows as Grant[];
      if (!mayWrite(grants)) throw new StoreConflict('grant_required');
      const p = (await c.query(`SELECT ${PIPE} FROM pipelines WHERE realm_id = $1 AND id = $2 FOR UPDATE`, [realmId, pipelineId])).rows[0] as Pipeline | undefined;
      if (!p) throw new StoreConflict('not_found');
      const d = decide(p, grants);
      await c.query(`UPDATE pipelines SET status = $1 WHERE realm_id = $2 AND id = $3`, [d.status, realmId, p.id]);
      const cur = await this.locked(c, conversationId);
      return { ...(await this.apply(c, cur, d.effects)), pipeline: { ...p, status: d.status } };
    }));
  }
  setPipelineStatus(realmId: string, id: string, status: string) {
    return this.tx(async (c) => {
      await c.query(`UPDATE pipelines SET status = $1 WHERE realm_id = $2 AND id = $3`, [status, realmId, id]);
    });
  }
  loadRealms(realms: RealmSeed[], at: string) {
    return this.tx(async (c) => {
      for (const r of realms) {
        await c.query(`INSERT INTO realms (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = excluded.name`, [r.id, r.name, at]);
        await c.query(`DELETE FROM contracts WHERE realm_id = $1`, [r.id]);
        if (r.contract)
          await c.query(`INSERT INTO contracts (id, realm_id, email_domains, active, tier) VALUES ($1, $2, $3, $4, $5)`, [`ct_${r.id}`, r.id, JSON.stringify(r.contract.emailDomains), r.contract.active, r.contract.tier ?? 'default']);
        for (const p of r.projects)
          await c.query(
            `INSERT INTO projects (id, realm_id, name, ongoing, team) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, ongoing = excluded.ongoing, team = excluded.team WHERE projects.realm_id = excluded.realm_id`,
            [p.id, r.id, p.name, p.ongoing, p.team],
          );
        for (const p of r.pipelines)
          await c.query(
            `INSERT INTO pipelines (id, realm_id, name, key, environment, status, project_id, in_project_phase) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, key = excluded.key, environment = excluded.environment, status = excluded.status,
             project_id = excluded.project_id, in_project_phase = excluded.in_project_phase WHERE pipelines.realm_id = excluded.realm_id`,
            [p.id, r.id, p.name, p.key, p.environment, p.status, p.projectId, p.inProjectPhase],
          );
      }
    });
  }

  // ── commands: people ──
  private exec(sql: string, values: unknown[]): Promise<void> {
    return this.track(this.rows(sql, values).then(() => undefined));
  }
  upsertPlatformUser(realmId: string, id: string, name: string | null, email: string | null, perms: readonly string[], at: string) {
    return this.exec(
      `INSERT INTO platform_users (realm_id, id, name, email, perms, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (realm_id, id) DO UPDATE SET name = excluded.name, email = excluded.email, perms = excluded.perms, last_seen_at = excluded.last_seen_at`,
      [realmId, id, name, email, JSON.stringify(perms), at],
    );
  }
  insertVisitor(id: string, tokenHash: string, at: string) {
    return this.exec(`INSERT INTO visitors (id, token_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $3)`, [id, tokenHash, at]);
  }
  touchVisitor(id: string, at: string) {
    return this.exec(`UPDATE visitors SET last_seen_at = $2 WHERE id = $1`, [id, at]);
  }
  forgetVisitor(id: string, at: string) {
    return this.exec(`UPDATE visitors SET forgotten_at = $2 WHERE id = $1`, [id, at]);
  }
  upsertAgent(a: Agent) {
    return this.exec(
      `INSERT INTO agents (id, email, name, password_hash, role, languages, teams, available, disabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, role = excluded.role, languages = excluded.languages, teams = excluded.teams`,
      [a.id, a.email, a.name, a.passwordHash, a.role, JSON.stringify(a.languages), JSON.stringify(a.teams), a.available, a.disabled],
    );
  }
  setAgentAvailable(id: string, available: boolean) {
    return this.exec(`UPDATE agents SET available = $2 WHERE id = $1`, [id, available]);
  }
  disableAgent(id: string, at: string, a: AuditEntry) {
    return this.tx(async (c) => {
      const r = await c.query(`UPDATE agents SET disabled = true WHERE id = $1`, [id]);
      if (!r.rowCount) return false;
      await c.query(`UPDATE agent_sessions SET ended_at = $1 WHERE agent_id = $2 AND ended_at IS NULL`, [at, id]);
      await this.auditRow(c, a, null, null, at);
      return true;
    });
  }
  startAgentSession(tokenHash: string, agentId: string, at: string, expiresAt: string, a: AuditEntry) {
    return this.tx(async (c) => {
      await c.query(`INSERT INTO agent_sessions (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [tokenHash, agentId, at, expiresAt]);
      await this.auditRow(c, a, null, null, at);
    });
  }
  endSession(tokenHash: string, at: string) {
    return this.exec(`UPDATE agent_sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL`, [tokenHash, at]);
  }
  audit(e: AuditEntry & { conversationId: string | null; realmId: string | null; at: string }) {
    return this.track(this.auditRow(this.pool, e, e.conversationId, e.realmId, e.at).catch((err: unknown) => {
      throw transient(err) ? new StoreBusy(err) : err;
    }));
  }

  // ── lifecycle ──
  readonly testing: StoreTesting = (() => {
    const store = this;
    return {
      beforeCommit: null,
      async sql<T>(statement: string, ...values: unknown[]): Promise<T[]> {
        return (await store.pool.query(positional(statement), values)).rows as T[];
      },
      async holdWriteLock() {
        const c = new pg.Client({ connectionString: store.opts.url });
        await c.connect();
        await c.query('BEGIN');
        // EXCLUSIVE blocks every writer and no reader.
        await c.query('LOCK TABLE conversations, messages IN EXCLUSIVE MODE');
        return async () => {
          await c.query('ROLLBACK').catch(() => undefined);
          await c.end();
        };
      },
    };
  })();
  // ── cluster ──
  async alertPrefs(agentId: string) {
    const r = await this.one('SELECT prefs, updated_at FROM alert_prefs WHERE agent_id = $1', [agentId]);
    return r ? { prefs: JSON.parse(r.prefs as string) as Record<string, unknown>, updatedAt: r.updated_at as string } : undefined;
  }
  saveAlertPrefs(agentId: string, prefs: Record<string, unknown>, at: string) {
    return this.exec(
      `INSERT INTO alert_prefs (agent_id, prefs, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (agent_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`,
      [agentId, JSON.stringify(prefs), at],
    );
  }
  heartbeatNode(nodeId: string, agentIds: readonly string[], at: string, forgetBefore: string) {
    return this.tx(async (c) => {
      await c.query(prepared('DELETE FROM nodes WHERE heartbeat_at < $1 AND id <> $2', [forgetBefore, nodeId]));
      await c.query(
        prepared(
          `INSERT INTO nodes (id, agent_ids, started_at, heartbeat_at) VALUES ($1, $2, $3, $3)
           ON CONFLICT (id) DO UPDATE SET agent_ids = excluded.agent_ids, heartbeat_at = excluded.heartbeat_at`,
          [nodeId, JSON.stringify(agentIds), at],
        ),
      );
    });
  }
  async nodePresence(since: string) {
    return (await this.rows('SELECT id, agent_ids FROM nodes WHERE heartbeat_at >= $1', [since])).map((r) => ({ nodeId: r.id as string, agentIds: JSON.parse(r.agent_ids as string) as string[] }));
  }
  forgetNode(nodeId: string) {
    return this.exec('DELETE FROM nodes WHERE id = $1', [nodeId]);
  }
  /**
   * A session advisory lock on a connection of its own (not the pool's): it is held while that
   * session lives. The holder's connection is checked every 2 s; if it fails, leadership is lost
   * here, and PostgreSQL releases the lock when it notices the session is gone.
   */
  async tryLeadership(name: string): Promise<Leadership | null> {
    const client = new pg.Client({ connectionString: this.opts.url, connectionTimeoutMillis: 5000, keepAlive: true, statement_timeout: 2000 });
    client.on('error', () => undefined); // reported through `lost`
    try {
      await client.connect();
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`ajuda:${name}`]);
      if (!r.rows[0]?.ok) {
        await client.end();
        return null;
      }
    } catch (e) {
      await client.end().catch(() => undefined);
      throw transient(e) ? new StoreBusy(e) : e;
    }
    let markLost!: () => void;
    const lost = new Promise<void>((resolve) => (markLost = resolve));
    let released = false;
    const check = setInterval(() => {
      client.query('SELECT 1').catch(() => {
        clearInterval(check);
        void client.end().catch(() => undefined);
        markLost();
      });
    }, 2000);
    check.unref();
    client.on('end', () => {
      clearInterval(check);
      if (!released) markLost();
    });
    return {
      lost,
      release: async () => {
        released = true;
        clearInterval(check);
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`ajuda:${name}`]).catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  }

  // ── observability ──
  onCommit: ((seconds: number, writes: number) => void) | null = null;
  private journal: number[] | null = null;

  async countOpen(): Promise<OpenCount[]> {
    // `queue = ANY(every queue)` keeps the (queue, status) index usable: only open rows are read.
    const rows = await this.rows(
      `SELECT status, queue, priority, count(*)::int AS count FROM conversations
       WHERE queue = ANY($1::text[]) AND status IN ('intake', 'queued', 'assigned')
       GROUP BY status, queue, priority ORDER BY status, queue, priority`,
      [t.conversations.queue.enumValues],
    );
    return rows as unknown as OpenCount[];
  }

  async readiness(): Promise<Readiness> {
    if (this.closed) return { writable: false, pendingMigrations: 0, reason: 'the database is closed' };
    this.journal ??= journalTimes(PG_MIGRATIONS_DIR);
    const journal = this.journal;
    const ask = async (): Promise<Readiness> => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        const r = (
          await client.query<{ recovery: boolean; ro: string; table: string | null }>(
            `SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS ro, to_regclass('drizzle.__drizzle_migrations')::text AS table`,
          )
        ).rows[0]!;
        const last = r.table ? ((await client.query<{ last: string | null }>('SELECT max(created_at)::text AS last FROM drizzle.__drizzle_migrations')).rows[0]?.last ?? null) : null;
        const pending = pendingMigrations(journal, last === null ? null : Number(last));
        if (r.recovery) return { writable: false, pendingMigrations: pending, reason: 'PostgreSQL is a standby (in recovery): it takes no writes' };
        if (r.ro === 'on') return { writable: false, pendingMigrations: pending, reason: 'PostgreSQL transactions are read-only (default_transaction_read_only)' };
        return { writable: true, pendingMigrations: pending };
      } catch (e) {
        broken = e as Error;
        throw e;
      } finally {
        client.release(broken);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Readiness>((resolve) => {
      timer = setTimeout(() => resolve({ writable: false, pendingMigrations: 0, reason: 'no PostgreSQL connection answered within 2 s' }), 2000);
    });
    try {
      return await Promise.race([
        ask().catch((e: unknown): Readiness => ({ writable: false, pendingMigrations: 0, reason: `PostgreSQL: ${e instanceof Error ? e.message : String(e)}` })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async ping() {
    await this.rows('SELECT 1');
  }
  async stats(): Promise<StoreStats> {
    return { batches: this.counters.batches, writes: this.counters.writes, maxBatch: 1 };
  }
  async drain() {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    await this.pool.end();
  }
}
