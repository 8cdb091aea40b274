-- The conversation events log is append-only, as the audit log.
CREATE FUNCTION conversation_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'conversation_events is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER conversation_events_no_update BEFORE UPDATE ON conversation_events FOR EACH ROW EXECUTE FUNCTION conversation_events_append_only();
--> statement-breakpoint
CREATE TRIGGER conversation_events_no_delete BEFORE DELETE ON conversation_events FOR EACH ROW EXECUTE FUNCTION conversation_events_append_only();
--> statement-breakpoint
-- Full-text search (docs: search): a tsvector ('simple' configuration: split words, nothing else) over
-- text the adapter folded with fold() (search-text.ts), written in the same transaction as the message
-- or conversation it indexes. Not drizzle schema (no tsvector type in the SQLite twin). Rows written
-- before this migration are indexed by the adapter when it opens (PgStore.open → backfillSearch).
CREATE TABLE message_search (
  conversation_id text NOT NULL,
  seq integer NOT NULL,
  tsv tsvector NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
--> statement-breakpoint
CREATE INDEX message_search_tsv ON message_search USING gin (tsv);
--> statement-breakpoint
CREATE TABLE conversation_search (
  conversation_id text PRIMARY KEY,
  tsv tsvector NOT NULL
);
--> statement-breakpoint
CREATE INDEX conversation_search_tsv ON conversation_search USING gin (tsv);
