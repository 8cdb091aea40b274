import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitStack, type UnitStack } from '../../../test/fake-io.ts';
import { start } from '../conversations/handlers.ts';
import { fromWidget } from './handlers.ts';

let u: UnitStack;
beforeAll(async () => {
  u = await unitStack();
});
afterAll(async () => {
  await u?.close();
});

describe('escalation handlers (fake reply port)', () => {
  it('R13: escalating from the widget replies escalation.created and moves the conversation to the leads', async () => {
    const io = await u.visitor();
    await start(u.svc, io, io.principal, { type: 'conversation.start', idempotencyKey: 'unit-esc', requestType: 'general_question', answers: { question: 'Still broken' } }, () => 0);
    const id = io.last('conversation.started').conversation.id;
    await fromWidget(u.svc, io, io.principal, { type: 'escalation.create', ref: 'e1', conversationId: id, reason: 'disagree', description: 'Nobody answered', environment: 'Prod', justification: 'Production is down' });
    const e = io.last('escalation.created');
    expect(e.ref).toBe('e1');
    expect(e.escalation).toMatchObject({ conversationId: id, reason: 'disagree', source: 'widget' });
    // The requester is told the new state (queue leads) through the fan-out.
    expect(io.of('conversation.updated').at(-1)?.conversation).toMatchObject({ id });
  });

  it('R13: an escalation that is not allowed in this state is invalid_state, and nothing is written', async () => {
    const io = await u.visitor();
    await start(u.svc, io, io.principal, { type: 'conversation.start', idempotencyKey: 'unit-esc-intake', requestType: 'general_question' }, () => 0);
    const id = io.last('conversation.started').conversation.id; // still in intake
    const f = { type: 'escalation.create', conversationId: id, reason: 'disagree', description: 'x', environment: 'Test', justification: 'y' } as const;
    await expect(fromWidget(u.svc, io, io.principal, f)).rejects.toMatchObject({ code: 'invalid_state' });
    expect(io.of('escalation.created')).toEqual([]);
  });
});
