import type Database from 'better-sqlite3';
import type {
  ApiStore,
  ApiToken,
  AttemptOutcome,
  ConversationQuery,
  EndpointPatch,
  EscalationQuery,
  NewOutboxRow,
  OutboxRow,
  OutboxStatus,
  WebhookAttempt,
  WebhookEndpoint,
  WebhookStore,
} from './api-store.ts';
import type { AuditEntry, Conversation, Escalation } from './store.ts';

/**
 * The SQLite adapter of `Store.api` and `Store.webhooks`. Every write is one closure through the
 * store's group writer (so it commits, and is durable, with the batch it joins); reads run on the
 * same connection. SQLite has one writer: a claim is a read and an update in one write, which no
 * other claim can interleave.
 */
export interface SqliteParts {
  sqlite(): Database.Database;
  write<T>(run: () => T): Promise<T>;
  read<T>(run: () => T): Promise<T>;
  getConversations(ids: readonly string[]): Promise<Conversation[]>;
}

type Raw = Record<string, unknown>;
const list = (s: unknown): string[] => {
  try {
    const v = JSON.parse(String(s)) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

const TOKEN = `id, name, token_hash AS tokenHash, scopes, agent_id AS agentId, created_by AS createdBy, created_at AS createdAt,
  expires_at AS expiresAt, revoked_at AS revokedAt, last_used_at AS lastUsedAt`;
const token = (r: Raw): ApiToken => ({ ...(r as unknown as ApiToken), scopes: list(r.scopes) });

const ENDPOINT = `id, url, description, events, secret, previous_secret AS previousSecret, previous_secret_until AS previousSecretUntil,
  created_at AS createdAt, updated_at AS updatedAt, failing_since AS failingSince, disabled_at AS disabledAt, disabled_reason AS disabledReason`;
const endpoint = (r: Raw): WebhookEndpoint => ({ ...(r as unknown as WebhookEndpoint), events: list(r.events) });

const OUTBOX = `id, endpoint_id AS endpointId, event, payload, created_at AS createdAt, status, attempts, next_attempt_at AS nextAttemptAt,
  claimed_by AS claimedBy, claimed_until AS claimedUntil, last_attempt_at AS lastAttemptAt, last_status AS lastStatus,
  last_error AS lastError, delivered_at AS deliveredAt`;
const outbox = (r: Raw): OutboxRow => r as unknown as OutboxRow;

const ATTEMPT = `id, outbox_id AS outboxId, endpoint_id AS endpointId, attempt, at, ok, status_code AS statusCode, error, duration_ms AS durationMs`;
const attempt = (r: Raw): WebhookAttempt => ({ ...(r as unknown as WebhookAttempt), ok: !!r.ok });

const ESCALATION = `id, conversation_id AS conversationId, reason, description, environment, justification, source, created_at AS createdAt`;

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export class SqliteApi implements ApiStore, WebhookStore {
  constructor(private readonly p: SqliteParts) {}

  private readonly statements = new Map<string, Database.Statement>();
  /** A prepared statement, prepared once per SQL text. */
  private st(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, (s = this.p.sqlite().prepare(sql)));
    }
    return s;
  }
  private audit(a: AuditEntry, at: string) {
    this.st('INSERT INTO audit_log (at, actor, action, conversation_id, realm_id, detail) VALUES (?, ?, ?, NULL, NULL, ?)').run(at, a.actor, a.action, JSON.stringify(a.detail ?? {}));
  }

  // ── tokens ──
  createToken(t: Omit<ApiToken, 'revokedAt' | 'lastUsedAt'>, a: AuditEntry) {
    return this.p.write(() => {
      this.st('INSERT INTO api_tokens (id, name, token_hash, scopes, agent_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(t.id, t.name, t.tokenHash, JSON.stringify(t.scopes), t.agentId, t.createdBy, t.createdAt, t.expiresAt);
      this.audit(a, t.createdAt);
    });
  }
  findToken(tokenHash: string) {
    return this.p.read(() => {
      const r = this.st(`SELECT ${TOKEN} FROM api_tokens WHERE token_hash = ?`).get(tokenHash) as Raw | undefined;
      return r ? token(r) : undefined;
    });
  }
  listTokens() {
    return this.p.read(() => (this.st(`SELECT ${TOKEN} FROM api_tokens ORDER BY created_at, id`).all() as Raw[]).map(token));
  }
  revokeToken(id: string, at: string, a: AuditEntry) {
    return this.p.write(() => {
      const r = this.st('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
      if (!r.changes) return false;
      this.audit(a, at);
      return true;
    });
  }
  touchToken(id: string, at: string) {
    return this.p.write(() => void this.st('UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(at, id, at));
  }

  // ── listings ──
  async listConversations(q: ConversationQuery): Promise<Conversation[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const [col, values] of [['status', q.status], ['priority', q.priority], ['language', q.language], ['queue', q.queue]] as const) {
      if (!values) continue;
      if (!values.length) return [];
      where.push(`${col} IN (${placeholders(values.length)})`);
      args.push(...values);
    }
    if (q.updatedSince) {
      where.push('updated_at >= ?');
      args.push(q.updatedSince);
    }
    if (q.after) {
      where.push('(updated_at > ? OR (updated_at = ? AND id > ?))');
      args.push(q.after.updatedAt, q.after.updatedAt, q.after.id);
    }
    const ids = await this.p.read(() =>
      (this.st(`SELECT id FROM conversations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at, id LIMIT ?`).all(...args, q.limit) as Array<{ id: string }>).map((r) => r.id),
    );
    const rows = new Map((await this.p.getConversations(ids)).map((c) => [c.id, c]));
    return ids.map((id) => rows.get(id)).filter((c): c is Conversation => c !== undefined);
  }
  listEscalations(q: EscalationQuery) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.since) {
      where.push('created_at >= ?');
      args.push(q.since);
    }
    if (q.after) {
      where.push('(created_at > ? OR (created_at = ? AND id > ?))');
      args.push(q.after.createdAt, q.after.createdAt, q.after.id);
    }
    return this.p.read(
      () => this.st(`SELECT ${ESCALATION} FROM escalations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT ?`).all(...args, q.limit) as Escalation[],
    );
  }

  // ── webhook endpoints ──
  private endpointRow(id: string): WebhookEndpoint | undefined {
    const r = this.st(`SELECT ${ENDPOINT} FROM webhook_endpoints WHERE id = ?`).get(id) as Raw | undefined;
    return r ? endpoint(r) : undefined;
  }
  createEndpoint(e: Parameters<WebhookStore['createEndpoint']>[0], a: AuditEntry) {
    return this.p.write(() => {
      this.st('INSERT INTO webhook_endpoints (id, url, description, events, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(e.id, e.url, e.description, JSON.stringify(e.events), e.secret, e.createdAt, e.updatedAt);
      this.audit(a, e.createdAt);
    });
  }
  getEndpoint(id: string) {
    return this.p.read(() => this.endpointRow(id));
  }
  listEndpoints() {
    return this.p.read(() => (this.st(`SELECT ${ENDPOINT} FROM webhook_endpoints ORDER BY created_at, id`).all() as Raw[]).map(endpoint));
  }
  updateEndpoint(id: string, patch: EndpointPatch, at: string, a: AuditEntry) {
    return this.p.write(() => {
      if (!this.endpointRow(id)) return undefined;
      const sets: string[] = ['updated_at = ?'];
      const args: unknown[] = [at];
      if (patch.url !== undefined) (sets.push('url = ?'), args.push(patch.url));
      if (patch.description !== undefined) (sets.push('description = ?'), args.push(patch.description));
      if (patch.events !== undefined) (sets.push('events = ?'), args.push(JSON.stringify(patch.events)));
      if (patch.enabled === true) sets.push('disabled_at = NULL', 'disabled_reason = NULL', 'failing_since = NULL');
      if (patch.enabled === false) (sets.push('disabled_at = COALESCE(disabled_at, ?)', 'disabled_reason = ?'), args.push(at, patch.disabledReason ?? 'disabled'));
      this.st(`UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
      this.audit(a, at);
      return this.endpointRow(id);
    });
  }
  rotateSecret(id: string, secret: string, previousUntil: string, at: string, a: AuditEntry) {
    return this.p.write(() => {
      const r = this.st('UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = ?, secret = ?, updated_at = ? WHERE id = ?')
        .run(previousUntil, secret, at, id);
      if (!r.changes) return undefined;
      this.audit(a, at);
      return this.endpointRow(id);
    });
  }
  deleteEndpoint(id: string, at: string, a: AuditEntry) {
    return this.p.write(() => {
      if (!this.st('DELETE FROM webhook_endpoints WHERE id = ?').run(id).changes) return false;
      this.st('DELETE FROM webhook_attempts WHERE endpoint_id = ?').run(id);
      this.st('DELETE FROM webhook_outbox WHERE endpoint_id = ?').run(id);
      this.audit(a, at);
      return true;
    });
  }

  // ── the outbox ──
  enqueue(rows: readonly NewOutboxRow[]) {
    if (!rows.length) return Promise.resolve();
    return this.p.write(() => {
      const st = this.st("INSERT INTO webhook_outbox (id, endpoint_id, event, payload, created_at, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)");
      for (const r of rows) st.run(r.id, r.endpointId, r.event, r.payload, r.createdAt, r.nextAttemptAt);
    });
  }
  claim(now: string, until: string, by: string, limit: number) {
    return this.p.write(() => {
      const due = this.st(
          `SELECT o.id FROM webhook_outbox o JOIN webhook_endpoints e ON e.id = o.endpoint_id
           WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND (o.claimed_until IS NULL OR o.claimed_until < ?) AND e.disabled_at IS NULL
           ORDER BY o.next_attempt_at, o.id LIMIT ?`,
        )
        .all(now, now, limit) as Array<{ id: string }>;
      const take = this.st('UPDATE webhook_outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?');
      const get = this.st(`SELECT ${OUTBOX} FROM webhook_outbox WHERE id = ?`);
      return due.map(({ id }) => {
        take.run(by, until, id);
        return outbox(get.get(id) as Raw);
      });
    });
  }
  finish(o: AttemptOutcome) {
    return this.p.write(() => {
      const row = this.st('SELECT endpoint_id AS endpointId, attempts FROM webhook_outbox WHERE id = ? AND claimed_by = ? AND status = ?').get(o.id, o.by, 'pending') as
        | { endpointId: string; attempts: number }
        | undefined;
      if (!row) return { recorded: false, endpointDisabled: false };
      const n = row.attempts + 1;
      this.st('INSERT INTO webhook_attempts (outbox_id, endpoint_id, attempt, at, ok, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(o.id, row.endpointId, n, o.at, o.ok ? 1 : 0, o.statusCode, o.error, Math.round(o.durationMs));
      const status: OutboxStatus = o.ok ? 'delivered' : o.retryAt ? 'pending' : 'failed';
      this.st(
          `UPDATE webhook_outbox SET status = ?, attempts = ?, next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL, last_attempt_at = ?,
             last_status = ?, last_error = ?, delivered_at = ? WHERE id = ?`,
        )
        .run(status, n, o.retryAt ?? o.at, o.at, o.statusCode, o.error, o.ok ? o.at : null, o.id);
      let endpointDisabled = false;
      if (o.ok) this.st('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?').run(row.endpointId);
      else {
        this.st('UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?').run(o.at, row.endpointId);
        endpointDisabled =
          this.st('UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ?, updated_at = ? WHERE id = ? AND disabled_at IS NULL AND failing_since <= ?')
            .run(o.at, o.disabledReason, o.at, row.endpointId, o.disableIfFailingSince).changes > 0;
        if (endpointDisabled) this.audit({ actor: 'system', action: 'webhook.endpoint_disabled', detail: { endpointId: row.endpointId, reason: o.disabledReason } }, o.at);
      }
      return { recorded: true, endpointDisabled };
    });
  }
  replay(id: string, at: string, a: AuditEntry) {
    return this.p.write(() => {
      const r = this.st("UPDATE webhook_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL, delivered_at = NULL WHERE id = ?")
        .run(at, id);
      if (!r.changes) return undefined;
      this.audit(a, at);
      return outbox(this.st(`SELECT ${OUTBOX} FROM webhook_outbox WHERE id = ?`).get(id) as Raw);
    });
  }
  getOutbox(id: string) {
    return this.p.read(() => {
      const r = this.st(`SELECT ${OUTBOX} FROM webhook_outbox WHERE id = ?`).get(id) as Raw | undefined;
      return r ? outbox(r) : undefined;
    });
  }
  listOutbox(q: { endpointId: string; status?: OutboxStatus; before?: { createdAt: string; id: string }; limit: number }) {
    const where = ['endpoint_id = ?'];
    const args: unknown[] = [q.endpointId];
    if (q.status) (where.push('status = ?'), args.push(q.status));
    if (q.before) (where.push('(created_at < ? OR (created_at = ? AND id < ?))'), args.push(q.before.createdAt, q.before.createdAt, q.before.id));
    return this.p.read(() =>
      (this.st(`SELECT ${OUTBOX} FROM webhook_outbox WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...args, q.limit) as Raw[]).map(outbox),
    );
  }
  attempts(outboxId: string) {
    return this.p.read(() => (this.st(`SELECT ${ATTEMPT} FROM webhook_attempts WHERE outbox_id = ? ORDER BY id`).all(outboxId) as Raw[]).map(attempt));
  }
  pendingCount() {
    return this.p.read(() => (this.st("SELECT count(*) AS n FROM webhook_outbox WHERE status = 'pending'").get() as { n: number }).n);
  }
  prune(before: string) {
    return this.p.write(() => {
      this.st("DELETE FROM webhook_attempts WHERE outbox_id IN (SELECT id FROM webhook_outbox WHERE status <> 'pending' AND created_at < ?)").run(before);
      return this.st("DELETE FROM webhook_outbox WHERE status <> 'pending' AND created_at < ?").run(before).changes;
    });
  }
}
