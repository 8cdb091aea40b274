import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@ajuda/db';
import { DEMO_ARTICLES, importArticles } from '../src/help/import.ts';
import { startTestStack, type TestStack } from '../src/testing.ts';

let stack: TestStack;
let store: Store;
beforeAll(async () => {
  // The property below asks hundreds of times from one address; the limit has its own test.
  stack = await startTestStack({ AJUDA_HELP_PER_MINUTE: '100000' }, { demo: false });
  store = (stack.app as unknown as { ajuda: { svc: { store: Store } } }).ajuda.svc.store;
});
afterAll(async () => {
  await stack?.close();
});

type Channel = 'platform' | 'login' | 'website';
const qs = (o: Record<string, string | undefined>) => new URLSearchParams(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined)).toString();
const helpGet = (path: string, query: Record<string, string | undefined>, token?: string) =>
  stack.app.inject({ method: 'GET', url: `${path}?${qs(query)}`, headers: token ? { authorization: `Bearer ${token}` } : {} });
async function login(email: string): Promise<string> {
  const res = await stack.app.inject({ method: 'POST', url: '/api/agent/login', payload: { email, password: 'ajuda-demo' } });
  expect(res.statusCode).toBe(200);
  return `ajuda_agent=${res.cookies.find((x) => x.name === 'ajuda_agent')!.value}`;
}
const today = () => new Date().toISOString().slice(0, 10);
const stats = async (channel: string, language: string) =>
  (await store.articles.articleStats(today())).find((r) => r.channel === channel && r.language === language) ?? { searches: 0, suggested: 0, opened: 0, answered: 0, continued: 0 };

