import type pg from 'pg';
import type { Article, ArticleHit, ArticleStatus, ArticleStore, ArticleStatsRow } from './article-store.ts';
import { ARTICLE_COUNTERS } from './article-store.ts';
import { articleDiffers, articleRow, articleWhere } from './article-sqlite.ts';
import { fold, pgTsQuery } from './search-text.ts';
import type { AuditEntry } from './store.ts';

type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;
type Rows = (sql: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>;

const COLS = `a.id, a.slug, a.language, a.title, a.body, a.html, a.plain, a.audience, a.request_types AS "requestTypes", a.tags, a.position, a.status,
  a.created_at AS "createdAt", a.updated_at AS "updatedAt", a.updated_by AS "updatedBy", a.published_at AS "publishedAt"`;

/**
 * The help centre on PostgreSQL. Each article's search vector lives in `article_search` (a custom
 * migration; GIN index): `setweight(to_tsvector('simple', fold(title)), 'A') || setweight(…fold(body)…, 'B')`,
 * written in the same transaction as the article. fold() (search-text.ts) removes diacritics and case
 * on both sides, so "configuracao" finds "configuração" as on SQLite. Ranked by ts_rank (A 1.0, B 0.4).
 */
export function pgArticles(tx: Tx, rows: Rows): ArticleStore {
  const audit = (c: pg.PoolClient, a: AuditEntry, at: string) =>
    c.query(`INSERT INTO audit_log (at, actor, action, conversation_id, realm_id, detail) VALUES ($1, $2, $3, NULL, NULL, $4)`, [at, a.actor, a.action, JSON.stringify(a.detail ?? {})]);
  const byId = async (c: pg.PoolClient, id: string, lock = false) => {
    const r = (await c.query(`SELECT ${COLS} FROM articles a WHERE a.id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0] as Record<string, unknown> | undefined;
    return r ? articleRow(r) : undefined;
  };
  const index = (c: pg.PoolClient, a: Pick<Article, 'id' | 'title' | 'plain'>) =>
    c.query(
      `INSERT INTO article_search (article_id, tsv) VALUES ($1, setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B'))
       ON CONFLICT (article_id) DO UPDATE SET tsv = excluded.tsv`,
      [a.id, fold(a.title), fold(a.plain)],
    );
  const detail = (a: AuditEntry, x: Pick<Article, 'id' | 'slug' | 'language'>) => ({ ...a, detail: { ...a.detail, articleId: x.id, slug: x.slug, language: x.language } });

  return {
    saveArticle: (input, at, a) =>
      tx(async (c) => {
        // Two authors saving the same (slug, language) at once: the unique index makes one insert; the other waits on the row lock.
        await c.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`article:${input.slug}:${input.language}`]);
        const r = (await c.query(`SELECT ${COLS} FROM articles a WHERE a.slug = $1 AND a.language = $2 FOR UPDATE`, [input.slug, input.language])).rows[0] as Record<string, unknown> | undefined;
        const cur = r ? articleRow(r) : undefined;
        if (cur && !articleDiffers(cur, input)) return { article: cur, created: false, changed: false };
        const status: ArticleStatus = input.status ?? cur?.status ?? 'draft';
        const publishedAt = status === 'published' ? (cur?.status === 'published' ? cur.publishedAt : at) : null;
        const v = [input.title, input.body, input.html, input.plain, input.audience, JSON.stringify(input.requestTypes), JSON.stringify(input.tags), input.position, status, at, a.actor, publishedAt];
        const id = cur?.id ?? `art_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
        if (cur) {
          await c.query(
            `UPDATE articles SET title = $1, body = $2, html = $3, plain = $4, audience = $5, request_types = $6, tags = $7, position = $8, status = $9, updated_at = $10, updated_by = $11, published_at = $12 WHERE id = $13`,
            [...v, id],
          );
        } else {
          await c.query(
            `INSERT INTO articles (title, body, html, plain, audience, request_types, tags, position, status, updated_at, updated_by, published_at, id, slug, language, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
            [...v, id, input.slug, input.language, at],
          );
        }
        await index(c, { id, title: input.title, plain: input.plain });
        await audit(c, detail(a, { id, slug: input.slug, language: input.language }), at);
        return { article: (await byId(c, id))!, created: !cur, changed: true };
      }),
    setArticleStatus: (id, status, at, a) =>
      tx(async (c) => {
        const cur = await byId(c, id, true);
        if (!cur) return undefined;
        if (cur.status === status) return { article: cur, changed: false };
        await c.query(`UPDATE articles SET status = $1, published_at = $2, updated_at = $3, updated_by = $4 WHERE id = $5`, [status, status === 'published' ? at : null, at, a.actor, id]);
        await audit(c, detail(a, cur), at);
        return { article: (await byId(c, id))!, changed: true };
      }),
    deleteArticle: (id, at, a) =>
      tx(async (c) => {
        const cur = await byId(c, id, true);
        if (!cur) return false;
        await c.query(`DELETE FROM article_search WHERE article_id = $1`, [id]);
        await c.query(`DELETE FROM articles WHERE id = $1`, [id]);
        await audit(c, detail(a, cur), at);
        return true;
      }),
    async getArticle(id) {
      const r = (await rows(`SELECT ${COLS} FROM articles a WHERE a.id = $1`, [id]))[0];
      return r ? articleRow(r) : undefined;
    },
    async findArticle(slug, language) {
      const r = (await rows(`SELECT ${COLS} FROM articles a WHERE a.slug = $1 AND a.language = $2`, [slug, language]))[0];
      return r ? articleRow(r) : undefined;
    },
    async listArticles(f = {}) {
      const vals: unknown[] = [];
      const ph = (v: unknown) => (vals.push(v), `$${vals.length}`);
      const w = articleWhere(f, ph);
      if (f.requestType !== undefined) w.push(`a.request_types::jsonb ? ${ph(f.requestType)}`);
      return (await rows(`SELECT ${COLS} FROM articles a${w.length ? ` WHERE ${w.join(' AND ')}` : ''} ORDER BY a.position, a.title COLLATE "C", a.language`, vals)).map(articleRow);
    },
    async searchArticles(q) {
      const query = q.mode === 'all' ? pgTsQuery(q.terms) : q.terms.length ? q.terms.map((t, i) => pgTsQuery([t], { prefixLast: i === q.terms.length - 1 })).join(' | ') : null;
      if (!query) return [];
      const vals: unknown[] = [query];
      const ph = (v: unknown) => (vals.push(v), `$${vals.length}`);
      const w = articleWhere(q, ph);
      const limit = ph(Math.max(1, Math.min(q.limit, 100)));
      const r = await rows(
        `SELECT ${COLS}, ts_rank(s.tsv, to_tsquery('simple', $1)) AS rank FROM article_search s JOIN articles a ON a.id = s.article_id
         WHERE s.tsv @@ to_tsquery('simple', $1)${w.length ? ` AND ${w.join(' AND ')}` : ''} ORDER BY rank DESC, a.position, a.id LIMIT ${limit}`,
        vals,
      );
      return r.map((x): ArticleHit => ({ ...articleRow(x), rank: Number(x.rank) }));
    },
    async countArticleUse(day, channel, language, counts) {
      const n = ARTICLE_COUNTERS.map((k) => Math.max(0, Math.floor(counts[k] ?? 0)));
      if (n.every((x) => x === 0)) return;
      await tx((c) =>
        c.query(
          `INSERT INTO article_stats (day, channel, language, searches, suggested, opened, answered, continued) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (day, channel, language) DO UPDATE SET searches = article_stats.searches + excluded.searches, suggested = article_stats.suggested + excluded.suggested,
             opened = article_stats.opened + excluded.opened, answered = article_stats.answered + excluded.answered, continued = article_stats.continued + excluded.continued`,
          [day, channel, language, ...n],
        ),
      );
    },
    async articleStats(since) {
      return (await rows(`SELECT day, channel, language, searches, suggested, opened, answered, continued FROM article_stats WHERE day >= $1 ORDER BY day, channel, language`, [since])) as unknown as ArticleStatsRow[];
    },
  };
}
