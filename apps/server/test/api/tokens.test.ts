import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiStack, OPERATOR, type ApiStack } from './helpers.ts';

let s: ApiStack;
beforeAll(async () => {
  s = await apiStack({ AJUDA_API_REQUESTS_PER_MINUTE: '40' });
});
afterAll(async () => {
  await s?.close();
});

const problem = (r: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string) => {
  expect(r.statusCode).toBe(status);
  expect(r.headers['content-type']).toContain('application/problem+json');
  expect(r.json()).toMatchObject({ status, code });
};

describe('API tokens', () => {
  it('are created by the operator token, shown once (ajt_, 256 bits), listed without their secret, stored only as a hash', async () => {
    const r = await s.call('POST', '/api/v1/tokens', OPERATOR, { name: 'CRM sync', scopes: ['conversations:read'], agentId: 'ag_emma' });
    expect(r.statusCode).toBe(201);
    const { token, apiToken } = r.json<{ token: string; apiToken: { id: string } }>();
    expect(token).toMatch(/^ajt_[A-Za-z0-9_-]{43}$/);
    expect(apiToken).toMatchObject({ name: 'CRM sync', scopes: ['conversations:read'], agentId: 'ag_emma', createdBy: 'admin', revokedAt: null, expiresAt: null });
    const list = await s.call('GET', '/api/v1/tokens', OPERATOR);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(token);
    expect(list.json<{ tokens: Array<{ id: string }> }>().tokens.map((t) => t.id)).toContain(apiToken.id);
    const stored = await s.app.ajuda.svc.store.testing.sql<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE id = ?', apiToken.id);
    expect(stored[0]!.token_hash).not.toContain(token.slice(4));
    // The creation is audited, without the secret.
    const audit = await s.app.ajuda.svc.store.testing.sql<{ detail: string }>("SELECT detail FROM audit_log WHERE action = 'api_token.created'");
    expect(audit.some((a) => a.detail.includes(apiToken.id))).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('work only as Authorization: Bearer — never in a query string or a cookie', async () => {
    const t = await s.token(['conversations:read'], 'ag_emma');
    expect((await s.call('GET', '/api/v1/conversations', t)).statusCode).toBe(200);
    expect((await s.call('GET', `/api/v1/conversations`, null, undefined, { authorization: `bearer ${t}` })).statusCode).toBe(200);
    const q = await s.call('GET', `/api/v1/conversations?access_token=${t}`, null);
    problem(q, 401, 'auth_failed');
    expect(q.headers['www-authenticate']).toMatch(/^Bearer/);
    problem(await s.call('GET', `/api/v1/conversations?token=${t}`, null), 401, 'auth_failed');
    problem(await s.call('GET', '/api/v1/conversations', null, undefined, { cookie: `ajuda_agent=${t}; token=${t}` }), 401, 'auth_failed');
    problem(await s.call('GET', '/api/v1/conversations', null, undefined, { authorization: `Basic ${Buffer.from(`x:${t}`).toString('base64')}` }), 401, 'auth_failed');
    problem(await s.call('GET', '/api/v1/conversations', 'ajt_not-a-token'), 401, 'auth_failed');
  });

  it('a revoked token gets 401 at once; revoking twice is not found', async () => {
    const t = await s.token(['conversations:read', 'admin'], null);
    expect((await s.call('GET', '/api/v1/conversations', t)).statusCode).toBe(200);
    const id = (await s.call('GET', '/api/v1/tokens', OPERATOR)).json<{ tokens: Array<{ id: string; name: string; revokedAt: string | null }> }>().tokens.find((x) => x.name === 't-conversations:read+admin-system' && !x.revokedAt)!.id;
    expect((await s.call('DELETE', `/api/v1/tokens/${id}`, OPERATOR)).statusCode).toBe(204);
    for (const url of ['/api/v1/conversations', '/api/v1/tokens', '/api/v1/agents']) problem(await s.call('GET', url, t), 401, 'auth_failed');
    problem(await s.call('DELETE', `/api/v1/tokens/${id}`, OPERATOR), 404, 'not_found');
  });

  it('an expired token gets 401; one expiring later still works', async () => {
    const now = Date.now();
    const soon = await s.token(['conversations:read'], null, { expiresAt: new Date(now + 60_000).toISOString() });
    const later = await s.token(['conversations:read'], null, { expiresAt: new Date(now + 3_600_000).toISOString() });
    expect((await s.call('GET', '/api/v1/conversations', soon)).statusCode).toBe(200);
    s.advance(120_000);
    problem(await s.call('GET', '/api/v1/conversations', soon), 401, 'auth_failed');
    expect((await s.call('GET', '/api/v1/conversations', later)).statusCode).toBe(200);
    problem(await s.call('POST', '/api/v1/tokens', OPERATOR, { name: 'x', scopes: ['admin'], agentId: null, expiresAt: new Date(now - 1000).toISOString() }), 400, 'bad_request');
  });

  it('a token of an agent who is then disabled stops working; a token for an unknown agent is not made', async () => {
    const t = await s.token(['conversations:read'], 'ag_sofia');
    expect((await s.call('GET', '/api/v1/conversations', t)).statusCode).toBe(200);
    expect((await s.call('POST', '/api/admin/agents/ag_sofia/disable', OPERATOR)).statusCode).toBe(204);
    problem(await s.call('GET', '/api/v1/conversations', t), 401, 'auth_failed');
    problem(await s.call('POST', '/api/v1/tokens', OPERATOR, { name: 'x', scopes: ['admin'], agentId: 'ag_nobody' }), 404, 'not_found');
  });

  it('scopes: admin routes need admin (the operator token counts there only); conversations need an API token', async () => {
    const read = await s.token(['conversations:read', 'conversations:write'], null);
    problem(await s.call('GET', '/api/v1/tokens', read), 403, 'forbidden');
    problem(await s.call('POST', '/api/v1/tokens', read, { name: 'escalate me', scopes: ['admin'], agentId: null }), 403, 'forbidden');
    problem(await s.call('GET', '/api/v1/agents', read), 403, 'forbidden');
    const admin = await s.token(['admin'], null);
    expect((await s.call('GET', '/api/v1/agents', admin)).json<{ agents: Array<{ id: string }> }>().agents.map((a) => a.id)).toContain('ag_lea');
    expect((await s.call('POST', '/api/v1/tokens', admin, { name: 'made by a token', scopes: ['conversations:read'], agentId: null })).statusCode).toBe(201);
    // admin implies the conversation scopes.
    expect((await s.call('GET', '/api/v1/conversations', admin)).statusCode).toBe(200);
    // The operator's secret is for administration, not a conversations token.
    problem(await s.call('GET', '/api/v1/conversations', OPERATOR), 401, 'auth_failed');
  });

  it('records a token’s last use (at most once a minute)', async () => {
    const t = await s.token(['conversations:read'], null, { name: 'used' });
    await s.call('GET', '/api/v1/conversations', t);
    await s.app.ajuda.svc.store.drain();
    const used = async () => (await s.call('GET', '/api/v1/tokens', OPERATOR)).json<{ tokens: Array<{ name: string; lastUsedAt: string | null }> }>().tokens.find((x) => x.name === 'used')!.lastUsedAt;
    const first = await used();
    expect(first).not.toBeNull();
    await s.call('GET', '/api/v1/conversations', t);
    await s.app.ajuda.svc.store.drain();
    expect(await used()).toBe(first);
  });

  it('is rate limited per token: past the budget 429 with retryAfter, while another token still passes', async () => {
    const a = await s.token(['conversations:read'], null);
    const b = await s.token(['conversations:read'], null);
    const codes: number[] = [];
    for (let i = 0; i < 41; i++) codes.push((await s.call('GET', '/api/v1/conversations?limit=1', a)).statusCode);
    expect(codes.slice(0, 40).every((c) => c === 200)).toBe(true);
    const over = await s.call('GET', '/api/v1/conversations?limit=1', a);
    problem(over, 429, 'rate_limited');
    expect(over.json<{ retryAfter: number }>().retryAfter).toBeGreaterThan(0);
    expect((await s.call('GET', '/api/v1/conversations?limit=1', b)).statusCode).toBe(200);
  });

  it('never writes a token to the log, even when a request fails inside', async () => {
    const t = await s.token(['conversations:read', 'conversations:write'], 'ag_lea');
    const api = s.app.ajuda.svc.store.api;
    const list = api.listConversations;
    api.listConversations = async () => {
      throw new Error('the disk is on fire');
    };
    try {
      const r = await s.call('GET', '/api/v1/conversations', t);
      problem(r, 500, 'internal');
    } finally {
      api.listConversations = list;
    }
    await s.call('GET', '/api/v1/conversations/nope', t);
    await s.call('POST', '/api/v1/conversations/nope/notes', t, { body: 'x' });
    await s.call('GET', '/api/v1/conversations', `${t}x`);
    const created = (await s.call('POST', '/api/v1/tokens', OPERATOR, { name: 'logged?', scopes: ['admin'], agentId: null })).json<{ token: string }>().token;
    const text = s.logs.join('');
    expect(text).toContain('the disk is on fire');
    expect(text).not.toContain(t);
    expect(text).not.toContain(t.slice(4, 20));
    expect(text).not.toContain(created.slice(4, 20));
    expect(text).not.toContain(OPERATOR);
  });
});
