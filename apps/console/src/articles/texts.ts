import en from '@ajuda/i18n/console/articles-en';
import es from '@ajuda/i18n/console/articles-es';
import pt from '@ajuda/i18n/console/articles-pt';
import { addTexts } from '../i18n.ts';
import '../screens/Reports.css';
import './articles.css';

// The editor's and the picker's texts and styles travel in their lazy chunks: each imports this module.
addTexts({ pt, en, es });

export type ArticleLanguage = 'pt' | 'en' | 'es';
export type Audience = 'public' | 'authenticated' | 'contract';
export const LANGUAGES: readonly ArticleLanguage[] = ['pt', 'en', 'es'];
export const AUDIENCES: readonly Audience[] = ['public', 'authenticated', 'contract'];

/** An article in a list (`GET /api/agent/articles`). `url` is its public link (a page only when public and published). */
export interface ArticleSummary {
  id: string;
  slug: string;
  language: ArticleLanguage;
  title: string;
  audience: Audience;
  status: 'draft' | 'published';
  updatedAt: string;
  snippet: string;
  url: string;
}
export interface ArticleFull extends ArticleSummary {
  body: string;
  html: string;
  requestTypes: string[];
  tags: string[];
  position: number;
}
