import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { GENERAL, idem, requester, TestClient, V } from '../client.ts';
import { reply } from './harness.ts';

const SECRET = 'test-identity-secret-0123456789abcdef'; // startTestStack's key "test-1"
let stack: TestStack;
/** The server's clock runs `skewMs` ahead of real time (tokens are signed in real time). */
let skewMs = 0;
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false, now: () => new Date(Date.now() + skewMs) });
});
afterAll(async () => {
  await stack?.close();
});

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'test-1', ...header } as { alg: string }).sign(new TextEncoder().encode(secret));

/** Hello with a token: the server's reply and how the socket ended. */
async function hello(token: string) {
  const c = await TestClient.connect(stack.wsUrl, stack.url);
  const r = await reply(c, { type: 'session.hello', v: V, channel: 'platform', identityToken: token });
  const closed = r.type === 'error' ? await c.waitClose(5000) : null;
  if (!closed) c.close();
  return { r, closed, raw: c.raw.join('\n') };
}

describe('identity token forgery', () => {
  it('R1: expired, alg none, unknown kid, wrong secret, HS512, altered claims, missing exp/realm — all refused with auth_failed/token_expired and close 4001', async () => {
    const good = { sub: 'u_ana', realm: 'acme', perms: ['support.grant'], exp: nowS() + 600 };
    const valid = await sign(good);
    const [h, , s] = valid.split('.');
    const forged: Record<string, string> = {
      expired: await sign({ ...good, exp: nowS() - 3600 }),
      algNone: `${b64({ alg: 'none', typ: 'JWT', kid: 'test-1' })}.${b64(good)}.`,
      algNoneWithSig: `${b64({ alg: 'none', kid: 'test-1' })}.${b64(good)}.${s}`,
      unknownKid: await sign(good, { kid: 'test-2' }),
      noKid: await sign(good, { kid: undefined }),
      wrongSecret: await sign(good, {}, 'another-secret-0123456789abcdef-xyz'),
      hs512: await sign(good, { alg: 'HS512' }),
      alteredRealm: `${h}.${b64({ ...good, realm: 'globex' })}.${s}`,
      alteredPerms: `${h}.${b64({ ...good, sub: 'u_bruno' })}.${s}`,
      alteredExp: `${h}.${b64({ ...good, exp: good.exp + 86400 })}.${s}`,
      missingExp: await sign({ sub: 'u_ana', realm: 'acme' }),
      missingRealm: await sign({ sub: 'u_ana', exp: nowS() + 600 }),
      notAJwt: 'hello.world',
      empty: '..',
    };
    for (const [name, token] of Object.entries(forged)) {
      const { r, closed, raw } = await hello(token);
      expect({ name, type: r.type, code: r.code, close: closed?.code }).toEqual({ name, type: 'error', code: name === 'expired' ? 'token_expired' : 'auth_failed', close: 4001 });
      expect(raw).not.toContain('session.ready');
    }
    // Control: the untouched token is accepted.
    expect((await hello(valid)).r.type).toBe('session.ready');
  });

  it('R1: a token replayed after its expiry is refused (no grace window past exp)', async () => {
    const exp = nowS() + 60;
    const token = await sign({ sub: 'u_ana', realm: 'acme', exp });
    expect((await hello(token)).r.type).toBe('session.ready');
    try {
      // One second past exp on the server's clock.
      skewMs = (exp + 1) * 1000 - Date.now();
      const late = await hello(token);
      expect({ type: late.r.type, code: late.r.code }).toEqual({ type: 'error', code: 'token_expired' });
      skewMs = (exp + 3600) * 1000 - Date.now();
      expect((await hello(token)).r.code).toBe('token_expired');
    } finally {
      skewMs = 0;
    }
  });

  it('R7a: a realm-A token asking for realm-B data gets only A, and B\'s ids answer like missing ones', async () => {
    const gina = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_gina', realm: 'globex' }) });
    const gConv = (await gina.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started')).conversation.id;
    const ana = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_ana', realm: 'acme', locale: 'en' }) });
    const dir = await reply(ana, { type: 'realm.directory.get' });
    expect(dir.type).toBe('realm.directory');
    expect((dir as unknown as { pipelines: Array<{ id: string }> }).pipelines.map((p) => p.id).sort()).toEqual(['pl_crm', 'pl_invoices', 'pl_migration', 'pl_orders']);
    const foreign = await reply(ana, { type: 'session.resume', conversationId: gConv, lastSeq: 0 });
    const missing = await reply(ana, { type: 'session.resume', conversationId: 'AJ-000000000000', lastSeq: 0 });
    expect({ ...foreign, ref: 0, conversationId: 0 }).toEqual({ ...missing, ref: 0, conversationId: 0 });
    expect(foreign.code).toBe('not_found');
    // A globex pipeline key in an acme intake is "not found", exactly like a key that exists nowhere.
    const intake = (key: string) => ({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'dev_question', answers: { question: 'q', logic: 'l', pipeline: { name: 'x', key }, environment: 'Prod' } });
    const a = await reply(ana, intake('GLX-PAY-01'));
    const b = await reply(ana, intake('NOPE-00-00'));
    const invalid = () => ana.frames.filter((f) => f.type === 'error' && f.code === 'intake_invalid').map((f) => ({ ...f, ref: 0, conversationId: 0 }));
    expect(a.type).toBe('conversation.started');
    expect(b.type).toBe('conversation.started');
    // Each start's intake refusal follows its `conversation.started`.
    await vi.waitFor(() => expect(invalid()).toHaveLength(2));
    const errs = invalid();
    expect(errs[0]).toEqual(errs[1]);
    expect(ana.raw.join('\n')).not.toMatch(/globex|GLX-|Payments bridge|u_gina/i);
    gina.close();
    ana.close();
  });
});
