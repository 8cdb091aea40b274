import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitStack, type UnitStack } from '../../../test/fake-io.ts';
import { start } from '../conversations/handlers.ts';
import { agentHandlers, assign } from './handlers.ts';

let u: UnitStack;
beforeAll(async () => {
  u = await unitStack();
});
afterAll(async () => {
  await u?.close();
});

async function queued(key: string): Promise<string> {
  const io = await u.visitor();
  await start(u.svc, io, io.principal, { type: 'conversation.start', idempotencyKey: key, requestType: 'general_question', answers: { question: 'Who can help?' } }, () => 0);
  return io.last('conversation.started').conversation.id;
}

describe('agent handlers (fake reply port)', () => {
  it('assign: an agent takes a queued conversation; the reply is the conversation as it now is, with the ref', async () => {
    const id = await queued('unit-assign-1');
    const io = u.agent('ag_joao');
    await assign(u.svc, io, io.principal, { type: 'conversation.assign', ref: 'a1', conversationId: id });
    const r = io.last('agent.conversation.updated');
    expect(r.ref).toBe('a1');
    expect(r.conversation).toMatchObject({ id, status: 'assigned', assignee: { id: 'ag_joao' } });
  });

  it('assign: a lead hands it to another agent; a disabled or unknown target is not_found', async () => {
    const id = await queued('unit-assign-2');
    const lead = u.agent('ag_lea');
    await assign(u.svc, lead, lead.principal, { type: 'conversation.assign', ref: 'a2', conversationId: id, agentId: 'ag_emma' });
    expect(lead.last('agent.conversation.updated').conversation.assignee).toMatchObject({ id: 'ag_emma' });
    await expect(assign(u.svc, lead, lead.principal, { type: 'conversation.assign', conversationId: id, agentId: 'ag_nobody' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('the table: a requester never reaches an agent handler (the entry refuses before it runs)', async () => {
    const entry = agentHandlers.find((e) => e.type === 'conversation.assign')!;
    expect(entry.who).toEqual(['agent']);
    const v = await u.visitor();
    const limits = { takeStart: () => 0 };
    await expect(Promise.resolve().then(() => entry.run(u.svc, v, v.principal, { type: 'conversation.assign', conversationId: 'c_x' }, limits))).rejects.toMatchObject({ code: 'forbidden' });
  });
});
