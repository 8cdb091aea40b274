import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, MAX_PAYLOAD_BYTES } from '@ajuda/protocol';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { GENERAL, idem, requester, TestClient, V } from './client.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

const ana = { sub: 'u_ana', realm: 'acme', name: 'Ana Souza', email: 'ana@acme.example', locale: 'pt', perms: ['support.grant'] };
const gina = { sub: 'u_gina', realm: 'globex', name: 'Gina Park', locale: 'en', perms: [] };

async function hello(frame: Record<string, unknown>) {
  const c = await TestClient.connect(stack.wsUrl, stack.url);
  c.send({ type: 'session.hello', v: V, ...frame });
  const first = await c.waitAny(() => true);
  return { c, first };
}

describe('gateway: bad input never crashes and gets a clear error', () => {
  it('answers invalid JSON, unknown types, wrong field types, binary, __proto__ keys and frames before hello with error frames; the socket stays usable', async () => {
    const c = await TestClient.connect(stack.wsUrl, stack.url);
    c.send({ type: 'ping' });
    expect((await c.wait('error')).code).toBe('hello_required');
    await c.request({ type: 'session.hello', v: V, channel: 'website' }, 'session.ready');
    const expectError = async (send: () => void, code: string) => {
      const from = c.frames.length;
      send();
      const f = await c.waitAny((x) => x.type === 'error', 5000, from);
      expect(f.type === 'error' && f.code).toBe(code);
    };
    await expectError(() => c.sendRaw('{not json'), 'bad_json');
    await expectError(() => c.send({ type: 'no.such.frame' }), 'unknown_type');
    await expectError(() => c.send({ type: 'message.send', conversationId: 42, clientMsgId: 'x', body: 'x' } as Record<string, unknown>), 'bad_frame');
    await expectError(() => c.sendRaw(Buffer.from([1, 2, 3]), true), 'binary_not_supported');
    await expectError(() => c.sendRaw('{"type":"conversation.list","__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}'.replace('conversation.list', 'nope')), 'unknown_type');
    await expectError(() => c.send({ type: 'message.send', conversationId: 'AJ-X', clientMsgId: 'x', body: 'x'.repeat(8001) }), 'body_too_long');
    await expectError(() => c.send({ type: 'session.hello', v: V, channel: 'website' }), 'already_authenticated');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still usable.
    expect((await c.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    const list = await c.request({ type: 'conversation.list', __proto__: { x: 1 } }, 'conversation.list.result');
    expect(list.conversations).toEqual([]);
    c.close();
  });

  it('closes a frame over maxPayload (64 KiB) with 1009 and keeps serving others', async () => {
    const c = await requester(stack);
    c.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(MAX_PAYLOAD_BYTES) }));
    expect((await c.waitClose()).code).toBe(CLOSE.tooBig);
    const d = await requester(stack);
    expect((await d.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    d.close();
  });

  it('refuses an unsupported protocol version', async () => {
    const { c, first } = await hello({ v: 999, channel: 'website' });
    expect(first.type === 'error' && first.code).toBe('unsupported_version');
    expect((await c.waitClose()).code).toBe(CLOSE.authFailed);
  });
});

describe('gateway: identity tokens (R1)', () => {
  const secret = new TextEncoder().encode('test-identity-secret-0123456789abcdef');

  it('R1: forged, expired, alg none, wrong-kid and altered tokens are refused', async () => {
    const wrongSecret = await new SignJWT({ realm: 'acme' }).setProtectedHeader({ alg: 'HS256', kid: 'test-1' }).setSubject('u_ana').setExpirationTime('5m').sign(new TextEncoder().encode('another-secret-0123456789abcdef0123'));
    const expired = await stack.signIdentity(ana, { expiresIn: Math.floor(Date.now() / 1000) - 120 });
    const none = new UnsecuredJWT({ realm: 'acme', sub: 'u_ana' }).setExpirationTime('5m').encode();
    const wrongKid = await new SignJWT({ realm: 'acme' }).setProtectedHeader({ alg: 'HS256', kid: 'nope' }).setSubject('u_ana').setExpirationTime('5m').sign(secret);
    const good = await stack.signIdentity(ana);
    const [h, p, s] = good.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const altered = [h, Buffer.from(JSON.stringify({ ...payload, realm: 'globex' })).toString('base64url'), s].join('.');
    const noExp = await new SignJWT({ realm: 'acme' }).setProtectedHeader({ alg: 'HS256', kid: 'test-1' }).setSubject('u_ana').sign(secret);
    const hs512 = await new SignJWT({ realm: 'acme' }).setProtectedHeader({ alg: 'HS512', kid: 'test-1' }).setSubject('u_ana').setExpirationTime('5m').sign(new TextEncoder().encode('test-identity-secret-0123456789abcdef'.repeat(2)));
    for (const [token, code] of [
      [wrongSecret, 'auth_failed'],
      [expired, 'token_expired'],
      [none, 'auth_failed'],
      [wrongKid, 'auth_failed'],
      [altered, 'auth_failed'],
      [noExp, 'auth_failed'],
      [hs512, 'auth_failed'],
      ['garbage', 'auth_failed'],
    ] as const) {
      const { c, first } = await hello({ channel: 'platform', identityToken: token });
      expect(first.type === 'error' && first.code, token.slice(0, 30)).toBe(code);
      expect((await c.waitClose()).code).toBe(CLOSE.authFailed);
    }
  });

  it('R1: the platform channel requires a verified identity; typed claims stay claims', async () => {
    const { first } = await hello({ channel: 'platform' });
    expect(first.type === 'error' && first.code).toBe('identity_required');
    const v = await requester(stack, { channel: 'website' });
    const ready = v.frames[0]!;
    expect(ready.type === 'session.ready' && ready.principal.kind).toBe('visitor');
    v.close();
  });

  it('R7a: a valid token for realm A never yields anything of realm B', async () => {
    const a = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(ana) });
    const g = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(gina) });
    const dir = await a.request({ type: 'realm.directory.get' }, 'realm.directory');
    expect(dir.pipelines.map((p) => p.key).sort()).toEqual(['CRM-CNT-03', 'INV-EXP-02', 'MIG-LEG-04', 'ORD-SYNC-01']);
    const gStarted = await g.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
    // Ana names Globex's pipeline: answered like a pipeline that does not exist.
    const answers = (key: string) => ({ question: 'q', logic: 'l', pipeline: { name: 'x', key }, environment: 'Prod' });
    const start = async (key: string) => {
      const e = await a.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'dev_question', answers: answers(key) }, 'error');
      return e.type === 'error' ? e.fields : null;
    };
    expect(await start('GLX-PAY-01')).toEqual(await start('NO-SUCH-KEY'));
    expect(await start('GLX-PAY-01')).toEqual({ pipeline: { code: 'pipeline_not_found', i18nKey: 'intake.error.pipeline_not_found' } });
    // Globex's conversation id is "not found", byte for byte like a missing id.
    const strip = (f: unknown) => JSON.stringify({ ...(f as object), ref: undefined });
    const other = await a.request({ type: 'session.resume', conversationId: gStarted.conversation.id, lastSeq: 0 }, 'error');
    const missing = await a.request({ type: 'session.resume', conversationId: 'AJ-000000000000', lastSeq: 0 }, 'error');
    expect(strip({ ...other, conversationId: 'X' })).toBe(strip({ ...missing, conversationId: 'X' }));
    expect(a.raw.join('\n')).not.toMatch(/GLX-PAY|Globex|globex/);
    a.close();
    g.close();
  });
});

