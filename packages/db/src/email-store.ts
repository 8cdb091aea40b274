/**
 * Email continuity's part of the store port (`Store.email`): each conversation's address and its
 * confirmation code, the durable outbox of email jobs, and the inbound Message-IDs already handled.
 * Adapters: email-sqlite.ts and email-pg.ts; both pass test/store.contract.test.ts.
 */

/** A conversation's email contact (see schema.ts `email_contacts`). */
export interface EmailContact {
  conversationId: string;
  /** A typed address (confirmed when `verifiedAt` is set); null on a row that only tracks notifications of an identity email. */
  address: string | null;
  source: 'identity' | 'typed';
  verifiedAt: string | null;
  codeHash: string | null;
  codeExpiresAt: string | null;
  codeAttempts: number;
  /** The last agent message already emailed. */
  notifiedSeq: number;
  lastMessageId: string | null;
  updatedAt: string;
}

export type EmailJobKind = 'notify' | 'code' | 'transcript' | 'answer';
export type EmailJobStatus = 'pending' | 'sent' | 'skipped' | 'failed';

/** One email job: claimed with a lease by one sender, retried with back-off, kept after it ends. */
export interface EmailJob {
  id: string;
  kind: EmailJobKind;
  conversationId: string | null;
  /** JSON: what the job needs to build its mail (kind-specific). */
  payload: string;
  createdAt: string;
  status: EmailJobStatus;
  attempts: number;
  nextAttemptAt: string;
  claimedBy: string | null;
  claimedUntil: string | null;
  lastError: string | null;
  sentAt: string | null;
}
export type NewEmailJob = Pick<EmailJob, 'id' | 'kind' | 'conversationId' | 'payload' | 'createdAt' | 'nextAttemptAt'>;

/** What one attempt gave, recorded only while the claim is still `by`'s. */
export interface EmailOutcome {
  id: string;
  by: string;
  at: string;
  /** `sent`, `skipped` (nothing to send any more), `failed` (for good), or `pending` again at `retryAt`. */
  status: EmailJobStatus;
  error: string | null;
  retryAt: string | null;
}

export type ConfirmResult = 'confirmed' | 'wrong' | 'expired' | 'none' | 'too_many';

export interface EmailStore {
  getContact(conversationId: string): Promise<EmailContact | undefined>;
  /**
   * A typed address waiting for its code: the contact becomes `typed`, unconfirmed, with this code
   * (attempts from zero). Notifications already sent stay counted.
   */
  requestCode(conversationId: string, address: string, codeHash: string, expiresAt: string, at: string): Promise<void>;
  /**
   * Check a code in one transaction: `confirmed` (the address is verified, the code spent), `wrong`
   * (an attempt counted), `expired`, `too_many` (`maxAttempts` wrong codes: ask for a new one),
   * `none` (no code pending).
   */
  confirmCode(conversationId: string, codeHash: string, at: string, maxAttempts: number): Promise<ConfirmResult>;
  /** Agent messages up to `seq` were emailed (as `messageId`); only ever moves forward. False if it did not move. */
  markNotified(conversationId: string, seq: number, messageId: string, at: string): Promise<boolean>;

  /** Write jobs to the outbox, pending and due at `nextAttemptAt`. */
  enqueue(jobs: readonly NewEmailJob[]): Promise<void>;
  /** A `notify` job for the conversation, unless one is already pending there; true when written. */
  enqueueNotify(job: NewEmailJob): Promise<boolean>;
  /** Claim up to `limit` pending jobs due at `now` (unclaimed or whose lease lapsed) for `by` until `until`; oldest due first. */
  claim(now: string, until: string, by: string, limit: number): Promise<EmailJob[]>;
  /** Record an attempt; false (nothing written) when the claim is no longer `by`'s. */
  finish(o: EmailOutcome): Promise<boolean>;
  getJob(id: string): Promise<EmailJob | undefined>;
  /** A conversation's jobs, oldest first. */
  jobsOf(conversationId: string): Promise<EmailJob[]>;
  pendingCount(): Promise<number>;

  /** Remember an inbound mail by its Message-ID; false (nothing written) when it was already handled. */
  recordInbound(messageId: string, kind: string, conversationId: string | null, at: string): Promise<boolean>;
  seenInbound(messageId: string): Promise<boolean>;
}
