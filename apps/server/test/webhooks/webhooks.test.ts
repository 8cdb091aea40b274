import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { apiStack, OPERATOR, type ApiStack } from '../api/helpers.ts';
import { receiver, type Receiver } from './receiver.ts';

type Payload = { type: string; timestamp: string; data: Record<string, unknown> };
const parse = (body: string) => JSON.parse(body) as Payload;

async function endpoint(s: ApiStack, url: string, events: string[] = []): Promise<{ id: string; secret: string }> {
  const r = await s.call('POST', '/api/v1/webhooks', OPERATOR, { url, events });
  if (r.statusCode !== 201) throw new Error(`webhook: ${r.statusCode} ${r.body}`);
  const j = r.json<{ endpoint: { id: string }; secret: string }>();
  return { id: j.endpoint.id, secret: j.secret };
}

describe('signed webhooks', () => {
  let s: ApiStack;
  let rx: Receiver;
  let escalations: Receiver;
  beforeAll(async () => {
    s = await apiStack({ AJUDA_WEBHOOK_ALLOW_PRIVATE: 'on' });
    rx = await receiver(204);
    escalations = await receiver(200);
  });
  afterAll(async () => {
    await s?.close();
    await rx?.close();
    await escalations?.close();
  });

  it('deliver the domain events to each endpoint that wants them, signed (Standard Webhooks), verified by the standardwebhooks package', async () => {
    const all = await endpoint(s, rx.url);
    const esc = await endpoint(s, escalations.url, ['escalation.created']);
    const id = await s.conversation();
    await s.app.webhooks.settle();
    const got = await rx.until(3);
    const verifier = new Webhook(all.secret);
    for (const g of got) {
      expect(g.headers['content-type']).toBe('application/json');
      expect(g.headers['webhook-id']).toMatch(/^msg_/);
      expect(g.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
      expect(verifier.verify(g.body, g.headers as Record<string, string>)).toEqual(JSON.parse(g.body));
      // Another secret does not verify it.
      expect(() => new Webhook(esc.secret).verify(g.body, g.headers as Record<string, string>)).toThrow();
    }
    const events = got.map((g) => parse(g.body));
    expect(events.find((e) => e.type === 'conversation.started')!.data).toMatchObject({ conversation: { id, status: expect.any(String) } });
    expect(events.find((e) => e.type === 'message.created' && (e.data.message as { body: string }).body === 'Hello, is anyone there?')!.data).toMatchObject({
      message: { conversationId: id, kind: 'text', sender: { role: 'requester' } },
    });
    expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(got.length);
    // The escalation endpoint asked for escalations only.
    expect(escalations.got).toHaveLength(0);
    const sys = await s.token(['conversations:write'], null);
    const n = rx.got.length;
    await s.call('POST', `/api/v1/conversations/${id}/notes`, sys, { body: 'hello hooks' });
    await s.app.webhooks.settle();
    expect(parse((await rx.until(n + 1))[n]!.body)).toMatchObject({ type: 'message.created', data: { message: { kind: 'note', body: 'hello hooks' } } });
    expect(escalations.got).toHaveLength(0);
    const log = (await s.call('GET', `/api/v1/webhooks/${all.id}/deliveries?status=delivered&limit=100`, OPERATOR)).json<{ deliveries: Array<{ status: string; attempts: number; lastStatus: number }> }>();
    expect(log.deliveries.length).toBeGreaterThanOrEqual(3);
    expect(log.deliveries.every((d) => d.attempts === 1 && d.lastStatus === 204)).toBe(true);
    await s.call('DELETE', `/api/v1/webhooks/${all.id}`, OPERATOR);
    await s.call('DELETE', `/api/v1/webhooks/${esc.id}`, OPERATOR);
  });

  it('while a secret rotates, each delivery carries two signatures: a receiver holding either secret verifies it', async () => {
    const e = await endpoint(s, rx.url, ['message.created']);
    const rotated = await s.call('POST', `/api/v1/webhooks/${e.id}/rotate-secret`, OPERATOR, { previousValidHours: 1 });
    expect(rotated.statusCode).toBe(200);
    const { secret, endpoint: ep } = rotated.json<{ secret: string; endpoint: { rotating: boolean } }>();
    expect(secret).not.toBe(e.secret);
    expect(ep.rotating).toBe(true);
    const from = rx.got.length;
    const id = await s.conversation();
    await s.app.webhooks.settle();
    const [g] = (await rx.until(from + 1)).slice(from);
    expect(String(g!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const key of [e.secret, secret]) expect(new Webhook(key).verify(g!.body, g!.headers as Record<string, string>)).toMatchObject({ type: 'message.created' });
    // After the overlap only the new secret signs.
    s.advance(2 * 3600_000);
    try {
      const sys = await s.token(['conversations:write'], null);
      const n = rx.got.length;
      await s.call('POST', `/api/v1/conversations/${id}/notes`, sys, { body: 'after the rotation' });
      await s.app.webhooks.settle();
      const last = (await rx.until(n + 1))[n]!;
      expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(1);
    } finally {
      s.advance(-2 * 3600_000);
    }
    await s.call('DELETE', `/api/v1/webhooks/${e.id}`, OPERATOR);
  });

  it('act on local events only: an event another process committed (remote) is not sent again from here', async () => {
    const e = await endpoint(s, rx.url, ['escalation.created']);
    const escalation = { id: 'esc_remote', conversationId: 'AJ-REMOTE', reason: 'other_engineer', description: 'd', environment: 'Prod', justification: 'j', source: 'api' as const, createdAt: new Date().toISOString() };
    await s.app.ajuda.svc.events.emit('escalation.created', { escalation }, { remote: true });
    await s.app.webhooks.settle();
    expect((await s.call('GET', `/api/v1/webhooks/${e.id}/deliveries`, OPERATOR)).json<{ deliveries: unknown[] }>().deliveries).toHaveLength(0);
    await s.app.ajuda.svc.events.emit('escalation.created', { escalation: { ...escalation, id: 'esc_local' } });
    await s.app.webhooks.settle();
    expect((await s.call('GET', `/api/v1/webhooks/${e.id}/deliveries`, OPERATOR)).json<{ deliveries: unknown[] }>().deliveries).toHaveLength(1);
    await s.call('DELETE', `/api/v1/webhooks/${e.id}`, OPERATOR);
  });

  it('refuse an endpoint URL on a private address unless AJUDA_WEBHOOK_ALLOW_PRIVATE=on', async () => {
    const cfg = s.app.ajuda.svc.config.webhooks;
    cfg.allowPrivate = false;
    try {
      for (const url of ['http://127.0.0.1:9/x', 'http://169.254.169.254/latest', 'http://10.0.0.1/x', 'http://[::1]/x', 'http://localhost/x'])
        expect((await s.call('POST', '/api/v1/webhooks', OPERATOR, { url })).json(), url).toMatchObject({ status: 400, code: 'bad_request', detail: expect.stringMatching(/url refused/) });
    } finally {
      cfg.allowPrivate = true;
    }
    expect((await s.call('POST', '/api/v1/webhooks', OPERATOR, { url: 'ftp://example.com/x' })).statusCode).toBe(400);
    const token = await s.token(['conversations:read', 'conversations:write'], null);
    expect((await s.call('GET', '/api/v1/webhooks', token)).statusCode).toBe(403);
  });
});

describe('webhook retries', () => {
  let s: ApiStack;
  let rx: Receiver;
  beforeAll(async () => {
    s = await apiStack({
      AJUDA_WEBHOOK_ALLOW_PRIVATE: 'on',
      AJUDA_WEBHOOK_RETRY_BASE_MS: '1000',
      AJUDA_WEBHOOK_RETRY_MAX_MS: '8000',
      AJUDA_WEBHOOK_MAX_ATTEMPTS: '6',
      AJUDA_WEBHOOK_DISABLE_AFTER_MS: '60000',
      AJUDA_WEBHOOK_POLL_MS: '3600000',
    }, { frozen: true });
    rx = await receiver(500);
  });
  afterAll(async () => {
    await s?.close();
    await rx?.close();
  });

  it('a failing receiver gets retries after growing delays (exponential, jittered, capped), then the delivery gives up; a long failure disables the endpoint; fixed, enabled and replayed, it is delivered', async () => {
    const e = await endpoint(s, rx.url, ['conversation.started']);
    await s.conversation();
    await s.app.webhooks.settle();
    const rows = async () => (await s.call('GET', `/api/v1/webhooks/${e.id}/deliveries?limit=100`, OPERATOR)).json<{ deliveries: Array<{ id: string; status: string; attempts: number; nextAttemptAt: string | null; lastAttemptAt: string | null }> }>().deliveries;
    const [first] = await rows();
    expect(first).toMatchObject({ status: 'pending', attempts: 1 });
    const delays: number[] = [];
    for (let attempt = 1; attempt < 6; attempt++) {
      const [row] = await rows();
      const wait = Date.parse(row!.nextAttemptAt!) - Date.parse(row!.lastAttemptAt!);
      delays.push(wait);
      // Not due a moment before its time: nothing is sent.
      const n = rx.got.length;
      s.advance(wait - 50);
      await s.app.webhooks.tick();
      expect(rx.got.length).toBe(n);
      s.advance(50);
      await s.app.webhooks.tick();
      expect(rx.got.length).toBe(n + 1);
    }
    // base · 2^(n-1), capped at 8 s, of which a random upper half.
    delays.forEach((d, i) => {
      const full = Math.min(8000, 1000 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(full / 2);
      expect(d).toBeLessThanOrEqual(full);
    });
    // Below the cap each wait is at least the one before (its lower bound is the previous upper bound).
    for (let i = 1; i < delays.length; i++) if (1000 * 2 ** i <= 8000) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!);
    const [gaveUp] = await rows();
    expect(gaveUp).toMatchObject({ status: 'failed', attempts: 6, nextAttemptAt: null });
    // Every attempt carried the same webhook-id.
    expect(new Set(rx.got.map((g) => g.headers['webhook-id']))).toEqual(new Set([gaveUp!.id]));
    const detail = (await s.call('GET', `/api/v1/webhooks/${e.id}/deliveries/${gaveUp!.id}`, OPERATOR)).json<{ attempts: Array<{ attempt: number; ok: boolean; statusCode: number; error: string }> }>();
    expect(detail.attempts.map((a) => [a.attempt, a.ok, a.statusCode])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, false, 500]));
    expect(detail.attempts[0]!.error).toBe('HTTP 500');

    // Failing for longer than AJUDA_WEBHOOK_DISABLE_AFTER_MS: the next failure disables the endpoint.
    s.advance(60_000);
    await s.conversation();
    await s.app.webhooks.settle();
    const ep = (await s.call('GET', `/api/v1/webhooks/${e.id}`, OPERATOR)).json<{ endpoint: { enabled: boolean; disabledReason: string; failingSince: string } }>().endpoint;
    expect(ep).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/^failing since .*HTTP 500/) });
    // Disabled: new events are not written for it, and nothing is sent.
    const before = (await rows()).length;
    const sent = rx.got.length;
    await s.conversation();
    await s.app.webhooks.settle();
    s.advance(3600_000);
    await s.app.webhooks.tick();
    expect((await rows()).length).toBe(before);
    expect(rx.got.length).toBe(sent);

    // Fixed, enabled again and replayed: delivered, with the same webhook-id.
    rx.status = 200;
    expect((await s.call('PATCH', `/api/v1/webhooks/${e.id}`, OPERATOR, { enabled: true })).json()).toMatchObject({ endpoint: { enabled: true, failingSince: null } });
    const replay = await s.call('POST', `/api/v1/webhooks/${e.id}/deliveries/${gaveUp!.id}/replay`, OPERATOR);
    expect(replay.statusCode).toBe(202);
    await s.app.webhooks.settle();
    await s.app.webhooks.tick();
    const done = (await rows()).find((r) => r.id === gaveUp!.id)!;
    expect(done).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(rx.got.at(-1)!.headers['webhook-id']).toBe(gaveUp!.id);
    expect((await s.call('POST', `/api/v1/webhooks/${e.id}/deliveries/msg_nope/replay`, OPERATOR)).statusCode).toBe(404);
    const audit = await s.app.ajuda.svc.store.testing.sql<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'webhook.%' ORDER BY id");
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['webhook.endpoint_created', 'webhook.endpoint_disabled', 'webhook.endpoint_updated', 'webhook.delivery_replayed']));
  });
});

