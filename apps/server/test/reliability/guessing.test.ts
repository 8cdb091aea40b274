import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { GENERAL, idem, requester, type TestClient } from '../client.ts';
import { randomConversationId } from './harness.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '100000', AJUDA_FRAME_BURST: '100000' }, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

/** Every requester frame that names a conversation, with otherwise valid fields. */
const SCOPED = (id: string): Array<Record<string, unknown>> => [
  { type: 'session.resume', conversationId: id, lastSeq: 0 },
  { type: 'intake.submit', conversationId: id, answers: GENERAL() },
  { type: 'message.send', conversationId: id, clientMsgId: 'guess', body: 'hello?' },
  { type: 'typing.set', conversationId: id, on: true },
  { type: 'read', conversationId: id, lastReadSeq: 1 },
  { type: 'escalation.create', conversationId: id, reason: 'disagree', description: 'd', environment: 'Prod', justification: 'j' },
  { type: 'feedback.submit', conversationId: id, answered: true },
  { type: 'conversation.reopen', conversationId: id },
];

/** The reply with its ref removed and the echoed id replaced: what must be identical for every id. */
function normalise(raw: string, id: string): string {
  const f = JSON.parse(raw) as Record<string, unknown>;
  delete f.ref;
  if (f.conversationId === id) f.conversationId = '<id>';
  return JSON.stringify(f);
}

async function probe(c: TestClient, ids: string[]): Promise<Map<string, Set<string>>> {
  // One answer set per frame type; every id must produce the same bytes.
  const answers = new Map<string, Set<string>>();
  let n = 0;
  const pending: Array<Promise<void>> = [];
  for (const id of ids) {
    for (const frame of SCOPED(id)) {
      const ref = `g${n++}`;
      const from = c.raw.length;
      pending.push(
        c.waitAny((f) => 'ref' in f && f.ref === ref, 20_000).then(() => {
          const raw = c.raw.slice(from).find((x) => JSON.parse(x).ref === ref)!;
          const set = answers.get(frame.type as string) ?? new Set();
          set.add(normalise(raw, id));
          answers.set(frame.type as string, set);
        }),
      );
      c.send({ ...frame, ref });
    }
    if (pending.length > 400) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return answers;
}

describe('anonymous guessing (no enumeration oracle)', () => {
  it('R5, R7a: an anonymous visitor gets the same `not_found` bytes for every conversation-scoped frame, for existing, foreign and missing ids alike', async () => {
    // Real conversations of other requesters: another visitor, two realms' users.
    const other = await requester(stack, { locale: 'en' });
    const vConv = (await other.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started')).conversation.id;
    const vIntake = (await other.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question' }, 'conversation.started')).conversation.id;
    const ana = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_ana', realm: 'acme', perms: ['support.grant'] }) });
    const aConv = (await ana.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started')).conversation.id;
    const gina = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_gina', realm: 'globex' }) });
    const gConv = (await gina.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started')).conversation.id;
    const real = [vConv, vIntake, aConv, gConv];

    const sequential = Array.from({ length: 60 }, (_, i) => `AJ-${String(i).padStart(12, '0')}`);
    const random = Array.from({ length: 60 }, randomConversationId);
    const odd = ['x', 'AJ-', real[0]!.toLowerCase(), ` ${real[0]}`, 'acme', 'pl_orders', 'u_ana', 'A'.repeat(64), '../../etc/passwd', '__proto__', 'constructor'];
    const ids = [...real, ...sequential, ...random, ...odd];

    const guesser = await requester(stack, { channel: 'website' });
    const answers = await probe(guesser, ids);
    expect([...answers.keys()].sort()).toEqual(SCOPED('x').map((f) => f.type as string).sort());
    for (const [type, set] of answers) {
      expect({ type, answers: [...set] }).toEqual({ type, answers: [JSON.stringify({ type: 'error', code: 'not_found', i18nKey: 'error.not_found', conversationId: '<id>' })] });
    }
    // An id holding U+0000 is malformed text, refused as such before any lookup: the same
    // `bad_frame` whether the rest of it names a real conversation or not.
    const nulGuesser = await requester(stack, { channel: 'website' });
    const nul = await probe(nulGuesser, [`${real[0]}\u0000`, `${real[2]}\u0000`, 'AJ-\u0000']);
    for (const [type, set] of nul) {
      expect({ type, answers: [...set] }).toEqual({ type, answers: [JSON.stringify({ type: 'error', code: 'bad_frame', message: 'text may not contain U+0000 (NUL)', i18nKey: 'error.bad_frame' })] });
    }
    // Nothing was written on anyone's conversation.
    for (const c of [other, ana, gina]) expect(c.raw.some((x) => x.includes('hello?'))).toBe(false);
    // A fresh visitor's list is empty: guessing never attaches a conversation.
    expect((await guesser.request({ type: 'conversation.list' }, 'conversation.list.result')).conversations).toEqual([]);
    for (const c of [other, ana, gina, guesser, nulGuesser]) c.close();
  }, 60_000);

  it('R7a: a realm user guessing another user\'s or another realm\'s conversation gets the bytes of a missing one', async () => {
    const bruno = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_bruno', realm: 'acme' }) });
    const ana = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_ana', realm: 'acme' }) });
    const aConv = (await ana.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started')).conversation.id;
    const gina = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_gina', realm: 'globex' }) });
    const gConv = (await gina.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started')).conversation.id;
    // The same user id in another realm is another person (R7a).
    const twin = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: 'u_ana', realm: 'globex' }) });
    const answers = await probe(bruno, [aConv, gConv, ...Array.from({ length: 20 }, randomConversationId)]);
    const twinAnswers = await probe(twin, [aConv]);
    for (const [type, set] of [...answers, ...twinAnswers]) {
      expect({ type, answers: [...set] }).toEqual({ type, answers: [JSON.stringify({ type: 'error', code: 'not_found', i18nKey: 'error.not_found', conversationId: '<id>' })] });
    }
    for (const c of [bruno, ana, gina, twin]) c.close();
  }, 60_000);
});

