import type { AuditEntry } from './store.ts';

/**
 * The help centre's part of the store port (`Store.articles`): articles (Markdown, with the HTML
 * the server rendered and sanitised from it, and its plain text for search), full-text search
 * and the daily counters of the help centre's use (never a person's query). Adapters:
 * article-sqlite.ts (FTS5, `unicode61 remove_diacritics 2`, bm25 with the title weighted) and
 * article-pg.ts (a tsvector over fold()ed text, weights A title / B body, ts_rank, GIN index).
 * Both pass test/store.contract.test.ts.
 */

export type ArticleLanguage = 'pt' | 'en' | 'es';
/** Who may read an article (POLICY R2–R5): anyone; a signed-in requester; a signed-in requester whose realm has an active contract. */
export type ArticleAudience = 'public' | 'authenticated' | 'contract';
export type ArticleStatus = 'draft' | 'published';
export const ARTICLE_AUDIENCES: readonly ArticleAudience[] = ['public', 'authenticated', 'contract'];

export interface Article {
  id: string;
  /** Shared by an article's translations: (slug, language) is unique. */
  slug: string;
  language: ArticleLanguage;
  title: string;
  /** Markdown, as written. */
  body: string;
  /** The body rendered to sanitised HTML by the server (no raw HTML, safe links only). */
  html: string;
  /** The body as plain text (search, snippets). */
  plain: string;
  audience: ArticleAudience;
  /** Request types the article answers (suggestions on the intake form, the channel's home). */
  requestTypes: string[];
  tags: string[];
  /** Order among a channel's most useful articles (lower first). */
  position: number;
  status: ArticleStatus;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  publishedAt: string | null;
}

/** What an author writes; the rest is the store's. `status` absent on an update keeps the current one. */
export type ArticleInput = Pick<Article, 'slug' | 'language' | 'title' | 'body' | 'html' | 'plain' | 'audience' | 'requestTypes' | 'tags' | 'position'> & {
  status?: ArticleStatus;
};

export interface ArticleFilter {
  slug?: string;
  language?: ArticleLanguage;
  status?: ArticleStatus;
  /** Only these audiences (a requester's visibility). */
  audiences?: readonly ArticleAudience[];
  requestType?: string;
}

export interface ArticleQuery {
  /** Folded words (search-text.ts queryTerms()); empty finds nothing. */
  terms: string[];
  /** `all`: every word must occur (the last as a prefix); `any`: at least one (suggestions from a description). */
  mode: 'all' | 'any';
  language?: ArticleLanguage;
  status?: ArticleStatus;
  audiences?: readonly ArticleAudience[];
  limit: number;
}

export type ArticleHit = Article & { rank: number };

/** The help centre's daily counters, per (day, channel, language). */
export const ARTICLE_COUNTERS = ['searches', 'suggested', 'opened', 'answered', 'continued'] as const;
export type ArticleCounter = (typeof ARTICLE_COUNTERS)[number];
export interface ArticleStatsRow {
  /** YYYY-MM-DD (UTC). */
  day: string;
  channel: string;
  language: string;
  searches: number;
  suggested: number;
  opened: number;
  answered: number;
  continued: number;
}

export interface ArticleStore {
  /**
   * Create or update the article (slug, language). Nothing is written — no audit either — when every
   * field is already as given (`changed: false`), so importing the same folder twice changes nothing.
   */
  saveArticle(input: ArticleInput, at: string, audit: AuditEntry): Promise<{ article: Article; created: boolean; changed: boolean }>;
  /** Publish or unpublish; undefined when there is no such article; `changed: false` when it already was. */
  setArticleStatus(id: string, status: ArticleStatus, at: string, audit: AuditEntry): Promise<{ article: Article; changed: boolean } | undefined>;
  /** False when there is no such article. */
  deleteArticle(id: string, at: string, audit: AuditEntry): Promise<boolean>;
  getArticle(id: string): Promise<Article | undefined>;
  findArticle(slug: string, language: ArticleLanguage): Promise<Article | undefined>;
  /** Ordered by position, then title. */
  listArticles(filter?: ArticleFilter): Promise<Article[]>;
  /** Best first. */
  searchArticles(q: ArticleQuery): Promise<ArticleHit[]>;
  /** Add to the day's counters (one row per day, channel and language). */
  countArticleUse(day: string, channel: string, language: string, counts: Partial<Record<ArticleCounter, number>>): Promise<void>;
  /** Counters from `sinceDay` on, oldest first. */
  articleStats(sinceDay: string): Promise<ArticleStatsRow[]>;
}
