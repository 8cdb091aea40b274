import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { conversation, iso, JOAO, LEA, renderShell, verifiedIncident, type Harness } from './helpers.tsx';

let h: Harness | null = null;
afterEach(() => {
  h?.unmount();
  h = null;
});
/** The leads' view is a lazy chunk: wait until it has replaced the loading line (it follows the store once its effects ran: later frames are awaited with waitFor). */
const shown = () => waitFor(() => expect(h!.container.querySelector('main[aria-labelledby="leads-title"]')).not.toBeNull());

describe("leads' view", () => {
  it('R13: escalations show reason, description, environment and justification', async () => {
    h = renderShell({ me: LEA, conversations: [verifiedIncident({ escalated: true, queue: 'leads' })], hash: '#/leads' });
    await shown();
    h.server({
      type: 'agent.escalation',
      escalation: { id: 'e1', conversationId: 'c_inc', reason: 'disagree', description: 'Fix did not work', environment: 'Prod', justification: 'Orders lost', source: 'email', createdAt: iso(-1000) },
    });
    const section = h.container.querySelector<HTMLElement>('section[aria-labelledby="leads-esc"]')!;
    await waitFor(() => expect(section.textContent).toContain('Outcome disagrees with expectations'));
    expect(section.textContent).toContain('Fix did not work');
    expect(section.textContent).toContain('Prod');
    expect(section.textContent).toContain('Orders lost');
    expect(section.textContent).toContain('email');
    fireEvent.click(within(section).getByRole('button', { name: 'Open' }));
    expect(location.hash).toBe('#/inbox/c_inc');
    expect(h.socket.lastOfType('conversation.open')).toMatchObject({ conversationId: 'c_inc' });
  });

  it('R10: breached SLAs are listed, from the clock and from sla.breached', async () => {
    h = renderShell({
      me: LEA,
      hash: '#/leads',
      conversations: [
        conversation({ id: 'c_late', sla: { firstResponseDueAt: iso(-60_000), nextResponseDueAt: null, resolutionDueAt: null, breached: [] } }),
        conversation({ id: 'c_flag', sla: { firstResponseDueAt: iso(600_000), nextResponseDueAt: null, resolutionDueAt: null, breached: [] } }),
        conversation({ id: 'c_fine', sla: { firstResponseDueAt: iso(600_000), nextResponseDueAt: null, resolutionDueAt: null, breached: [] } }),
      ],
    });
    await shown();
    h.server({ type: 'sla.breached', conversationId: 'c_flag', clock: 'resolution', at: iso(0) });
    const table = h.container.querySelector<HTMLElement>('section[aria-labelledby="leads-breach"] table')!;
    await waitFor(() => expect(table.textContent).toContain('c_flag'));
    const text = table.textContent!;
    expect(text).toContain('c_late');
    expect(text).toContain('c_flag');
    expect(text).not.toContain('c_fine');
  });

  it('R14: a "No" with its comment surfaces to the leads, live, and opens the conversation', async () => {
    h = renderShell({ me: LEA, hash: '#/leads', conversations: [conversation({ id: 'c_done', status: 'resolved', assignee: { id: JOAO.id, name: JOAO.name } })] });
    await shown();
    const section = () => h!.container.querySelector<HTMLElement>('section[aria-labelledby="leads-feedback"]')!;
    expect(section().textContent).toContain('No negative feedback.');
    // The requester answered "No" with a comment: the row update reaches the lead.
    h.server({ type: 'agent.conversation.updated', conversation: conversation({ id: 'c_done', status: 'resolved', assignee: { id: JOAO.id, name: JOAO.name }, feedback: { answered: false, comment: 'Still broken after the restart' } }) });
    await waitFor(() => expect(section().textContent).toContain('Still broken after the restart'));
    expect(section().textContent).toContain('Answered the question: no');
    expect(section().textContent).toContain('João');
    // A "Yes" is not listed.
    h.server({ type: 'agent.conversation.updated', conversation: conversation({ id: 'c_ok', status: 'resolved', feedback: { answered: true } }) });
    expect(section().querySelectorAll('li')).toHaveLength(1);
    fireEvent.click(within(section()).getByRole('button', { name: 'Open' }));
    expect(location.hash).toBe('#/inbox/c_done');
    // In the inbox, among the resolved, the row says so too.
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'resolved' } });
    expect(h.container.querySelector('li[data-conversation-id="c_done"]')!.textContent).toContain('Feedback: no');
  });

  it('only leads get the leads view in the navigation', () => {
    h = renderShell({ me: JOAO });
    expect(screen.queryByRole('link', { name: 'Leads' })).toBeNull();
    h.unmount();
    h = renderShell({ me: LEA });
    expect(screen.getByRole('link', { name: 'Leads' })).toBeTruthy();
  });
});
