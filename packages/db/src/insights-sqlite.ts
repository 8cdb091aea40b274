import type Database from 'better-sqlite3';
import { fts5Match } from './search-text.ts';
import { decodeEvent, EVENT_COLUMNS, EVENT_SELECT, eventValues, searchWhere, type ConversationEvent, type NewEvent, type SearchQuery } from './insights.ts';

/**
 * Search and the events log on SQLite. Words are matched by FTS5 (`messages_fts`,
 * `conversations_fts`: tokenizer `unicode61 remove_diacritics 2`, kept by triggers in the same
 * transaction as each message and conversation — migration 0009_search_fts.sql).
 */
export class SqliteInsights {
  private readonly insert: Database.Statement;
  constructor(private readonly sqlite: Database.Database) {
    this.insert = sqlite.prepare(`INSERT INTO conversation_events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Write events: call inside the command's transaction (the group writer's batch). */
  write(events: readonly NewEvent[]): void {
    for (const e of events) this.insert.run(...eventValues(e));
  }

  /** The ids of the conversations a search selects, newest update first. */
  searchIds(q: SearchQuery): string[] {
    const expr = fts5Match(q.terms);
    const { where, values } = searchWhere(
      q,
      expr === null
        ? null
        : {
            conversations: 'c.id IN (SELECT conversation_id FROM conversations_fts WHERE conversations_fts MATCH ?)',
            messages: 'c.id IN (SELECT m.conversation_id FROM messages_fts f JOIN messages m ON m.id = f.rowid WHERE messages_fts MATCH ?)',
            value: expr,
          },
    );
    const sql = `SELECT c.id FROM conversations c ${where} ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`;
    return (this.sqlite.prepare(sql).all(...values, q.limit) as Array<{ id: string }>).map((r) => r.id);
  }

  events(q: { from: string; to: string }): ConversationEvent[] {
    return (
      this.sqlite
        .prepare(
          `SELECT ${EVENT_SELECT} FROM conversation_events
           WHERE at >= ? AND conversation_id IN (SELECT conversation_id FROM conversation_events WHERE at >= ? AND at < ?)
           ORDER BY conversation_id, id`,
        )
        .all(q.from, q.from, q.to) as Array<Record<string, unknown>>
    ).map(decodeEvent);
  }
}
