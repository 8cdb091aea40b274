import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printLogsOnFailure, startClusterEnv, type ClusterEnv } from './harness.ts';

/**
 * Agent logins per client address (AJUDA_LOGIN_PER_MINUTE=3 here) are counted across processes:
 * a password guesser spreading attempts over the nodes gets the allowance once, and losing Redis
 * does not reopen it.
 */
let env: ClusterEnv | undefined;
beforeAll(async () => {
  env = await startClusterEnv({ nodes: 2, env: { AJUDA_LOGIN_PER_MINUTE: '3' } });
});
afterAll(async () => {
  await env?.close();
});
printLogsOnFailure(() => env);

const attempt = async (url: string) =>
  (await fetch(`${url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'lea@ajuda.local', password: 'wrong guess' }) })).status;

describe('cluster HTTP limits', () => {
  it('agent logins per client address are limited across nodes, and stay limited while Redis is down', async () => {
    const [a, b] = env!.nodes;
    expect([await attempt(a!.url), await attempt(b!.url), await attempt(a!.url)]).toEqual([401, 401, 401]);
    expect([await attempt(b!.url), await attempt(a!.url)]).toEqual([429, 429]);
    await env!.redis!.stop();
    try {
      expect([await attempt(b!.url), await attempt(a!.url)]).toEqual([429, 429]);
    } finally {
      await env!.redis!.start();
    }
  });
});
