import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { cannedText, R8E_TEMPLATE_KEY } from '../src/screens/Conversation.tsx';
import { CATALOGS } from '../src/i18n.ts';
import { answerOpen, conversation, EMMA, iso, JOAO, NOW, renderShell, verifiedIncident, type Harness } from './helpers.tsx';

let h: Harness | null = null;
afterEach(() => {
  h?.unmount();
  h = null;
});
const flush = () => act(() => new Promise((r) => setTimeout(r, 0)));

const msg = (seq: number, role: 'requester' | 'agent' | 'system', body: string, kind: 'text' | 'note' | 'system' = 'text', conversationId = 'c_inc') => ({
  conversationId,
  seq,
  sender: { role, name: role === 'requester' ? 'Ana Souza' : role === 'agent' ? 'João' : undefined },
  kind,
  body,
  at: iso(-30_000 + seq * 1000),
});

function openIncident(over = {}, extra = {}) {
  const conv = verifiedIncident(over);
  h = renderShell({ conversations: [conv], hash: `#/inbox/${conv.id}` });
  answerOpen(h, conv, extra);
  return { h, conv };
}

describe('conversation', () => {
  it('opens from the inbox with conversation.open and renders the messages', () => {
    const conv = conversation({ id: 'c_1' });
    h = renderShell({ conversations: [conv] });
    fireEvent.click(h.container.querySelector('li[data-conversation-id="c_1"] button')!);
    expect(h.socket.lastOfType('conversation.open')).toMatchObject({ conversationId: 'c_1' });
    answerOpen(h, conv, { messages: [msg(1, 'requester', 'Hello there', 'text', 'c_1')] });
    expect(screen.getByRole('log').textContent).toContain('Hello there');
    expect(location.hash).toBe('#/inbox/c_1');
  });

  it('internal notes are visually distinct and labelled as never shown to the requester', () => {
    const { h } = openIncident({}, { messages: [msg(1, 'requester', 'It fails'), msg(2, 'agent', 'Checking the ERP logs', 'note'), msg(3, 'agent', 'Looking into it')] });
    const note = h.container.querySelector<HTMLElement>('li[data-seq="2"]')!;
    const reply = h.container.querySelector<HTMLElement>('li[data-seq="3"]')!;
    expect(note.className).toContain('msg--note');
    expect(reply.className).not.toContain('msg--note');
    expect(note.textContent).toContain('Internal note — not visible to the requester');
    expect(reply.textContent).not.toContain('Internal note');
  });

  it('sends an internal note with kind "note" and never a typing signal for it', () => {
    const { h } = openIncident();
    fireEvent.click(screen.getByLabelText('Internal note'));
    const box = screen.getByLabelText('Write an internal note (agents only)');
    fireEvent.input(box, { target: { value: 'Customer is on the old connector' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }));
    const sent = h.socket.lastOfType('message.send')!;
    expect(sent).toMatchObject({ conversationId: 'c_inc', kind: 'note', body: 'Customer is on the old connector' });
    expect(h.socket.sentOfType('typing.set')).toHaveLength(0);
    // Pending note shows as a note, then the ack turns it into a committed message.
    expect(h.container.querySelector('.msg--pending.msg--note')).toBeTruthy();
    h.server({ type: 'message.ack', ref: sent.ref, conversationId: 'c_inc', clientMsgId: sent.clientMsgId, seq: 7, at: iso(0) });
    const committed = h.container.querySelector<HTMLElement>('li[data-seq="7"]')!;
    expect(committed.className).toContain('msg--note');
    expect(h.container.querySelector('.msg--pending')).toBeNull();
  });

  it('a reply signals typing, sends on Enter, and the echo does not duplicate it', () => {
    const { h } = openIncident();
    const box = screen.getByLabelText('Write a reply to the requester');
    fireEvent.input(box, { target: { value: 'We are on it' } });
    expect(h.socket.lastOfType('typing.set')).toMatchObject({ conversationId: 'c_inc', on: true });
    fireEvent.keyDown(box, { key: 'Enter' });
    const sent = h.socket.lastOfType('message.send')!;
    expect(sent).toMatchObject({ body: 'We are on it' });
    expect(sent.kind).toBeUndefined();
    expect(h.socket.lastOfType('typing.set')).toMatchObject({ on: false });
    h.server({ type: 'message.created', message: { ...msg(4, 'agent', 'We are on it'), clientMsgId: sent.clientMsgId } });
    h.server({ type: 'message.ack', ref: sent.ref, conversationId: 'c_inc', clientMsgId: sent.clientMsgId, seq: 4, at: iso(0) });
    expect(h.container.querySelectorAll('li[data-seq="4"]')).toHaveLength(1);
    expect(h.container.querySelector('.msg--pending')).toBeNull();
  });

  it('a failed send stays visible with a retry that reuses the same clientMsgId', async () => {
    const { h } = openIncident();
    fireEvent.input(screen.getByLabelText('Write a reply to the requester'), { target: { value: 'Retry me' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const first = h.socket.lastOfType('message.send')!;
    h.server({ type: 'error', ref: first.ref, code: 'unavailable', i18nKey: 'error.unavailable' });
    await flush();
    expect(h.container.querySelector('.msg--pending')!.textContent).toContain('Not sent');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    const second = h.socket.lastOfType('message.send')!;
    expect(second.ref).not.toBe(first.ref);
    expect(second.clientMsgId).toBe(first.clientMsgId);
  });

  it('keeps an unsent note per conversation: another conversation and back, then a reload, it is still a note; sending forgets it', async () => {
    const a = conversation({ id: 'c_a' });
    const b = conversation({ id: 'c_b' });
    const openRow = (id: string, conv: typeof a) => {
      fireEvent.click(h!.container.querySelector(`li[data-conversation-id="${id}"] button`)!);
      answerOpen(h!, conv);
    };
    h = renderShell({ conversations: [a, b] });
    openRow('c_a', a);
    fireEvent.click(screen.getByLabelText('Internal note'));
    fireEvent.input(screen.getByLabelText('Write an internal note (agents only)'), { target: { value: 'ERP vendor ticket 4411' } });
    // The inbox marks it as soon as it has a draft, while it is still open.
    const tagOf = (id: string) => h!.container.querySelector(`li[data-conversation-id="${id}"] .tag--draft`)?.textContent ?? null;
    await waitFor(() => expect(tagOf('c_a')).toBe('Draft'));
    openRow('c_b', b);
    // The other conversation's composer is its own: empty, replying; the inbox marks the one left with a draft.
    expect(screen.getByLabelText<HTMLTextAreaElement>('Write a reply to the requester').value).toBe('');
    expect([tagOf('c_a'), tagOf('c_b')]).toEqual(['Draft', null]);
    fireEvent.input(screen.getByLabelText('Write a reply to the requester'), { target: { value: 'Hello B' } });
    openRow('c_a', a);
    expect(screen.getByLabelText<HTMLInputElement>('Internal note').checked).toBe(true);
    expect(screen.getByLabelText<HTMLTextAreaElement>('Write an internal note (agents only)').value).toBe('ERP vendor ticket 4411');
    expect(h.socket.sentOfType('typing.set')).toEqual([expect.objectContaining({ conversationId: 'c_b', on: true }), expect.objectContaining({ conversationId: 'c_b', on: false })]);

    // A reload (a new console over the same storage) finds both.
    h.unmount();
    h = renderShell({ conversations: [a, b], hash: '#/inbox/c_a' });
    answerOpen(h, a);
    expect(screen.getByLabelText<HTMLTextAreaElement>('Write an internal note (agents only)').value).toBe('ERP vendor ticket 4411');
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }));
    expect(h.socket.lastOfType('message.send')).toMatchObject({ conversationId: 'c_a', kind: 'note', body: 'ERP vendor ticket 4411' });
    // Sent: the open conversation loses its mark at once (no other event needed to redraw the inbox).
    await waitFor(() => expect(tagOf('c_a')).toBeNull());
    openRow('c_b', b);
    expect(screen.getByLabelText<HTMLTextAreaElement>('Write a reply to the requester').value).toBe('Hello B');
    openRow('c_a', a);
    expect(screen.getByLabelText<HTMLInputElement>('Reply').checked).toBe(true);
    expect(screen.getByLabelText<HTMLTextAreaElement>('Write a reply to the requester').value).toBe('');
    // Sent: no mark any more; c_b still has its draft.
    expect([tagOf('c_a'), tagOf('c_b')]).toEqual([null, 'Draft']);
  });

  it('shows the requester typing and read receipts, and sends read for what is visible', () => {
    const { h } = openIncident({}, { messages: [msg(1, 'requester', 'It fails'), msg(2, 'agent', 'Checking')] });
    expect(h.socket.lastOfType('read')).toMatchObject({ conversationId: 'c_inc', lastReadSeq: 2 });
    h.server({ type: 'typing', conversationId: 'c_inc', from: 'requester', on: true });
    expect(screen.getByText('Ana Souza is typing…')).toBeTruthy();
    h.server({ type: 'read.receipt', conversationId: 'c_inc', by: 'requester', lastReadSeq: 2 });
    expect(h.container.querySelector('li[data-seq="2"]')!.textContent).toContain('Seen');
    h.server({ type: 'message.created', message: msg(3, 'requester', 'Any news?') });
    expect(screen.queryByText('Ana Souza is typing…')).toBeNull();
    expect(h.socket.lastOfType('read')).toMatchObject({ lastReadSeq: 3 });
    // New messages land in a live region.
    expect(screen.getByRole('log').getAttribute('aria-live')).toBe('polite');
  });

  it('R8e: canned replies are inserted in the conversation language, not the interface language', () => {
    const { h } = openIncident({ language: 'es' });
    const select = h.container.querySelector<HTMLSelectElement>('.canned select')!;
    fireEvent.change(select, { target: { value: 'r8e' } });
    const box = h.container.querySelector<HTMLTextAreaElement>('.composer textarea')!;
    expect(box.value).toBe(CATALOGS.es[R8E_TEMPLATE_KEY]);
    expect(box.value).toContain('fuera de la plataforma');
  });

  it('R8a/R8b/R8c: the texts exist in pt, en and es; R8b/R8c point the transfer at the project team', () => {
    for (const lang of ['pt', 'en', 'es'] as const) {
      for (const id of ['r8a', 'r8b', 'r8c', 'r8e']) expect(cannedText(id, lang, 'João').length).toBeGreaterThan(40);
    }
    expect(cannedText('greeting', 'pt', 'João')).toContain('João');
    const { h } = openIncident();
    fireEvent.change(screen.getByLabelText('Transfer to queue'), { target: { value: 'leads' } });
    fireEvent.change(h.container.querySelector<HTMLSelectElement>('.canned select')!, { target: { value: 'r8c' } });
    expect((screen.getByLabelText('Transfer to queue') as HTMLSelectElement).value).toBe('project');
    expect(h.container.querySelector<HTMLTextAreaElement>('.composer textarea')!.value).toBe(CATALOGS.pt['canned.r8c.body']);
  });

  it('R9: a priority override requires a reason and sends priority.set', () => {
    const { h } = openIncident();
    const panel = h.container.querySelector<HTMLElement>('section[aria-labelledby="prio-title"]')!;
    expect(panel.textContent).toContain('environment:Prod');
    fireEvent.click(within(panel).getByRole('button', { name: 'Change priority' }));
    fireEvent.change(within(panel).getByLabelText('New priority'), { target: { value: 'P1' } });
    const apply = within(panel).getByRole('button', { name: 'Apply' }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true);
    fireEvent.click(apply);
    expect(h.socket.sentOfType('priority.set')).toHaveLength(0);
    fireEvent.input(within(panel).getByLabelText('Reason (required)'), { target: { value: 'Whole Prod environment down' } });
    expect(apply.disabled).toBe(false);
    fireEvent.click(apply);
    expect(h.socket.lastOfType('priority.set')).toMatchObject({ conversationId: 'c_inc', priority: 'P1', reason: 'Whole Prod environment down' });
  });

  it('assigns to me, to a person, transfers with a reason, resolves and reopens', async () => {
    const { h, conv } = openIncident({ assignee: null, status: 'queued' });
    fireEvent.click(screen.getByRole('button', { name: 'Assign to me' }));
    expect(h.socket.lastOfType('conversation.assign')).toEqual(expect.objectContaining({ conversationId: 'c_inc' }));
    expect(h.socket.lastOfType('conversation.assign')!.agentId).toBeUndefined();
    // The server answers a command by publishing the change.
    h.server({ type: 'agent.conversation.updated', conversation: { ...conv, status: 'assigned', assignee: { id: JOAO.id, name: JOAO.name } } });
    await flush();
    expect(screen.queryByRole('button', { name: 'Assign to me' })).toBeNull();
    fireEvent.change(screen.getByLabelText('Assign to a person'), { target: { value: EMMA.id } });
    fireEvent.click(screen.getByRole('button', { name: 'Assign' }));
    expect(h.socket.lastOfType('conversation.assign')).toMatchObject({ agentId: EMMA.id });
    const transfer = screen.getByRole('button', { name: 'Transfer' }) as HTMLButtonElement;
    expect(transfer.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Transfer to queue'), { target: { value: 'leads' } });
    fireEvent.input(screen.getAllByLabelText('Reason (required)').at(-1)!, { target: { value: 'Needs a lead' } });
    fireEvent.click(transfer);
    expect(h.socket.lastOfType('conversation.transfer')).toMatchObject({ conversationId: 'c_inc', queue: 'leads', reason: 'Needs a lead' });
    fireEvent.click(screen.getByRole('button', { name: 'Resolve' }));
    const resolve = h.socket.lastOfType('conversation.resolve')!;
    expect(resolve).toMatchObject({ conversationId: 'c_inc' });
    h.server({ type: 'agent.conversation.updated', conversation: { ...conv, status: 'resolved', feedback: { answered: false, comment: 'Still broken' } } });
    expect(screen.getByText('Answered the question: no')).toBeTruthy();
    expect(screen.getByText('Still broken')).toBeTruthy();
    await flush();
    fireEvent.click(screen.getByRole('button', { name: 'Reopen' }));
    const reopen = h.socket.lastOfType('conversation.reopen')!;
    expect(reopen).toMatchObject({ conversationId: 'c_inc' });
    // A refusal answers our ref and shows next to the control.
    h.server({ type: 'error', ref: reopen.ref, code: 'invalid_state', i18nKey: 'error.invalid_state', conversationId: 'c_inc' });
    await flush();
    expect(screen.getByRole('alert').textContent).toBe('That is not possible in the conversation’s current state.');
  });

  it('says so when the open conversation leaves the agent\'s queues', () => {
    const { h } = openIncident();
    h.server({ type: 'agent.conversation.removed', conversationId: 'c_inc' });
    expect(h.container.textContent).toContain('This conversation left your queues');
    expect(h.container.querySelector('li[data-conversation-id="c_inc"]')).toBeNull();
  });

  it('shows the routing log: why is this here', () => {
    const { h } = openIncident();
    const log = h.container.querySelector<HTMLElement>('section[aria-labelledby="routing-title"]')!;
    expect(log.textContent).toContain('Why is this here');
    expect(log.textContent).toContain('Support · PT');
    expect(log.textContent).toContain(JOAO.name);
    expect(log.textContent).toContain('language:pt');
  });

  it('R5: a visitor claim is marked unverified and its contract status is labelled agents-only', () => {
    const conv = conversation({
      id: 'c_v',
      channel: 'login',
      requestType: 'auth_incident',
      answers: { email: 'boss@acme.example', whatHappens: 'Cannot log in', when: iso(-3_600_000) },
      requester: { kind: 'visitor', verified: false, name: null, email: null, userId: null, claims: { email: 'boss@acme.example', realm: 'acme' }, contractMatch: 'contract' },
    });
    h = renderShell({ conversations: [conv], hash: '#/inbox/c_v' });
    answerOpen(h, conv);
    const head = h.container.querySelector<HTMLElement>('.conv-head')!;
    expect(head.textContent).toContain('boss@acme.example');
    expect(within(head).getAllByText('unverified claim').length).toBe(2);
    expect(within(head).getByTitle('For agents only: never reveal this to the requester.').textContent).toBe('Claim matches a contract');
    // R7b: no realm panel for an unauthenticated requester.
    expect(h.container.querySelector('.realm')).toBeNull();
    expect(h.socket.sentOfType('realm.view')).toHaveLength(0);
  });
});

describe('realm panel (R7b, R12)', () => {
  const pipelines = [
    { id: 'pl_orders', name: 'Orders sync', key: 'ORD-SYNC-01', environment: 'Prod', status: 'running', projectId: null, inProjectPhase: false },
    { id: 'pl_migration', name: 'Legacy migration', key: 'MIG-LEG-04', environment: 'Test', status: 'paused', projectId: 'prj_migration', inProjectPhase: true },
  ];
  const projects = [{ id: 'prj_migration', name: 'ERP migration', ongoing: true }];

  it('R12a: read-only without a grant: adjust actions are disabled', () => {
    const { h } = openIncident();
    const req = h.socket.lastOfType('realm.view')!;
    expect(req).toMatchObject({ conversationId: 'c_inc' });
    h.server({ type: 'realm.snapshot', ref: req.ref, conversationId: 'c_inc', realmId: 'acme', pipelines, projects, grant: null });
    const panel = h.container.querySelector<HTMLElement>('.realm')!;
    expect(panel.textContent).toContain('Orders sync');
    expect(panel.textContent).toContain('ORD-SYNC-01');
    expect(panel.textContent).toContain('ERP migration');
    expect(panel.textContent).toContain('project phase');
    expect(panel.textContent).toContain('Read-only');
    const buttons = within(panel).getAllByRole('button', { name: /^(Restart|Pause|Resume) / }) as HTMLButtonElement[];
    expect(buttons.length).toBe(4);
    for (const b of buttons) expect(b.disabled).toBe(true);
  });

  it('R12b/R12c: an active grant shows a banner with level and expiry and enables realm.adjust after a confirm', () => {
    const { h } = openIncident();
    const req = h.socket.lastOfType('realm.view')!;
    const grant = { id: 'gr_1', level: 'write', grantedBy: 'Ana Souza', createdAt: iso(-60_000), expiresAt: iso(30 * 60_000), revokedAt: null };
    h.server({ type: 'realm.snapshot', ref: req.ref, conversationId: 'c_inc', realmId: 'acme', pipelines, projects, grant });
    const panel = h.container.querySelector<HTMLElement>('.realm')!;
    const banner = panel.querySelector('.banner--grant')!;
    expect(banner.textContent).toContain('Customer granted write access');
    expect(banner.textContent).toContain('Customer granted write access. Expires in 30m 00s');
    const restart = within(panel).getByRole('button', { name: 'Restart Orders sync' }) as HTMLButtonElement;
    expect(restart.disabled).toBe(false);
    fireEvent.click(restart);
    expect(h.socket.sentOfType('realm.adjust')).toHaveLength(0);
    fireEvent.click(within(panel).getByRole('button', { name: 'Confirm' }));
    expect(h.socket.lastOfType('realm.adjust')).toMatchObject({ conversationId: 'c_inc', pipelineId: 'pl_orders', action: 'restart' });
    expect(within(panel).getByRole('button', { name: 'Resume Legacy migration' })).toBeTruthy();
  });

  it('R12c: the actions turn off when the grant expires or is revoked', () => {
    const { h } = openIncident();
    const req = h.socket.lastOfType('realm.view')!;
    const grant = { id: 'gr_1', level: 'write', grantedBy: 'Ana Souza', createdAt: iso(-60_000), expiresAt: iso(2_000), revokedAt: null };
    h.server({ type: 'realm.snapshot', ref: req.ref, conversationId: 'c_inc', realmId: 'acme', pipelines, projects, grant });
    const panel = h.container.querySelector<HTMLElement>('.realm')!;
    expect((within(panel).getByRole('button', { name: 'Restart Orders sync' }) as HTMLButtonElement).disabled).toBe(false);
    act(() => h.ticker.set(NOW + 3_000));
    expect((within(panel).getByRole('button', { name: 'Restart Orders sync' }) as HTMLButtonElement).disabled).toBe(true);
    expect(panel.querySelector('.banner--grant')).toBeNull();
    h.server({ type: 'realm.snapshot', conversationId: 'c_inc', realmId: 'acme', pipelines, projects, grant: { ...grant, expiresAt: iso(3_600_000), revokedAt: iso(0) } });
    expect((within(panel).getByRole('button', { name: 'Restart Orders sync' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
