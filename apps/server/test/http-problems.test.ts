import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '@ajuda/protocol';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

/**
 * Every HTTP error is the documented `application/problem+json` `{type, title, status, code}` from the
 * error table — a route's own refusals, Fastify's (unknown route, body too large, bad JSON, media type,
 * bad URL), the rate limiter's on any limited route, the WebSocket endpoints' refusals and the HTTP
 * parser's — never Fastify's `{statusCode, error}`.
 */
let app: FastifyInstance;
let base: string;
const root = mkdtempSync(join(tmpdir(), 'ajuda-problems-'));
beforeAll(async () => {
  const dirs = { loader: join(root, 'loader'), widget: join(root, 'widget'), console: join(root, 'console') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const config = loadConfig(
    { AJUDA_DB_FILE: join(root, 'ajuda.db'), PORT: '4100', AJUDA_ORIGINS_WEBSITE: 'https://www.example.com', AJUDA_LOGIN_PER_MINUTE: '3', AJUDA_UPGRADES_PER_MINUTE: '3', LOG_LEVEL: 'silent' },
    root,
  );
  app = await buildApp({ ...config, staticDirs: dirs }, { seed: true, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  base = `127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await app?.close();
  rmSync(root, { recursive: true, force: true, maxRetries: 5 });
});

interface Answer {
  status: number;
  type: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function expectProblem(what: string, a: Answer, code: keyof typeof ERRORS): Record<string, unknown> {
  expect(a.type, what).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(a.body) as Record<string, unknown>;
  expect(body, what).toMatchObject({ type: `https://ajuda.dev/errors/${code}`, title: expect.any(String), status: ERRORS[code].status, code });
  expect(a.status, what).toBe(ERRORS[code].status);
  expect(body, what).not.toHaveProperty('statusCode');
  expect(body, what).not.toHaveProperty('error');
  return body;
}

async function http(path: string, init: RequestInit & { ip?: string } = {}): Promise<Answer> {
  const res = await fetch(`http://${base}${path}`, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text(), headers: Object.fromEntries(res.headers) };
}

/** Raw bytes on a socket, for what never reaches a route (the HTTP parser's refusals). */
function raw(request: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const s = connect(Number(base.split(':')[1]), '127.0.0.1');
    let data = '';
    s.on('data', (d) => (data += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), type: String(headers['content-type'] ?? ''), body, headers });
    });
    s.on('connect', () => s.write(request));
    setTimeout(() => reject(new Error('no answer')), 5000);
  });
}

/** A WebSocket upgrade the server refuses: the HTTP answer it sent instead of switching protocols. */
function refusedUpgrade(path: string, origin: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${base}${path}`, { origin });
    ws.on('open', () => reject(new Error('upgrade accepted')));
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body, headers: res.headers }));
    });
  });
}

describe('HTTP errors are problem+json', () => {
  it('unknown routes, unknown methods and missing static files: not_found', async () => {
    expectProblem('GET /nope', await http('/nope'), 'not_found');
    expectProblem('DELETE /healthz', await http('/healthz', { method: 'DELETE' }), 'not_found');
    expectProblem('POST /api/nope', await http('/api/nope', { method: 'POST' }), 'not_found');
    expectProblem('missing widget file', await http('/widget/frame/no-such-file.js'), 'not_found');
    expectProblem('missing console file', await http('/console/no-such-file.js'), 'not_found');
  });

  it('bodies Fastify refuses: too large, bad JSON, empty JSON, unsupported media type; a bad URL', async () => {
    // A route without a rate limit, so only the body is judged.
    const post = (body: string, type = 'application/json') => http('/api/escalations', { method: 'POST', headers: { 'content-type': type }, body });
    expectProblem('1 MiB + 1', await post(JSON.stringify({ email: 'x'.repeat(1024 * 1024), password: 'p' })), 'payload_too_large');
    expectProblem('bad JSON', await post('{"email": '), 'bad_json');
    expectProblem('empty JSON', await post(''), 'bad_json');
    expectProblem('text/xml', await post('<login/>', 'text/xml'), 'unsupported_media_type');
    expectProblem('bad URL', await http('/api/%zz'), 'bad_request');
  });

  it('the login rate limit answers rate_limited with retryAfter (body and header)', async () => {
    const login = () => http('/api/agent/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@y.z', password: 'p' }) });
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await login());
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([401, 401, 401]);
    for (const a of answers.slice(0, 3)) expectProblem('wrong password', a, 'auth_failed');
    const body = expectProblem('4th login in a minute', answers[3]!, 'rate_limited');
    expect(body.retryAfter).toBeGreaterThan(0);
    expect(Number(answers[3]!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('the WebSocket endpoints: a plain GET, a refused origin and the upgrade rate limit', async () => {
    const origin = { origin: 'https://www.example.com' };
    expectProblem('plain GET /ws', await http('/ws', { headers: origin }), 'upgrade_required');
    expectProblem('plain GET /ws/agent', await http('/ws/agent', { headers: { origin: new URL(app.ajuda.svc.config.publicUrl).origin } }), 'upgrade_required');
    expectProblem('upgrade from another origin', await refusedUpgrade('/ws', 'https://evil.example'), 'origin_not_allowed');
    expectProblem('console upgrade from a host origin', await refusedUpgrade('/ws/agent', 'https://evil.example'), 'origin_not_allowed');
    // Three upgrade requests a minute per address in this config: two used on /ws above, then the limit.
    expectProblem('third upgrade', await refusedUpgrade('/ws', 'https://evil.example'), 'origin_not_allowed');
    const body = expectProblem('upgrade over the limit', await refusedUpgrade('/ws', 'https://evil.example'), 'rate_limited');
    expect(body.retryAfter).toBeGreaterThan(0);
  });

  it('requests the HTTP parser refuses: malformed, headers too large', async () => {
    expectProblem('malformed request line', await raw('NOT-HTTP\r\n\r\n'), 'bad_request');
    expectProblem('16 KiB header', await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 'headers_too_large');
  });
});

describe('a request failing in the store', () => {
  it('the store\'s typed busy error answers unavailable (503, retry), whatever the backend; a message mentioning a lock is internal', async () => {
    const { codeOf } = await import('../src/http/problem.ts');
    const { StoreBusy } = await import('@ajuda/db');
    expect(codeOf(new StoreBusy(new Error('locked')))).toBe('unavailable');
    expect(codeOf(new Error('database is locked'))).toBe('internal');
  });
});
