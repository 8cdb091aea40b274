import type pg from 'pg';
import { fold, pgTsQuery } from './search-text.ts';
import { decodeEvent, EVENT_COLUMNS, EVENT_SELECT, eventValues, searchWhere, type ConversationEvent, type NewEvent, type SearchQuery } from './insights.ts';

/**
 * Search and the events log on PostgreSQL. Words are matched by tsvectors (`simple` configuration)
 * over text folded with fold() (search-text.ts), in `message_search` and `conversation_search`
 * (migration 0008_search_tsv.sql), written by the adapter in the same transaction as the message or
 * conversation they index.
 */
type Q = pg.PoolClient | pg.Pool;

/** `?` placeholders to `$1, $2, …` (the SQL here has no quoted `?`). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/**
 * Text as PostgreSQL should index it: folded, and cut into the words `queryTerms` cuts a query into
 * (letters and digits), so the `simple` parser never keeps an email, a path or a hyphenated word whole.
 */
export function searchable(text: string): string {
  return (fold(text).match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
}

/** The text a conversation is found by: the requester's name and email, the realm's id and name. */
export function conversationSearchText(c: { requesterName: string | null; requesterEmail: string | null; realmId: string | null }, realmName: string | null): string {
  return searchable([c.requesterName, c.requesterEmail, c.realmId, realmName].filter(Boolean).join(' '));
}

export async function writeEvents(c: Q, events: readonly NewEvent[]): Promise<void> {
  for (const e of events) await c.query(`INSERT INTO conversation_events (${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, eventValues(e));
}

/** Index a conversation's requester and realm (on start, and when one of them changes). */
export async function indexConversation(c: Q, conv: { id: string; requesterName: string | null; requesterEmail: string | null; realmId: string | null }): Promise<void> {
  const realm = conv.realmId ? ((await c.query(`SELECT name FROM realms WHERE id = $1`, [conv.realmId])).rows[0] as { name: string } | undefined) : undefined;
  await c.query(
    `INSERT INTO conversation_search (conversation_id, tsv) VALUES ($1, to_tsvector('simple', $2))
     ON CONFLICT (conversation_id) DO UPDATE SET tsv = excluded.tsv`,
    [conv.id, conversationSearchText(conv, realm?.name ?? null)],
  );
}

export async function searchIds(c: Q, q: SearchQuery): Promise<string[]> {
  const tsq = pgTsQuery(q.terms);
  const { where, values } = searchWhere(
    q,
    tsq === null
      ? null
      : {
          conversations: `c.id IN (SELECT conversation_id FROM conversation_search WHERE tsv @@ to_tsquery('simple', ?))`,
          messages: `c.id IN (SELECT conversation_id FROM message_search WHERE tsv @@ to_tsquery('simple', ?))`,
          value: tsq,
        },
  );
  const sql = numbered(`SELECT c.id FROM conversations c ${where} ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`);
  return ((await c.query(sql, [...values, q.limit])).rows as Array<{ id: string }>).map((r) => r.id);
}

export async function events(c: Q, q: { from: string; to: string }): Promise<ConversationEvent[]> {
  const r = await c.query(
    `SELECT ${EVENT_SELECT} FROM conversation_events
     WHERE at >= $1 AND conversation_id IN (SELECT conversation_id FROM conversation_events WHERE at >= $1 AND at < $2)
     ORDER BY conversation_id, id`,
    [q.from, q.to],
  );
  return (r.rows as Array<Record<string, unknown>>).map(decodeEvent);
}

/**
 * Index what was written before the search tables existed (or by an older release): messages and
 * conversations without a search row, a batch at a time. Run when the store opens.
 */
export async function backfillSearch(pool: pg.Pool): Promise<void> {
  for (;;) {
    const msgs = (
      await pool.query(
        `SELECT m.conversation_id, m.seq, m.body FROM messages m
         WHERE m.kind IN ('text', 'note') AND NOT EXISTS (SELECT 1 FROM message_search s WHERE s.conversation_id = m.conversation_id AND s.seq = m.seq)
         LIMIT 500`,
      )
    ).rows as Array<{ conversation_id: string; seq: number; body: string }>;
    if (!msgs.length) break;
    for (const m of msgs)
      await pool.query(`INSERT INTO message_search (conversation_id, seq, tsv) VALUES ($1, $2, to_tsvector('simple', $3)) ON CONFLICT DO NOTHING`, [m.conversation_id, m.seq, searchable(m.body)]);
  }
  for (;;) {
    const convs = (
      await pool.query(
        `SELECT c.id, c.requester_name AS "requesterName", c.requester_email AS "requesterEmail", c.realm_id AS "realmId" FROM conversations c
         WHERE NOT EXISTS (SELECT 1 FROM conversation_search s WHERE s.conversation_id = c.id) LIMIT 500`,
      )
    ).rows as Array<{ id: string; requesterName: string | null; requesterEmail: string | null; realmId: string | null }>;
    if (!convs.length) break;
    for (const c of convs) await indexConversation(pool, c);
  }
}
