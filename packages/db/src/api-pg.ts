import type pg from 'pg';
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
 * The PostgreSQL adapter of `Store.api` and `Store.webhooks`. Each command is one transaction
 * (the store's `tx`: retried on serialization failures, transient failures as StoreBusy). Any
 * process of a cluster may deliver webhooks: a claim takes due rows with `FOR UPDATE SKIP LOCKED`
 * and marks them with its name and a lease, so two processes never hold the same row, and a row
 * whose claimer died is taken again once its lease lapsed.
 */
export interface PgParts {
  rows(sql: string, values?: unknown[]): Promise<Array<Record<string, unknown>>>;
  tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
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

const TOKEN = `id, name, token_hash AS "tokenHash", scopes, agent_id AS "agentId", created_by AS "createdBy", created_at AS "createdAt",
  expires_at AS "expiresAt", revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"`;
const token = (r: Raw): ApiToken => ({ ...(r as unknown as ApiToken), scopes: list(r.scopes) });

const ENDPOINT = `id, url, description, events, secret, previous_secret AS "previousSecret", previous_secret_until AS "previousSecretUntil",
  created_at AS "createdAt", updated_at AS "updatedAt", failing_since AS "failingSince", disabled_at AS "disabledAt", disabled_reason AS "disabledReason"`;
const endpoint = (r: Raw): WebhookEndpoint => ({ ...(r as unknown as WebhookEndpoint), events: list(r.events) });

const OUTBOX = `id, endpoint_id AS "endpointId", event, payload, created_at AS "createdAt", status, attempts, next_attempt_at AS "nextAttemptAt",
  claimed_by AS "claimedBy", claimed_until AS "claimedUntil", last_attempt_at AS "lastAttemptAt", last_status AS "lastStatus",
  last_error AS "lastError", delivered_at AS "deliveredAt"`;
const outbox = (r: Raw): OutboxRow => r as unknown as OutboxRow;

const ATTEMPT = `id, outbox_id AS "outboxId", endpoint_id AS "endpointId", attempt, at, ok, status_code AS "statusCode", error, duration_ms AS "durationMs"`;
const attempt = (r: Raw): WebhookAttempt => r as unknown as WebhookAttempt;

const ESCALATION = `id, conversation_id AS "conversationId", reason, description, environment, justification, source, created_at AS "createdAt"`;

async function auditRow(c: pg.PoolClient, a: AuditEntry, at: string): Promise<void> {
  await c.query('INSERT INTO audit_log (at, actor, action, conversation_id, realm_id, detail) VALUES ($1, $2, $3, NULL, NULL, $4)', [at, a.actor, a.action, JSON.stringify(a.detail ?? {})]);
}

export class PgApi implements ApiStore, WebhookStore {
  constructor(private readonly p: PgParts) {}

  // ── tokens ──
  createToken(t: Omit<ApiToken, 'revokedAt' | 'lastUsedAt'>, a: AuditEntry) {
    return this.p.tx(async (c) => {
      await c.query('INSERT INTO api_tokens (id, name, token_hash, scopes, agent_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        t.id, t.name, t.tokenHash, JSON.stringify(t.scopes), t.agentId, t.createdBy, t.createdAt, t.expiresAt,
      ]);
      await auditRow(c, a, t.createdAt);
    });
  }
  async findToken(tokenHash: string) {
    const r = (await this.p.rows(`SELECT ${TOKEN} FROM api_tokens WHERE token_hash = $1`, [tokenHash]))[0];
    return r ? token(r) : undefined;
  }
  async listTokens() {
    return (await this.p.rows(`SELECT ${TOKEN} FROM api_tokens ORDER BY created_at, id`)).map(token);
  }
  revokeToken(id: string, at: string, a: AuditEntry) {
    return this.p.tx(async (c) => {
      const r = await c.query('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
      if (!r.rowCount) return false;
      await auditRow(c, a, at);
      return true;
    });
  }
  async touchToken(id: string, at: string) {
    await this.p.rows('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)', [id, at]);
  }

  // ── listings ──
  async listConversations(q: ConversationQuery): Promise<Conversation[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    for (const [col, values] of [['status', q.status], ['priority', q.priority], ['language', q.language], ['queue', q.queue]] as const) {
      if (!values) continue;
      if (!values.length) return [];
      where.push(`${col} = ANY(${arg([...values])}::text[])`);
    }
    if (q.updatedSince) where.push(`updated_at >= ${arg(q.updatedSince)}`);
    if (q.after) where.push(`(updated_at, id) > (${arg(q.after.updatedAt)}, ${arg(q.after.id)})`);
    const ids = (await this.p.rows(`SELECT id FROM conversations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at, id LIMIT ${arg(q.limit)}`, args)).map((r) => String(r.id));
    const rows = new Map((await this.p.getConversations(ids)).map((c) => [c.id, c]));
    return ids.map((id) => rows.get(id)).filter((c): c is Conversation => c !== undefined);
  }
  async listEscalations(q: EscalationQuery) {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    if (q.since) where.push(`created_at >= ${arg(q.since)}`);
    if (q.after) where.push(`(created_at, id) > (${arg(q.after.createdAt)}, ${arg(q.after.id)})`);
    return (await this.p.rows(`SELECT ${ESCALATION} FROM escalations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT ${arg(q.limit)}`, args)) as unknown as Escalation[];
  }

  // ── webhook endpoints ──
  private async endpointIn(c: pg.PoolClient, id: string): Promise<WebhookEndpoint | undefined> {
    const r = (await c.query(`SELECT ${ENDPOINT} FROM webhook_endpoints WHERE id = $1`, [id])).rows[0] as Raw | undefined;
    return r ? endpoint(r) : undefined;
  }
  createEndpoint(e: Parameters<WebhookStore['createEndpoint']>[0], a: AuditEntry) {
    return this.p.tx(async (c) => {
      await c.query('INSERT INTO webhook_endpoints (id, url, description, events, secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        e.id, e.url, e.description, JSON.stringify(e.events), e.secret, e.createdAt, e.updatedAt,
      ]);
      await auditRow(c, a, e.createdAt);
    });
  }
  async getEndpoint(id: string) {
    const r = (await this.p.rows(`SELECT ${ENDPOINT} FROM webhook_endpoints WHERE id = $1`, [id]))[0];
    return r ? endpoint(r) : undefined;
  }
  async listEndpoints() {
    return (await this.p.rows(`SELECT ${ENDPOINT} FROM webhook_endpoints ORDER BY created_at, id`)).map(endpoint);
  }
  updateEndpoint(id: string, patch: EndpointPatch, at: string, a: AuditEntry) {
    return this.p.tx(async (c) => {
      const args: unknown[] = [id, at];
      const arg = (v: unknown) => {
        args.push(v);
        return `$${args.length}`;
      };
      const sets = ['updated_at = $2'];
      if (patch.url !== undefined) sets.push(`url = ${arg(patch.url)}`);
      if (patch.description !== undefined) sets.push(`description = ${arg(patch.description)}`);
      if (patch.events !== undefined) sets.push(`events = ${arg(JSON.stringify(patch.events))}`);
      if (patch.enabled === true) sets.push('disabled_at = NULL', 'disabled_reason = NULL', 'failing_since = NULL');
      if (patch.enabled === false) sets.push('disabled_at = COALESCE(disabled_at, $2)', `disabled_reason = ${arg(patch.disabledReason ?? 'disabled')}`);
      const r = await c.query(`UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE id = $1`, args);
      if (!r.rowCount) return undefined;
      await auditRow(c, a, at);
      return this.endpointIn(c, id);
    });
  }
  rotateSecret(id: string, secret: string, previousUntil: string, at: string, a: AuditEntry) {
    return this.p.tx(async (c) => {
      const r = await c.query('UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $2, secret = $3, updated_at = $4 WHERE id = $1', [id, previousUntil, secret, at]);
      if (!r.rowCount) return undefined;
      await auditRow(c, a, at);
      return this.endpointIn(c, id);
    });
  }
  deleteEndpoint(id: string, at: string, a: AuditEntry) {
    return this.p.tx(async (c) => {
      if (!(await c.query('DELETE FROM webhook_endpoints WHERE id = $1', [id])).rowCount) return false;
      await c.query('DELETE FROM webhook_attempts WHERE endpoint_id = $1', [id]);
      await c.query('DELETE FROM webhook_outbox WHERE endpoint_id = $1', [id]);
      await auditRow(c, a, at);
      return true;
    });
  }

  // ── the outbox ──
  async enqueue(rows: readonly NewOutboxRow[]) {
    if (!rows.length) return;
    await this.p.tx(async (c) => {
      await c.query(
        `INSERT INTO webhook_outbox (id, endpoint_id, event, payload, created_at, status, next_attempt_at)
         SELECT id, endpoint_id, event, payload, created_at, 'pending', next_attempt_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(id, endpoint_id, event, payload, created_at, next_attempt_at)`,
        [rows.map((r) => r.id), rows.map((r) => r.endpointId), rows.map((r) => r.event), rows.map((r) => r.payload), rows.map((r) => r.createdAt), rows.map((r) => r.nextAttemptAt)],
      );
    });
  }
  claim(now: string, until: string, by: string, limit: number) {
    return this.p.tx(async (c) => {
      const r = await c.query(
        `UPDATE webhook_outbox SET claimed_by = $3, claimed_until = $2
         WHERE id IN (
           SELECT o.id FROM webhook_outbox o
           WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND (o.claimed_until IS NULL OR o.claimed_until < $1)
             AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = o.endpoint_id AND e.disabled_at IS NULL)
           ORDER BY o.next_attempt_at, o.id LIMIT $4
           FOR UPDATE OF o SKIP LOCKED)
         RETURNING ${OUTBOX}`,
        [now, until, by, limit],
      );
      return (r.rows as Raw[]).map(outbox).sort((a, b) => (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : a.id < b.id ? -1 : 1));
    });
  }
  finish(o: AttemptOutcome) {
    return this.p.tx(async (c) => {
      // The row's lock: a replay or another claimer's outcome waits for this one (or wins first, and this one records nothing).
      const row = (await c.query("SELECT endpoint_id AS \"endpointId\", attempts FROM webhook_outbox WHERE id = $1 AND claimed_by = $2 AND status = 'pending' FOR UPDATE", [o.id, o.by]))
        .rows[0] as { endpointId: string; attempts: number } | undefined;
      if (!row) return { recorded: false, endpointDisabled: false };
      const n = row.attempts + 1;
      await c.query('INSERT INTO webhook_attempts (outbox_id, endpoint_id, attempt, at, ok, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        o.id, row.endpointId, n, o.at, o.ok, o.statusCode, o.error, Math.round(o.durationMs),
      ]);
      const status: OutboxStatus = o.ok ? 'delivered' : o.retryAt ? 'pending' : 'failed';
      await c.query(
        `UPDATE webhook_outbox SET status = $2, attempts = $3, next_attempt_at = $4, claimed_by = NULL, claimed_until = NULL, last_attempt_at = $5,
           last_status = $6, last_error = $7, delivered_at = $8 WHERE id = $1`,
        [o.id, status, n, o.retryAt ?? o.at, o.at, o.statusCode, o.error, o.ok ? o.at : null],
      );
      let endpointDisabled = false;
      if (o.ok) await c.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL', [row.endpointId]);
      else {
        await c.query('UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1', [row.endpointId, o.at]);
        const d = await c.query('UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3, updated_at = $2 WHERE id = $1 AND disabled_at IS NULL AND failing_since <= $4', [
          row.endpointId, o.at, o.disabledReason, o.disableIfFailingSince,
        ]);
        endpointDisabled = (d.rowCount ?? 0) > 0;
        if (endpointDisabled) await auditRow(c, { actor: 'system', action: 'webhook.endpoint_disabled', detail: { endpointId: row.endpointId, reason: o.disabledReason } }, o.at);
      }
      return { recorded: true, endpointDisabled };
    });
  }
  replay(id: string, at: string, a: AuditEntry) {
    return this.p.tx(async (c) => {
      const r = await c.query(
        `UPDATE webhook_outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, claimed_by = NULL, claimed_until = NULL, delivered_at = NULL WHERE id = $1 RETURNING ${OUTBOX}`,
        [id, at],
      );
      const row = r.rows[0] as Raw | undefined;
      if (!row) return undefined;
      await auditRow(c, a, at);
      return outbox(row);
    });
  }
  async getOutbox(id: string) {
    const r = (await this.p.rows(`SELECT ${OUTBOX} FROM webhook_outbox WHERE id = $1`, [id]))[0];
    return r ? outbox(r) : undefined;
  }
  async listOutbox(q: { endpointId: string; status?: OutboxStatus; before?: { createdAt: string; id: string }; limit: number }) {
    const args: unknown[] = [q.endpointId];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    const where = ['endpoint_id = $1'];
    if (q.status) where.push(`status = ${arg(q.status)}`);
    if (q.before) where.push(`(created_at, id) < (${arg(q.before.createdAt)}, ${arg(q.before.id)})`);
    return (await this.p.rows(`SELECT ${OUTBOX} FROM webhook_outbox WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${arg(q.limit)}`, args)).map(outbox);
  }
  async attempts(outboxId: string) {
    return (await this.p.rows(`SELECT ${ATTEMPT} FROM webhook_attempts WHERE outbox_id = $1 ORDER BY id`, [outboxId])).map(attempt);
  }
  async pendingCount() {
    return Number((await this.p.rows("SELECT count(*)::int AS n FROM webhook_outbox WHERE status = 'pending'"))[0]?.n ?? 0);
  }
  prune(before: string) {
    return this.p.tx(async (c) => {
      await c.query("DELETE FROM webhook_attempts WHERE outbox_id IN (SELECT id FROM webhook_outbox WHERE status <> 'pending' AND created_at < $1)", [before]);
      return (await c.query("DELETE FROM webhook_outbox WHERE status <> 'pending' AND created_at < $1", [before])).rowCount ?? 0;
    });
  }
}
