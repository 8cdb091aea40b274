import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientFrame, ServerFrame } from '@ajuda/protocol';
import { schema } from '@ajuda/db';
import { ConfigError, loadConfig } from '../src/config.ts';
import { frameType, Metrics, parseListenAddress, redactUrl } from '../src/observability/index.ts';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { agent, GENERAL, idem, requester } from './client.ts';
import { parseExposition, type Exposition } from './observability-metrics.ts';

const TOKEN = 'metrics-token-0123456789abcdef';
const MIGRATIONS_TABLE = process.env.AJUDA_STORE === 'pg' ? 'drizzle.__drizzle_migrations' : '__drizzle_migrations';

let stack: TestStack;
/** The server's clock: the test moves it (first response, SLA breaches). */
let now = Date.parse('2026-03-02T09:00:00.000Z');
const advance = (ms: number) => void (now += ms);

beforeAll(async () => {
  stack = await startTestStack(
    { AJUDA_METRICS_ADDR: '127.0.0.1:0', AJUDA_METRICS_TOKEN: TOKEN, AJUDA_SLA_TICK_MS: '200', AJUDA_FRAMES_PER_SECOND: '500', AJUDA_FRAME_BURST: '500' },
    { demo: false, now: () => new Date(now) },
  );
});
afterAll(async () => {
  await stack?.close();
});