describe('the webhook outbox across a restart', () => {
  let rx: Receiver;
  afterEach(async () => {
    await rx?.close();
  });

  it('rows written before a restart are delivered by the next server on the same database', async () => {
    rx = await receiver(503);
    const s = await apiStack({ AJUDA_WEBHOOK_ALLOW_PRIVATE: 'on', AJUDA_WEBHOOK_RETRY_BASE_MS: '20', AJUDA_WEBHOOK_RETRY_MAX_MS: '40', AJUDA_WEBHOOK_POLL_MS: '50', AJUDA_WEBHOOK_MAX_ATTEMPTS: '1000' });
    let next: Awaited<ReturnType<typeof buildApp>> | null = null;
    try {
      const e = await endpoint(s, rx.url, ['message.created', 'conversation.started']);
      await s.conversation();
      await s.conversation();
      await s.app.webhooks.settle();
      await rx.until(1);
      const ids = (await s.app.ajuda.svc.store.webhooks.listOutbox({ endpointId: e.id, limit: 100 })).map((r) => r.id);
      expect(ids.length).toBeGreaterThanOrEqual(4);
      await s.app.close();
      expect(rx.got.every((g) => ids.includes(String(g.headers['webhook-id'])))).toBe(true);
      // The receiver is back; a new server on the same database (a restart) delivers every row.
      rx.status = 204;
      const firstDelivered = rx.got.length;
      next = await buildApp(s.config, { seed: false, logger: false });
      const store = next.ajuda.svc.store;
      for (let i = 0; i < 200; i++) {
        const pending = (await store.webhooks.listOutbox({ endpointId: e.id, limit: 100 })).filter((r) => r.status !== 'delivered');
        if (!pending.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const after = await store.webhooks.listOutbox({ endpointId: e.id, limit: 100 });
      expect(after.map((r) => r.status)).toEqual(after.map(() => 'delivered'));
      const delivered = new Set(rx.got.slice(firstDelivered).map((g) => String(g.headers['webhook-id'])));
      for (const id of ids) expect(delivered.has(id), id).toBe(true);
    } finally {
      await next?.close();
      await s.close();
    }
  });
});
