import type Database from 'better-sqlite3';
import type { AttachmentRow, AttachmentStore, AttachmentWithMessage, NewAttachment, Swept } from './attachment-store.ts';

type Raw = Record<string, unknown>;
const COLS = `a.id, a.conversation_id, a.uploader, a.filename, a.content_type, a.size, a.blob_key, a.thumb_key, a.width, a.height,
  a.client_msg_id, a.created_at, a.expires_at`;
export function attachmentRow(r: Raw): AttachmentRow {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    uploader: String(r.uploader),
    filename: String(r.filename),
    contentType: String(r.content_type),
    size: Number(r.size),
    blobKey: String(r.blob_key),
    thumbKey: r.thumb_key == null ? null : String(r.thumb_key),
    width: r.width == null ? null : Number(r.width),
    height: r.height == null ? null : Number(r.height),
    clientMsgId: r.client_msg_id == null ? null : String(r.client_msg_id),
    createdAt: String(r.created_at),
    expiresAt: String(r.expires_at),
  };
}
/** The message carrying a row: same conversation, sender = uploader, same client id. */
export const CARRIER = `SELECT m.seq, m.kind FROM messages m WHERE m.conversation_id = a.conversation_id AND m.sender = a.uploader AND m.client_msg_id = a.client_msg_id`;

/** The SQLite adapter of `Store.attachments`: writes through the store's group writer, reads on its connection. */
export function sqliteAttachments(sqlite: () => Database.Database, write: <T>(fn: () => T) => Promise<T>, read: <T>(fn: () => T) => Promise<T>): AttachmentStore {
  const isReferenced = (key: string) =>
    !!sqlite().prepare('SELECT 1 FROM attachments WHERE blob_key = ? OR thumb_key = ? LIMIT 1').get(key, key);
  return {
    insert(a: NewAttachment) {
      return write(() => {
        sqlite()
          .prepare(
            `INSERT INTO attachments (id, conversation_id, uploader, filename, content_type, size, blob_key, thumb_key, width, height, client_msg_id, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
          )
          .run(a.id, a.conversationId, a.uploader, a.filename, a.contentType, a.size, a.blobKey, a.thumbKey, a.width, a.height, a.createdAt, a.expiresAt);
      });
    },
    get(id: string) {
      return read((): AttachmentWithMessage | undefined => {
        const r = sqlite()
          .prepare(`SELECT ${COLS}, m.seq AS m_seq, m.kind AS m_kind FROM attachments a LEFT JOIN messages m
            ON a.client_msg_id IS NOT NULL AND m.conversation_id = a.conversation_id AND m.sender = a.uploader AND m.client_msg_id = a.client_msg_id
            WHERE a.id = ?`)
          .get(id) as Raw | undefined;
        if (!r) return undefined;
        return { ...attachmentRow(r), message: r.m_seq == null ? null : { seq: Number(r.m_seq), kind: r.m_kind as 'text' } };
      });
    },
    claim(ids, conversationId, uploader, clientMsgId, at) {
      return write(() => {
        const db = sqlite();
        const rows: AttachmentRow[] = [];
        for (const id of ids) {
          const r = db.prepare(`SELECT ${COLS} FROM attachments a WHERE a.id = ?`).get(id) as Raw | undefined;
          if (!r) return null;
          const row = attachmentRow(r);
          if (row.conversationId !== conversationId || row.uploader !== uploader) return null;
          if (row.clientMsgId !== null && row.clientMsgId !== clientMsgId) return null;
          if (row.clientMsgId === null && row.expiresAt <= at) return null;
          rows.push(row);
        }
        // All checked inside this write (SQLite has one writer): take them.
        const take = db.prepare('UPDATE attachments SET client_msg_id = ? WHERE id = ?');
        for (const row of rows) {
          take.run(clientMsgId, row.id);
          row.clientMsgId = clientMsgId;
        }
        return rows;
      });
    },
    sweep(at, limit) {
      return write((): Swept => {
        const db = sqlite();
        const rows = (db
          .prepare(`SELECT ${COLS} FROM attachments a WHERE a.expires_at <= ? AND NOT EXISTS (${CARRIER}) ORDER BY a.expires_at LIMIT ?`)
          .all(at, limit) as Raw[]).map(attachmentRow);
        const del = db.prepare('DELETE FROM attachments WHERE id = ?');
        for (const r of rows) del.run(r.id);
        const keys = new Set(rows.flatMap((r) => (r.thumbKey ? [r.blobKey, r.thumbKey] : [r.blobKey])));
        return { removed: rows, unreferenced: [...keys].filter((k) => !isReferenced(k)) };
      });
    },
    totalSize(conversationId) {
      return read(() => Number((sqlite().prepare('SELECT COALESCE(SUM(size), 0) AS n FROM attachments WHERE conversation_id = ?').get(conversationId) as { n: number }).n));
    },
    referenced(key) {
      return read(() => isReferenced(key));
    },
  };
}
