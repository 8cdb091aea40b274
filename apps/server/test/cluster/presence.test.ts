import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent } from '../client.ts';
import { startQuestion, visitor } from './flows.ts';
import { printLogsOnFailure, startClusterEnv, type ClusterEnv } from './harness.ts';

/**
 * R11 across processes: who is online is the whole cluster's business. An agent whose only socket
 * is on node B is a candidate for a conversation started on node A, and B's socket hears of it.
 * Nobody else is online in this file's cluster, so the routing has exactly one choice each time.
 */
let env: ClusterEnv | undefined;
beforeAll(async () => {
  env = await startClusterEnv({ nodes: 2 });
});
afterAll(async () => {
  await env?.close();
});
printLogsOnFailure(() => env);

describe('cluster presence and assignment', () => {
  it('R11: an agent connected only to node B is assigned a conversation started on node A, and B’s socket gets the inbox update', async () => {
    const [a, b] = env!.nodes;
    const emma = await agent(b!, 'emma@ajuda.local');
    await emma.request({ type: 'inbox.get' }, 'inbox');
    const r = await visitor(a!);
    const conv = await startQuestion(r, { question: 'Who answers me from the other node?' });
    // Assigned at start when node A already knew of Emma, or as soon as it learns of her: either way, to her.
    const assigned =
      conv.status === 'assigned'
        ? conv
        : (await r.wait('conversation.updated', (f) => f.conversation.id === conv.id && f.conversation.status === 'assigned', 15_000)).conversation;
    expect(assigned.assignee?.name).toBe('Emma Clarke');
    const row = await emma.wait('agent.conversation.updated', (f) => f.conversation.id === conv.id && f.conversation.assignee?.id === 'ag_emma', 15_000);
    expect(row.conversation.status).toBe('assigned');
    expect(row.conversation.routingLog.at(-1)).toMatchObject({ code: 'R11.assigned', assigneeId: 'ag_emma' });
    // The requester on A is told who took it, as a system line in the conversation.
    const line = await r.wait('message.created', (f) => f.message.conversationId === conv.id && f.message.kind === 'system' && f.message.body.includes('Emma'), 15_000);
    expect(line).toBeTruthy();
    r.close();
    emma.close();
  });

  it('R11: a conversation nobody online can take waits on node A, then goes to the first who speaks its language when they come online on node B', async () => {
    const [a, b] = env!.nodes;
    // Spanish: Emma (still the only one around, if her socket from above lingers) does not speak it.
    const r = await visitor(a!, undefined, 'es');
    const conv = await startQuestion(r, { locale: 'es', question: '¿Quién me atiende?' });
    expect(conv.status).toBe('queued');
    const sofia = await agent(b!, 'sofia@ajuda.local');
    await sofia.request({ type: 'inbox.get' }, 'inbox');
    const upd = await r.wait('conversation.updated', (f) => f.conversation.id === conv.id && f.conversation.status === 'assigned', 15_000);
    expect(upd.conversation.assignee?.name).toBe('Sofía Romero');
    const row = await sofia.wait('agent.conversation.updated', (f) => f.conversation.id === conv.id && f.conversation.assignee?.id === 'ag_sofia', 15_000);
    expect(row.conversation.status).toBe('assigned');
    const store = await env!.store();
    const c = await store.getConversation(conv.id);
    expect(c?.assigneeId).toBe('ag_sofia');
    r.close();
    sofia.close();
  });

  it('R11: an agent who left node B is no longer a candidate on node A: a new conversation waits', async () => {
    const [a, b] = env!.nodes;
    const joao = await agent(b!, 'joao@ajuda.local');
    joao.close();
    await joao.waitClose();
    // Portuguese: only João, Léa and Pedro speak it, and none of them is online now. Node B
    // forgets João at once (his last socket closed) and tells the others; the heartbeat
    // through PostgreSQL would do it within a few seconds anyway. Until node A hears of it a
    // start could still pick him: retry with new conversations until one waits.
    const store = await env!.store();
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await visitor(a!, undefined, 'pt');
      const conv = await startQuestion(r, { locale: 'pt', question: 'Alguém aí?' });
      r.close();
      if (conv.status === 'queued') {
        expect((await store.getConversation(conv.id))?.assigneeId).toBeNull();
        break;
      }
      expect(conv.assignee?.name).toBe('João Pereira');
      if (Date.now() > deadline) throw new Error('node A still assigns to João 15 s after his only socket (on node B) closed');
      await new Promise((res) => setTimeout(res, 250));
    }
  });
});
