import { fireEvent, screen, within } from '@testing-library/preact';
import { options } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { conversation, EMMA, iso, JOAO, renderShell, type Harness } from './helpers.tsx';

let h: Harness | null = null;
const settle = () => new Promise((r) => setTimeout(r, 0));
afterEach(() => {
  h?.unmount();
  h = null;
});

const sla = (ms: number, breached: Array<'first_response'> = []) => ({ firstResponseDueAt: iso(ms), nextResponseDueAt: null, resolutionDueAt: null, breached });

function rowIds(container: HTMLElement) {
  return [...container.querySelectorAll<HTMLElement>('li[data-conversation-id]')].map((li) => li.dataset.conversationId);
}

describe('inbox', () => {
  it('R10: rows are sorted by SLA urgency, breached first', () => {
    h = renderShell({
      conversations: [
        conversation({ id: 'c_later', priority: 'P1', sla: sla(2 * 3_600_000) }),
        conversation({ id: 'c_breached', priority: 'P4', sla: sla(-120_000, ['first_response']) }),
        conversation({ id: 'c_soon', priority: 'P3', sla: sla(5 * 60_000) }),
      ],
    });
    expect(rowIds(h.container)).toEqual(['c_breached', 'c_soon', 'c_later']);
    const first = h.container.querySelector('li[data-conversation-id="c_breached"]')!;
    expect(first.textContent).toContain('Breached 2m 00s ago');
  });

  it('R1: each row shows priority, type, channel and whether the requester is verified; a claim is marked unverified', () => {
    h = renderShell({
      conversations: [
        conversation({ id: 'c_claim', channel: 'website', requester: { kind: 'visitor', verified: false, name: null, email: null, userId: null, claims: { email: 'boss@acme.example', name: 'The Boss' }, contractMatch: 'contract' }, unread: 3 }),
        conversation({ id: 'c_verified', requestType: 'incident', priority: 'P2', requester: { kind: 'realm_user', verified: true, name: 'Ana Souza', email: 'ana@acme.example', userId: 'u_ana', claims: null, contractMatch: 'unknown' }, sla: sla(30_000) }),
      ],
    });
    const claimRow = h.container.querySelector<HTMLElement>('li[data-conversation-id="c_claim"]')!;
    expect(claimRow.textContent).toContain('The Boss');
    expect(within(claimRow).getByText('unverified claim')).toBeTruthy();
    expect(claimRow.textContent).toContain('Website');
    expect(within(claimRow).getByLabelText('3 unread').textContent).toBe('3');
    // R5: contract status of a claim is not on the row (only on the agent's detail view).
    expect(claimRow.textContent).not.toContain('contract');
    const verifiedRow = h.container.querySelector<HTMLElement>('li[data-conversation-id="c_verified"]')!;
    expect(verifiedRow.textContent).toContain('Ana Souza');
    expect(verifiedRow.textContent).toContain('verified by the platform');
    expect(verifiedRow.textContent).toContain('Incident');
    expect(verifiedRow.textContent).toContain('P2');
    expect(verifiedRow.textContent).not.toContain('unverified');
  });

  it('a row previews the last message: who wrote it and its first line', () => {
    h = renderShell({
      conversations: [
        conversation({ id: 'c_p', lastMessage: { role: 'requester', name: 'Ana Souza', text: 'The export stops at row 5000', at: iso(-1000) } }),
        conversation({ id: 'c_q', lastMessage: { role: 'requester', text: 'Hello?', at: iso(-1000) } }),
        conversation({ id: 'c_none', lastMessage: null }),
      ],
    });
    const row = (id: string) => h!.container.querySelector<HTMLElement>(`li[data-conversation-id="${id}"]`)!;
    expect(row('c_p').querySelector('[data-preview]')!.textContent).toBe('Ana Souza: The export stops at row 5000');
    expect(row('c_q').querySelector('[data-preview]')!.textContent).toBe('Requester: Hello?');
    expect(row('c_none').querySelector('[data-preview]')).toBeNull();
    // Live: the next message replaces the preview.
    h.server({ type: 'agent.conversation.updated', conversation: conversation({ id: 'c_q', lastMessage: { role: 'agent', name: 'João', text: 'Hi, looking', at: iso(0) } }) });
    expect(row('c_q').querySelector('[data-preview]')!.textContent).toBe('João: Hi, looking');
  });

  it('updates in real time from agent.conversation.updated / removed, without reload', () => {
    h = renderShell({ conversations: [conversation({ id: 'c_a', sla: sla(600_000) }), conversation({ id: 'c_b', sla: sla(900_000) })] });
    expect(rowIds(h.container)).toEqual(['c_a', 'c_b']);
    h.server({ type: 'agent.conversation.updated', conversation: conversation({ id: 'c_new', priority: 'P1', sla: sla(60_000) }) });
    expect(rowIds(h.container)).toEqual(['c_new', 'c_a', 'c_b']);
    h.server({ type: 'agent.conversation.updated', conversation: conversation({ id: 'c_b', sla: sla(10_000), unread: 2 }) });
    expect(rowIds(h.container)).toEqual(['c_b', 'c_new', 'c_a']);
    h.server({ type: 'agent.conversation.removed', conversationId: 'c_new' });
    expect(rowIds(h.container)).toEqual(['c_b', 'c_a']);
    expect(h.socket.sentOfType('inbox.get')).toHaveLength(1);
  });

  it('filters by queue, priority, status and mine/unassigned', () => {
    h = renderShell({
      agents: [JOAO, EMMA],
      conversations: [
        conversation({ id: 'c_mine', assignee: { id: JOAO.id, name: JOAO.name }, status: 'assigned', priority: 'P2' }),
        conversation({ id: 'c_emma', assignee: { id: EMMA.id, name: EMMA.name }, status: 'assigned', language: 'en' }),
        conversation({ id: 'c_free', priority: 'P2' }),
        conversation({ id: 'c_done', status: 'resolved' }),
        conversation({ id: 'c_proj', queue: 'project', team: 'acme-migration' }),
      ],
    });
    const c = h.container;
    expect(rowIds(c).sort()).toEqual(['c_emma', 'c_free', 'c_mine', 'c_proj']);
    fireEvent.change(screen.getByLabelText('Owner'), { target: { value: 'mine' } });
    expect(rowIds(c)).toEqual(['c_mine']);
    fireEvent.change(screen.getByLabelText('Owner'), { target: { value: 'unassigned' } });
    expect(rowIds(c).sort()).toEqual(['c_free', 'c_proj']);
    fireEvent.change(screen.getByLabelText('Owner'), { target: { value: 'all' } });
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: 'P2' } });
    expect(rowIds(c).sort()).toEqual(['c_free', 'c_mine']);
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: 'all' } });
    fireEvent.change(screen.getByLabelText('Queue'), { target: { value: 'project:acme-migration' } });
    expect(rowIds(c)).toEqual(['c_proj']);
    fireEvent.change(screen.getByLabelText('Queue'), { target: { value: 'support:en' } });
    expect(rowIds(c)).toEqual(['c_emma']);
    fireEvent.change(screen.getByLabelText('Queue'), { target: { value: 'all' } });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'resolved' } });
    expect(rowIds(c)).toEqual(['c_done']);
  });

  it('the countdown ticks without re-rendering the rows', async () => {
    h = renderShell({ conversations: [conversation({ id: 'c_1', sla: sla(90_000) }), conversation({ id: 'c_2', sla: sla(200_000) })] });
    await settle();
    const counts = new Map<string, number>();
    const prev = options.diffed;
    options.diffed = (vnode) => {
      const name = typeof vnode.type === 'function' ? vnode.type.name : '';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      prev?.(vnode);
    };
    try {
      h.ticker.advance(1000);
      h.ticker.advance(1000);
      await settle();
    } finally {
      options.diffed = prev;
    }
    expect(counts.get('SlaCountdown') ?? 0).toBeGreaterThanOrEqual(2);
    expect(counts.get('InboxRow') ?? 0).toBe(0);
    expect(counts.get('Inbox') ?? 0).toBe(0);
    expect(h.container.querySelector('li[data-conversation-id="c_1"]')!.textContent).toContain('1m 28s left');
  });
});
