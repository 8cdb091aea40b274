import type pg from 'pg';
import type { ConfirmResult, EmailContact, EmailJob, EmailOutcome, EmailStore, NewEmailJob } from './email-store.ts';

/**
 * The PostgreSQL adapter of `Store.email`. Each command is one transaction (the store's `tx`).
 * A claim takes due jobs with `FOR UPDATE SKIP LOCKED` and marks them with its name and a lease,
 * so two processes never hold the same job; a job whose claimer died is taken again once the lease lapsed.
 */
export interface PgEmailParts {
  rows(sql: string, values?: unknown[]): Promise<Array<Record<string, unknown>>>;
  tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
}

const CONTACT = `conversation_id AS "conversationId", address, source, verified_at AS "verifiedAt", code_hash AS "codeHash", code_expires_at AS "codeExpiresAt",
  code_attempts AS "codeAttempts", notified_seq AS "notifiedSeq", last_message_id AS "lastMessageId", updated_at AS "updatedAt"`;
const JOB = `id, kind, conversation_id AS "conversationId", payload, created_at AS "createdAt", status, attempts, next_attempt_at AS "nextAttemptAt",
  claimed_by AS "claimedBy", claimed_until AS "claimedUntil", last_error AS "lastError", sent_at AS "sentAt"`;

export class PgEmail implements EmailStore {
  constructor(private readonly p: PgEmailParts) {}

  async getContact(conversationId: string) {
    const [r] = await this.p.rows(`SELECT ${CONTACT} FROM email_contacts WHERE conversation_id = $1`, [conversationId]);
    return r as EmailContact | undefined;
  }
  async requestCode(conversationId: string, address: string, codeHash: string, expiresAt: string, at: string) {
    await this.p.tx(async (c) => {
      await c.query(
        `INSERT INTO email_contacts (conversation_id, address, source, verified_at, code_hash, code_expires_at, code_attempts, updated_at)
         VALUES ($1, $2, 'typed', NULL, $3, $4, 0, $5)
         ON CONFLICT (conversation_id) DO UPDATE SET address = excluded.address, source = 'typed', verified_at = NULL,
           code_hash = excluded.code_hash, code_expires_at = excluded.code_expires_at, code_attempts = 0, updated_at = excluded.updated_at`,
        [conversationId, address, codeHash, expiresAt, at],
      );
    });
  }
  confirmCode(conversationId: string, codeHash: string, at: string, maxAttempts: number) {
    return this.p.tx(async (c): Promise<ConfirmResult> => {
      const { rows } = await c.query(`SELECT ${CONTACT} FROM email_contacts WHERE conversation_id = $1 FOR UPDATE`, [conversationId]);
      const r = rows[0] as EmailContact | undefined;
      if (!r || !r.codeHash || !r.codeExpiresAt) return 'none';
      if (r.codeAttempts >= maxAttempts) return 'too_many';
      if (r.codeExpiresAt <= at) return 'expired';
      if (r.codeHash !== codeHash) {
        await c.query('UPDATE email_contacts SET code_attempts = code_attempts + 1, updated_at = $1 WHERE conversation_id = $2', [at, conversationId]);
        return 'wrong';
      }
      await c.query('UPDATE email_contacts SET verified_at = $1, code_hash = NULL, code_expires_at = NULL, code_attempts = 0, updated_at = $1 WHERE conversation_id = $2', [at, conversationId]);
      return 'confirmed';
    });
  }
  markNotified(conversationId: string, seq: number, messageId: string, at: string) {
    return this.p.tx(async (c) => {
      const r = await c.query(
        `INSERT INTO email_contacts (conversation_id, address, source, notified_seq, last_message_id, updated_at) VALUES ($1, NULL, 'identity', $2, $3, $4)
         ON CONFLICT (conversation_id) DO UPDATE SET notified_seq = excluded.notified_seq, last_message_id = excluded.last_message_id, updated_at = excluded.updated_at
         WHERE email_contacts.notified_seq < excluded.notified_seq`,
        [conversationId, seq, messageId, at],
      );
      return (r.rowCount ?? 0) > 0;
    });
  }

  async enqueue(jobs: readonly NewEmailJob[]) {
    if (!jobs.length) return;
    await this.p.tx(async (c) => {
      for (const j of jobs)
        await c.query("INSERT INTO email_outbox (id, kind, conversation_id, payload, created_at, status, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6)", [
          j.id, j.kind, j.conversationId, j.payload, j.createdAt, j.nextAttemptAt,
        ]);
    });
  }
  enqueueNotify(j: NewEmailJob) {
    return this.p.tx(async (c) => {
      // One pending notification per conversation, whichever process writes first: the lock is per conversation.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`email-notify:${j.conversationId ?? ''}`]);
      const { rows } = await c.query("SELECT 1 FROM email_outbox WHERE conversation_id = $1 AND kind = 'notify' AND status = 'pending' LIMIT 1", [j.conversationId]);
      if (rows.length) return false;
      await c.query("INSERT INTO email_outbox (id, kind, conversation_id, payload, created_at, status, next_attempt_at) VALUES ($1, 'notify', $2, $3, $4, 'pending', $5)", [
        j.id, j.conversationId, j.payload, j.createdAt, j.nextAttemptAt,
      ]);
      return true;
    });
  }
  claim(now: string, until: string, by: string, limit: number) {
    return this.p.tx(async (c) => {
      const { rows } = await c.query(
        `UPDATE email_outbox SET claimed_by = $3, claimed_until = $4 WHERE id IN (
           SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
           ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING ${JOB}`,
        [now, limit, by, until],
      );
      return (rows as EmailJob[]).sort((a, b) => (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : a.id < b.id ? -1 : 1));
    });
  }
  finish(o: EmailOutcome) {
    return this.p.tx(async (c) => {
      const r = await c.query(
        `UPDATE email_outbox SET status = $1, attempts = attempts + 1, next_attempt_at = COALESCE($2, next_attempt_at), claimed_by = NULL, claimed_until = NULL,
           last_error = $3, sent_at = $4 WHERE id = $5 AND claimed_by = $6 AND status = 'pending'`,
        [o.status, o.retryAt, o.error, o.status === 'sent' ? o.at : null, o.id, o.by],
      );
      return (r.rowCount ?? 0) > 0;
    });
  }
  async getJob(id: string) {
    const [r] = await this.p.rows(`SELECT ${JOB} FROM email_outbox WHERE id = $1`, [id]);
    return r as EmailJob | undefined;
  }
  async jobsOf(conversationId: string) {
    return (await this.p.rows(`SELECT ${JOB} FROM email_outbox WHERE conversation_id = $1 ORDER BY created_at, id`, [conversationId])) as unknown as EmailJob[];
  }
  async pendingCount() {
    const [r] = await this.p.rows("SELECT COUNT(*)::int AS n FROM email_outbox WHERE status = 'pending'");
    return Number(r?.n ?? 0);
  }

  recordInbound(messageId: string, kind: string, conversationId: string | null, at: string) {
    return this.p.tx(async (c) => {
      const r = await c.query('INSERT INTO email_inbound (message_id, kind, conversation_id, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING', [
        messageId, kind, conversationId, at,
      ]);
      return (r.rowCount ?? 0) > 0;
    });
  }
  async seenInbound(messageId: string) {
    return (await this.p.rows('SELECT 1 FROM email_inbound WHERE message_id = $1', [messageId])).length > 0;
  }
}