const metricsUrl = () => {
  const a = stack.app.ajuda.svc.metrics.address!;
  return `http://${a.host}:${a.port}/metrics`;
};
async function scrape(): Promise<Exposition> {
  const res = await fetch(metricsUrl(), { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}
/** Scrape until `ok` holds (a counter fed by a background read or the SLA ticker), at most ~10 s. */
async function scrapeUntil(ok: (e: Exposition) => boolean): Promise<Exposition> {
  for (let i = 0; ; i++) {
    const e = await scrape();
    if (ok(e) || i >= 100) return e;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('metrics listener', () => {
  it('is its own listener: the bearer token is required, only GET /metrics is served, and the main listener has no /metrics', async () => {
    const bare = await fetch(metricsUrl());
    expect(bare.status).toBe(401);
    expect(bare.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await bare.json()).code).toBe('auth_failed');
    const wrong = await fetch(metricsUrl(), { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const other = await fetch(metricsUrl().replace('/metrics', '/other'), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(other.status).toBe(404);
    expect((await other.json()).code).toBe('not_found');
    const main = await fetch(`${stack.url}/metrics`);
    expect(main.status).toBe(404);
    const e = await scrape();
    expect(e.types.get('ajuda_http_request_duration_seconds')).toBe('histogram');
    expect(e.types.get('ajuda_ws_frames_received_total')).toBe('counter');
    expect(e.types.get('ajuda_conversations_open')).toBe('gauge');
    // The process's own metrics come along.
    expect(e.types.get('process_cpu_user_seconds_total')).toBe('counter');
  });

  it('counters move with a scripted conversation (start, agent reply, resolve), and the gauges read what is open', async () => {
    const before = await scrape();
    const r = await requester(stack, { locale: 'en' });
    const a = await agent(stack, 'emma@ajuda.local');
    // Started, then the intake answered 30 s later: the queue time starts there, not at the start.
    const started = await r.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en' }, 'conversation.started');
    const id = started.conversation.id;
    advance(30_000);
    await r.request({ type: 'intake.submit', conversationId: id, answers: GENERAL() }, 'conversation.updated');
    await r.request({ type: 'message.send', conversationId: id, clientMsgId: 'q-1', body: 'Hello, anyone?' }, 'message.ack');
    const queued = await scrapeUntil((e) => e.sum('ajuda_conversations_open', { status: 'queued' }) + e.sum('ajuda_conversations_open', { status: 'assigned' }) >= 1);
    const snap = await a.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    const priority = snap.conversation.priority ?? 'none';
    const status = snap.conversation.status;
    expect(queued.get('ajuda_conversations_open', { status, queue: snap.conversation.queue, priority })).toBeGreaterThanOrEqual(1);
    expect(queued.get('ajuda_ws_sockets_open', { role: 'requester' })).toBe(1);
    expect(queued.get('ajuda_ws_sockets_open', { role: 'agent' })).toBe(1);

    // The agent answers 90 s (on the server's clock) after the conversation entered the queue.
    advance(90_000);
    await a.request({ type: 'message.send', conversationId: id, clientMsgId: 'a-1', body: 'Hi! Looking at it.' }, 'message.ack');
    await r.wait('message.created', (f) => f.message.conversationId === id && f.message.body === 'Hi! Looking at it.');
    await a.request({ type: 'conversation.resolve', conversationId: id }, 'agent.conversation.updated');
    await r.wait('feedback.requested', (f) => f.conversationId === id);

    const openNow = (e: Exposition) => e.get('ajuda_conversations_open', { status, queue: snap.conversation.queue, priority }) ?? 0;
    const after = await scrapeUntil(
      (e) => e.sum('ajuda_first_response_seconds_count') > before.sum('ajuda_first_response_seconds_count') && openNow(e) === openNow(queued) - 1,
    );
    const d = (name: string, m: Record<string, string> = {}) => after.sum(name, m) - before.sum(name, m);
    expect(d('ajuda_conversations_started_total')).toBe(1);
    expect(d('ajuda_messages_created_total', { kind: 'text', from: 'requester' })).toBe(1);
    expect(d('ajuda_messages_created_total', { kind: 'text', from: 'agent' })).toBe(1);
    expect(d('ajuda_messages_created_total', { kind: 'system', from: 'system' })).toBeGreaterThanOrEqual(1);
    // First response: one observation of exactly 90 s, under the conversation's priority.
    expect(d('ajuda_first_response_seconds_count', { priority })).toBe(1);
    expect(d('ajuda_first_response_seconds_sum', { priority })).toBe(90);
    expect(d('ajuda_first_response_seconds_bucket', { priority, le: '60' })).toBe(0);
    expect(d('ajuda_first_response_seconds_bucket', { priority, le: '120' })).toBe(1);
    // Frames by type, both ways.
    expect(d('ajuda_ws_frames_received_total', { type: 'conversation.start' })).toBe(1);
    expect(d('ajuda_ws_frames_received_total', { type: 'intake.submit' })).toBe(1);
    expect(d('ajuda_ws_frames_received_total', { type: 'message.send' })).toBe(2);
    expect(d('ajuda_ws_frames_received_total', { type: 'conversation.resolve' })).toBe(1);
    expect(d('ajuda_ws_frames_sent_total', { type: 'message.ack' })).toBe(2);
    expect(d('ajuda_ws_frames_sent_total', { type: 'feedback.requested' })).toBe(1);
    expect(d('ajuda_ws_frames_sent_total', { type: 'session.ready' })).toBe(2);
    // HTTP by route template: the agent's login.
    expect(d('ajuda_http_request_duration_seconds_count', { method: 'POST', route: '/api/agent/login', status_class: '2xx' })).toBe(1);
    // The store's commits.
    const backend = process.env.AJUDA_STORE === 'pg' ? 'postgres' : 'sqlite';
    expect(d('ajuda_store_commit_seconds_count', { backend })).toBeGreaterThan(0);
    expect(d('ajuda_store_writes_total', { backend })).toBeGreaterThanOrEqual(d('ajuda_store_commit_seconds_count', { backend }));
    // Resolved: no longer open (its series stays, at 0).
    expect(after.get('ajuda_conversations_open', { status, queue: snap.conversation.queue, priority })).toBe(openNow(queued) - 1);
    r.close();
    a.close();
  });

  it('labels are route templates and bounded names: no conversation, agent, visitor or realm id and no raw URL in any label', async () => {
    const admin = { authorization: `Bearer ${stack.config.adminToken}` };
    // A route with an id in its path, and a path that matches no route.
    const disable = await fetch(`${stack.url}/api/admin/agents/ag_nobody_0123/disable`, { method: 'POST', headers: admin });
    expect(disable.status).toBe(404);
    expect((await fetch(`${stack.url}/api/nothing/AJ-ZZZZZZZZZZZZ?x=1`)).status).toBe(404);
    const r = await requester(stack, { locale: 'en' });
    const visitorToken = (r.frames.find((f) => f.type === 'session.ready') as { visitorToken?: string }).visitorToken!;
    const c = await r.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL() }, 'conversation.started');
    const e = await scrape();
    expect(e.sum('ajuda_http_request_duration_seconds_count', { method: 'POST', route: '/api/admin/agents/:id/disable', status_class: '4xx' })).toBe(1);
    expect(e.sum('ajuda_http_request_duration_seconds_count', { route: 'unmatched', status_class: '4xx' })).toBeGreaterThanOrEqual(1);

    const ids = [c.conversation.id, visitorToken, 'ag_emma', 'ag_lea', 'ag_nobody_0123', 'AJ-ZZZZZZZZZZZZ', 'acme', ...(await stack.app.ajuda.svc.store.listAgents()).map((x) => x.id)];
    const allowed: Record<string, (v: string) => boolean> = {
      method: (v) => ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'other'].includes(v),
      route: (v) => v === 'unmatched' || (v.startsWith('/') && !v.includes('?')),
      status_class: (v) => /^[1-5]xx$|^none$/.test(v),
      role: (v) => v === 'requester' || v === 'agent',
      type: (v) => v === 'unknown' || ClientFrame.options.some((o) => o.shape.type.value === v) || ServerFrame.options.some((o) => o.shape.type.value === v),
      kind: (v) => ['text', 'note', 'system'].includes(v),
      from: (v) => ['requester', 'agent', 'system', 'other'].includes(v),
      status: (v) => ['intake', 'queued', 'assigned'].includes(v),
      queue: (v) => (schema.conversations.queue.enumValues as readonly string[]).includes(v),
      priority: (v) => /^P[1-4]$|^none$/.test(v),
      clock: (v) => ['first_response', 'next_response', 'resolution'].includes(v),
      backend: (v) => v === 'sqlite' || v === 'postgres',
      source: (v) => ['widget', 'email', 'api'].includes(v),
      result: (v) => ['delivered', 'failed', 'gave_up'].includes(v),
    };
    let checked = 0;
    for (const s of e.samples) {
      for (const [label, value] of Object.entries(s.labels)) {
        for (const id of ids) expect(value.includes(id), `${s.name}{${label}="${value}"} holds the id ${id}`).toBe(false);
        if (s.name.startsWith('ajuda_') && label !== 'le') {
          expect(allowed[label], `${s.name}: label ${label} has no allow-list in this test`).toBeDefined();
          expect(allowed[label]!(value), `${s.name}{${label}="${value}"}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    r.close();
  });

  it('every metric is in the operations guide, with its labels, and the guide lists none that does not exist', async () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/operations.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Metrics (their own listener)'), doc.indexOf('### Logs'));
    const rows = new Map([...section.matchAll(/^\| `(ajuda_[a-z_]+)` \| (\w+) \| ([^|]*) \|/gm)].map((m) => [m[1]!, { type: m[2]!, labels: m[3]! }]));
    const e = await scrape();
    const families = [...e.types.entries()].filter(([name]) => name.startsWith('ajuda_'));
    expect(families.length).toBeGreaterThan(10);
    for (const [name, type] of families) {
      expect(rows.get(name), `${name} is not in docs/operations.md`).toBeDefined();
      expect(rows.get(name)!.type).toBe(type);
      const labels = new Set(e.samples.filter((x) => x.name === name || x.name.startsWith(`${name}_`)).flatMap((x) => Object.keys(x.labels)).filter((l) => l !== 'le'));
      for (const l of labels) expect(rows.get(name)!.labels, `${name}: label ${l} undocumented`).toContain(`\`${l}\``);
    }
    expect([...rows.keys()].filter((n) => !e.types.has(n))).toEqual([]);
  });

  it('webhook hooks: the outbox depth is read on each scrape, delivery results are counted by result and status class', async () => {
    const m = stack.app.ajuda.svc.metrics;
    expect((await scrape()).get('ajuda_webhook_outbox_depth')).toBe(0);
    let depth = 7;
    m.outboxDepth(async () => depth);
    m.webhookResult('delivered', 204);
    m.webhookResult('failed', 503);
    m.webhookResult('failed', null);
    const e = await scrape();
    expect(e.get('ajuda_webhook_outbox_depth')).toBe(7);
    expect(e.get('ajuda_webhook_deliveries_total', { result: 'delivered', status_class: '2xx' })).toBe(1);
    expect(e.get('ajuda_webhook_deliveries_total', { result: 'failed', status_class: '5xx' })).toBe(1);
    expect(e.get('ajuda_webhook_deliveries_total', { result: 'failed', status_class: 'none' })).toBe(1);
    depth = 0;
    expect((await scrape()).get('ajuda_webhook_outbox_depth')).toBe(0);
  });

  // Last: it moves the clock days ahead (agents' sessions expire).
  it('SLA breaches are counted by clock, once per conversation and clock', async () => {
    const r = await requester(stack, { locale: 'en' });
    const before = await scrape();
    await r.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL() }, 'conversation.started');
    advance(3 * 86_400_000);
    const e = await scrapeUntil((x) => x.sum('ajuda_sla_breaches_total', { clock: 'first_response' }) > before.sum('ajuda_sla_breaches_total', { clock: 'first_response' }));
    expect(e.sum('ajuda_sla_breaches_total', { clock: 'first_response' }) - before.sum('ajuda_sla_breaches_total', { clock: 'first_response' })).toBeGreaterThanOrEqual(1);
    r.close();
  }, 30_000);
});

describe('probes', () => {
  it('/livez answers 200; /readyz answers 200 with its checks, and /healthz is as it was', async () => {
    const live = await fetch(`${stack.url}/livez`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'alive' }]);
    const ready = await fetch(`${stack.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { draining: false, database: 'writable', migrations: 'applied' } });
    expect((await (await fetch(`${stack.url}/healthz`)).json()).status).toBe('ok');
  });

  it('/readyz is 503 problem+json while a migration the release ships is not applied, and 200 once it is', async () => {
    const store = stack.app.ajuda.svc.store;
    const [last] = await store.testing.sql<{ hash: string; created_at: string | number }>(`SELECT hash, created_at FROM ${MIGRATIONS_TABLE} ORDER BY created_at DESC LIMIT 1`);
    await store.testing.sql(`DELETE FROM ${MIGRATIONS_TABLE} WHERE created_at = ?`, Number(last!.created_at));
    try {
      const res = await fetch(`${stack.url}/readyz`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = await res.json();
      expect(body).toMatchObject({ code: 'unavailable', status: 503, checks: { draining: false, database: 'writable', migrations: '1 pending' } });
      expect(body.detail).toMatch(/1 database migration\(s\) not applied: run `ajuda migrate`/);
      // Alive all the same: nothing to restart.
      expect((await fetch(`${stack.url}/livez`)).status).toBe(200);
    } finally {
      await store.testing.sql(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES (?, ?)`, last!.hash, Number(last!.created_at));
    }
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(200);
  });

  it.skipIf(process.env.AJUDA_STORE === 'pg')('/readyz is 503 while the database refuses writes (SQLite: a commit failed on a lock held elsewhere), 200 again once it takes them', async () => {
    const s = await startTestStack({ AJUDA_BUSY_TIMEOUT_MS: '50' }, { demo: false });
    try {
      const release = await s.app.ajuda.svc.store.testing.holdWriteLock();
      try {
        await expect(s.app.ajuda.svc.store.insertVisitor('v-x', 'h-x', new Date().toISOString())).rejects.toThrow();
        const res = await fetch(`${s.url}/readyz`);
        expect(res.status).toBe(503);
        const body = await res.json();
        expect(body.checks).toMatchObject({ database: 'not writable' });
        expect(body.detail).toMatch(/not writable: the last commit failed: SQLITE_BUSY/);
      } finally {
        await release();
      }
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('while draining: /readyz is 503 problem+json, /livez still 200, every other request 503 problem+json; sockets are told after the drain began', async () => {
    const s = await startTestStack({}, { demo: false });
    const r = await requester(s, { locale: 'en' });
    const gateway = s.app.ajuda.gateway;
    // Hold the drain at the moment the sockets would be told, to look at the probes meanwhile.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const atShutdown = new Promise<void>((resolve) => (reached = resolve));
    const shutdown = gateway.shutdown.bind(gateway);
    gateway.shutdown = async (graceMs?: number) => {
      reached();
      await held;
      return shutdown(graceMs);
    };
    const closing = s.close();
    try {
      await atShutdown;
      const ready = await fetch(`${s.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await ready.json()).toMatchObject({ code: 'unavailable', detail: 'shutting down: this process is draining', checks: { draining: true } });
      const live = await fetch(`${s.url}/livez`);
      expect(live.status).toBe(200);
      for (const [method, path] of [['GET', '/healthz'], ['GET', '/api/agent/me'], ['POST', '/api/agent/login']] as const) {
        const res = await fetch(`${s.url}${path}`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
        expect([path, res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([path, 503, 'application/problem+json']);
        expect((await res.json()).code).toBe('unavailable');
      }
      // The socket is still open: it is told (session.ended shutdown) only now.
      expect(r.frames.some((f) => f.type === 'session.ended')).toBe(false);
    } finally {
      release();
      await closing;
    }
    expect(r.frames.filter((f) => f.type === 'session.ended')).toEqual([{ type: 'session.ended', reason: 'shutdown' }]);
  });
});

describe('observability pieces', () => {
  it('AJUDA_METRICS_ADDR / AJUDA_METRICS_TOKEN: parsed, refused when malformed, off by default', () => {
    const base = { AJUDA_DB_FILE: ':memory:' };
    expect(loadConfig(base).metrics).toBeNull();
    expect(loadConfig({ ...base, AJUDA_METRICS_ADDR: '127.0.0.1:9464' }).metrics).toEqual({ host: '127.0.0.1', port: 9464, token: null });
    expect(loadConfig({ ...base, AJUDA_METRICS_ADDR: '[::1]:9464', AJUDA_METRICS_TOKEN: TOKEN }).metrics).toEqual({ host: '::1', port: 9464, token: TOKEN });
    expect(parseListenAddress('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    for (const bad of ['9464', '127.0.0.1', '127.0.0.1:99999', '[nope]:1', 'http://127.0.0.1:9464'])
      expect(() => loadConfig({ ...base, AJUDA_METRICS_ADDR: bad }), bad).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, AJUDA_METRICS_TOKEN: TOKEN })).toThrow(/AJUDA_METRICS_TOKEN is set but AJUDA_METRICS_ADDR is not/);
    expect(() => loadConfig({ ...base, AJUDA_METRICS_ADDR: '127.0.0.1:9464', AJUDA_METRICS_TOKEN: 'short' })).toThrow(ConfigError);
  });

  it('a metric labelled by an id is refused at registration; names are ajuda_…', () => {
    const m = new Metrics();
    for (const label of ['conversationId', 'agent_id', 'id', 'realm', 'visitor', 'user'])
      expect(() => m.counter('ajuda_things_total', 'x', [label]), label).toThrow(/would hold an id/);
    expect(() => m.counter('things_total', 'x')).toThrow(/names are ajuda_/);
    expect(() => m.counter('ajuda_things', 'x')).toThrow(/ends with _total/);
    expect(m.counter('ajuda_things_total', 'Things, by kind.', ['kind'])).toBeDefined();
  });

  it('frame types are read cheaply and bounded to the protocol', () => {
    const known = new Set(['message.send', 'ping']);
    expect(frameType('{"type":"message.send","body":"x"}', known)).toBe('message.send');
    expect(frameType('{"ref":"r1", "type" : "ping"}', known)).toBe('ping');
    expect(frameType('{"type":"AJ-12345"}', known)).toBe('unknown');
    expect(frameType('not json', known)).toBe('unknown');
  });

  it('credentials in a logged URL are masked, the rest kept', () => {
    expect(redactUrl('/api/x?token=abc&page=2&identityToken=eyJ&api_key=k')).toBe('/api/x?token=[Redacted]&page=2&identityToken=[Redacted]&api_key=[Redacted]');
    expect(redactUrl('/api/x')).toBe('/api/x');
  });
});
