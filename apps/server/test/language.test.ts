import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView } from '@ajuda/protocol';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { agent, GENERAL, idem, requester, type TestClient } from './client.ts';

/**
 * R11: the language the requester picked drives routing and every system message; system messages
 * and routing reasons are stored as codes + params, rendered in each viewer's language.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '500', AJUDA_FRAME_BURST: '500', AJUDA_STARTS_PER_MINUTE: '600' }, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

const BRUNO = { sub: 'u_bruno', realm: 'acme', name: 'Bruno Lima', email: 'bruno@acme.example', locale: 'en', perms: [] as string[] };

async function systemMessages(c: TestClient, conversationId: string, n: number): Promise<MessageView[]> {
  await c.waitAny(() => c.frames.filter((f) => f.type === 'message.created' && f.message.conversationId === conversationId).length >= n);
  return c.frames.flatMap((f) => (f.type === 'message.created' && f.message.conversationId === conversationId && f.message.kind === 'system' ? [f.message] : []));
}

describe('the requester language', () => {
  it('R11: a conversation started with locale es after the socket said en is tagged es, goes to the es-speaking agent and its system messages carry key + params', async () => {
    const agents = await Promise.all(['joao@ajuda.local', 'emma@ajuda.local', 'sofia@ajuda.local'].map((e) => agent(stack, e)));
    // The widget said hello in en, then the person picked Español before starting.
    const v = await requester(stack, { channel: 'website', locale: 'en' });
    const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'es', answers: GENERAL('¿Cómo configuro los reintentos?') }, 'conversation.started');
    expect(started.conversation.language).toBe('es');
    const id = started.conversation.id;
    const msgs = await systemMessages(v, id, 2);
    expect(msgs.map((m) => m.key)).toEqual(['system.queued', 'system.assigned']);
    expect(msgs[0]!.params).toMatchObject({ id, minutes: expect.any(Number) });
    expect(msgs[1]!.params).toEqual({ name: 'Sofía Romero' });
    // The stored fallback text is in the conversation's language too.
    expect(msgs[1]!.body).toMatch(/Sofía Romero/);
    expect(msgs[0]!.body).not.toMatch(/Thanks/);
    const snap = await agents[2]!.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    expect(snap.conversation.language).toBe('es');
    expect(snap.conversation.assignee?.id).toBe('ag_sofia');
    // The same keys reach the agent, who renders them in the console's language.
    expect(snap.messages.filter((m) => m.kind === 'system').map((m) => m.key)).toEqual(['system.queued', 'system.assigned']);
    for (const c of [...agents, v]) c.close();
  });

  it('R11: routing reasons and the priority trace are stored as codes with params, never as English text', async () => {
    const joao = await agent(stack, 'joao@ajuda.local');
    const v = await requester(stack, { channel: 'website', locale: 'pt' });
    const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'technical_question', locale: 'pt', answers: { question: 'Como faço?' } }, 'conversation.started');
    const id = started.conversation.id;
    const snap = await joao.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    expect(snap.conversation.routingLog.map((r) => r.code)).toEqual(['default.support', 'R11.assigned']);
    expect(snap.conversation.routingLog[0]!.params).toEqual({ requestType: 'technical_question' });
    expect(snap.conversation.routingLog[1]!.params).toEqual({ name: 'João Pereira', language: 'pt' });
    expect(snap.conversation.priorityLines!.map((l) => l.code)).toEqual(['R9.no_unavailability_type', 'R9.proposed']);
    expect(snap.conversation.priorityLines![1]!.params).toEqual({ priority: 'P4', why: 'no_unavailability' });
    // What is stored: the codes, no English sentence.
    const rows = await stack.app.ajuda.svc.store.routing(id);
    expect(rows.map((r) => r.code)).toEqual(['default.support', 'R11.assigned']);
    for (const r of rows) expect(r.reason).not.toMatch(/ (goes|assigned to|speaks) /);
    const conv = (await stack.app.ajuda.svc.store.getConversation(id))!;
    expect(JSON.stringify(conv.priorityTrace)).not.toMatch(/reports no unavailability/);
    joao.close();
    v.close();
  });
});

describe('contract questions (R8a) fit who is asking', () => {
  const ask = async (c: TestClient, locale: 'pt' | 'en' | 'es', claims?: Record<string, string>) => {
    const started = await c.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'contract_question', locale, answers: { question: '?' }, ...(claims ? { claims } : {}) }, 'conversation.started');
    expect(started.conversation.language).toBe(locale);
    const [m] = await systemMessages(c, started.conversation.id, 1);
    return { conv: started.conversation, m: m! };
  };

  for (const locale of ['pt', 'en', 'es'] as const) {
    it(`R8a, R5: a login-page visitor (${locale}) is told to sign in or ask their organisation, never to call an account manager, and nothing depends on the email they claim`, async () => {
      const v = await requester(stack, { channel: 'login', locale: 'en' });
      const withContract = await ask(v, locale, { email: 'someone@acme.example' });
      const without = await ask(v, locale, { email: 'someone@nowhere.example' });
      expect(withContract.m.key).toBe('system.contract_question.login');
      // R5: the same answer whether or not the claimed email has a contract.
      expect(without.m.key).toBe(withContract.m.key);
      expect(without.m.body).toBe(withContract.m.body);
      expect(withContract.conv.status).toBe('closed');
      v.close();
    });

    it(`R8a: a website prospect (${locale}) is pointed to sales; a signed-in realm user to their account contact`, async () => {
      const w = await requester(stack, { channel: 'website', locale: 'en' });
      expect((await ask(w, locale)).m.key).toBe('system.contract_question.website');
      const u = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(BRUNO) });
      expect((await ask(u, locale)).m.key).toBe('system.contract_question.platform');
      w.close();
      u.close();
    });
  }
});
