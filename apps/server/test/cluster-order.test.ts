import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRow } from '@ajuda/db';
import { open } from '../src/domains/agents/handlers.ts';
import { send, start } from '../src/domains/conversations/handlers.ts';
import { unitStack, type FakeIo, type UnitStack } from './fake-io.ts';

// Cluster mode's delivery rule, without Redis: messages reach a process from its own commands and,
// as hints, from the others — late, twice, or never. With `fanout.sequence()` each conversation's
// messages reach this process's sockets once and in seq order; a gap is read from the store, and
// `catchUp` finds what no hint announced. Another process's commit is played here by appending
// through the store directly (no local event) and emitting the hint as a remote event.

let u: UnitStack;
beforeAll(async () => {
  u = await unitStack();
  u.svc.fanout.sequence();
});
afterAll(async () => {
  await u?.close();
});

const seqsOf = (io: FakeIo, id: string) => io.of('message.created').filter((f) => f.message.conversationId === id).map((f) => f.message.seq);
let n = 0;
/** A message committed by "another process": stored, no local event. */
async function elsewhere(id: string): Promise<MessageRow> {
  const r = await u.svc.store.appendMessage({ conversationId: id, sender: 'requester', senderName: null, kind: 'text', body: `from node B ${++n}`, clientMsgId: `b-${n}`, at: new Date().toISOString(), who: 'requester' });
  return r.message;
}
const hint = (m: MessageRow) => u.svc.events.emit('message.created', { message: m }, { remote: true });

async function followed(key: string) {
  const v = await u.visitor();
  await start(u.svc, v, v.principal, { type: 'conversation.start', idempotencyKey: key, requestType: 'general_question', answers: { question: 'Anyone?' } }, () => 0);
  const id = v.last('conversation.started').conversation.id;
  await send(u.svc, v, v.principal, { type: 'message.send', conversationId: id, clientMsgId: `${key}-1`, body: 'first' });
  const agent = u.agent('ag_lea');
  await open(u.svc, agent, agent.principal, { type: 'conversation.open', ref: 'o', conversationId: id });
  return { v, id, agent };
}

describe('cluster fan-out order', () => {
  it('a hint past a gap first reads the gap from the store; late and repeated hints are dropped', async () => {
    const { v, id, agent } = await followed('gap');
    const before = seqsOf(agent, id).length; // the replay is its own frame; live ones start after it
    const [m2, m3, m4] = [await elsewhere(id), await elsewhere(id), await elsewhere(id)];
    await hint(m4!); // 2 and 3 never announced (yet)
    await vi_waitFor(() => seqsOf(agent, id).length === before + 3);
    await hint(m3!);
    await hint(m2!);
    await hint(m4!);
    await u.svc.fanout.catchUp(false);
    // Live frames after the replay (which carried seq 1 and 2): each once, in order.
    expect(seqsOf(agent, id)).toEqual([m2!.seq, m3!.seq, m4!.seq]);
    // The requester's own tab hears the other process's messages too, once each, in order.
    const mine = seqsOf(v, id);
    expect(mine).toEqual([...new Set(mine)].sort((a, b) => a - b));
    expect(mine.slice(-3)).toEqual([m2!.seq, m3!.seq, m4!.seq]);
  });

  it('a catch-up pass sends what no hint announced, in order, and nothing twice', async () => {
    const { id, agent } = await followed('silent');
    const a = await elsewhere(id);
    const b = await elsewhere(id);
    expect(seqsOf(agent, id)).toEqual([]);
    expect(await u.svc.fanout.catchUp(false)).toBeGreaterThanOrEqual(1);
    await u.svc.fanout.catchUp(false);
    await hint(a);
    expect(seqsOf(agent, id)).toEqual([a.seq, b.seq]);
  });

  it("a hint about a conversation nobody here follows sends no frame", async () => {
    const other = u.agent('ag_lea');
    const { id } = await followed('unfollowed');
    const m = await elsewhere(id);
    // A brand-new socket that follows nothing: it must not see message.created for it.
    await hint(m);
    expect(seqsOf(other, id)).toEqual([]);
  });
});

async function vi_waitFor(ok: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
