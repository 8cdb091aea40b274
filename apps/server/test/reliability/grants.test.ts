import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { agent, GENERAL, idem, requester } from '../client.ts';
import { reply } from './harness.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '100000', AJUDA_FRAME_BURST: '100000' }, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

const audit = async (action: string) =>
  (await stack.app.ajuda.svc.store.auditOfRealm('acme')).filter((r) => r.action === action).map((r) => ({ actor: r.actor, action: r.action, realmId: r.realmId, detail: r.detail }));

describe('grants on open sockets', () => {
  it('R12a, R12b, R12c: realm.adjust is refused before a grant, allowed after grant.create, refused from the first frame after grant.revoke; all audited', async () => {
    const ana = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_ana', realm: 'acme', perms: ['support.grant'], locale: 'en' }) });
    const bruno = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_bruno', realm: 'acme', locale: 'en' }) });
    const id = (await ana.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL() }, 'conversation.started')).conversation.id;
    const joao = await agent(stack, 'joao@ajuda.local');
    await joao.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    const adjust = (action: string) => reply(joao, { type: 'realm.adjust', conversationId: id, pipelineId: 'pl_orders', action });

    // R12a: read-only by default.
    const before = await adjust('pause');
    expect(before).toMatchObject({ type: 'error', code: 'grant_required' });
    expect((await reply(joao, { type: 'realm.view', conversationId: id })).type).toBe('realm.snapshot');
    // R12b: a user without the permission cannot grant (nor revoke, nor does it create anything).
    expect(await reply(bruno, { type: 'grant.create', level: 'write', minutes: 30 })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await reply(bruno, { type: 'grant.revoke', grantId: 'gr_whatever' })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await audit('grant.created')).toEqual([]);
    expect((await adjust('pause')).code).toBe('grant_required');

    const created = await reply(ana, { type: 'grant.create', level: 'write', minutes: 30 });
    expect(created.type).toBe('grant.list');
    const grant = (created as unknown as { grants: Array<{ id: string; revokedAt: string | null }> }).grants.find((g) => !g.revokedAt)!;
    const ok = await adjust('pause');
    expect(ok.type).toBe('realm.snapshot');
    expect((ok as unknown as { pipelines: Array<{ id: string; status: string }> }).pipelines.find((p) => p.id === 'pl_orders')!.status).toBe('paused');
    expect((await adjust('resume')).type).toBe('realm.snapshot');
    // R12d: a complex change is not support's even with a grant.
    expect((await reply(joao, { type: 'realm.adjust', conversationId: id, pipelineId: 'pl_orders', action: 'redesign' })).type).toBe('error');

    const revoked = await reply(ana, { type: 'grant.revoke', grantId: grant.id });
    expect(revoked.type).toBe('grant.list');
    // The very first frame after the revocation is refused.
    expect(await adjust('restart')).toMatchObject({ type: 'error', code: 'grant_required' });
    // R7a: another realm's user cannot revoke acme's grant; it looks like a missing one.
    const gina = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_gina', realm: 'globex', perms: ['support.grant'] }) });
    expect(await reply(gina, { type: 'grant.revoke', grantId: grant.id })).toMatchObject({ type: 'error', code: 'not_found' });
    expect(await reply(gina, { type: 'grant.revoke', grantId: 'gr_missing_entirely' })).toMatchObject({ type: 'error', code: 'not_found' });

    // R12c: every grant, use and revocation is audited.
    expect(await audit('grant.created')).toEqual([expect.objectContaining({ actor: 'user:acme:u_ana', realmId: 'acme', detail: expect.objectContaining({ grantId: grant.id, level: 'write' }) })]);
    expect((await audit('grant.used')).map((a) => [a.actor, a.realmId, a.detail.action, a.detail.grant])).toEqual([
      ['agent:ag_joao', 'acme', 'pause', grant.id],
      ['agent:ag_joao', 'acme', 'resume', grant.id],
    ]);
    expect(await audit('grant.revoked')).toEqual([expect.objectContaining({ actor: 'user:acme:u_ana', realmId: 'acme', detail: { grantId: grant.id } })]);
    for (const c of [ana, bruno, joao, gina]) c.close();
  });

  it('R12c: an expired grant no longer allows a change (time-bounded)', async () => {
    const ana = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_ana', realm: 'acme', perms: ['support.grant'], locale: 'en' }) });
    const id = (await ana.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL() }, 'conversation.started')).conversation.id;
    const joao = await agent(stack, 'joao@ajuda.local');
    await reply(ana, { type: 'grant.create', level: 'write', minutes: 5 });
    expect((await reply(joao, { type: 'realm.adjust', conversationId: id, pipelineId: 'pl_crm', action: 'pause' })).type).toBe('realm.snapshot');
    // Age every acme grant past its expiry, as time would.
    await stack.app.ajuda.svc.store.testing.sql("UPDATE grants SET expires_at = ? WHERE realm_id = 'acme'", new Date(Date.now() - 1000).toISOString());
    expect(await reply(joao, { type: 'realm.adjust', conversationId: id, pipelineId: 'pl_crm', action: 'resume' })).toMatchObject({ type: 'error', code: 'grant_required' });
    ana.close();
    joao.close();
  });
});
