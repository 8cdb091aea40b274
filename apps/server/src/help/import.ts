import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import { z } from 'zod';
import type { Store } from '@ajuda/db';
import { renderArticle } from './markdown.ts';
import { FrontMatter } from './schemas.ts';

export interface ImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Files refused, with the reason; the others are imported. */
  errors: Array<{ file: string; error: string }>;
}

async function markdownFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await markdownFiles(p)));
    else if (e.isFile() && e.name.endsWith('.md')) out.push(p);
  }
  return out.sort();
}

/**
 * Import every `*.md` file under `folder` (Markdown with YAML front matter: slug, language, title,
 * audience, requestTypes, tags, position, status). Idempotent by (slug, language): an unchanged file
 * writes nothing, a changed one updates the article (audited as `article.imported` by `actor`). A file
 * that does not parse is reported with the reason and skipped; the others are imported.
 *
 * @example await importArticles(store, 'apps/demo/articles', 'cli', new Date().toISOString())
 */
export async function importArticles(store: Store, folder: string, actor: string, at: string): Promise<ImportResult> {
  const r: ImportResult = { created: [], updated: [], unchanged: [], errors: [] };
  const seen = new Map<string, string>();
  for (const path of await markdownFiles(folder)) {
    const file = relative(folder, path);
    let fm: z.infer<typeof FrontMatter>;
    let body: string;
    try {
      const parsed = matter(await readFile(path, 'utf8'));
      const front = FrontMatter.safeParse(parsed.data);
      if (!front.success) {
        r.errors.push({ file, error: z.prettifyError(front.error).replace(/\n/g, '; ') });
        continue;
      }
      fm = front.data;
      body = parsed.content.trim();
    } catch (e) {
      r.errors.push({ file, error: `front matter: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    if (!body) {
      r.errors.push({ file, error: 'the article has no text after its front matter' });
      continue;
    }
    const key = `${fm.slug}.${fm.language}`;
    if (seen.has(key)) {
      r.errors.push({ file, error: `${key} is also in ${seen.get(key)}` });
      continue;
    }
    seen.set(key, file);
    const { html, plain } = renderArticle(body);
    const saved = await store.articles.saveArticle(
      { slug: fm.slug, language: fm.language, title: fm.title, body, html, plain, audience: fm.audience, requestTypes: fm.requestTypes, tags: fm.tags, position: fm.position, status: fm.status },
      at,
      { actor, action: 'article.imported', detail: { file } },
    );
    (saved.created ? r.created : saved.changed ? r.updated : r.unchanged).push(key);
  }
  return r;
}

/** The demo's articles (apps/demo/articles), imported by the demo seed. */
export const DEMO_ARTICLES = fileURLToPath(new URL('../../../demo/articles/', import.meta.url));
