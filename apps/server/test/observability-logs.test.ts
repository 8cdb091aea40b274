import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { AGENT_COOKIE } from '../src/http/routes.ts';
import { GENERAL, idem, TestClient, V } from './client.ts';

// Every credential and the intake answers a request carries, each a value no log line may hold.
const SECRET = {
  bearer: 'ajt_BEARERSECRET0001',
  cookie: 'as_COOKIESECRET0002',
  query: 'QUERYSECRET0003',
  password: 'PASSWORDSECRET0004',
  identity: 'eyJIDENTITYSECRET0005',
  visitor: 'vt_VISITORSECRET0006',
  api: 'ajt_APITOKENSECRET0007',
  answer: 'ANSWERSECRET0008 my card is 4111',
};

const lines: string[] = [];
const stream = { write: (s: string) => void lines.push(s) };
const root = mkdtempSync(join(tmpdir(), 'ajuda-logs-'));
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  const config = loadConfig({ AJUDA_DB_FILE: join(root, 'ajuda.db'), PORT: '0', LOG_LEVEL: 'trace', AJUDA_ORIGINS_WEBSITE: 'http://127.0.0.1' }, root);
  // A test's logger options (level, stream) are merged with the server's: the redaction stays.
  app = await buildApp(config, { seed: true, logger: { level: 'trace', stream } });
  // A handler that logs everything its request carried, as careless code would.
  app.post('/test/careless', async (req, reply) => {
    req.log.info({ req, headers: req.headers, query: req.query, body: req.body }, 'careless handler');
    return reply.send({ ok: true });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await app?.close();
  rmSync(root, { recursive: true, force: true, maxRetries: 5 });
});

const carrying = {
  authorization: `Bearer ${SECRET.bearer}`,
  cookie: `${AGENT_COOKIE}=${SECRET.cookie}; theme=dark`,
  'content-type': 'application/json',
};
const body = {
  email: 'emma@ajuda.local',
  password: SECRET.password,
  identityToken: SECRET.identity,
  visitorToken: SECRET.visitor,
  answers: { question: SECRET.answer },
  nested: { apiToken: SECRET.api, deeper: { token: SECRET.api } },
  note: 'kept as it is',
};

describe('logs', () => {
  it('a request carrying credentials and intake answers leaves none of them in any log line (redaction and the request serializer)', async () => {
    const from = lines.length;
    const res = await fetch(`${url}/test/careless?token=${SECRET.query}&page=2`, { method: 'POST', headers: carrying, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const out = lines.slice(from).join('');
    for (const [what, secret] of Object.entries(SECRET)) expect(out.includes(secret.split(' ')[0]!), `${what} leaked: ${out}`).toBe(false);
    const line = lines
      .slice(from)
      .map((l) => JSON.parse(l) as Record<string, any>)
      .find((l) => l.msg === 'careless handler')!;
    expect(line).toBeDefined();
    // What is not a credential stays readable.
    expect(line.req).toMatchObject({ method: 'POST', url: '/test/careless?token=[Redacted]&page=2' });
    expect(line.req.headers).toBeUndefined();
    expect(line.headers).toMatchObject({ authorization: '[Redacted]', cookie: '[Redacted]', 'content-type': 'application/json' });
    expect(line.query).toEqual({ token: '[Redacted]', page: '2' });
    expect(line.body).toMatchObject({ email: 'emma@ajuda.local', password: '[Redacted]', identityToken: '[Redacted]', visitorToken: '[Redacted]', answers: '[Redacted]', note: 'kept as it is' });
    expect(line.body.nested).toEqual({ apiToken: '[Redacted]', deeper: { token: '[Redacted]' } });
  });

  it('the server\'s own error lines for a failed request and a failed frame carry none of them either', async () => {
    const store = app.ajuda.svc.store;
    // A WebSocket requester with a visitor token, then every commit fails.
    const ws = await TestClient.connect(`${url.replace('http', 'ws')}/ws`, 'http://127.0.0.1', { authorization: `Bearer ${SECRET.bearer}`, cookie: `${AGENT_COOKIE}=${SECRET.cookie}` });
    await ws.request({ type: 'session.hello', v: V, channel: 'website', visitorToken: SECRET.visitor }, 'session.ready');
    const from = lines.length;
    store.testing.beforeCommit = () => {
      throw new Error('the disk is gone');
    };
    try {
      const login = await fetch(`${url}/api/agent/login?token=${SECRET.query}`, { method: 'POST', headers: carrying, body: JSON.stringify({ email: 'emma@ajuda.local', password: 'ajuda-demo' }) });
      expect(login.status).toBe(500);
      const start = await ws.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: { ...GENERAL(SECRET.answer) } }, 'error');
      expect(start.type === 'error' && start.code).toBe('internal');
    } finally {
      store.testing.beforeCommit = null;
      ws.close();
    }
    const mine = lines.slice(from).map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['request failed', 'frame handler failed']));
    const out = lines.slice(from).join('');
    for (const [what, secret] of Object.entries(SECRET)) expect(out.includes(secret.split(' ')[0]!), `${what} leaked: ${out}`).toBe(false);
  });
});
