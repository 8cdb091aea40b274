import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, GENERAL, idem, requester, type TestClient } from '../client.ts';
import { apiStack, type ApiStack } from './helpers.ts';

let s: ApiStack;
let system: string;
let systemRead: string;
let emma: string;
let pedro: string;
beforeAll(async () => {
  s = await apiStack();
  system = await s.token(['conversations:read', 'conversations:write'], null, { name: 'Automation' });
  systemRead = await s.token(['conversations:read'], null);
  emma = await s.token(['conversations:read', 'conversations:write'], 'ag_emma');
  pedro = await s.token(['conversations:read', 'conversations:write'], 'ag_pedro');
});
afterAll(async () => {
  await s?.close();
});

type Conv = { id: string; status: string; priority: string | null; queue: string; assignee: { id: string; name: string } | null; updatedAt: string; lastSeq: number };
const json = <T>(r: { json(): unknown }) => r.json() as T;

/** A requester's conversation, and the requester's socket. */
async function started(): Promise<{ id: string; req: TestClient }> {
  const req = await requester(s);
  const f = await req.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
  await req.request({ type: 'message.send', conversationId: f.conversation.id, clientMsgId: idem(), body: 'Hello?' }, 'message.ack');
  return { id: f.conversation.id, req };
}

describe('/api/v1/conversations', () => {
  it('lists in a stable (updatedAt, id) order with cursors, at most 100 a page, filtered by status, priority, language, queue and time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await started()).id);
    const all: Conv[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await s.call('GET', `/api/v1/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`, systemRead);
      expect(r.statusCode).toBe(200);
      const page = json<{ conversations: Conv[]; nextCursor: string | null }>(r);
      expect(page.conversations.length).toBeLessThanOrEqual(2);
      all.push(...page.conversations);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    for (const id of ids) expect(all.map((c) => c.id)).toContain(id);
    const order = all.map((c) => [c.updatedAt, c.id].join(' '));
    expect(order).toEqual([...order].sort());
    expect((await s.call('GET', '/api/v1/conversations?limit=101', systemRead)).statusCode).toBe(400);
    expect((await s.call('GET', '/api/v1/conversations?cursor=bogus', systemRead)).json()).toMatchObject({ code: 'bad_request', detail: expect.stringMatching(/cursor/) });

    const queued = json<{ conversations: Conv[] }>(await s.call('GET', '/api/v1/conversations?status=queued&queue=support&language=en&limit=100', systemRead)).conversations;
    for (const id of ids) expect(queued.map((c) => c.id)).toContain(id);
    expect(json<{ conversations: Conv[] }>(await s.call('GET', '/api/v1/conversations?status=resolved,closed', systemRead)).conversations.filter((c) => ids.includes(c.id))).toEqual([]);
    expect(json<{ conversations: Conv[] }>(await s.call('GET', '/api/v1/conversations?priority=P1', systemRead)).conversations.filter((c) => ids.includes(c.id))).toEqual([]);
    const mid = all.find((c) => c.id === ids[2])!.updatedAt;
    const since = json<{ conversations: Conv[] }>(await s.call('GET', `/api/v1/conversations?updatedSince=${encodeURIComponent(mid)}&limit=100`, systemRead)).conversations;
    expect(since.every((c) => c.updatedAt >= mid)).toBe(true);
    expect(since.map((c) => c.id)).toContain(ids[4]);
    expect(since.map((c) => c.id)).not.toContain(ids[0]);
    expect((await s.call('GET', '/api/v1/conversations?updatedSince=yesterday', systemRead)).statusCode).toBe(400);
  });

  it('R7: a token sees what its agent may see — another queue’s conversation is answered like one that does not exist', async () => {
    const { id } = await started();
    expect(json<{ conversations: Conv[] }>(await s.call('GET', '/api/v1/conversations?limit=100', emma)).conversations.map((c) => c.id)).toContain(id);
    expect(json<{ conversations: Conv[] }>(await s.call('GET', '/api/v1/conversations?limit=100', pedro)).conversations.map((c) => c.id)).not.toContain(id);
    const hidden = await s.call('GET', `/api/v1/conversations/${id}`, pedro);
    const missing = await s.call('GET', '/api/v1/conversations/AJ-NOSUCHTHING0', pedro);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body).toBe(missing.body);
    expect((await s.call('POST', `/api/v1/conversations/${id}/notes`, pedro, { body: 'sneaky' })).statusCode).toBe(404);
    expect(json<{ messages: unknown[] }>(await s.call('GET', `/api/v1/conversations/${id}`, emma)).messages.some((m) => JSON.stringify(m).includes('sneaky'))).toBe(false);
  });

  it('a reply as the token’s agent reaches the requester and the console live, takes the queued conversation, and is stored once per clientMsgId', async () => {
    const { id, req } = await started();
    const r = await s.call('POST', `/api/v1/conversations/${id}/messages`, emma, { body: 'Hi, Emma here.', clientMsgId: 'crm-1' });
    expect(r.statusCode).toBe(201);
    const { message } = json<{ message: { seq: number; sender: { role: string; agentId: string; name: string }; kind: string } }>(r);
    expect(message).toMatchObject({ kind: 'text', sender: { role: 'agent', agentId: 'ag_emma', name: 'Emma Clarke' } });
    await req.wait('message.created', (f) => f.message.seq === message.seq && f.message.body === 'Hi, Emma here.');
    const again = await s.call('POST', `/api/v1/conversations/${id}/messages`, emma, { body: 'Hi, Emma here.', clientMsgId: 'crm-1' });
    expect(again.statusCode).toBe(200);
    expect(json<{ message: { seq: number }; duplicate: boolean }>(again)).toMatchObject({ duplicate: true, message: { seq: message.seq } });
    const got = json<{ conversation: Conv; messages: Array<{ body: string }> }>(await s.call('GET', `/api/v1/conversations/${id}`, emma));
    expect(got.messages.filter((m) => m.body === 'Hi, Emma here.')).toHaveLength(1);
    // Replying to a queued conversation took it, as in the console.
    expect(got.conversation).toMatchObject({ status: 'assigned', assignee: { id: 'ag_emma', name: 'Emma Clarke' } });
    const lea = await agent(s, 'lea@ajuda.local');
    try {
      await lea.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
      const live = json<{ message: { seq: number } }>(await s.call('POST', `/api/v1/conversations/${id}/messages`, emma, { body: 'Looking into it.' }));
      await lea.wait('message.created', (f) => f.message.conversationId === id && f.message.seq === live.message.seq);
      await req.wait('message.created', (f) => f.message.seq === live.message.seq);
      // A note: the console sees it, the requester never does.
      const note = json<{ message: { seq: number; kind: string } }>(await s.call('POST', `/api/v1/conversations/${id}/notes`, emma, { body: 'internal: VIP' }));
      expect(note.message.kind).toBe('note');
      await lea.wait('message.created', (f) => f.message.seq === note.message.seq && f.message.kind === 'note');
      await s.call('POST', `/api/v1/conversations/${id}/messages`, emma, { body: 'after the note' });
      await req.wait('message.created', (f) => f.message.body === 'after the note');
      expect(req.frames.some((f) => f.type === 'message.created' && f.message.kind === 'note')).toBe(false);
    } finally {
      lea.close();
      req.close();
    }
  });

  it('a system token replies under its own name and takes nothing; it must name whom it assigns', async () => {
    const { id, req } = await started();
    try {
      const r = json<{ message: { sender: { role: string; name: string; agentId?: string } } }>(await s.call('POST', `/api/v1/conversations/${id}/messages`, system, { body: 'We got your question.' }));
      expect(r.message.sender).toEqual({ role: 'agent', name: 'Automation' });
      expect(json<{ conversation: Conv }>(await s.call('GET', `/api/v1/conversations/${id}`, system)).conversation).toMatchObject({ status: 'queued', assignee: null });
      expect(json<{ code: string; detail: string }>(await s.call('POST', `/api/v1/conversations/${id}/assign`, system, {}))).toMatchObject({ code: 'bad_request', detail: expect.stringMatching(/agentId/) });
      const a = await s.call('POST', `/api/v1/conversations/${id}/assign`, system, { agentId: 'ag_joao' });
      expect(a.statusCode).toBe(200);
      expect(json<{ conversation: Conv }>(a).conversation).toMatchObject({ status: 'assigned', assignee: { id: 'ag_joao' } });
      await req.wait('conversation.updated', (f) => f.conversation.id === id && f.conversation.assignee?.name === 'João Pereira');
      const audit = await s.app.ajuda.svc.store.auditOf(id);
      expect(audit.find((x) => x.action === 'conversation.assigned')!.actor).toMatch(/^api:tok_/);
    } finally {
      req.close();
    }
  });

  it('R9: a priority override needs a reason, is audited with it and traced; the requester sees the new priority', async () => {
    const { id, req } = await started();
    try {
      expect((await s.call('POST', `/api/v1/conversations/${id}/priority`, emma, { priority: 'P1' })).statusCode).toBe(400);
      expect((await s.call('POST', `/api/v1/conversations/${id}/priority`, emma, { priority: 'P0', reason: 'x' })).statusCode).toBe(400);
      const r = await s.call('POST', `/api/v1/conversations/${id}/priority`, emma, { priority: 'P1', reason: 'Production is down for them' });
      expect(r.statusCode).toBe(200);
      expect(json<{ conversation: Conv }>(r).conversation.priority).toBe('P1');
      const audit = (await s.app.ajuda.svc.store.auditOf(id)).find((a) => a.action === 'priority.changed')!;
      expect(audit).toMatchObject({ actor: 'agent:ag_emma', detail: { to: 'P1', reason: 'Production is down for them' } });
      const row = (await s.app.ajuda.svc.store.getConversation(id))!;
      expect(JSON.stringify(row.priorityTrace)).toContain('Production is down for them');
      await req.wait('conversation.updated', (f) => f.conversation.id === id && f.conversation.priority === 'P1');
    } finally {
      req.close();
    }
  });

  it('transfer: to the project queue the support agent loses it (R7) and the project team gets it; the reason is audited', async () => {
    const { id, req } = await started();
    req.close();
    const r = await s.call('POST', `/api/v1/conversations/${id}/transfer`, emma, { queue: 'project', reason: 'Changes the flow’s strategy (R8b)' });
    expect(r.statusCode).toBe(200);
    expect(json<{ conversation: Conv }>(r).conversation.queue).toBe('project');
    expect((await s.call('GET', `/api/v1/conversations/${id}`, emma)).statusCode).toBe(404);
    expect((await s.call('GET', `/api/v1/conversations/${id}`, pedro)).statusCode).toBe(200);
    expect((await s.call('POST', `/api/v1/conversations/${id}/transfer`, emma, { reason: 'no target' })).statusCode).toBe(400);
    expect((await s.app.ajuda.svc.store.auditOf(id)).find((a) => a.action === 'conversation.transferred')!.detail).toMatchObject({ queue: 'project' });
  });

  it('resolve and reopen follow the state rules (409 otherwise); resolving asks the requester for feedback (R14)', async () => {
    const { id, req } = await started();
    try {
      expect((await s.call('POST', `/api/v1/conversations/${id}/reopen`, emma)).json()).toMatchObject({ status: 409, code: 'invalid_state' });
      const r = await s.call('POST', `/api/v1/conversations/${id}/resolve`, emma);
      expect(json<{ conversation: Conv }>(r).conversation.status).toBe('resolved');
      await req.wait('feedback.requested', (f) => f.conversationId === id);
      expect((await s.call('POST', `/api/v1/conversations/${id}/resolve`, emma)).json()).toMatchObject({ status: 409, code: 'invalid_state' });
      expect((await s.call('POST', `/api/v1/conversations/${id}/messages`, emma, { body: 'still here' })).statusCode).toBe(201);
      const back = await s.call('POST', `/api/v1/conversations/${id}/reopen`, emma);
      expect(json<{ conversation: Conv }>(back).conversation.status).toMatch(/^(queued|assigned)$/);
      await req.wait('conversation.updated', (f) => f.conversation.id === id && f.conversation.status !== 'resolved', 10_000, req.frames.findIndex((f) => f.type === 'feedback.requested'));
    } finally {
      req.close();
    }
  });

  it('pages messages after a seq; escalations are listed for whoever may see their conversation (R13)', async () => {
    const { id, req } = await started();
    try {
      for (let i = 0; i < 4; i++) await s.call('POST', `/api/v1/conversations/${id}/notes`, system, { body: `n${i}` });
      const first = json<{ messages: Array<{ seq: number }>; nextAfterSeq: number | null }>(await s.call('GET', `/api/v1/conversations/${id}/messages?limit=2`, systemRead));
      expect(first.messages.map((m) => m.seq)).toEqual([1, 2]);
      const rest = json<{ messages: Array<{ seq: number }>; nextAfterSeq: number | null }>(await s.call('GET', `/api/v1/conversations/${id}/messages?afterSeq=${first.nextAfterSeq}&limit=100`, systemRead));
      expect(rest.messages[0]!.seq).toBe(3);
      expect(rest.nextAfterSeq).toBeNull();
      await req.request({ type: 'escalation.create', conversationId: id, reason: 'other_engineer', description: 'Nobody answers', environment: 'Prod', justification: 'It is urgent' }, 'escalation.created');
      const lea = await s.token(['conversations:read'], 'ag_lea');
      const escs = json<{ escalations: Array<{ conversationId: string; reason: string }> }>(await s.call('GET', '/api/v1/escalations?limit=100', lea)).escalations;
      expect(escs.find((e) => e.conversationId === id)).toMatchObject({ reason: 'other_engineer' });
      // Now in the leads' queue: a support agent's token sees neither the escalation nor the conversation.
      expect(json<{ escalations: Array<{ conversationId: string }> }>(await s.call('GET', '/api/v1/escalations?limit=100', emma)).escalations.some((e) => e.conversationId === id)).toBe(false);
      const detail = json<{ escalations: unknown[] }>(await s.call('GET', `/api/v1/conversations/${id}`, lea));
      expect(detail.escalations).toHaveLength(1);
    } finally {
      req.close();
    }
  });
});