describe('gateway: origins (cross-site WebSocket hijacking)', () => {
  it('refuses an upgrade from an origin outside the allow-list, Origin null or no Origin with 403 before the upgrade', async () => {
    for (const origin of ['http://evil.example', 'null', '']) {
      await expect(TestClient.connect(stack.wsUrl, origin)).rejects.toMatchObject({ status: 403 });
      await expect(TestClient.connect(`${stack.wsUrl}/agent`, origin)).rejects.toMatchObject({ status: 403 });
    }
    // A configured host origin may connect directly, for its channel only.
    const direct = await TestClient.connect(stack.wsUrl, stack.demoUrl);
    await direct.request({ type: 'session.hello', v: V, channel: 'website' }, 'session.ready');
    direct.close();
    // The agent endpoint does not accept host-page origins.
    await expect(TestClient.connect(`${stack.wsUrl}/agent`, stack.demoUrl)).rejects.toMatchObject({ status: 403 });
  });
});

describe('gateway: one principal per socket', () => {
  const helloFrames = async (a: Record<string, unknown>, b: Record<string, unknown>) => {
    const c = await TestClient.connect(stack.wsUrl, stack.url);
    // Both frames leave in the same tick: the first is still being verified when the second arrives.
    c.ws.send(JSON.stringify({ type: 'session.hello', v: V, ref: 'h1', ...a }));
    c.ws.send(JSON.stringify({ type: 'session.hello', v: V, ref: 'h2', ...b }));
    const replies = await Promise.all(['h1', 'h2'].map((ref) => c.waitAny((f) => 'ref' in f && f.ref === ref)));
    await c.request({ type: 'ping' }, 'pong');
    return { c, replies };
  };

  it('R7: two session.hello frames back to back: the first gets session.ready, the second already_authenticated, and the socket holds only the first principal', async () => {
    const hub = stack.app.ajuda.svc.hub;
    const anaToken = await stack.signIdentity(ana);
    const ginaToken = await stack.signIdentity(gina);
    const { c, replies } = await helloFrames({ channel: 'platform', identityToken: anaToken }, { channel: 'platform', identityToken: ginaToken });
    expect(replies.map((f) => (f.type === 'error' ? f.code : f.type))).toEqual(['session.ready', 'already_authenticated']);
    expect(c.frames.filter((f) => f.type === 'session.ready')).toHaveLength(1);
    const r = c.frames.find((f) => f.type === 'session.ready');
    expect(r?.type === 'session.ready' && r.principal.kind === 'realm_user' && r.principal.name).toBe('Ana Souza');
    // Only Ana's live topic carries this socket; nothing of Gina's reaches it.
    expect(hub.count('owner:u:globex:u_gina')).toBe(0);
    expect(hub.count('owner:u:acme:u_ana')).toBe(1);
    c.close();
    await c.waitClose();
    await new Promise((resolve) => setImmediate(resolve));
    expect(hub.count('owner:u:acme:u_ana')).toBe(0);
  });

  it('two visitor hellos back to back: one session.ready, one visitor, then already_authenticated', async () => {
    const { c, replies } = await helloFrames({ channel: 'website' }, { channel: 'website' });
    expect(replies.map((f) => (f.type === 'error' ? f.code : f.type))).toEqual(['session.ready', 'already_authenticated']);
    expect(c.frames.filter((f) => f.type === 'session.ready')).toHaveLength(1);
    c.close();
  });

  it('a frame sent while session.hello is still being verified is refused with hello_required, never run unauthenticated', async () => {
    const c = await TestClient.connect(stack.wsUrl, stack.url);
    c.ws.send(JSON.stringify({ type: 'session.hello', v: V, ref: 'h1', channel: 'platform', identityToken: await stack.signIdentity(ana) }));
    c.ws.send(JSON.stringify({ type: 'conversation.list', ref: 'l1' }));
    const list = await c.waitAny((f) => 'ref' in f && f.ref === 'l1');
    expect(list.type === 'error' && list.code).toBe('hello_required');
    await c.waitAny((f) => 'ref' in f && f.ref === 'h1' && f.type === 'session.ready');
    expect((await c.request({ type: 'conversation.list' }, 'conversation.list.result')).type).toBe('conversation.list.result');
    c.close();
  });
});
