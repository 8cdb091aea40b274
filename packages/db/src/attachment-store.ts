/**
 * The attachments part of the store port (`Store.attachments`): the rows of uploaded files. The bytes
 * are not here: they live in the server's blob storage (apps/server/src/attachments/storage.ts) under
 * `blobKey`. Adapters: attachment-sqlite.ts, attachment-pg.ts; contract: test/attachments.contract.test.ts.
 *
 * An upload belongs to one conversation and one uploader (`requester` or `agent:<id>`, the sender
 * string a message of theirs carries). A message takes uploads with `claim` (same conversation, same
 * uploader, not expired, not taken by another message); its attachments are then the rows with the
 * message's conversation, sender and client id. An upload no message took by `expiresAt` is swept.
 */
export interface AttachmentRow {
  id: string;
  conversationId: string;
  uploader: string;
  filename: string;
  contentType: string;
  size: number;
  blobKey: string;
  thumbKey: string | null;
  width: number | null;
  height: number | null;
  clientMsgId: string | null;
  createdAt: string;
  expiresAt: string;
}

/** An attachment with the message that carries it, if one does (for the visibility of a download). */
export interface AttachmentWithMessage extends AttachmentRow {
  /** The kind and seq of the message with this conversation, sender and client id; null while none was written. */
  message: { seq: number; kind: 'text' | 'system' | 'note' } | null;
}

export type NewAttachment = Omit<AttachmentRow, 'clientMsgId'>;

/** What a sweep removed: the rows, and the blob keys no row references any more (their bytes may go). */
export interface Swept {
  removed: AttachmentRow[];
  unreferenced: string[];
}

export interface AttachmentStore {
  insert(a: NewAttachment): Promise<void>;
  get(id: string): Promise<AttachmentWithMessage | undefined>;
  /**
   * A message (conversation, uploader, clientMsgId) takes the uploads `ids`: all of them or none.
   * Each must be of that conversation and uploader, not expired at `at`, and not taken by another
   * message (taken by the same one is fine: a retried send). Returns the rows in the order of `ids`,
   * or null (nothing written) when one cannot be taken.
   */
  claim(ids: readonly string[], conversationId: string, uploader: string, clientMsgId: string, at: string): Promise<AttachmentRow[] | null>;
  /**
   * Remove uploads past their expiry that no written message carries (at most `limit`), in one
   * transaction; returns them and the blob keys (files and thumbnails) no remaining row references.
   */
  sweep(at: string, limit: number): Promise<Swept>;
  /** Bytes of all uploads in a conversation (taken or not): the per-conversation cap. */
  totalSize(conversationId: string): Promise<number>;
  /** Whether any row references this blob key (as its file or its thumbnail). */
  referenced(blobKey: string): Promise<boolean>;
}
