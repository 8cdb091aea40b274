-- Help-centre search: a tsvector per article ('simple' configuration over text the adapter folded
-- with fold(), search-text.ts; weight A the title, B the body), written in the same transaction as
-- the article (article-pg.ts). Not drizzle schema (no tsvector type in the SQLite twin).
CREATE TABLE article_search (
  article_id text PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
  tsv tsvector NOT NULL
);
--> statement-breakpoint
CREATE INDEX article_search_tsv ON article_search USING gin (tsv);
