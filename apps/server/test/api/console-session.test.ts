import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/crypto.ts';
import { startTestStack, type TestStack } from '../../src/testing.ts';

/**
 * The admin routes of /api/v1 (tokens, webhooks) answer an admin's console session — the cookie the
 * Admin area sends — as the /api/admin routes do; a session of another role is forbidden, none or a
 * bogus one unauthenticated, and the conversation routes never take a cookie.
 */
let stack: TestStack;
const ADMIN = { email: 'ada@ajuda.local', password: 'admin-password-1' };

beforeAll(async () => {
  stack = await startTestStack({ AJUDA_LOGIN_PER_MINUTE: '600', AJUDA_WEBHOOK_ALLOW_PRIVATE: 'on' }, { demo: false });
  await stack.app.ajuda.svc.store.admin.createAgent(
    { id: 'ag_ada', email: ADMIN.email, name: 'Ada Admin', passwordHash: hashPassword(ADMIN.password), role: 'admin', languages: ['en'], teams: [], available: true, disabled: false },
    new Date().toISOString(),
    { actor: 'test', action: 'agent.created' },
  );
});
afterAll(async () => {
  await stack?.close();
});

async function login(email: string, password: string): Promise<string> {
  const res = await fetch(`${stack.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
async function call(cookie: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (cookie) headers.cookie = cookie;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${stack.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : null) as any };
}

describe('admin routes of the API with a console session', () => {
  it('an admin creates, lists and revokes a token and manages a webhook endpoint; the audit names the admin', async () => {
    const admin = await login(ADMIN.email, ADMIN.password);
    const made = await call(admin, 'POST', '/api/v1/tokens', { name: 'CRM', scopes: ['conversations:read'], agentId: null });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^ajt_/);
    expect(made.body.apiToken.createdBy).toBe('agent:ag_ada');
    const list = await call(admin, 'GET', '/api/v1/tokens');
    expect(list.body.tokens.map((t: { id: string }) => t.id)).toContain(made.body.apiToken.id);
    expect((await call(admin, 'DELETE', `/api/v1/tokens/${made.body.apiToken.id}`)).status).toBe(204);
    const hook = await call(admin, 'POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['message.created'] });
    expect(hook.status).toBe(201);
    expect(hook.body.secret).toMatch(/^whsec_/);
    const rotated = await call(admin, 'POST', `/api/v1/webhooks/${hook.body.endpoint.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(hook.body.secret);
    expect((await call(admin, 'GET', `/api/v1/webhooks/${hook.body.endpoint.id}/deliveries`)).status).toBe(200);
    const audit = await stack.app.ajuda.svc.store.testing.sql<{ actor: string }>("SELECT actor FROM audit_log WHERE action = 'api_token.created'");
    expect(audit.map((a) => a.actor)).toContain('agent:ag_ada');
  });

  it('refuses an agent’s session (403), no session or a bogus or ended one (401), and a cookie on conversation routes', async () => {
    const joao = await login('joao@ajuda.local', 'ajuda-demo');
    const forbidden = await call(joao, 'GET', '/api/v1/tokens');
    expect(forbidden.status).toBe(403);
    expect(forbidden.type).toContain('application/problem+json');
    expect((await call(joao, 'GET', '/api/v1/webhooks')).status).toBe(403);
    expect((await call(null, 'GET', '/api/v1/tokens')).status).toBe(401);
    expect((await call('ajuda_agent=not-a-session', 'GET', '/api/v1/tokens')).status).toBe(401);
    const admin = await login(ADMIN.email, ADMIN.password);
    expect((await call(admin, 'GET', '/api/v1/conversations')).status).toBe(401);
    expect((await call(admin, 'POST', '/api/agent/logout')).status).toBeLessThan(300);
    expect((await call(admin, 'GET', '/api/v1/tokens')).status).toBe(401);
  });
});
