import { act, fireEvent, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { answerOpen, conversation, FakeSocket, iso, JOAO, LEA, renderShell, verifiedIncident, type Harness } from './helpers.tsx';

let h: Harness | null = null;
afterEach(() => {
  h?.unmount();
  h = null;
});
const flush = () => act(() => new Promise((r) => setTimeout(r, 0)));

const msg = (seq: number, role: 'requester' | 'agent' | 'system', body: string, kind: 'text' | 'note' | 'system' = 'text') => ({
  conversationId: 'c_inc',
  seq,
  sender: role === 'requester' ? { role, name: 'Ana Souza' } : { role },
  kind,
  body,
  at: iso(-30_000 + seq * 1000),
});

function openIncident(messages = [msg(1, 'requester', 'It fails'), msg(2, 'agent', 'Checking')]) {
  const conv = verifiedIncident({ lastSeq: messages.length });
  h = renderShell({ conversations: [conv], hash: `#/inbox/${conv.id}` });
  answerOpen(h, conv, { messages, access: 'handle' });
  return { h, conv };
}

const escalated = (over = {}) => verifiedIncident({ escalated: true, queue: 'leads', status: 'assigned', assignee: { id: LEA.id, name: LEA.name }, lastSeq: 3, ...over });

describe('the open conversation stays in sync (stale pane)', () => {
  it('resyncs by seq when its row changes: escalated away and transferred back, the messages sent meanwhile appear without a reload', async () => {
    const { h, conv } = openIncident();
    // Escalated: it leaves João's queues; the console asks whether he may still read it.
    h.server({ type: 'agent.conversation.removed', conversationId: 'c_inc' });
    const reopen = h.socket.lastOfType('conversation.open')!;
    h.server({ type: 'conversation.snapshot', ref: reopen.ref, conversation: escalated(), messages: [msg(1, 'requester', 'It fails'), msg(2, 'agent', 'Checking'), msg(3, 'system', 'Escalated', 'system')], escalations: [], grant: null, access: 'read' });
    await flush();
    // Transferred back to João: the row returns with a newer seq than the pane holds.
    const back = verifiedIncident({ lastSeq: 5, queue: 'support', updatedAt: iso(0) });
    h.server({ type: 'agent.conversation.updated', conversation: back });
    const resume = h.socket.lastOfType('session.resume')!;
    expect(resume).toMatchObject({ conversationId: 'c_inc', lastSeq: 3 });
    h.server({ type: 'message.created', message: msg(4, 'system', 'Transferred back', 'system') });
    h.server({ type: 'message.created', message: msg(5, 'requester', 'Are you still there?') });
    h.server({ type: 'resume.done', ref: resume.ref, conversationId: 'c_inc', lastSeq: 5, replayed: 2 });
    await flush();
    expect(screen.getByRole('log').textContent).toContain('Are you still there?');
    // Handling it again: the composer is back.
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
    expect(conv.id).toBe('c_inc');
  });

  it('resyncs after a change of status, queue or assignee even when no seq is missing', () => {
    const { h } = openIncident();
    const before = h.socket.sentOfType('session.resume').length;
    h.server({ type: 'agent.conversation.updated', conversation: verifiedIncident({ lastSeq: 2, status: 'resolved' }) });
    expect(h.socket.sentOfType('session.resume')).toHaveLength(before + 1);
    // The same row again (an activity update that changes nothing of the routing) does not.
    h.server({ type: 'agent.conversation.updated', conversation: verifiedIncident({ lastSeq: 2, status: 'resolved', unread: 0 }) });
    expect(h.socket.sentOfType('session.resume')).toHaveLength(before + 1);
  });

  it('clicking the open conversation\'s inbox row resyncs it by seq', () => {
    const { h } = openIncident();
    const before = h.socket.sentOfType('session.resume').length;
    fireEvent.click(h.container.querySelector('li[data-conversation-id="c_inc"] button')!);
    expect(h.socket.sentOfType('session.resume')).toHaveLength(before + 1);
    expect(h.socket.lastOfType('session.resume')).toMatchObject({ conversationId: 'c_inc', lastSeq: 2 });
  });

  it('after a reconnect the open conversation is loaded again', () => {
    const { h } = openIncident();
    const opens = h.socket.sentOfType('conversation.open').length;
    act(() => h.socket.drop(1006));
    expect(h.container.querySelector('.conn')!.textContent).toBe('Reconnecting…');
    act(() => {
      // The retry button reconnects at once, without waiting out the backoff.
      fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    });
    const next = FakeSocket.instances.at(-1)!;
    expect(next).not.toBe(h.socket);
    act(() => next.open());
    act(() => next.serverSend({ type: 'session.ready', v: 1, principal: { kind: 'agent', agent: JOAO }, locale: 'en', heartbeatMs: 0 }));
    expect(h.socket.sentOfType('conversation.open')).toHaveLength(opens);
    expect(next.lastOfType('conversation.open')).toMatchObject({ conversationId: 'c_inc' });
  });
});

describe('escalated away from the agent who handled it', () => {
  it('R13: says what happened and keeps it readable, read-only — never a red "not found"', async () => {
    const { h } = openIncident();
    h.server({ type: 'agent.conversation.removed', conversationId: 'c_inc' });
    // It left João's queues: the console asks again, to learn whether he may still read it.
    expect(h.socket.sentOfType('conversation.open')).toHaveLength(2);
    const reopen = h.socket.lastOfType('conversation.open')!;
    h.server({ type: 'conversation.snapshot', ref: reopen.ref, conversation: escalated(), messages: [msg(1, 'requester', 'It fails'), msg(2, 'agent', 'Checking'), msg(3, 'system', 'Escalated', 'system')], escalations: [], grant: null, access: 'read' });
    await flush();
    expect(screen.getByText('Escalated to the support leads — you can still read it, but no longer reply.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('log').textContent).toContain('It fails');
    // Read-only: no composer, no actions, no read receipts, and it is not back in the inbox.
    expect(screen.queryByRole('button', { name: 'Send' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Resolve' })).toBeNull();
    expect(h.container.querySelector('li[data-conversation-id="c_inc"]')).toBeNull();
    const reads = h.socket.sentOfType('read').length;
    h.server({ type: 'message.created', message: msg(4, 'requester', 'Hello lead') });
    expect(screen.getByRole('log').textContent).toContain('Hello lead');
    expect(h.socket.sentOfType('read')).toHaveLength(reads);
  });

  it('when the server no longer lets them read it, the pane says it left their queues (a status, not an error)', async () => {
    const { h } = openIncident();
    h.server({ type: 'agent.conversation.removed', conversationId: 'c_inc' });
    // It left João's queues: the console asks again, to learn whether he may still read it.
    expect(h.socket.sentOfType('conversation.open')).toHaveLength(2);
    const reopen = h.socket.lastOfType('conversation.open')!;
    h.server({ type: 'error', ref: reopen.ref, code: 'not_found', i18nKey: 'error.not_found', conversationId: 'c_inc' });
    await flush();
    expect(h.container.querySelector('.conv')!.textContent).toContain('This conversation left your queues');
    expect(h.container.querySelector('.conv .error')).toBeNull();
  });
});

describe('who is typing', () => {
  it('names the requester when known, else a neutral word', () => {
    h = renderShell({ conversations: [conversation({ id: 'c_v', lastSeq: 0 })], hash: '#/inbox/c_v' });
    answerOpen(h, conversation({ id: 'c_v' }));
    h.server({ type: 'typing', conversationId: 'c_v', from: 'requester', on: true });
    expect(h.container.querySelector('.typing')!.textContent).toBe('Typing…');
    h.unmount();
    const claimed = conversation({ id: 'c_w', requester: { kind: 'visitor', verified: false, name: null, email: null, userId: null, claims: { name: 'Carla' }, contractMatch: 'unknown' } });
    h = renderShell({ conversations: [claimed], hash: '#/inbox/c_w' });
    answerOpen(h, claimed);
    h.server({ type: 'typing', conversationId: 'c_w', from: 'requester', on: true });
    expect(h.container.querySelector('.typing')!.textContent).toBe('Carla is typing…');
  });
});
