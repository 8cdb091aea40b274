import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { queryTerms, type Agent, type Article, type ArticleAudience, type ArticleHit } from '@ajuda/db';
import { allowedRequestTypes, articleAudiences, mayEditArticles, type ArticleReader } from '@ajuda/policy';
import type { RequestType } from '@ajuda/protocol';
import type { Services } from '../context.ts';
import { sha256 } from '../crypto.ts';
import { verifyIdentity } from '../identity.ts';
import { problem } from '../http/problem.ts';
import { AGENT_COOKIE } from '../http/routes.ts';
import { renderArticle, snippet } from './markdown.ts';
import { ArticleFields, ArticleLanguage, ArticleStatus, HelpEvent, HelpScope, HelpSearch, NewArticle } from './schemas.ts';

/** What a requester receives of an article in a list: never its audience, body or who wrote it. */
export interface HelpSummary {
  slug: string;
  language: string;
  title: string;
  snippet: string;
}
const summary = (a: Article): HelpSummary => ({ slug: a.slug, language: a.language, title: a.title, snippet: snippet(a.plain) });
const HOME_MAX = 5;
const SUGGEST_MAX = 3;
const SEARCH_MAX = 8;

/**
 * The help centre over HTTP.
 *
 * For the widget (`/api/help/*`, no cookie): the reader is a visitor unless the request carries the
 * host's identity token (`Authorization: Bearer …`, verified as at `session.hello`, R1), and sees
 * only the audiences the policy gives them (R2–R5: a visitor `public` only). A hidden article and a
 * missing one get the same `not_found`. Every route is limited per client address
 * (`AJUDA_HELP_PER_MINUTE`, the app's @fastify/rate-limit). Counts of searches, suggestions shown,
 * articles opened, answered and continued are kept per day, channel and language — never a query.
 *
 * For the console (`/api/agent/articles*`, the agent's session cookie): any agent lists, searches and
 * reads every article (to link one in a reply); leads and administrators write, preview, publish,
 * unpublish and delete (each audited).
 */
