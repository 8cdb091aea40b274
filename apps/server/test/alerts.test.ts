import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_PREFS, type AlertPrefs } from '@ajuda/protocol';
import { startTestStack, type TestStack } from '../src/testing.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

async function login(email: string): Promise<string> {
  const res = await stack.app.inject({ method: 'POST', url: '/api/agent/login', payload: { email, password: 'ajuda-demo' } });
  expect(res.statusCode).toBe(200);
  const c = res.cookies.find((x) => x.name === 'ajuda_agent')!;
  return `ajuda_agent=${c.value}`;
}
const get = (cookie?: string) => stack.app.inject({ method: 'GET', url: '/api/agent/alerts', headers: cookie ? { cookie } : {} });
const put = (cookie: string | undefined, payload: unknown) =>
  stack.app.inject({ method: 'PUT', url: '/api/agent/alerts', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, payload: JSON.stringify(payload) });

describe('alert preferences over HTTP (/api/agent/alerts)', () => {
  it('answers the defaults until saved, then what this agent saved (and only to them)', async () => {
    const emma = await login('emma@ajuda.local');
    const joao = await login('joao@ajuda.local');
    expect((await get(emma)).json()).toEqual({ prefs: DEFAULT_ALERT_PREFS, updatedAt: null });
    const mine: AlertPrefs = {
      ...DEFAULT_ALERT_PREFS,
      events: { ...DEFAULT_ALERT_PREFS.events, message: { desktop: false, sound: false, badge: true } },
      sound: 'bell',
      volume: 25,
      reminder: { everySec: 30, times: 2 },
    };
    const saved = await put(emma, mine);
    expect(saved.statusCode).toBe(200);
    expect(saved.json().prefs).toEqual(mine);
    const again = (await get(emma)).json();
    expect(again.prefs).toEqual(mine);
    expect(typeof again.updatedAt).toBe('string');
    expect((await get(joao)).json().prefs).toEqual(DEFAULT_ALERT_PREFS);
  });

  it('refuses a bad body with a problem naming the field, and keeps what was saved', async () => {
    const sofia = await login('sofia@ajuda.local');
    const good = { ...DEFAULT_ALERT_PREFS, volume: 10 };
    expect((await put(sofia, good)).statusCode).toBe(200);
    for (const bad of [
      { ...good, volume: 101 },
      { ...good, sound: 'trumpet' },
      { ...good, reminder: { everySec: 1, times: 3 } },
      { ...good, events: { ...good.events, message: { desktop: 'yes', sound: true, badge: true } } },
      { ...good, extra: 1 },
      [],
    ]) {
      const res = await put(sofia, bad);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'bad_request', status: 400 });
      expect(typeof res.json().detail).toBe('string');
    }
    expect((await put(sofia, { ...good, volume: 101 })).json().detail).toContain('volume');
    const broken = await stack.app.inject({ method: 'PUT', url: '/api/agent/alerts', headers: { 'content-type': 'application/json', cookie: sofia }, payload: '{"volume":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect((await get(sofia)).json().prefs).toEqual(good);
  });

  it('is refused without a console session', async () => {
    for (const res of [await get(), await put(undefined, DEFAULT_ALERT_PREFS), await get('ajuda_agent=as_bogus')]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'auth_failed' });
    }
  });
});
