-- Help-centre search: FTS5 over each article's title and plain text, diacritics and case folded by
-- the tokenizer ("configuracao" finds "configuração"); kept in the same transaction as each write
-- by triggers. Ranked with bm25 (title weighted, article-sqlite.ts).
CREATE VIRTUAL TABLE `articles_fts` USING fts5(article_id UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `articles_fts_insert` AFTER INSERT ON `articles` BEGIN
  INSERT INTO articles_fts (article_id, title, body) VALUES (new.id, new.title, new.plain);
END;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_update` AFTER UPDATE OF title, plain ON `articles` BEGIN
  DELETE FROM articles_fts WHERE article_id = old.id;
  INSERT INTO articles_fts (article_id, title, body) VALUES (new.id, new.title, new.plain);
END;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_delete` AFTER DELETE ON `articles` BEGIN
  DELETE FROM articles_fts WHERE article_id = old.id;
END;