describe('the help centre for the widget (/api/help)', () => {
  it('the demo ships its articles in pt, en and es; a login-page visitor gets the public ones that fit what they may ask', async () => {
    const all = await store.articles.listArticles({ status: 'published' });
    for (const l of ['pt', 'en', 'es'] as const) expect(all.filter((a) => a.language === l).length).toBeGreaterThanOrEqual(8);
    const res = await helpGet('/api/help/articles', { channel: 'login', locale: 'pt' });
    expect(res.statusCode).toBe(200);
    const slugs = res.json().articles.map((a: { slug: string }) => a.slug);
    expect(slugs).toContain('support-hours');
    const audience = new Map(all.map((a) => [a.slug, a.audience]));
    expect(slugs.every((s: string) => audience.get(s) === 'public')).toBe(true);
    expect(Object.keys(res.json().articles[0]).sort()).toEqual(['language', 'slug', 'snippet', 'title']);
  });

  it('search folds accents ("configuracao", "horario") and ranks the title match first, in each language', async () => {
    const first = async (q: string, locale: string) => (await helpGet('/api/help/search', { channel: 'website', locale, q })).json().articles[0]?.slug;
    expect(await first('horario atendimento', 'pt')).toBe('support-hours');
    expect(await first('ESCALAR', 'pt')).toBe('how-to-escalate');
    expect(await first('idiomas', 'es')).toBe('support-languages');
    expect(await first('escalate', 'en')).toBe('how-to-escalate');
    expect(await first('contrasena', 'es')).toBe('login-problems');
    // Two words of which only one is anywhere: the search box falls back to any word.
    expect(await first('horario xyzzy', 'pt')).toBe('support-hours');
  });

  it('suggestions from a description: at most three, fitting the request type', async () => {
    const res = await helpGet('/api/help/search', { channel: 'login', locale: 'en', q: 'I cannot sign in, my password is refused', purpose: 'suggest', requestType: 'auth_incident' });
    expect(res.statusCode).toBe(200);
    const articles = res.json().articles as Array<{ slug: string }>;
    expect(articles.length).toBeGreaterThan(0);
    expect(articles.length).toBeLessThanOrEqual(3);
    expect(articles[0]!.slug).toBe('login-problems');
  });

  it('an article: its safe HTML; a missing, draft or hidden one is the same not_found', async () => {
    const ok = await helpGet('/api/help/articles/how-to-escalate', { channel: 'website', locale: 'es' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().article).toMatchObject({ slug: 'how-to-escalate', language: 'es', title: 'Cómo escalar un caso' });
    expect(ok.json().article.html).toContain('<strong>Escalar</strong>');
    const missing = await helpGet('/api/help/articles/no-such-article', { channel: 'website', locale: 'pt' });
    const hidden = await helpGet('/api/help/articles/support-access', { channel: 'website', locale: 'pt' });
    expect(missing.statusCode).toBe(404);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.headers['content-type']).toBe(missing.headers['content-type']);
    expect(hidden.body).toBe(missing.body);
  });

  it('property: a visitor never receives an authenticated or contract article through the home list, search, suggestions or an article; a realm user without a contract never a contract one', async () => {
    const articles = await store.articles.listArticles({ status: 'published' });
    const audience = new Map(articles.map((a) => [`${a.slug}.${a.language}`, a.audience]));
    expect(new Set(audience.values())).toEqual(new Set(['public', 'authenticated', 'contract']));
    const words = [...new Set(articles.flatMap((a) => `${a.title} ${a.plain}`.split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length > 2))];
    const nocontract = await stack.signIdentity({ sub: 'u_x', realm: 'no-such-realm' });
    const contract = await stack.signIdentity({ sub: 'u_ana', realm: 'acme' });
    const allowed = { visitor: ['public'], nocontract: ['public', 'authenticated'], contract: ['public', 'authenticated', 'contract'] } as const;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<keyof typeof allowed>('visitor', 'visitor', 'nocontract', 'contract'),
        fc.constantFrom<Channel>('platform', 'login', 'website'),
        fc.constantFrom('pt', 'en', 'es'),
        fc.array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 8 })), { minLength: 0, maxLength: 5 }),
        fc.constantFrom('home', 'search', 'suggest', 'article'),
        fc.constantFrom(...articles.map((a) => a.slug), 'nope'),
        async (who, channel, locale, q, how, slug) => {
          const token = who === 'visitor' ? undefined : who === 'contract' ? contract : nocontract;
          const res =
            how === 'home'
              ? await helpGet('/api/help/articles', { channel, locale }, token)
              : how === 'article'
                ? await helpGet(`/api/help/articles/${slug}`, { channel, locale }, token)
                : await helpGet('/api/help/search', { channel, locale, q: q.join(' '), purpose: how }, token);
          if (how === 'article' && res.statusCode === 404) {
            const a = audience.get(`${slug}.${locale}`);
            expect(a === undefined || !(allowed[who] as readonly string[]).includes(a)).toBe(true);
            return;
          }
          expect(res.statusCode).toBe(200);
          const got: Array<{ slug: string; language: string }> = how === 'article' ? [res.json().article] : res.json().articles;
          for (const g of got) {
            const a = audience.get(`${g.slug}.${g.language}`)!;
            seen.add(`${who}:${a}`);
            expect(allowed[who]).toContain(a);
            expect(g.language).toBe(locale);
          }
        },
      ),
      { numRuns: 150 },
    );
    // The property saw each kind of reader receive something.
    expect(seen.has('visitor:public')).toBe(true);
    expect(seen.has('contract:contract') || seen.has('contract:authenticated')).toBe(true);
  });

  it('counts searches, suggestions shown, opens, answers and continuations per day, channel and language — and never stores the query', async () => {
    // The counters of the searches above are written after their answers: let them land before counting.
    await store.drain();
    const before = await stats('website', 'en');
    const secret = 'quokkazebra';
    await helpGet('/api/help/search', { channel: 'website', locale: 'en', q: `escalate ${secret}` });
    await helpGet('/api/help/search', { channel: 'website', locale: 'en', q: 'sign in password refused', purpose: 'suggest' });
    await helpGet('/api/help/articles/how-to-escalate', { channel: 'website', locale: 'en' });
    for (const event of ['answered', 'continued', 'answered'])
      expect((await stack.app.inject({ method: 'POST', url: '/api/help/events', payload: { channel: 'website', locale: 'en', event } })).statusCode).toBe(204);
    await store.drain();
    const after = await stats('website', 'en');
    expect(after.searches - before.searches).toBe(1);
    expect(after.suggested - before.suggested).toBeGreaterThan(0);
    expect(after.opened - before.opened).toBe(1);
    expect(after.answered - before.answered).toBe(2);
    expect(after.continued - before.continued).toBe(1);
    if (process.env.AJUDA_STORE !== 'pg') {
      for (const f of [stack.dbFile, `${stack.dbFile}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(secret)).toBe(false);
    }
  });

  it('bad input gets a problem: no channel, an unknown event, a bad identity token', async () => {
    const noChannel = await helpGet('/api/help/search', { locale: 'en', q: 'x' });
    expect(noChannel.statusCode).toBe(400);
    expect(noChannel.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(noChannel.json().code).toBe('bad_request');
    const ev = await stack.app.inject({ method: 'POST', url: '/api/help/events', payload: { channel: 'website', locale: 'en', event: 'clicked' } });
    expect(ev.statusCode).toBe(400);
    const bad = await helpGet('/api/help/articles', { channel: 'platform', locale: 'en' }, 'not-a-token');
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe('auth_failed');
  });
});

describe('anonymous help-centre requests are rate-limited', () => {
  it('past AJUDA_HELP_PER_MINUTE per address: rate_limited with retryAfter', async () => {
    const s = await startTestStack({ AJUDA_HELP_PER_MINUTE: '3' }, { demo: false });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await s.app.inject({ method: 'GET', url: '/api/help/search?channel=login&locale=pt&q=senha' })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const r = await s.app.inject({ method: 'GET', url: '/api/help/articles?channel=login&locale=pt' });
      expect(r.json()).toMatchObject({ code: 'rate_limited' });
      expect(r.json().retryAfter).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});

describe('authoring (console and import)', () => {
  const json = (cookie: string, method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    stack.app.inject({ method, url, headers: { cookie, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload: JSON.stringify(payload) } : {}) });

  it('an agent searches articles and gets a link; only leads and admins write', async () => {
    const emma = await login('emma@ajuda.local');
    const list = await stack.app.inject({ method: 'GET', url: '/api/agent/articles?q=escalate&language=en', headers: { cookie: emma } });
    expect(list.statusCode).toBe(200);
    expect(list.json().articles[0]).toMatchObject({ slug: 'how-to-escalate', url: `${stack.url}/help/en/how-to-escalate` });
    const page = await stack.app.inject({ method: 'GET', url: '/help/en/how-to-escalate' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect((await stack.app.inject({ method: 'GET', url: '/help/en/support-access' })).statusCode).toBe(404);
    const refused = await json(emma, 'POST', '/api/agent/articles', { slug: 'x', language: 'en', title: 'X', body: 'x' });
    expect(refused.statusCode).toBe(403);
    expect((await stack.app.inject({ method: 'GET', url: '/api/agent/articles' })).statusCode).toBe(401);
  });

  it('a lead writes a draft, previews it inert, publishes and unpublishes it; the widget sees it only while published; every change audited', async () => {
    const lea = await login('lea@ajuda.local');
    const body = 'Reset it <script>alert(1)</script> [here](javascript:alert(1)) or [there](https://example.com/reset).';
    const preview = await json(lea, 'POST', '/api/agent/articles/preview', { body });
    expect(preview.json().html).toContain('&lt;script&gt;');
    expect(preview.json().html).not.toContain('href="javascript');
    expect(preview.json().html).toContain('<a href="https://example.com/reset" rel="noopener noreferrer" target="_blank">there</a>');
    const bad = await json(lea, 'POST', '/api/agent/articles', { slug: 'Not A Slug', language: 'en', title: '', body: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/slug/);
    const created = await json(lea, 'POST', '/api/agent/articles', { slug: 'reset-token', language: 'en', title: 'Resetting a widget token', body, audience: 'public' });
    expect(created.statusCode).toBe(201);
    const id = created.json().article.id as string;
    expect(created.json().article.status).toBe('draft');
    expect((await json(lea, 'POST', '/api/agent/articles', { slug: 'reset-token', language: 'en', title: 'Again', body: 'x' })).statusCode).toBe(409);
    const widget = () => helpGet('/api/help/articles/reset-token', { channel: 'website', locale: 'en' });
    expect((await widget()).statusCode).toBe(404);
    expect((await json(lea, 'POST', `/api/agent/articles/${id}/publish`)).json().article.status).toBe('published');
    expect((await widget()).statusCode).toBe(200);
    const edited = await json(lea, 'PUT', `/api/agent/articles/${id}`, { title: 'Resetting your widget token', body: 'Ask an admin.', audience: 'public', requestTypes: [], tags: [], position: 5 });
    expect(edited.json().article).toMatchObject({ title: 'Resetting your widget token', status: 'published' });
    expect((await json(lea, 'POST', `/api/agent/articles/${id}/unpublish`)).json().article.status).toBe('draft');
    expect((await widget()).statusCode).toBe(404);
    expect((await json(lea, 'DELETE', `/api/agent/articles/${id}`)).statusCode).toBe(204);
    expect((await json(lea, 'DELETE', `/api/agent/articles/${id}`)).statusCode).toBe(404);
    const audit = (await store.admin.recentAudit(50)).filter((a) => a.detail.articleId === id).map((a) => `${a.actor} ${a.action}`);
    expect(audit.reverse()).toEqual(['agent:ag_lea article.created', 'agent:ag_lea article.published', 'agent:ag_lea article.updated', 'agent:ag_lea article.unpublished', 'agent:ag_lea article.deleted']);
  });

  it('import is idempotent by slug + language, reports a bad file and imports the others', async () => {
    const again = await importArticles(store, DEMO_ARTICLES, 'cli', new Date().toISOString());
    expect(again).toMatchObject({ created: [], updated: [], errors: [] });
    expect(again.unchanged.length).toBeGreaterThanOrEqual(24);
    const dir = mkdtempSync(join(tmpdir(), 'ajuda-articles-'));
    writeFileSync(join(dir, 'ok.md'), '---\nslug: import-ok\nlanguage: es\ntitle: Importado\n---\nHola *mundo*.\n');
    writeFileSync(join(dir, 'bad.md'), '---\nslug: import-bad\nlanguage: fr\ntitle: Non\n---\nBonjour.\n');
    writeFileSync(join(dir, 'extra.md'), '---\nslug: import-extra\nlanguage: es\ntitle: X\nauthor: me\n---\nx\n');
    const first = await importArticles(store, dir, 'cli', new Date().toISOString());
    expect(first.created).toEqual(['import-ok.es']);
    expect(first.errors.map((e) => e.file).sort()).toEqual(['bad.md', 'extra.md']);
    expect(first.errors.find((e) => e.file === 'bad.md')!.error).toMatch(/language/);
    expect((await importArticles(store, dir, 'cli', new Date().toISOString())).unchanged).toEqual(['import-ok.es']);
    writeFileSync(join(dir, 'ok.md'), '---\nslug: import-ok\nlanguage: es\ntitle: Importado\n---\nHola *todos*.\n');
    expect((await importArticles(store, dir, 'cli', new Date().toISOString())).updated).toEqual(['import-ok.es']);
    expect((await store.articles.findArticle('import-ok', 'es'))!.html).toBe('<p>Hola <em>todos</em>.</p>\n');
  });
});
