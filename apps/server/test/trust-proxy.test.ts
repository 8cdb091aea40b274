import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTrustProxy } from '../src/config.ts';
import { startTestStack, type TestStack } from '../src/testing.ts';

// Two clients behind one load balancer: every request reaches the server from the balancer's
// address, and only X-Forwarded-For tells them apart.
const login = (stack: TestStack, xff: string) =>
  stack.app.inject({
    method: 'POST',
    url: '/api/agent/login',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
    payload: { email: 'nobody@example.test', password: 'wrong-password' },
  });

let stack: TestStack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

describe('AJUDA_TRUST_PROXY', () => {
  it('parses unset/false, true, a hop count and a list of addresses or CIDRs; refuses anything else', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 127.0.0.1,::1, fd00::/8, loopback')).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'loopback']);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(ConfigError);
    expect(() => parseTrustProxy('proxy.internal')).toThrow(ConfigError);
    expect(loadConfig({ AJUDA_DB_FILE: ':memory:', AJUDA_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ AJUDA_DB_FILE: ':memory:' }).trustProxy).toBe(false);
  });

  it('set: two clients behind the balancer (different X-Forwarded-For) get separate login buckets', async () => {
    stack = await startTestStack({ AJUDA_TRUST_PROXY: '127.0.0.1', AJUDA_LOGIN_PER_MINUTE: '2' }, { demo: false });
    const s = stack;
    const a = [await login(s, '203.0.113.10'), await login(s, '203.0.113.10'), await login(s, '203.0.113.10')];
    expect(a.map((r) => r.statusCode)).toEqual([401, 401, 429]);
    // The other client is not slowed by the first one's failures.
    expect((await login(s, '203.0.113.20')).statusCode).toBe(401);
  });

  it('unset: the header is ignored — every request is the balancer, one bucket', async () => {
    stack = await startTestStack({ AJUDA_LOGIN_PER_MINUTE: '2' }, { demo: false });
    const s = stack;
    const codes = [(await login(s, '203.0.113.10')).statusCode, (await login(s, '203.0.113.11')).statusCode, (await login(s, '203.0.113.12')).statusCode];
    expect(codes).toEqual([401, 401, 429]);
  });
});

describe('AJUDA_TRUST_PROXY as a hop count', () => {
  it('1 hop: the address the balancer forwarded is the client', async () => {
    stack = await startTestStack({ AJUDA_TRUST_PROXY: '1', AJUDA_LOGIN_PER_MINUTE: '1' }, { demo: false });
    const s = stack;
    expect([(await login(s, '198.51.100.1')).statusCode, (await login(s, '198.51.100.1')).statusCode]).toEqual([401, 429]);
    expect((await login(s, '198.51.100.2')).statusCode).toBe(401);
  });
});
