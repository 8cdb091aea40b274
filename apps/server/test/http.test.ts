import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { FastifyInstance } from 'fastify';

let app: FastifyInstance;
const root = mkdtempSync(join(tmpdir(), 'ajuda-http-'));
beforeAll(async () => {
  const dirs = { loader: join(root, 'loader'), widget: join(root, 'widget'), console: join(root, 'console') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  writeFileSync(join(dirs.loader, 'loader.js'), '/*loader*/');
  writeFileSync(join(dirs.widget, 'index.html'), '<!doctype html><title>w</title>');
  writeFileSync(join(dirs.console, 'index.html'), '<!doctype html><title>c</title>');
  const config = loadConfig({ AJUDA_DB_FILE: join(root, 'ajuda.db'), PORT: '4100', AJUDA_ORIGINS_WEBSITE: 'https://www.example.com', AJUDA_ORIGINS_PLATFORM: 'https://app.example.com', AJUDA_ORIGINS_LOGIN: 'https://app.example.com', LOG_LEVEL: 'silent' }, root);
  app = await buildApp({ ...config, staticDirs: dirs }, { seed: true, logger: false });
});
afterAll(async () => {
  await app?.close();
});

describe('http', () => {
  it('serves the widget document with a strict CSP framed only by the allowed host origins', async () => {
    const res = await app.inject('/widget/frame/');
    expect(res.statusCode).toBe(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain('frame-ancestors https://app.example.com https://www.example.com');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves the console unframeable and the loader to any page', async () => {
    const c = await app.inject('/console/');
    expect(c.headers['x-frame-options']).toBe('DENY');
    expect(c.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const l = await app.inject('/widget/loader.js');
    expect(l.statusCode).toBe(200);
    expect(l.headers['access-control-allow-origin']).toBe('*');
  });

  it('answers health and problem+json errors', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const bad = await app.inject({ method: 'POST', url: '/api/agent/login', payload: { email: 'emma@ajuda.local', password: 'wrong' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ status: 401, code: 'auth_failed' });
    // An unknown email gets the very same answer as a wrong password.
    const unknown = await app.inject({ method: 'POST', url: '/api/agent/login', payload: { email: 'nobody@ajuda.local', password: 'wrong' } });
    expect(unknown.body).toBe(bad.body);
  });

  it('logs an agent in with an HttpOnly SameSite cookie and out again', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/agent/login', payload: { email: 'emma@ajuda.local', password: 'ajuda-demo' } });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'ajuda_agent')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(res.body).not.toContain(cookie.value); // only in the HttpOnly cookie
    const me = await app.inject({ url: '/api/agent/me', cookies: { ajuda_agent: cookie.value } });
    expect(me.json().agent.id).toBe('ag_emma');
    expect(JSON.stringify(me.json())).not.toContain('password');
    await app.inject({ method: 'POST', url: '/api/agent/logout', cookies: { ajuda_agent: cookie.value } });
    expect((await app.inject({ url: '/api/agent/me', cookies: { ajuda_agent: cookie.value } })).statusCode).toBe(401);
  });

  it('rate-limits agent logins with 429', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await app.inject({ method: 'POST', url: '/api/agent/login', remoteAddress: '10.9.9.9', payload: { email: 'x@y.z', password: 'p' } })).statusCode);
    expect(codes).toContain(429);
  });
});

describe('config', () => {
  it('refuses to start in production without secrets and allow-lists', () => {
    expect(() => loadConfig({ AJUDA_ENV: 'production', AJUDA_DB_FILE: ':memory:' })).toThrow(/AJUDA_IDENTITY_KEYS.*AJUDA_INBOUND_SECRET.*AJUDA_ADMIN_TOKEN/);
  });
  it('R10: AJUDA_SLA may override some priorities; the others keep their defaults', () => {
    const c = loadConfig({ AJUDA_DB_FILE: join(root, 'x.db'), AJUDA_SLA: JSON.stringify({ P4: { firstResponseMin: 1, nextResponseMin: 2, resolutionMin: 3 } }) }, root);
    expect(c.sla.P4).toEqual({ firstResponseMin: 1, nextResponseMin: 2, resolutionMin: 3 });
    expect(c.sla.P1).toEqual(loadConfig({ AJUDA_DB_FILE: join(root, 'x.db') }, root).sla.P1);
    expect(() => loadConfig({ AJUDA_DB_FILE: join(root, 'x.db'), AJUDA_SLA: JSON.stringify({ P9: { firstResponseMin: 1, nextResponseMin: 2, resolutionMin: 3 } }) }, root)).toThrow(/AJUDA_SLA/);
  });
  it('cluster mode refuses Redis without PostgreSQL, and secrets generated per machine', () => {
    expect(() => loadConfig({ AJUDA_DB_FILE: join(root, 'x.db'), AJUDA_REDIS_URL: 'redis://127.0.0.1:6379' }, root)).toThrow(/AJUDA_REDIS_URL.*AJUDA_DATABASE_URL/);
    expect(() => loadConfig({ AJUDA_DB_FILE: join(root, 'x.db'), AJUDA_REDIS_URL: 'redis://127.0.0.1:6379', AJUDA_DATABASE_URL: 'postgres://a@127.0.0.1/b' }, root)).toThrow(/AJUDA_IDENTITY_KEYS, AJUDA_INBOUND_SECRET, AJUDA_ADMIN_TOKEN, AJUDA_PUBLIC_URL/);
    const shared = { AJUDA_DB_FILE: join(root, 'x.db'), AJUDA_REDIS_URL: 'redis://127.0.0.1:6379', AJUDA_DATABASE_URL: 'postgres://a@127.0.0.1/b', AJUDA_IDENTITY_KEYS: `k1:${'s'.repeat(32)}`, AJUDA_INBOUND_SECRET: 'i'.repeat(24), AJUDA_ADMIN_TOKEN: 'a'.repeat(24), AJUDA_PUBLIC_URL: 'https://help.example.com' };
    // Files: one place every process reads — a bucket or a shared folder, never each process's own default.
    expect(() => loadConfig(shared, root)).toThrow(/AJUDA_UPLOAD_S3_URL .*or AJUDA_UPLOAD_DIR/);
    expect(loadConfig({ ...shared, AJUDA_UPLOAD_DIR: '/srv/ajuda/uploads' }, root).uploads.dir).toBe('/srv/ajuda/uploads');
    expect(loadConfig({ ...shared, AJUDA_UPLOAD_S3_URL: 'https://s3.example.com/files', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' }, root).uploads.s3?.url).toBe('https://s3.example.com/files');
  });
  it('rejects weak identity secrets', () => {
    expect(() => loadConfig({ AJUDA_DB_FILE: join(root, 'x.db'), AJUDA_IDENTITY_KEYS: 'k1:short' }, root)).toThrow(/32/);
  });
});
