import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../client.ts';
import { agentHello, agentSocket, login, within } from './flows.ts';
import { ADMIN_TOKEN, printLogsOnFailure, startClusterEnv, type ClusterEnv } from './harness.ts';

/**
 * Ending an agent's session is everybody's business: a logout (or a disable) answered by one
 * process closes that agent's sockets on every process. The bus carries it at once; the periodic
 * session check (AJUDA_SESSION_CHECK_MS) is the backstop when a hint is lost. Here the backstop is
 * set to a minute, so an end within seconds can only have come over the bus — except in the last
 * test, which stops Redis and shortens the check on purpose.
 */
let env: ClusterEnv | undefined;
let backstop: ClusterEnv | undefined;
beforeAll(async () => {
  env = await startClusterEnv({ nodes: 2, env: { AJUDA_SESSION_CHECK_MS: '60000' } });
});
afterAll(async () => {
  await env?.close();
  await backstop?.close();
});
printLogsOnFailure(() => backstop ?? env);

/** session.ended (its reason) and the close that follows, each waited on with `ms`. */
async function ended(c: TestClient, ms: number) {
  const f = await c.wait('session.ended', () => true, ms);
  const closed = await c.waitClose(ms);
  return { reason: f.reason, code: closed.code };
}

describe('cluster session termination', () => {
  it('logout on node A ends the same session’s socket on node B within about a second (session.ended, close 4003); the cookie is dead on both', async () => {
    const [a, b] = env!.nodes;
    const token = await login(a!, 'emma@ajuda.local');
    const onA = await agentSocket(a!, token);
    const onB = await agentSocket(b!, token);
    const t0 = performance.now();
    const res = await fetch(`${a!.url}/api/agent/logout`, { method: 'POST', headers: { cookie: `ajuda_agent=${token}` } });
    expect(res.status).toBe(204);
    // ~1 s is the promise; 2 s of slack for a loaded 2-core machine, far below the 60 s backstop.
    const [x, y] = await Promise.all([ended(onA, 2000), ended(onB, 2000)]);
    const ms = Math.round(performance.now() - t0);
    expect(x).toEqual({ reason: 'logout', code: 4003 });
    expect(y, `node B's socket ended after ${ms} ms`).toEqual({ reason: 'logout', code: 4003 });
    for (const n of [a!, b!]) {
      expect((await fetch(`${n.url}/api/agent/me`, { headers: { cookie: `ajuda_agent=${token}` } })).status).toBe(401);
      expect(await agentHello(n, token)).toBe('auth_failed');
    }
  });

  it('logout ends only that session: the same agent’s other session on node B stays connected', async () => {
    const [a, b] = env!.nodes;
    const t1 = await login(a!, 'joao@ajuda.local');
    const t2 = await login(b!, 'joao@ajuda.local');
    const s1 = await agentSocket(b!, t1);
    const s2 = await agentSocket(b!, t2);
    expect((await fetch(`${a!.url}/api/agent/logout`, { method: 'POST', headers: { cookie: `ajuda_agent=${t1}` } })).status).toBe(204);
    expect(await ended(s1, 2000)).toEqual({ reason: 'logout', code: 4003 });
    // The agent's other session, on the same node, is untouched.
    await s2.request({ type: 'inbox.get' }, 'inbox');
    expect(s2.closed).toBeNull();
    s2.close();
  });

  it('an agent disabled through node A’s admin API loses their socket on node B (session.ended "disabled") and cannot log in anywhere', async () => {
    const [a, b] = env!.nodes;
    const token = await login(b!, 'sofia@ajuda.local');
    const onB = await agentSocket(b!, token);
    const res = await fetch(`${a!.url}/api/admin/agents/ag_sofia/disable`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(204);
    expect(await ended(onB, 2000)).toEqual({ reason: 'disabled', code: 4003 });
    for (const n of [a!, b!]) {
      const login2 = await fetch(`${n.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'sofia@ajuda.local', password: 'ajuda-demo' }) });
      expect(login2.status).toBe(401);
    }
  });

  it('with Redis down, a logout on node A still ends the socket on node B — by the periodic session check (1 s here)', async () => {
    backstop = await startClusterEnv({ nodes: 2, env: { AJUDA_SESSION_CHECK_MS: '1000' } });
    const [a, b] = backstop.nodes;
    const token = await login(a!, 'emma@ajuda.local');
    const onB = await agentSocket(b!, token);
    await backstop.redis!.stop();
    expect((await fetch(`${a!.url}/api/agent/logout`, { method: 'POST', headers: { cookie: `ajuda_agent=${token}` } })).status).toBe(204);
    expect(await within(ended(onB, 10_000), 10_000, 'session.ended on node B without Redis')).toEqual({ reason: 'logout', code: 4003 });
    await backstop.redis!.start();
  });
});
