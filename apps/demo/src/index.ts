import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { loginPage, platformPage, sitePage, startPage } from './pages.ts';
import { signIdentityToken, type IdentityKey } from './token.ts';
import { DEMO_USERS, userFromCookie } from './users.ts';

export { DEMO_USERS, userFromCookie, type DemoUser } from './users.ts';
export { signIdentityToken, TOKEN_TTL_SECONDS, type IdentityKey } from './token.ts';

export interface DemoOptions {
  /** Where the Ajuda server is, e.g. "http://localhost:3000": the loader and the iframe come from there. */
  ajudaOrigin: string;
  /** The HS256 key shared with the Ajuda server (one of its AJUDA_IDENTITY_KEYS). */
  identity: IdentityKey;
  logger?: boolean;
}

// Static files of the host pages, read once at start; served by name from an allow-list (no path joins).
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
const ASSET_NAMES = ['ajuda-platform.js', 'ajuda-login.js', 'ajuda-website.js', 'platform.js', 'site.js', 'demo.css', 'favicon.svg'];

/**
 * The Content-Security-Policy the demo pages send: what a customer's page needs to embed Ajuda.
 * `script-src` must allow the Ajuda origin (for /widget/loader.js) and wherever the snippet lives
 * (here 'self'; or a nonce/hash for an inline snippet); `frame-src` must allow the Ajuda origin (the chat
 * iframe). The launcher's styles are a constructed stylesheet, so no `style-src` exception is needed,
 * and the loader makes no network requests of its own, so `connect-src` needs nothing either.
 */
export function hostPageCsp(ajudaOrigin: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${ajudaOrigin}`,
    `frame-src ${ajudaOrigin}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The demo's host pages and a stand-in platform backend, as a Fastify app that never listens
 * (apps/server listens it on PORT+1, a different origin from Ajuda's, like a real customer site).
 * @example
 * const demo = buildDemoApp({ ajudaOrigin: 'http://localhost:3000', identity: { kid: 'dev-1', secret } });
 * await demo.listen({ port: 3001 });
 */
export function buildDemoApp(opts: DemoOptions): FastifyInstance {
  const ajudaOrigin = new URL(opts.ajudaOrigin).origin;
  const csp = hostPageCsp(ajudaOrigin);
  const assets = new Map(
    ASSET_NAMES.map((name) => [name, { body: readFileSync(new URL(`../public/${name}`, import.meta.url)), type: TYPES[name.split('.').pop()!]! }]),
  );

  const app = Fastify({ logger: opts.logger ?? false });

  // The login and user-switch forms post urlencoded bodies; a tiny parser instead of a plugin.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    // The chat iframe learns the host's origin from its URL, not from the Referer: send origins only.
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
  });

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(startPage(ajudaOrigin)));

  app.get('/platform', async (req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(platformPage(userFromCookie(req.headers.cookie), ajudaOrigin)),
  );

  app.post<{ Body: { user?: string } }>('/platform/switch-user', async (req, reply) => {
    const id = req.body?.user === 'u_bruno' ? 'u_bruno' : 'u_ana';
    return reply.header('set-cookie', `demo_user=${id}; Path=/; HttpOnly; SameSite=Lax`).redirect('/platform', 303);
  });

  app.post('/platform/sign-out', async (_req, reply) =>
    reply.header('set-cookie', 'demo_user=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0').redirect('/login', 303),
  );

  // The platform's side of R1: sign a short-lived identity token for the signed-in user.
  // Same-origin only: the custom header forces a CORS preflight that this app never answers, and
  // browsers that send Sec-Fetch-Site must say same-origin.
  app.post('/platform/api/identity-token', async (req, reply) => {
    const site = req.headers['sec-fetch-site'];
    if (req.headers['x-requested-with'] !== 'ajuda' || (site !== undefined && site !== 'same-origin')) {
      return reply.code(403).type('application/problem+json').send({ type: 'about:blank', title: 'Forbidden', status: 403, code: 'forbidden' });
    }
    const user = userFromCookie(req.headers.cookie);
    const token = await signIdentityToken(user, opts.identity);
    return reply.header('cache-control', 'no-store').send({ token });
  });

  app.get<{ Querystring: { failed?: string } }>('/login', async (req, reply) =>
    reply.type('text/html; charset=utf-8').send(loginPage(ajudaOrigin, req.query.failed === '1')),
  );
  // The demo login form checks nothing: it always "fails", which is a good reason to ask for help.
  app.post('/login', async (_req, reply) => reply.redirect('/login?failed=1', 303));

  app.get('/site', async (_req, reply) => reply.type('text/html; charset=utf-8').send(sitePage(ajudaOrigin)));

  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const a = assets.get(req.params.name);
    if (!a) return reply.code(404).send({ error: 'not_found' });
    return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
  });

  app.get('/favicon.ico', async (_req, reply) => reply.redirect('/assets/favicon.svg', 301));

  return app;
}

/** The demo users, for tests and the README. */
export const demoUsers = Object.values(DEMO_USERS);
