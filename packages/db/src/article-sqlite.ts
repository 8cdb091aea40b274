import type Database from 'better-sqlite3';
import type { Article, ArticleFilter, ArticleHit, ArticleInput, ArticleQuery, ArticleStatsRow, ArticleStatus, ArticleStore } from './article-store.ts';
import { ARTICLE_COUNTERS } from './article-store.ts';
import { fts5Match } from './search-text.ts';
import type { AuditEntry } from './store.ts';

type Run = <T>(fn: () => T) => Promise<T>;
type Raw = Record<string, unknown>;

const COLS = `a.id, a.slug, a.language, a.title, a.body, a.html, a.plain, a.audience, a.request_types AS requestTypes, a.tags, a.position, a.status,
  a.created_at AS createdAt, a.updated_at AS updatedAt, a.updated_by AS updatedBy, a.published_at AS publishedAt`;
const list = (s: unknown): string[] => {
  try {
    const v = JSON.parse(String(s ?? '[]')) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
};
export const articleRow = (r: Raw): Article => ({ ...(r as unknown as Article), requestTypes: list(r.requestTypes), tags: list(r.tags), position: Number(r.position) });

/** Whether saving `input` over `cur` would change anything. */
export function articleDiffers(cur: Article, input: ArticleInput): boolean {
  return (
    cur.title !== input.title ||
    cur.body !== input.body ||
    cur.html !== input.html ||
    cur.plain !== input.plain ||
    cur.audience !== input.audience ||
    cur.position !== input.position ||
    JSON.stringify(cur.requestTypes) !== JSON.stringify(input.requestTypes) ||
    JSON.stringify(cur.tags) !== JSON.stringify(input.tags) ||
    (input.status !== undefined && input.status !== cur.status)
  );
}

/** The WHERE clauses (and their values) of a filter over `articles a`. */
export function articleWhere(f: ArticleFilter, ph: (v: unknown) => string): string[] {
  const w: string[] = [];
  if (f.slug !== undefined) w.push(`a.slug = ${ph(f.slug)}`);
  if (f.language !== undefined) w.push(`a.language = ${ph(f.language)}`);
  if (f.status !== undefined) w.push(`a.status = ${ph(f.status)}`);
  if (f.audiences !== undefined) w.push(f.audiences.length ? `a.audience IN (${f.audiences.map(ph).join(', ')})` : '0 = 1');
  return w;
}

/** An FTS5 expression: every word (`all`), or any of them (`any`); the last word a prefix. */
export function articleFtsMatch(q: Pick<ArticleQuery, 'terms' | 'mode'>): string | null {
  if (q.mode === 'all') return fts5Match(q.terms);
  const parts = q.terms.map((t, i) => fts5Match([t], { prefixLast: i === q.terms.length - 1 })!);
  return parts.length ? parts.join(' OR ') : null;
}

/**
 * The help centre on SQLite. Search runs on `articles_fts` (a custom migration: FTS5 with
 * `unicode61 remove_diacritics 2`, kept by triggers on `articles`), ranked by bm25 with the title
 * weighted ten times the body.
 */
export function sqliteArticles(db: () => Database.Database, write: Run, read: Run): ArticleStore {
  const cache = new Map<string, Database.Statement>();
  const st = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      if (cache.size > 200) cache.clear();
      cache.set(sql, (s = db().prepare(sql)));
    }
    return s;
  };
  const audit = (a: AuditEntry, at: string) =>
    st(`INSERT INTO audit_log (at, actor, action, conversation_id, realm_id, detail) VALUES (?, ?, ?, NULL, NULL, ?)`).run(at, a.actor, a.action, JSON.stringify(a.detail ?? {}));
  const byId = (id: string) => {
    const r = st(`SELECT ${COLS} FROM articles a WHERE a.id = ?`).get(id) as Raw | undefined;
    return r ? articleRow(r) : undefined;
  };
  const bySlug = (slug: string, language: string) => {
    const r = st(`SELECT ${COLS} FROM articles a WHERE a.slug = ? AND a.language = ?`).get(slug, language) as Raw | undefined;
    return r ? articleRow(r) : undefined;
  };
  const newId = () => `art_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;

  return {
    saveArticle: (input, at, a) =>
      write(() => {
        const cur = bySlug(input.slug, input.language);
        if (cur && !articleDiffers(cur, input)) return { article: cur, created: false, changed: false };
        const status: ArticleStatus = input.status ?? cur?.status ?? 'draft';
        const publishedAt = status === 'published' ? (cur?.status === 'published' ? cur.publishedAt : at) : null;
        const v = [input.title, input.body, input.html, input.plain, input.audience, JSON.stringify(input.requestTypes), JSON.stringify(input.tags), input.position, status, at, a.actor, publishedAt];
        let id: string;
        if (cur) {
          id = cur.id;
          st(`UPDATE articles SET title = ?, body = ?, html = ?, plain = ?, audience = ?, request_types = ?, tags = ?, position = ?, status = ?, updated_at = ?, updated_by = ?, published_at = ? WHERE id = ?`).run(...v, id);
        } else {
          id = newId();
          st(
            `INSERT INTO articles (title, body, html, plain, audience, request_types, tags, position, status, updated_at, updated_by, published_at, id, slug, language, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(...v, id, input.slug, input.language, at);
        }
        audit({ ...a, detail: { ...a.detail, articleId: id, slug: input.slug, language: input.language } }, at);
        return { article: byId(id)!, created: !cur, changed: true };
      }),
    setArticleStatus: (id, status, at, a) =>
      write(() => {
        const cur = byId(id);
        if (!cur) return undefined;
        if (cur.status === status) return { article: cur, changed: false };
        st(`UPDATE articles SET status = ?, published_at = ?, updated_at = ?, updated_by = ? WHERE id = ?`).run(status, status === 'published' ? at : null, at, a.actor, id);
        audit({ ...a, detail: { ...a.detail, articleId: id, slug: cur.slug, language: cur.language } }, at);
        return { article: byId(id)!, changed: true };
      }),
    deleteArticle: (id, at, a) =>
      write(() => {
        const cur = byId(id);
        if (!cur) return false;
        st(`DELETE FROM articles WHERE id = ?`).run(id);
        audit({ ...a, detail: { ...a.detail, articleId: id, slug: cur.slug, language: cur.language } }, at);
        return true;
      }),
    getArticle: (id) => read(() => byId(id)),
    findArticle: (slug, language) => read(() => bySlug(slug, language)),
    listArticles: (f = {}) =>
      read(() => {
        const vals: unknown[] = [];
        const w = articleWhere(f, (v) => (vals.push(v), '?'));
        if (f.requestType !== undefined) w.push(`EXISTS (SELECT 1 FROM json_each(a.request_types) j WHERE j.value = ${(vals.push(f.requestType), '?')})`);
        const sql = `SELECT ${COLS} FROM articles a${w.length ? ` WHERE ${w.join(' AND ')}` : ''} ORDER BY a.position, a.title, a.language`;
        return (st(sql).all(...vals) as Raw[]).map(articleRow);
      }),
    searchArticles: (q) =>
      read(() => {
        const match = articleFtsMatch(q);
        if (!match) return [];
        const vals: unknown[] = [match];
        const w = articleWhere(q, (v) => (vals.push(v), '?'));
        vals.push(Math.max(1, Math.min(q.limit, 100)));
        // bm25: lower is better; weights per column (article_id unindexed, title, body).
        const sql = `SELECT ${COLS}, bm25(articles_fts, 0.0, 10.0, 1.0) AS rank FROM articles_fts f JOIN articles a ON a.id = f.article_id
          WHERE articles_fts MATCH ?${w.length ? ` AND ${w.join(' AND ')}` : ''} ORDER BY rank, a.position, a.id LIMIT ?`;
        return (st(sql).all(...vals) as Raw[]).map((r): ArticleHit => ({ ...articleRow(r), rank: -Number(r.rank) }));
      }),
    countArticleUse: (day, channel, language, counts) =>
      write(() => {
        const n = ARTICLE_COUNTERS.map((k) => Math.max(0, Math.floor(counts[k] ?? 0)));
        if (n.every((x) => x === 0)) return;
        st(
          `INSERT INTO article_stats (day, channel, language, searches, suggested, opened, answered, continued) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (day, channel, language) DO UPDATE SET searches = searches + excluded.searches, suggested = suggested + excluded.suggested,
             opened = opened + excluded.opened, answered = answered + excluded.answered, continued = continued + excluded.continued`,
        ).run(day, channel, language, ...n);
      }),
    articleStats: (since) =>
      read(() => st(`SELECT day, channel, language, searches, suggested, opened, answered, continued FROM article_stats WHERE day >= ? ORDER BY day, channel, language`).all(since) as ArticleStatsRow[]),
  };
}
