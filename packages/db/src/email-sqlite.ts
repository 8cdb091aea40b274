import type Database from 'better-sqlite3';
import type { ConfirmResult, EmailContact, EmailJob, EmailOutcome, EmailStore, NewEmailJob } from './email-store.ts';

/**
 * The SQLite adapter of `Store.email`: every write is one closure through the store's group
 * writer; SQLite has one writer, so a claim (read and update in one write) cannot interleave another.
 */
export interface SqliteEmailParts {
  sqlite(): Database.Database;
  write<T>(run: () => T): Promise<T>;
  read<T>(run: () => T): Promise<T>;
}

const CONTACT = `conversation_id AS conversationId, address, source, verified_at AS verifiedAt, code_hash AS codeHash, code_expires_at AS codeExpiresAt,
  code_attempts AS codeAttempts, notified_seq AS notifiedSeq, last_message_id AS lastMessageId, updated_at AS updatedAt`;
const JOB = `id, kind, conversation_id AS conversationId, payload, created_at AS createdAt, status, attempts, next_attempt_at AS nextAttemptAt,
  claimed_by AS claimedBy, claimed_until AS claimedUntil, last_error AS lastError, sent_at AS sentAt`;

export class SqliteEmail implements EmailStore {
  constructor(private readonly p: SqliteEmailParts) {}

  private readonly statements = new Map<string, Database.Statement>();
  private st(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.p.sqlite().prepare(sql)));
    return s;
  }

  getContact(conversationId: string) {
    return this.p.read(() => this.st(`SELECT ${CONTACT} FROM email_contacts WHERE conversation_id = ?`).get(conversationId) as EmailContact | undefined);
  }
  requestCode(conversationId: string, address: string, codeHash: string, expiresAt: string, at: string) {
    return this.p.write(() => {
      this.st(
        `INSERT INTO email_contacts (conversation_id, address, source, verified_at, code_hash, code_expires_at, code_attempts, updated_at)
         VALUES (?, ?, 'typed', NULL, ?, ?, 0, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET address = excluded.address, source = 'typed', verified_at = NULL,
           code_hash = excluded.code_hash, code_expires_at = excluded.code_expires_at, code_attempts = 0, updated_at = excluded.updated_at`,
      ).run(conversationId, address, codeHash, expiresAt, at);
    });
  }
  confirmCode(conversationId: string, codeHash: string, at: string, maxAttempts: number) {
    return this.p.write((): ConfirmResult => {
      const c = this.st(`SELECT ${CONTACT} FROM email_contacts WHERE conversation_id = ?`).get(conversationId) as EmailContact | undefined;
      if (!c || !c.codeHash || !c.codeExpiresAt) return 'none';
      if (c.codeAttempts >= maxAttempts) return 'too_many';
      if (c.codeExpiresAt <= at) return 'expired';
      if (c.codeHash !== codeHash) {
        this.st('UPDATE email_contacts SET code_attempts = code_attempts + 1, updated_at = ? WHERE conversation_id = ?').run(at, conversationId);
        return 'wrong';
      }
      this.st('UPDATE email_contacts SET verified_at = ?, code_hash = NULL, code_expires_at = NULL, code_attempts = 0, updated_at = ? WHERE conversation_id = ?').run(at, at, conversationId);
      return 'confirmed';
    });
  }
  markNotified(conversationId: string, seq: number, messageId: string, at: string) {
    return this.p.write(() => {
      const r = this.st(
        `INSERT INTO email_contacts (conversation_id, address, source, notified_seq, last_message_id, updated_at) VALUES (?, NULL, 'identity', ?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET notified_seq = excluded.notified_seq, last_message_id = excluded.last_message_id, updated_at = excluded.updated_at
         WHERE email_contacts.notified_seq < excluded.notified_seq`,
      ).run(conversationId, seq, messageId, at);
      return r.changes > 0;
    });
  }

  enqueue(jobs: readonly NewEmailJob[]) {
    if (!jobs.length) return Promise.resolve();
    return this.p.write(() => {
      const st = this.st("INSERT INTO email_outbox (id, kind, conversation_id, payload, created_at, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)");
      for (const j of jobs) st.run(j.id, j.kind, j.conversationId, j.payload, j.createdAt, j.nextAttemptAt);
    });
  }
  enqueueNotify(j: NewEmailJob) {
    return this.p.write(() => {
      const pending = this.st("SELECT 1 FROM email_outbox WHERE conversation_id = ? AND kind = 'notify' AND status = 'pending' LIMIT 1").get(j.conversationId);
      if (pending) return false;
      this.st("INSERT INTO email_outbox (id, kind, conversation_id, payload, created_at, status, next_attempt_at) VALUES (?, 'notify', ?, ?, ?, 'pending', ?)").run(
        j.id, j.conversationId, j.payload, j.createdAt, j.nextAttemptAt,
      );
      return true;
    });
  }
  claim(now: string, until: string, by: string, limit: number) {
    return this.p.write(() => {
      const due = this.st(
        `SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)
         ORDER BY next_attempt_at, id LIMIT ?`,
      ).all(now, now, limit) as Array<{ id: string }>;
      const take = this.st('UPDATE email_outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?');
      const get = this.st(`SELECT ${JOB} FROM email_outbox WHERE id = ?`);
      return due.map(({ id }) => {
        take.run(by, until, id);
        return get.get(id) as EmailJob;
      });
    });
  }
  finish(o: EmailOutcome) {
    return this.p.write(() => {
      const r = this.st(
        `UPDATE email_outbox SET status = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, next_attempt_at), claimed_by = NULL, claimed_until = NULL,
           last_error = ?, sent_at = ? WHERE id = ? AND claimed_by = ? AND status = 'pending'`,
      ).run(o.status, o.retryAt, o.error, o.status === 'sent' ? o.at : null, o.id, o.by);
      return r.changes > 0;
    });
  }
  getJob(id: string) {
    return this.p.read(() => this.st(`SELECT ${JOB} FROM email_outbox WHERE id = ?`).get(id) as EmailJob | undefined);
  }
  jobsOf(conversationId: string) {
    return this.p.read(() => this.st(`SELECT ${JOB} FROM email_outbox WHERE conversation_id = ? ORDER BY created_at, id`).all(conversationId) as EmailJob[]);
  }
  pendingCount() {
    return this.p.read(() => (this.st("SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'pending'").get() as { n: number }).n);
  }

  recordInbound(messageId: string, kind: string, conversationId: string | null, at: string) {
    return this.p.write(() => {
      const r = this.st('INSERT INTO email_inbound (message_id, kind, conversation_id, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING').run(messageId, kind, conversationId, at);
      return r.changes > 0;
    });
  }
  seenInbound(messageId: string) {
    return this.p.read(() => !!this.st('SELECT 1 FROM email_inbound WHERE message_id = ?').get(messageId));
  }
}
