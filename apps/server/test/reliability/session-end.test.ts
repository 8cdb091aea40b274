import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { agent, TestClient, V } from '../client.ts';
import { reply } from './harness.ts';

const ADMIN = 'admin-token-0123456789abcdefghij'; // startTestStack's AJUDA_ADMIN_TOKEN
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

/** Wait for session.ended then the close; returns the reason, the close code and when it closed. */
async function ended(c: TestClient) {
  const f = await c.wait('session.ended', () => true, 10_000);
  const closed = await c.waitClose(5000);
  return { reason: f.reason, code: closed.code, at: performance.now() };
}

async function agentHello(cookieToken: string) {
  const c = await TestClient.connect(`${stack.wsUrl}/agent`, stack.url, { cookie: `ajuda_agent=${cookieToken}` });
  const r = await reply(c, { type: 'session.hello', v: V });
  const closed = r.type === 'error' ? await c.waitClose(5000) : null;
  c.close();
  return { type: r.type, code: r.code, close: closed?.code };
}

describe('session termination', () => {
  it('agent logout: both sockets of the session get session.ended and close within a second; the old cookie no longer connects', async () => {
    const a = await agent(stack, 'emma@ajuda.local');
    const second = await TestClient.connect(`${stack.wsUrl}/agent`, stack.url, { cookie: `ajuda_agent=${a.token}` });
    await second.request({ type: 'session.hello', v: V }, 'session.ready');
    const t0 = performance.now();
    const res = await fetch(`${stack.url}/api/agent/logout`, { method: 'POST', headers: { cookie: `ajuda_agent=${a.token}` } });
    expect(res.status).toBe(204);
    const [x, y] = await Promise.all([ended(a), ended(second)]);
    for (const e of [x, y]) {
      expect(e.reason).toBe('logout');
      expect(e.code).toBe(4003);
      expect(e.at - t0).toBeLessThan(1000);
    }
    expect(await agentHello(a.token)).toEqual({ type: 'error', code: 'auth_failed', close: 4001 });
    expect((await fetch(`${stack.url}/api/agent/me`, { headers: { cookie: `ajuda_agent=${a.token}` } })).status).toBe(401);
  });

  it('disabled agent: sockets get session.ended("disabled") within a second; neither the cookie nor a new login works', async () => {
    const a = await agent(stack, 'sofia@ajuda.local');
    const t0 = performance.now();
    const res = await fetch(`${stack.url}/api/admin/agents/ag_sofia/disable`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(204);
    const e = await ended(a);
    expect(e).toMatchObject({ reason: 'disabled', code: 4003 });
    expect(e.at - t0).toBeLessThan(1000);
    expect(await agentHello(a.token)).toEqual({ type: 'error', code: 'auth_failed', close: 4001 });
    const login = await fetch(`${stack.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'sofia@ajuda.local', password: 'ajuda-demo' }) });
    expect(login.status).toBe(401);
    // The admin endpoint itself refuses without the admin token.
    expect((await fetch(`${stack.url}/api/admin/agents/ag_joao/disable`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it('R1: an identity token expiring in ~2 s ends the session with session.ended("token_expired") within a second of exp; the same token cannot reconnect', async () => {
    const token = await stack.signIdentity({ sub: 'u_bruno', realm: 'acme' }, { expiresIn: '2s' });
    const exp = decodeJwt(token).exp! * 1000;
    const c = await TestClient.connect(stack.wsUrl, stack.url);
    await c.request({ type: 'session.hello', v: V, channel: 'platform', identityToken: token }, 'session.ready');
    const e = await ended(c);
    expect(e).toMatchObject({ reason: 'token_expired', code: 4003 });
    const lateMs = Date.now() - exp;
    expect(lateMs).toBeGreaterThanOrEqual(-50);
    expect(lateMs).toBeLessThan(1000);
    const again = await TestClient.connect(stack.wsUrl, stack.url);
    const r = await reply(again, { type: 'session.hello', v: V, channel: 'platform', identityToken: token });
    expect({ type: r.type, code: r.code }).toEqual({ type: 'error', code: 'token_expired' });
    expect((await again.waitClose(5000)).code).toBe(4001);
  });
});
