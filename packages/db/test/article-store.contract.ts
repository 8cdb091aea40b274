import { afterEach, describe, expect, it } from 'vitest';
import { queryTerms, type ArticleInput, type ArticleQuery, type Store } from '../src/index.ts';

/**
 * The help centre's part of the store contract (`Store.articles`): saving by (slug, language) is
 * idempotent, every change is audited, search folds diacritics and case in every language, ranks a
 * title match above a body match and never returns an article outside the audiences or status asked.
 */
export function articleStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`article store contract (${name})`, () => {
    let stores: Store[] = [];
    const fresh = async () => {
      const s = await open();
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of stores) await s.close();
      stores = [];
    });
    const iso = (ms = 0) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    const who = (action: string) => ({ actor: 'agent:lea', action });
    const art = (slug: string, over: Partial<ArticleInput> = {}): ArticleInput => ({
      slug, language: 'pt', title: slug, body: `${slug} body`, html: `<p>${slug} body</p>`, plain: `${slug} body`, audience: 'public',
      requestTypes: [], tags: [], position: 0, status: 'published', ...over,
    });
    const q = (text: string, over: Partial<ArticleQuery> = {}): ArticleQuery => ({ terms: queryTerms(text), mode: 'all', status: 'published', limit: 10, ...over });
    const slugs = async (s: Store, query: ArticleQuery) => (await s.articles.searchArticles(query)).map((a) => a.slug);
    const audits = async (s: Store) => (await s.admin.recentAudit(100)).filter((a) => a.action.startsWith('article.')).map((a) => a.action);

    it('saves by (slug, language): created, updated, and nothing written (no audit) when unchanged; translations share the slug', async () => {
      const s = await fresh();
      const a = await s.articles.saveArticle(art('horario', { title: 'Horário de atendimento' }), iso(), who('article.import'));
      expect(a).toMatchObject({ created: true, changed: true, article: { slug: 'horario', language: 'pt', status: 'published', publishedAt: iso(), updatedBy: 'agent:lea' } });
      const again = await s.articles.saveArticle(art('horario', { title: 'Horário de atendimento' }), iso(1000), who('article.import'));
      expect(again).toMatchObject({ created: false, changed: false });
      expect(again.article.updatedAt).toBe(iso());
      const en = await s.articles.saveArticle(art('horario', { language: 'en', title: 'Support hours' }), iso(2000), who('article.import'));
      expect(en.created).toBe(true);
      const edited = await s.articles.saveArticle(art('horario', { title: 'Horário do suporte', requestTypes: ['general_question'], tags: ['horas'] }), iso(3000), who('article.updated'));
      expect(edited).toMatchObject({ created: false, changed: true, article: { id: a.article.id, title: 'Horário do suporte', requestTypes: ['general_question'], tags: ['horas'], publishedAt: iso(), updatedAt: iso(3000) } });
      expect((await s.articles.listArticles({ slug: 'horario' })).map((x) => x.language).sort()).toEqual(['en', 'pt']);
      expect(await s.articles.findArticle('horario', 'es')).toBeUndefined();
      expect(await audits(s)).toEqual(['article.updated', 'article.import', 'article.import']);
    });

    it('publish and unpublish are audited once; a missing article is undefined; delete removes it from search', async () => {
      const s = await fresh();
      const { article } = await s.articles.saveArticle(art('rascunho', { status: 'draft', title: 'Rascunho secreto' }), iso(), who('article.created'));
      expect(article.publishedAt).toBeNull();
      expect(await slugs(s, q('secreto'))).toEqual([]);
      expect(await s.articles.setArticleStatus(article.id, 'published', iso(1), who('article.published'))).toMatchObject({ changed: true, article: { status: 'published', publishedAt: iso(1) } });
      expect(await s.articles.setArticleStatus(article.id, 'published', iso(2), who('article.published'))).toMatchObject({ changed: false });
      expect(await slugs(s, q('secreto'))).toEqual(['rascunho']);
      expect(await s.articles.setArticleStatus(article.id, 'draft', iso(3), who('article.unpublished'))).toMatchObject({ changed: true, article: { status: 'draft', publishedAt: null } });
      expect(await s.articles.setArticleStatus('art_nope', 'published', iso(4), who('article.published'))).toBeUndefined();
      expect(await s.articles.deleteArticle(article.id, iso(5), who('article.deleted'))).toBe(true);
      expect(await s.articles.deleteArticle(article.id, iso(6), who('article.deleted'))).toBe(false);
      expect(await slugs(s, q('secreto', { status: undefined }))).toEqual([]);
      expect(await audits(s)).toEqual(['article.deleted', 'article.unpublished', 'article.published', 'article.created']);
    });

    it('folds diacritics and case in pt, en and es ("configuracao" finds "configuração"), the last word as a prefix', async () => {
      const s = await fresh();
      await s.articles.saveArticle(art('config', { title: 'Configuração do acesso', plain: 'Como mudar a configuração da sua conta.' }), iso(), who('article.import'));
      await s.articles.saveArticle(art('config', { language: 'es', title: 'Configuración del acceso', plain: 'Cómo cambiar la contraseña y la autenticación.' }), iso(), who('article.import'));
      await s.articles.saveArticle(art('config', { language: 'en', title: 'Access settings', plain: 'Naïve café users: change your password.' }), iso(), who('article.import'));
      expect(await slugs(s, q('configuracao', { language: 'pt' }))).toEqual(['config']);
      expect(await slugs(s, q('CONFIGURAÇÃO acesso', { language: 'pt' }))).toEqual(['config']);
      expect(await slugs(s, q('contrasena autenticacion', { language: 'es' }))).toEqual(['config']);
      expect(await slugs(s, q('NAIVE CAFE', { language: 'en' }))).toEqual(['config']);
      expect(await slugs(s, q('configur', { language: 'pt' }))).toEqual(['config']);
      expect(await slugs(s, q('configuracao', { language: 'en' }))).toEqual([]);
      // FTS operators a person types are inert.
      expect(await slugs(s, q('"acesso" OR NOT* (x', { language: 'pt' }))).toEqual([]);
      expect(await slugs(s, q('acesso AND', { language: 'pt' }))).toEqual([]);
    });

    it('ranks a title match above a body match, and finds any word in `any` mode', async () => {
      const s = await fresh();
      await s.articles.saveArticle(art('body', { language: 'en', title: 'Working hours', plain: 'Escalate escalate escalate to a lead when the answer does not fit.' }), iso(), who('article.import'));
      await s.articles.saveArticle(art('title', { language: 'en', title: 'How to escalate', plain: 'Ask for a lead in the conversation.' }), iso(), who('article.import'));
      await s.articles.saveArticle(art('other', { language: 'en', title: 'Languages', plain: 'We answer in Portuguese, English and Spanish.' }), iso(), who('article.import'));
      expect(await slugs(s, q('escalate', { language: 'en' }))).toEqual(['title', 'body']);
      expect(await slugs(s, q('escalate spanish', { language: 'en' }))).toEqual([]);
      expect((await slugs(s, q('escalate spanish', { language: 'en', mode: 'any' }))).sort()).toEqual(['body', 'other', 'title']);
      const hits = await s.articles.searchArticles(q('escalate', { language: 'en' }));
      expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
      expect(await s.articles.searchArticles(q('', { language: 'en' }))).toEqual([]);
    });

    it('never returns an article outside the audiences or status asked for', async () => {
      const s = await fresh();
      await s.articles.saveArticle(art('a-public', { title: 'Senha pública' }), iso(), who('article.import'));
      await s.articles.saveArticle(art('a-auth', { title: 'Senha autenticada', audience: 'authenticated' }), iso(), who('article.import'));
      await s.articles.saveArticle(art('a-contract', { title: 'Senha contrato', audience: 'contract', requestTypes: ['incident'] }), iso(), who('article.import'));
      await s.articles.saveArticle(art('a-draft', { title: 'Senha rascunho', status: 'draft' }), iso(), who('article.import'));
      expect((await slugs(s, q('senha', { audiences: ['public'] }))).sort()).toEqual(['a-public']);
      expect((await slugs(s, q('senha', { audiences: ['public', 'authenticated'] }))).sort()).toEqual(['a-auth', 'a-public']);
      expect((await slugs(s, q('senha', { audiences: ['public', 'authenticated', 'contract'] }))).sort()).toEqual(['a-auth', 'a-contract', 'a-public']);
      expect(await slugs(s, q('senha', { audiences: [] }))).toEqual([]);
      expect((await s.articles.listArticles({ status: 'published', audiences: ['public'] })).map((a) => a.slug)).toEqual(['a-public']);
      expect((await s.articles.listArticles({ requestType: 'incident' })).map((a) => a.slug)).toEqual(['a-contract']);
      expect((await s.articles.listArticles()).length).toBe(4);
    });

    it('counts use per day, channel and language, adding up', async () => {
      const s = await fresh();
      await s.articles.countArticleUse('2026-01-01', 'login', 'pt', { searches: 1, suggested: 3 });
      await s.articles.countArticleUse('2026-01-01', 'login', 'pt', { opened: 1, answered: 1 });
      await Promise.all([1, 2, 3].map(() => s.articles.countArticleUse('2026-01-02', 'website', 'en', { continued: 1 })));
      await s.articles.countArticleUse('2026-01-02', 'website', 'en', {});
      expect(await s.articles.articleStats('2026-01-01')).toEqual([
        { day: '2026-01-01', channel: 'login', language: 'pt', searches: 1, suggested: 3, opened: 1, answered: 1, continued: 0 },
        { day: '2026-01-02', channel: 'website', language: 'en', searches: 0, suggested: 0, opened: 0, answered: 0, continued: 3 },
      ]);
      expect(await s.articles.articleStats('2026-01-02')).toHaveLength(1);
    });
  });
}
