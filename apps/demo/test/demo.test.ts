import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoApp, hostPageCsp, TOKEN_TTL_SECONDS } from '../src/index.ts';

const AJUDA = 'http://localhost:3000';
const secret = new TextEncoder().encode('demo-secret-that-is-at-least-32-characters');
const app = buildDemoApp({ ajudaOrigin: AJUDA, identity: { kid: 'demo-1', secret } });

beforeAll(() => app.ready());
afterAll(() => app.close());

const PAGES = ['/', '/platform', '/login', '/site'];
const tokenFor = (cookie?: string) =>
  app.inject({
    method: 'POST',
    url: '/platform/api/identity-token',
    headers: { 'x-requested-with': 'ajuda', 'sec-fetch-site': 'same-origin', ...(cookie ? { cookie } : {}) },
  });

describe('host pages', () => {
  it.each(PAGES)('%s is served as HTML with the host CSP', async (url) => {
    const r = await app.inject(url);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain(`script-src 'self' ${AJUDA}`);
    expect(csp).toContain(`frame-src ${AJUDA}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  it.each(PAGES)('%s has no inline script, no inline style and no event-handler attribute', async (url) => {
    const body = (await app.inject(url)).body;
    for (const tag of body.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? []) {
      expect(tag).toMatch(/^<script\b[^>]*\bsrc="[^"]+"[^>]*><\/script>$/);
    }
    expect(body).not.toMatch(/<style\b/);
    expect(body).not.toMatch(/\sstyle="/);
    expect(body).not.toMatch(/\son[a-z]+="/);
  });

  it.each([
    ['/platform', 'ajuda-platform.js'],
    ['/login', 'ajuda-login.js'],
    ['/site', 'ajuda-website.js'],
  ])('R1: %s embeds the snippet then the loader from the Ajuda origin, async', async (url, snippet) => {
    const body = (await app.inject(url)).body;
    const s = body.indexOf(`<script src="/assets/${snippet}"></script>`);
    const l = body.indexOf(`<script async src="${AJUDA}/widget/loader.js"></script>`);
    expect(s).toBeGreaterThan(0);
    expect(l).toBeGreaterThan(s);
  });

  it.each([
    ['ajuda-platform.js', "channel: 'platform'"],
    ['ajuda-login.js', "channel: 'login'"],
    ['ajuda-website.js', "channel: 'website'"],
  ])('R1: the %s snippet boots its channel through the queue stub', async (file, channel) => {
    const r = await app.inject(`/assets/${file}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/javascript');
    expect(r.body).toContain('(Ajuda.q = Ajuda.q || []).push(arguments)');
    expect(r.body).toContain(`Ajuda('boot', {`);
    expect(r.body).toContain(channel);
  });

  it('the platform page shows the signed-in user from the demo_user cookie', async () => {
    expect((await app.inject('/platform')).body).toContain('Signed in as <strong id="who">Ana Souza</strong>');
    const bruno = await app.inject({ url: '/platform', headers: { cookie: 'demo_user=u_bruno' } });
    expect(bruno.body).toContain('Signed in as <strong id="who">Bruno Lima</strong>');
    expect(bruno.body).toContain('<html lang="en">');
  });

  it('switching user sets the cookie; signing out clears it', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/platform/switch-user',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'user=u_bruno',
    });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/platform');
    expect(String(r.headers['set-cookie'])).toMatch(/^demo_user=u_bruno; Path=\/; HttpOnly; SameSite=Lax/);
    const out = await app.inject({ method: 'POST', url: '/platform/sign-out' });
    expect(out.headers.location).toBe('/login');
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('the demo login form always fails politely', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a%40b.c&password=x',
    });
    expect(r.headers.location).toBe('/login?failed=1');
    expect((await app.inject('/login?failed=1')).body).toContain('role="alert"');
  });

  it('the start page links the three places and lists the demo credentials', async () => {
    const body = (await app.inject('/')).body;
    for (const href of ['/platform', '/login', '/site', `${AJUDA}/console/`]) expect(body).toContain(`href="${href}"`);
    for (const email of ['joao@ajuda.local', 'lea@ajuda.local', 'pedro@ajuda.local', 'ana@acme.example', 'bruno@acme.example'])
      expect(body).toContain(email);
    expect(body).toContain('ajuda-demo');
  });

  it('serves only allow-listed assets', async () => {
    expect((await app.inject('/assets/demo.css')).statusCode).toBe(200);
    expect((await app.inject('/assets/..%2Fsrc%2Findex.ts')).statusCode).toBe(404);
    expect((await app.inject('/assets/nope.js')).statusCode).toBe(404);
  });

  it('hostPageCsp documents what a host page must allow', () => {
    expect(hostPageCsp('https://help.example.com')).toMatch(/script-src 'self' https:\/\/help\.example\.com; frame-src https:\/\/help\.example\.com/);
  });
});

describe('identity token endpoint', () => {
  it.each([
    ['demo_user=u_ana', { sub: 'u_ana', name: 'Ana Souza', email: 'ana@acme.example', locale: 'pt', perms: ['support.grant'] }],
    ['demo_user=u_bruno', { sub: 'u_bruno', name: 'Bruno Lima', email: 'bruno@acme.example', locale: 'en', perms: [] }],
    [undefined, { sub: 'u_ana' }],
  ])('R1/R12b: with cookie %s it returns an HS256 JWT for that user, verifiable with the shared secret and kid', async (cookie, claims) => {
    const r = await tokenFor(cookie);
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const { token } = r.json<{ token: string }>();
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', kid: 'demo-1' });
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub', 'realm'] });
    expect(payload).toMatchObject({ realm: 'acme', ...claims });
    expect(payload.exp! - payload.iat!).toBe(TOKEN_TTL_SECONDS);
    expect(TOKEN_TTL_SECONDS).toBe(600);
  });

  it('a token does not verify with another secret', async () => {
    const { token } = (await tokenFor()).json<{ token: string }>();
    await expect(jwtVerify(token, new TextEncoder().encode('another-secret-that-is-32-characters-long'))).rejects.toThrow();
  });

  it('a string secret works the same as bytes', async () => {
    const s = 'string-secret-that-is-at-least-32-chars';
    const a = buildDemoApp({ ajudaOrigin: AJUDA, identity: { kid: 'k2', secret: s } });
    const r = await a.inject({ method: 'POST', url: '/platform/api/identity-token', headers: { 'x-requested-with': 'ajuda' } });
    await expect(jwtVerify(r.json<{ token: string }>().token, new TextEncoder().encode(s))).resolves.toBeTruthy();
    await a.close();
  });

  it('refuses cross-site requests (no custom header, or Sec-Fetch-Site other than same-origin)', async () => {
    const plain = await app.inject({ method: 'POST', url: '/platform/api/identity-token' });
    expect(plain.statusCode).toBe(403);
    expect(plain.body).not.toContain('token"');
    const cross = await app.inject({
      method: 'POST',
      url: '/platform/api/identity-token',
      headers: { 'x-requested-with': 'ajuda', 'sec-fetch-site': 'cross-site' },
    });
    expect(cross.statusCode).toBe(403);
  });

  it('R1: the token never appears in any page, URL or asset', async () => {
    const { token } = (await tokenFor()).json<{ token: string }>();
    const sig = token.split('.')[2]!;
    for (const url of [...PAGES, '/assets/ajuda-platform.js']) expect((await app.inject(url)).body).not.toContain(sig);
  });
});
