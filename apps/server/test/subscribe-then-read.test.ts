import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from '../src/domains/agents/handlers.ts';
import { resume, send, start } from '../src/domains/conversations/handlers.ts';
import { unitStack, type FakeIo, type UnitStack } from './fake-io.ts';

// Single-node correctness: `session.resume` and `conversation.open` subscribe BEFORE they read, and
// dedupe by seq. The hook below (test-only) commits a message at the worst moment — while the replay
// query runs — through the real `message.send` handler; the reader must get it exactly once, in order.

let u: UnitStack;
beforeAll(async () => {
  u = await unitStack();
});
afterAll(async () => {
  await u?.close();
});

type MessagesAfter = UnitStack['svc']['store']['messagesAfter'];

/** Run `during` once, inside the next replay query: before it reads, or after it read but before it returns. */
function interleave(when: 'before-read' | 'after-read', during: () => Promise<void>): () => void {
  const store = u.svc.store;
  const original: MessagesAfter = store.messagesAfter.bind(store);
  let armed = true;
  store.messagesAfter = async (...args) => {
    if (!armed) return original(...args);
    armed = false;
    if (when === 'before-read') await during();
    const rows = await original(...args);
    if (when === 'after-read') await during();
    return rows;
  };
  return () => {
    store.messagesAfter = original;
  };
}

async function conversationWithMessages(key: string) {
  const v = await u.visitor();
  await start(u.svc, v, v.principal, { type: 'conversation.start', idempotencyKey: key, requestType: 'general_question', answers: { question: 'Is anyone there?' } }, () => 0);
  const id = v.last('conversation.started').conversation.id;
  for (let i = 0; i < 3; i++) await send(u.svc, v, v.principal, { type: 'message.send', conversationId: id, clientMsgId: `${key}-${i}`, body: `before ${i}` });
  return { v, id };
}

const seqsOf = (io: FakeIo, id: string) => io.of('message.created').filter((f) => f.message.conversationId === id).map((f) => f.message.seq);
const gapless = (seqs: number[]) => seqs.length > 0 && seqs.every((s, i) => s === i + 1);

describe('subscribe, then read', () => {
  for (const when of ['after-read', 'before-read'] as const) {
    it(`session.resume (agent): a message committed ${when === 'after-read' ? 'after the replay query read' : 'just before the replay query reads'} arrives once, in seq order, before resume.done`, async () => {
      const { v, id } = await conversationWithMessages(`resume-${when}`);
      const agent = u.agent('ag_lea');
      const restore = interleave(when, () => send(u.svc, v, v.principal, { type: 'message.send', conversationId: id, clientMsgId: `late-${when}`, body: 'committed mid-replay' }));
      try {
        await resume(u.svc, agent, agent.principal, { type: 'session.resume', ref: 'r1', conversationId: id, lastSeq: 0 });
      } finally {
        restore();
      }
      const done = agent.last('resume.done');
      const beforeDone = agent.frames.slice(0, agent.frames.indexOf(done));
      const seqs = beforeDone.flatMap((f) => (f.type === 'message.created' && f.message.conversationId === id ? [f.message.seq] : []));
      expect(agent.of('message.created').filter((f) => f.message.body === 'committed mid-replay')).toHaveLength(1);
      expect(gapless(seqs)).toBe(true); // no loss, no duplicate, in order
      expect(seqs.at(-1)).toBe(done.lastSeq);
      // Later messages arrive live: the agent follows the conversation now.
      await send(u.svc, v, v.principal, { type: 'message.send', conversationId: id, clientMsgId: `after-${when}`, body: 'live' });
      expect(seqsOf(agent, id)).toEqual([...seqs, done.lastSeq + 1]);
    });

    it(`session.resume (requester, another tab): an agent's message committed ${when} arrives once`, async () => {
      const { v, id } = await conversationWithMessages(`resume-req-${when}`);
      const agent = u.agent('ag_lea');
      const tab = await u.visitorTab(v);
      const restore = interleave(when, () => send(u.svc, agent, agent.principal, { type: 'message.send', conversationId: id, clientMsgId: `agent-${when}`, body: 'agent mid-replay' }));
      try {
        await resume(u.svc, tab, tab.principal, { type: 'session.resume', conversationId: id, lastSeq: 0 });
      } finally {
        restore();
      }
      expect(gapless(seqsOf(tab, id))).toBe(true);
      expect(seqsOf(tab, id).at(-1)).toBe(tab.last('resume.done').lastSeq);
      expect(tab.of('message.created').filter((f) => f.message.body === 'agent mid-replay')).toHaveLength(1);
    });

    it(`conversation.open: a message committed ${when} is in the snapshot or follows it, once`, async () => {
      const { v, id } = await conversationWithMessages(`open-${when}`);
      const agent = u.agent('ag_lea');
      const restore = interleave(when, () => send(u.svc, v, v.principal, { type: 'message.send', conversationId: id, clientMsgId: `late-open-${when}`, body: 'committed mid-snapshot' }));
      try {
        await open(u.svc, agent, agent.principal, { type: 'conversation.open', ref: 'o1', conversationId: id });
      } finally {
        restore();
      }
      const snap = agent.last('conversation.snapshot');
      const after = agent.frames.slice(agent.frames.indexOf(snap) + 1).flatMap((f) => (f.type === 'message.created' && f.message.conversationId === id ? [f.message] : []));
      const all = [...snap.messages, ...after];
      expect(gapless(all.map((m) => m.seq))).toBe(true);
      expect(all.filter((m) => m.body === 'committed mid-snapshot')).toHaveLength(1);
    });
  }
});
