import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { agent, GENERAL, idem, requester } from '../client.ts';
import { reply } from './harness.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

describe('typed identity stays a claim', () => {
  it("R1, R5, R7: a visitor who types a real user's email sees none of that user's conversations; agents see an unverified claim", async () => {
    const ana = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_ana', realm: 'acme', email: 'ana@acme.example', name: 'Ana Souza', locale: 'en' }) });
    const anaConv = (await ana.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: GENERAL('ANA-PRIVATE-QUESTION') }, 'conversation.started')).conversation.id;
    await ana.request({ type: 'message.send', conversationId: anaConv, clientMsgId: 'p1', body: 'ANA-PRIVATE-MESSAGE' }, 'message.ack');

    const impostor = await requester(stack, { channel: 'login', locale: 'en' });
    const started = await impostor.request(
      { type: 'conversation.start', idempotencyKey: idem(), requestType: 'auth_incident', locale: 'en', claims: { email: 'ana@acme.example', name: 'Ana Souza', realm: 'acme' }, answers: { email: 'ana@acme.example', whatHappens: 'cannot log in', when: new Date().toISOString() } },
      'conversation.started',
    );
    const list = await impostor.request({ type: 'conversation.list' }, 'conversation.list.result');
    expect(list.conversations.map((c) => c.id)).toEqual([started.conversation.id]);
    expect((await reply(impostor, { type: 'session.resume', conversationId: anaConv, lastSeq: 0 })).code).toBe('not_found');
    expect((await reply(impostor, { type: 'realm.directory.get' })).code).toBe('forbidden');
    const raw = impostor.raw.join('\n');
    expect(raw).not.toMatch(/ANA-PRIVATE|u_ana|Acme Integrations|pl_|contract"|contractMatch|"realm"/);
    // The id it guessed is only ever echoed in the not_found answer.
    expect(impostor.raw.filter((x) => x.includes(anaConv)).map((x) => JSON.parse(x).code)).toEqual(["not_found"]);

    const joao = await agent(stack, 'joao@ajuda.local');
    const snap = await joao.request({ type: 'conversation.open', conversationId: started.conversation.id }, 'conversation.snapshot');
    expect(snap.conversation.requester).toEqual({
      kind: 'visitor',
      verified: false,
      name: null,
      email: null,
      userId: null,
      claims: { email: 'ana@acme.example', name: 'Ana Souza', realm: 'acme' },
      contractMatch: 'contract', // R3/R5: for agents' eyes only
    });
    expect(snap.conversation.realmId).toBeNull();
    // The real Ana's conversation is verified.
    const real = await joao.request({ type: 'conversation.open', conversationId: anaConv }, 'conversation.snapshot');
    expect(real.conversation.requester).toMatchObject({ kind: 'realm_user', verified: true, userId: 'u_ana', claims: null });
    for (const c of [ana, impostor, joao]) c.close();
  });
});
