import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitStack, type UnitStack } from '../../../test/fake-io.ts';
import { conversationHandlers, send, start } from './handlers.ts';

// Handlers called directly with a fake reply port over the real services (a fresh database): no socket.
let u: UnitStack;
beforeAll(async () => {
  u = await unitStack();
});
afterAll(async () => {
  await u?.close();
});

const noLimit = () => 0;

describe('conversation handlers (fake reply port)', () => {
  it('start: replies conversation.started with the frame ref; intake answered at start queues it; a retry with the same key returns the same conversation', async () => {
    const io = await u.visitor();
    const f = { type: 'conversation.start', ref: 's1', idempotencyKey: 'unit-start-1', requestType: 'general_question', answers: { question: 'How do retries work?' } } as const;
    await start(u.svc, io, io.principal, f, noLimit);
    const started = io.last('conversation.started');
    expect(started.ref).toBe('s1');
    await start(u.svc, io, io.principal, { ...f, ref: 's2' }, noLimit);
    expect(io.last('conversation.started')).toMatchObject({ ref: 's2', conversation: { id: started.conversation.id } });
    // The system lines of the completed intake reach the requester through the fan-out.
    expect(io.of('message.created').length).toBeGreaterThan(0);
  });

  it('start: the rate limit is only taken for a real creation, and a refusal throws rate_limited', async () => {
    const io = await u.visitor();
    const f = { type: 'conversation.start', idempotencyKey: 'unit-start-2', requestType: 'general_question' } as const;
    await expect(start(u.svc, io, io.principal, f, () => 7)).rejects.toMatchObject({ code: 'rate_limited', extra: { retryAfter: 7 } });
    expect(io.of('conversation.started')).toEqual([]);
  });

  it('send: acks after commit with the next seq; a retried clientMsgId gets the original ack (exactly-once in effect)', async () => {
    const io = await u.visitor();
    await start(u.svc, io, io.principal, { type: 'conversation.start', idempotencyKey: 'unit-send', requestType: 'general_question', answers: { question: 'Hello?' } }, noLimit);
    const id = io.last('conversation.started').conversation.id;
    const m = { type: 'message.send', ref: 'm1', conversationId: id, clientMsgId: 'c-1', body: 'first words' } as const;
    await send(u.svc, io, io.principal, m);
    const ack = io.last('message.ack');
    expect(ack).toMatchObject({ ref: 'm1', conversationId: id, clientMsgId: 'c-1' });
    await send(u.svc, io, io.principal, { ...m, ref: 'm2' });
    expect(io.last('message.ack')).toMatchObject({ ref: 'm2', seq: ack.seq, at: ack.at });
    // The sender's own socket gets the ack, not an echo of its message.
    expect(io.of('message.created').filter((f) => f.message.body === 'first words')).toEqual([]);
  });

  it('send: a conversation that is not yours is not_found (R7a), exactly like a missing one', async () => {
    const owner = await u.visitor();
    await start(u.svc, owner, owner.principal, { type: 'conversation.start', idempotencyKey: 'unit-other', requestType: 'general_question', answers: { question: 'Mine' } }, noLimit);
    const id = owner.last('conversation.started').conversation.id;
    const other = await u.visitor();
    const f = { type: 'message.send', conversationId: id, clientMsgId: 'x', body: 'hi' } as const;
    await expect(send(u.svc, other, other.principal, f)).rejects.toMatchObject({ code: 'not_found' });
    await expect(send(u.svc, other, other.principal, { ...f, conversationId: 'c_missing' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('the table: each entry names its frame type and who may send it', () => {
    const byType = new Map(conversationHandlers.map((e) => [e.type, e.who]));
    expect(byType.get('message.send')).toEqual(['visitor', 'realm_user', 'agent']);
    expect(byType.get('conversation.start')).toEqual(['visitor', 'realm_user']);
    expect(byType.get('conversation.resolve')).toEqual(['agent']);
  });
});
