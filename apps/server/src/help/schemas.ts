import { z } from 'zod';
import { RequestType } from '@ajuda/protocol';

/** An article's slug: lowercase words and digits joined by hyphens (its URL, shared by its translations). */
export const Slug = z.string().min(1).max(80).regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single hyphens (e.g. support-hours)');
export const ArticleLanguage = z.enum(['pt', 'en', 'es']);
export const ArticleAudience = z.enum(['public', 'authenticated', 'contract']);
export const ArticleStatus = z.enum(['draft', 'published']);

/** The fields an author edits (the editor's body, an imported file's front matter and text). */
export const ArticleFields = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(50_000),
  audience: ArticleAudience.default('public'),
  requestTypes: z.array(RequestType).max(10).default([]),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  position: z.number().int().min(0).max(10_000).default(100),
});
export type ArticleFields = z.infer<typeof ArticleFields>;

/** A new article from the editor (a draft unless `status` says otherwise). */
export const NewArticle = ArticleFields.extend({ slug: Slug, language: ArticleLanguage, status: ArticleStatus.default('draft') });

/** An imported Markdown file's front matter (the body is the file's text after it). */
export const FrontMatter = z.strictObject({
  slug: Slug,
  language: ArticleLanguage,
  title: z.string().trim().min(1).max(200),
  audience: ArticleAudience.default('public'),
  requestTypes: z.array(RequestType).max(10).default([]),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  position: z.number().int().min(0).max(10_000).default(100),
  status: ArticleStatus.default('published'),
});

/** The widget's queries. */
export const HelpScope = z.object({
  channel: z.enum(['platform', 'login', 'website']),
  locale: ArticleLanguage,
});
export const HelpSearch = HelpScope.extend({
  q: z.string().max(300),
  /** `search`: the home search box (every word); `suggest`: the intake description (any word, top three). */
  purpose: z.enum(['search', 'suggest']).default('search'),
  requestType: RequestType.optional(),
});
export const HelpEvent = HelpScope.extend({ event: z.enum(['answered', 'continued']) });
