import type pg from 'pg';
import { attachmentRow } from './attachment-sqlite.ts';
import type { AttachmentRow, AttachmentStore, NewAttachment } from './attachment-store.ts';

type Raw = Record<string, unknown>;
const COLS = `a.id, a.conversation_id, a.uploader, a.filename, a.content_type, a.size, a.blob_key, a.thumb_key, a.width, a.height,
  a.client_msg_id, a.created_at, a.expires_at`;

/**
 * The PostgreSQL adapter of `Store.attachments`. A claim locks the rows it takes (`FOR UPDATE`, in id
 * order so two claims never deadlock), checks them and writes in one transaction.
 */
export function pgAttachments(tx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>, rows: (sql: string, values?: unknown[]) => Promise<Raw[]>): AttachmentStore {
  return {
    async insert(a: NewAttachment) {
      await rows(
        `INSERT INTO attachments (id, conversation_id, uploader, filename, content_type, size, blob_key, thumb_key, width, height, client_msg_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12)`,
        [a.id, a.conversationId, a.uploader, a.filename, a.contentType, a.size, a.blobKey, a.thumbKey, a.width, a.height, a.createdAt, a.expiresAt],
      );
    },
    async get(id) {
      const [r] = await rows(
        `SELECT ${COLS}, m.seq AS m_seq, m.kind AS m_kind FROM attachments a LEFT JOIN messages m
           ON a.client_msg_id IS NOT NULL AND m.conversation_id = a.conversation_id AND m.sender = a.uploader AND m.client_msg_id = a.client_msg_id
         WHERE a.id = $1`,
        [id],
      );
      if (!r) return undefined;
      return { ...attachmentRow(r), message: r.m_seq == null ? null : { seq: Number(r.m_seq), kind: r.m_kind as 'text' } };
    },
    claim(ids, conversationId, uploader, clientMsgId, at) {
      return tx(async (c) => {
        const sorted = [...new Set(ids)].sort();
        const found = new Map(
          (await c.query(`SELECT ${COLS} FROM attachments a WHERE a.id = ANY($1::text[]) ORDER BY a.id FOR UPDATE`, [sorted])).rows.map((r: Raw) => [String(r.id), attachmentRow(r)]),
        );
        const out: AttachmentRow[] = [];
        for (const id of ids) {
          const row = found.get(id);
          if (!row || row.conversationId !== conversationId || row.uploader !== uploader) return null;
          if (row.clientMsgId !== null && row.clientMsgId !== clientMsgId) return null;
          if (row.clientMsgId === null && row.expiresAt <= at) return null;
          out.push({ ...row, clientMsgId });
        }
        await c.query('UPDATE attachments SET client_msg_id = $1 WHERE id = ANY($2::text[])', [clientMsgId, sorted]);
        return out;
      });
    },
    sweep(at, limit) {
      return tx(async (c) => {
        const removed = (
          await c.query(
            `DELETE FROM attachments WHERE id IN (
               SELECT a.id FROM attachments a WHERE a.expires_at <= $1 AND NOT EXISTS (
                 SELECT 1 FROM messages m WHERE m.conversation_id = a.conversation_id AND m.sender = a.uploader AND m.client_msg_id = a.client_msg_id)
               ORDER BY a.expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING id, conversation_id, uploader, filename, content_type, size, blob_key, thumb_key, width, height, client_msg_id, created_at, expires_at`,
            [at, limit],
          )
        ).rows.map((r: Raw) => attachmentRow(r));
        const keys = [...new Set(removed.flatMap((r) => (r.thumbKey ? [r.blobKey, r.thumbKey] : [r.blobKey])))];
        if (!keys.length) return { removed, unreferenced: [] };
        const still = new Set(
          (await c.query('SELECT blob_key AS k FROM attachments WHERE blob_key = ANY($1::text[]) UNION SELECT thumb_key FROM attachments WHERE thumb_key = ANY($1::text[])', [keys])).rows.map((r: Raw) => String(r.k)),
        );
        return { removed, unreferenced: keys.filter((k) => !still.has(k)) };
      });
    },
    async totalSize(conversationId) {
      return Number((await rows('SELECT COALESCE(SUM(size), 0) AS n FROM attachments WHERE conversation_id = $1', [conversationId]))[0]?.n ?? 0);
    },
    async referenced(key) {
      return (await rows('SELECT 1 FROM attachments WHERE blob_key = $1 OR thumb_key = $1 LIMIT 1', [key])).length > 0;
    },
  };
}
