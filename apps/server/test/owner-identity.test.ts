import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realmUserOwnerKey, visitorOwnerKey } from '../src/identity.ts';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { GENERAL, requester, TestClient } from './client.ts';

/**
 * Owner identity (R7): every requester lookup — the conversation list, start idempotency, the live
 * topic and the rate buckets — is scoped by one owner key, so two different (realm, user) pairs must
 * never share one, whatever characters the host platform puts in its ids.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

const user = async (realm: string, sub: string) => requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ realm, sub, name: `${realm}/${sub}` }) });
/** Whether any frame this client received names the conversation. */
const saw = (c: TestClient, id: string) => c.raw.some((r) => r.includes(id));

describe('owner identity', () => {
  it('R7: realm "acme:x" + user "y" and realm "acme" + user "x:y" never see each other\'s conversations, live messages or idempotent starts', async () => {
    const first = await user('acme:x', 'y');
    const second = await user('acme', 'x:y');
    const key = 'shared-idempotency-key-1';
    const mine = await first.request({ type: 'conversation.start', idempotencyKey: key, requestType: 'general_question', answers: GENERAL('first asks') }, 'conversation.started');
    await first.request({ type: 'message.send', conversationId: mine.conversation.id, clientMsgId: 'm-1', body: 'a private detail' }, 'message.ack');
    // Anything published to the first requester's sockets reached the second before this pong.
    await second.request({ type: 'ping' }, 'pong');
    expect(saw(second, mine.conversation.id)).toBe(false);
    expect(second.raw.join('\n')).not.toContain('a private detail');

    const listed = await second.request({ type: 'conversation.list' }, 'conversation.list.result');
    expect(listed.conversations.map((c) => c.id)).toEqual([]);

    // The same idempotency key is the second requester's own: a new conversation, not the first's.
    const theirs = await second.request({ type: 'conversation.start', idempotencyKey: key, requestType: 'general_question', answers: GENERAL('second asks') }, 'conversation.started');
    expect(theirs.conversation.id).not.toBe(mine.conversation.id);
    const again = await first.request({ type: 'conversation.list' }, 'conversation.list.result');
    expect(again.conversations.map((c) => c.id)).toEqual([mine.conversation.id]);
    await first.request({ type: 'ping' }, 'pong');
    expect(saw(first, theirs.conversation.id)).toBe(false);
    first.close();
    second.close();
  });

  it('R7: concurrent starts of two owners never share one creation, even when their ids hold the separator of the in-flight key', async () => {
    // The in-flight key is the JSON pair [owner, key]: these ids hold its separator `","`.
    const first = await user('acme', 'b","c');
    const second = await user('acme', 'b');
    const [a, b] = await Promise.all([
      first.request({ type: 'conversation.start', idempotencyKey: 'dddddddd', requestType: 'general_question', answers: GENERAL('first') }, 'conversation.started'),
      second.request({ type: 'conversation.start', idempotencyKey: 'c","dddddddd', requestType: 'general_question', answers: GENERAL('second') }, 'conversation.started'),
    ]);
    expect(a.conversation.id).not.toBe(b.conversation.id);
    expect((await second.request({ type: 'conversation.list' }, 'conversation.list.result')).conversations.map((c) => c.id)).toEqual([b.conversation.id]);
    first.close();
    second.close();
  });

  it('R7: text holding U+0000 is refused as malformed on every store — in an identity token, a frame and an HTTP body — and nothing is written', async () => {
    const c = await TestClient.connect(stack.wsUrl, stack.url);
    const refused = await c.request({ type: 'session.hello', v: 1, channel: 'platform', identityToken: await stack.signIdentity({ realm: 'acme', sub: 'b\u0000c' }) }, 'error');
    expect(refused.code).toBe('auth_failed');
    c.close();
    const ok = await user('acme', 'nul-tester');
    const bad = await ok.request({ type: 'conversation.start', idempotencyKey: 'c\u0000dddddddd', requestType: 'general_question', answers: GENERAL('x') }, 'error');
    expect([bad.code, bad.message]).toEqual(['bad_frame', 'text may not contain U+0000 (NUL)']);
    expect((await ok.request({ type: 'conversation.list' }, 'conversation.list.result')).conversations).toEqual([]);
    ok.close();
    const res = await fetch(`${stack.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'emma@ajuda.local\u0000', password: 'x' }) });
    expect([res.status, res.headers.get('content-type'), (await res.json()).code]).toEqual([400, 'application/problem+json; charset=utf-8', 'bad_request']);
  });

  it('R7: distinct (realm, user) pairs never map to one owner key, whatever the characters', () => {
    // Separators, escapes, unicode (astral too), control characters and empty-looking values.
    const part = fc.oneof(
      fc.string({ unit: fc.constantFrom(':', '%', '3', 'A', 'a', 'u', 'v', '\u0000', ' ', '%3A', '%25', '\\', '"', 'é', '😀') }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('', ' ', ':', '::', '%', '%3A', '%25', 'u', 'v:', 'null', 'undefined', '\u0000'),
    );
    fc.assert(
      fc.property(part, part, part, part, (r1, s1, r2, s2) => {
        fc.pre(r1 !== r2 || s1 !== s2);
        expect(realmUserOwnerKey(r1, s1)).not.toBe(realmUserOwnerKey(r2, s2));
        expect(realmUserOwnerKey(r1, s1)).not.toBe(visitorOwnerKey(r2 + s2));
      }),
      { numRuns: 2000 },
    );
    // The pair from the outside probe, explicitly.
    expect(realmUserOwnerKey('acme:x', 'y')).not.toBe(realmUserOwnerKey('acme', 'x:y'));
  });

  it('keeps the stored form of ordinary ids (no ":" or "%" in the realm), so existing conversations stay their owner\'s', () => {
    expect(realmUserOwnerKey('acme', 'u_ana')).toBe('u:acme:u_ana');
    expect(realmUserOwnerKey('acme', 'x:y')).toBe('u:acme:x:y');
    expect(visitorOwnerKey('vis_1')).toBe('v:vis_1');
  });
});

// Migration 0002, which re-keys stored conversations the same way, is tested in the database
// package: packages/db/test/migrations.test.ts.
