-- The conversation events log is append-only, as the audit log.
CREATE TRIGGER `conversation_events_no_update` BEFORE UPDATE ON `conversation_events` BEGIN SELECT RAISE(ABORT, 'conversation_events is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `conversation_events_no_delete` BEFORE DELETE ON `conversation_events` BEGIN SELECT RAISE(ABORT, 'conversation_events is append-only'); END;
--> statement-breakpoint
-- Full-text search (docs: search). Diacritics and case folded by the tokenizer ("configuracao" finds
-- "configuração"); kept in the same transaction as each write by triggers. Messages: texts and notes
-- (agents read both; system lines are not searched), rowid = messages.id.
CREATE VIRTUAL TABLE `messages_fts` USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `messages_fts_insert` AFTER INSERT ON `messages` WHEN new.kind IN ('text', 'note') BEGIN
  INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_delete` AFTER DELETE ON `messages` WHEN old.kind IN ('text', 'note') BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_update` AFTER UPDATE OF body, kind ON `messages` BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
  INSERT INTO messages_fts (rowid, body) SELECT new.id, new.body WHERE new.kind IN ('text', 'note');
END;
--> statement-breakpoint
INSERT INTO messages_fts (rowid, body) SELECT id, body FROM messages WHERE kind IN ('text', 'note');
--> statement-breakpoint
-- Conversations: the requester's name and email, and the realm (its id and name), by conversation id
-- (a text key: rowids of such tables may change on VACUUM). Updated only when one of those columns changes.
CREATE VIRTUAL TABLE `conversations_fts` USING fts5(conversation_id UNINDEXED, name, email, realm, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `conversations_fts_insert` AFTER INSERT ON `conversations` BEGIN
  INSERT INTO conversations_fts (conversation_id, name, email, realm) VALUES (new.id, coalesce(new.requester_name, ''), coalesce(new.requester_email, ''),
    coalesce(new.realm_id, '') || ' ' || coalesce((SELECT name FROM realms WHERE id = new.realm_id), ''));
END;
--> statement-breakpoint
CREATE TRIGGER `conversations_fts_update` AFTER UPDATE OF requester_name, requester_email, realm_id ON `conversations` BEGIN
  DELETE FROM conversations_fts WHERE conversation_id = old.id;
  INSERT INTO conversations_fts (conversation_id, name, email, realm) VALUES (new.id, coalesce(new.requester_name, ''), coalesce(new.requester_email, ''),
    coalesce(new.realm_id, '') || ' ' || coalesce((SELECT name FROM realms WHERE id = new.realm_id), ''));
END;
--> statement-breakpoint
CREATE TRIGGER `conversations_fts_delete` AFTER DELETE ON `conversations` BEGIN
  DELETE FROM conversations_fts WHERE conversation_id = old.id;
END;
--> statement-breakpoint
INSERT INTO conversations_fts (conversation_id, name, email, realm) SELECT c.id, coalesce(c.requester_name, ''), coalesce(c.requester_email, ''),
  coalesce(c.realm_id, '') || ' ' || coalesce(r.name, '') FROM conversations c LEFT JOIN realms r ON r.id = c.realm_id;