export async function helpRoutes(app: FastifyInstance, svc: Services): Promise<void> {
  // One budget per client address across the help routes (the app's rate-limit store: shared across processes in cluster mode).
  const limited = { onRequest: app.rateLimit({ max: svc.config.limits.helpPerMinute, timeWindow: 60_000, keyGenerator: (req) => `help:${req.ip}` }) };
  const day = () => svc.clock.iso().slice(0, 10);
  const count = (scope: z.infer<typeof HelpScope>, counts: Parameters<typeof svc.store.articles.countArticleUse>[3]) =>
    svc.store.articles.countArticleUse(day(), scope.channel, scope.locale, counts).catch((err: unknown) => svc.log.warn({ err }, 'help-centre counters not written'));

  /** The reader, from the optional identity token; a bad or expired token is refused as at hello. */
  async function reader(req: FastifyRequest, reply: FastifyReply): Promise<{ reader: ArticleReader; audiences: ArticleAudience[] } | null> {
    const auth = req.headers.authorization;
    if (!auth) return { reader: { kind: 'visitor' }, audiences: articleAudiences({ kind: 'visitor' }) };
    const m = /^Bearer (\S{1,8192})$/.exec(auth);
    const r = m ? await verifyIdentity(m[1]!, svc.config.identityKeys, svc.clock.now()) : ({ ok: false, code: 'auth_failed' } as const);
    if (!r.ok) {
      problem(reply, r.code);
      return null;
    }
    const contractActive = (await svc.directory.contracts()).some((c) => c.realmId === r.claims.realm && c.active);
    const who: ArticleReader = { kind: 'realm_user', contractActive };
    return { reader: who, audiences: articleAudiences(who) };
  }
  const parse = <S extends z.ZodType>(schema: S, v: unknown, reply: FastifyReply): z.infer<S> | null => {
    const r = schema.safeParse(v);
    if (r.success) return r.data;
    problem(reply, 'bad_request', z.prettifyError(r.error));
    return null;
  };
  /** Request types this reader may open here (the home list and suggestions fit them). */
  const typesFor = (who: ArticleReader, channel: z.infer<typeof HelpScope>['channel']): RequestType[] =>
    allowedRequestTypes(who.kind === 'realm_user' ? { kind: 'realm_user', channel, realmId: '-', userId: '-', perms: [] } : { kind: 'visitor', channel });
  const fits = (a: Article, types: readonly string[]) => a.requestTypes.length === 0 || a.requestTypes.some((t) => types.includes(t));
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  // ── the widget ──

  /** The articles most useful on this channel for this reader: published, visible, fitting what they may ask; by position. */
  app.get('/api/help/articles', limited, async (req, reply) => {
    const q = parse(HelpScope, req.query, reply);
    if (!q) return;
    const who = await reader(req, reply);
    if (!who) return;
    const types = typesFor(who.reader, q.channel);
    const list = await svc.store.articles.listArticles({ status: 'published', language: q.locale, audiences: who.audiences });
    return noStore(reply).send({ articles: list.filter((a) => fits(a, types)).slice(0, HOME_MAX).map(summary) });
  });

  app.get('/api/help/search', limited, async (req, reply) => {
    const q = parse(HelpSearch, req.query, reply);
    if (!q) return;
    const who = await reader(req, reply);
    if (!who) return;
    const suggest = q.purpose === 'suggest';
    // Suggestions come from a description: short words (articles, prepositions) say nothing.
    const terms = queryTerms(q.q).filter((t) => !suggest || t.length >= 3);
    const base = { terms, language: q.locale, status: 'published' as const, audiences: who.audiences, limit: 20 };
    let hits: ArticleHit[] = suggest ? await svc.store.articles.searchArticles({ ...base, mode: 'any' }) : await svc.store.articles.searchArticles({ ...base, mode: 'all' });
    if (!suggest && hits.length === 0 && terms.length > 1) hits = await svc.store.articles.searchArticles({ ...base, mode: 'any' });
    if (suggest) {
      const types = q.requestType ? [q.requestType] : typesFor(who.reader, q.channel);
      hits = hits.filter((a) => fits(a, types));
    }
    const articles = hits.slice(0, suggest ? SUGGEST_MAX : SEARCH_MAX).map(summary);
    if (terms.length) void count(q, suggest ? { suggested: articles.length } : { searches: 1 });
    return noStore(reply).send({ articles });
  });

  app.get('/api/help/articles/:slug', limited, async (req, reply) => {
    const q = parse(HelpScope, req.query, reply);
    if (!q) return;
    const slug = parse(z.object({ slug: z.string().max(200) }), req.params, reply);
    if (!slug) return;
    const who = await reader(req, reply);
    if (!who) return;
    const a = await svc.store.articles.findArticle(slug.slug, q.locale);
    // Missing, a draft, or hidden from this reader: the same answer (R5).
    if (!a || a.status !== 'published' || !who.audiences.includes(a.audience)) return problem(reply, 'not_found');
    void count(q, { opened: 1 });
    return noStore(reply).send({ article: { slug: a.slug, language: a.language, title: a.title, html: a.html } });
  });

  app.post('/api/help/events', { ...limited, bodyLimit: 1024 }, async (req, reply) => {
    const e = parse(HelpEvent, req.body, reply);
    if (!e) return;
    await count(e, { [e.event]: 1 });
    return reply.code(204).send();
  });

  // ── the console ──

  async function me(req: FastifyRequest, reply: FastifyReply, edit = false): Promise<Agent | null> {
    const token = req.cookies[AGENT_COOKIE];
    const s = token ? await svc.store.findSession(sha256(token)) : undefined;
    const a = s && !s.endedAt && new Date(s.expiresAt) > svc.clock.now() ? await svc.store.getAgent(s.agentId) : undefined;
    if (!a || a.disabled) {
      problem(reply, 'auth_failed');
      return null;
    }
    if (edit && !mayEditArticles(a.role)) {
      problem(reply, 'forbidden', 'only support leads and administrators edit articles');
      return null;
    }
    return a;
  }
  const link = (a: Pick<Article, 'slug' | 'language'>) => `${svc.config.publicUrl}/help/${a.language}/${a.slug}`;
  const agentSummary = (a: Article) => ({
    id: a.id, slug: a.slug, language: a.language, title: a.title, audience: a.audience, status: a.status, updatedAt: a.updatedAt, snippet: snippet(a.plain), url: link(a),
  });
  const full = (a: Article) => ({ ...a, url: link(a) });
  const byId = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = parse(z.object({ id: z.string().max(64) }), req.params, reply);
    if (!p) return null;
    const a = await svc.store.articles.getArticle(p.id);
    if (!a) problem(reply, 'not_found');
    return a ?? null;
  };
  const AgentQuery = z.object({ q: z.string().max(300).optional(), language: ArticleLanguage.optional(), status: ArticleStatus.optional() });

  app.get('/api/agent/articles', async (req, reply) => {
    if (!(await me(req, reply))) return;
    const q = parse(AgentQuery, req.query, reply);
    if (!q) return;
    const terms = queryTerms(q.q ?? '');
    const filter = { ...(q.language ? { language: q.language } : {}), ...(q.status ? { status: q.status } : {}) };
    const list = terms.length ? await svc.store.articles.searchArticles({ terms, mode: 'all', limit: 50, ...filter }) : await svc.store.articles.listArticles(filter);
    return noStore(reply).send({ articles: list.map(agentSummary) });
  });

  app.get('/api/agent/articles/stats', async (req, reply) => {
    if (!(await me(req, reply))) return;
    const q = parse(z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }), req.query, reply);
    if (!q) return;
    const since = new Date(svc.clock.now().getTime() - (q.days - 1) * 86_400_000).toISOString().slice(0, 10);
    const rows = await svc.store.articles.articleStats(since);
    const total = { searches: 0, suggested: 0, opened: 0, answered: 0, continued: 0 };
    for (const r of rows) for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r[k];
    const decided = total.answered + total.continued;
    return noStore(reply).send({ since, rows, total, deflectionRate: decided ? total.answered / decided : null });
  });

  app.get('/api/agent/articles/:id', async (req, reply) => {
    if (!(await me(req, reply))) return;
    const a = await byId(req, reply);
    if (a) return noStore(reply).send({ article: full(a), translations: (await svc.store.articles.listArticles({ slug: a.slug })).map(agentSummary) });
  });

  app.post('/api/agent/articles/preview', { bodyLimit: 64 * 1024 }, async (req, reply) => {
    if (!(await me(req, reply, true))) return;
    const b = parse(z.object({ body: z.string().max(50_000) }), req.body, reply);
    if (b) return reply.send({ html: renderArticle(b.body).html });
  });

  app.post('/api/agent/articles', { bodyLimit: 64 * 1024 }, async (req, reply) => {
    const agent = await me(req, reply, true);
    if (!agent) return;
    const b = parse(NewArticle, req.body, reply);
    if (!b) return;
    if (await svc.store.articles.findArticle(b.slug, b.language)) return problem(reply, 'invalid_state', `an article ${b.slug} in ${b.language} exists already`);
    const { article } = await svc.store.articles.saveArticle({ ...b, ...renderArticle(b.body) }, svc.clock.iso(), { actor: `agent:${agent.id}`, action: 'article.created' });
    return reply.code(201).send({ article: full(article) });
  });

  app.put('/api/agent/articles/:id', { bodyLimit: 64 * 1024 }, async (req, reply) => {
    const agent = await me(req, reply, true);
    if (!agent) return;
    const cur = await byId(req, reply);
    if (!cur) return;
    const b = parse(ArticleFields, req.body, reply);
    if (!b) return;
    const { article } = await svc.store.articles.saveArticle(
      { ...b, slug: cur.slug, language: cur.language, ...renderArticle(b.body) },
      svc.clock.iso(),
      { actor: `agent:${agent.id}`, action: 'article.updated' },
    );
    return reply.send({ article: full(article) });
  });

  for (const [verb, status] of [['publish', 'published'], ['unpublish', 'draft']] as const) {
    app.post(`/api/agent/articles/:id/${verb}`, async (req, reply) => {
      const agent = await me(req, reply, true);
      if (!agent) return;
      const p = parse(z.object({ id: z.string().max(64) }), req.params, reply);
      if (!p) return;
      const r = await svc.store.articles.setArticleStatus(p.id, status, svc.clock.iso(), { actor: `agent:${agent.id}`, action: `article.${verb}ed` });
      return r ? reply.send({ article: full(r.article) }) : problem(reply, 'not_found');
    });
  }

  app.delete('/api/agent/articles/:id', async (req, reply) => {
    const agent = await me(req, reply, true);
    if (!agent) return;
    const p = parse(z.object({ id: z.string().max(64) }), req.params, reply);
    if (!p) return;
    const ok = await svc.store.articles.deleteArticle(p.id, svc.clock.iso(), { actor: `agent:${agent.id}`, action: 'article.deleted' });
    return ok ? reply.code(204).send() : problem(reply, 'not_found');
  });

  // ── a public article as a page of its own (the link an agent puts in a reply) ──

  app.get('/help/:language/:slug', limited, async (req, reply) => {
    const p = z.object({ language: ArticleLanguage, slug: z.string().max(200) }).safeParse(req.params);
    const a = p.success ? await svc.store.articles.findArticle(p.data.slug, p.data.language) : undefined;
    if (!a || a.status !== 'published' || a.audience !== 'public') return problem(reply, 'not_found');
    const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    return reply
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .header('x-content-type-options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="${a.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(a.title)}</title>` +
          `<style>body{font:16px/1.55 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}a{color:#0b5cad}</style></head>` +
          `<body><main><h1>${esc(a.title)}</h1>${a.html}</main></body></html>`,
      );
  });
}
