// What the requester perceives in the conversation (issue 11, defects 6, 11, 12, 13): the logic behind
// it, without layout. The browser suite (e2e/person.e2e.test.ts) checks the same on real geometry.
import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/preact';
import { REQUEST_TYPES } from '@ajuda/protocol';
import { Body, ConversationScreen, QUESTION_FIELD, intakeQuestion, safeHref, statusLine, trimUrlEnd } from '../src/ui/Conversation.tsx';
import { isAtBottom, newestVisibleSeq } from '../src/ui/viewport.ts';
import { Drafts } from '../src/drafts.ts';
import { scopedStorage } from '../src/storage.ts';
import { resumeView, viewDraft } from '../src/ui/App.tsx';
import { CATALOGS, conv, fakeActions, memoryDrafts, msg, realmUser, renderApp, visitor } from './helpers.tsx';
import { translator } from '@ajuda/i18n';
import { render } from '@testing-library/preact';

describe('6: read only what was on screen', () => {
  const view = { top: 100, bottom: 400 };
  it('the newest message with enough of itself in view is the read position; below the fold is not read', () => {
    const items = [
      { seq: 1, top: 0, bottom: 60 }, // scrolled away above
      { seq: 2, top: 120, bottom: 180 },
      { seq: 3, top: 380, bottom: 440 }, // 20 px showing: not yet seen
      { seq: 4, top: 460, bottom: 520 }, // under the composer / below the log
    ];
    expect(newestVisibleSeq(items, view)).toBe(2);
    // Scrolled so that seq 3 shows 40 px of itself.
    expect(newestVisibleSeq(items.map((i) => ({ ...i, top: i.top - 20, bottom: i.bottom - 20 })), view)).toBe(3);
  });

  it('a message taller than the log counts once a few lines of it are in view; hidden (zero-size) items never', () => {
    expect(newestVisibleSeq([{ seq: 7, top: 360, bottom: 2000 }], view)).toBe(7);
    expect(newestVisibleSeq([{ seq: 7, top: 390, bottom: 2000 }], view)).toBe(0);
    expect(newestVisibleSeq([{ seq: 8, top: 200, bottom: 200 }], view)).toBe(0);
    expect(newestVisibleSeq([{ seq: 8, top: 0, bottom: 0 }], { top: 0, bottom: 0 })).toBe(0);
  });

  it('nothing is read from an empty or collapsed log (panel hidden: zero height)', () => {
    expect(newestVisibleSeq([], view)).toBe(0);
    expect(newestVisibleSeq([{ seq: 3, top: 0, bottom: 40 }], { top: 0, bottom: 0 })).toBe(0);
  });

  it('at the bottom within a small slack; scrolled up is not', () => {
    expect(isAtBottom({ scrollTop: 700, scrollHeight: 1000, clientHeight: 300 })).toBe(true);
    expect(isAtBottom({ scrollTop: 690, scrollHeight: 1000, clientHeight: 300 })).toBe(true);
    expect(isAtBottom({ scrollTop: 500, scrollHeight: 1000, clientHeight: 300 })).toBe(false);
  });

  it('the screen does not mark anything read while the panel is hidden', async () => {
    const actions = fakeActions();
    renderApp(<ConversationScreen id="c_7Hx2Q" />, {
      state: { conversations: { c_7Hx2Q: conv() }, messages: { c_7Hx2Q: [msg(1, 'agent', 'hi')] }, visible: false },
      actions,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(actions.markRead).not.toHaveBeenCalled();
  });
});

describe('11: the requester’s own question, drafts and resuming after a reload', () => {
  it('the question typed in the intake form is the first item of the thread, in their own words', () => {
    const question = 'How do I export\nmy invoices?';
    const c = conv({ requestType: 'general_question', answers: { question } });
    expect(intakeQuestion(c)).toBe(question);
    const { container } = renderApp(<ConversationScreen id="c_7Hx2Q" />, {
      state: { conversations: { c_7Hx2Q: c }, messages: { c_7Hx2Q: [msg(1, 'system', 'queued'), msg(2, 'agent', 'Hello')] } },
    });
    const first = container.querySelector('.msg-list > li')!;
    expect(first.classList.contains('msg-requester')).toBe(true);
    expect(first.querySelector('.bubble')!.textContent).toBe(question);
    expect(first.querySelector('.msg-from')!.textContent).toContain('You');
  });

  it('R6: the question field named per request type is a long text field of that form, for every request type', () => {
    for (const def of REQUEST_TYPES) {
      const field = def.fields.find((f) => f.id === QUESTION_FIELD[def.id]);
      expect(field?.type, def.id).toBe('longtext');
      expect(field?.required, def.id).toBe(true);
    }
  });

  it('an incident shows the error message as typed; a form without an answer there shows nothing extra', () => {
    expect(intakeQuestion(conv({ requestType: 'auth_incident', answers: { email: 'a@b.c', whatHappens: 'Wrong password', when: 'x' } }))).toBe('Wrong password');
    expect(intakeQuestion(conv({ answers: { environment: 'Prod', errorMessage: 'HTTP 500 on /orders' } }))).toBe('HTTP 500 on /orders');
    expect(intakeQuestion(conv({ answers: { environment: 'Prod' } }))).toBeNull();
  });

  it('the composer draft comes back after a reload and is cleared on send', () => {
    const drafts = memoryDrafts({ 'composer:c_7Hx2Q': 'half a sentence' });
    const actions = fakeActions(drafts);
    renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv() } }, actions });
    const box = screen.getByLabelText('Your message') as HTMLTextAreaElement;
    expect(box.value).toBe('half a sentence');
    fireEvent.input(box, { target: { value: 'half a sentence, finished' } });
    expect(drafts.drafts.get('composer:c_7Hx2Q')).toBe('half a sentence, finished');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(actions.sendMessage).toHaveBeenCalledWith('c_7Hx2Q', 'half a sentence, finished');
    expect(drafts.drafts.has('composer:c_7Hx2Q')).toBe(false);
  });

  it('an unfinished intake form comes back after a reload and is forgotten once sent', async () => {
    const { IntakeForm } = await import('../src/ui/IntakeForm.tsx');
    const drafts = memoryDrafts({ 'intake:general_question': JSON.stringify({ question: 'Where are my inv' }) });
    const actions = fakeActions({
      ...drafts,
      startConversation: vi.fn(async () => ({ ok: true as const, conversation: conv({ requestType: 'general_question', status: 'queued' }) })),
    });
    const onDone = vi.fn();
    const { t } = { t: translator(CATALOGS.en, 'en') };
    renderApp(<IntakeForm requestType="general_question" onDone={onDone} t={t} />, { state: { principal: visitor }, actions });
    const box = screen.getByLabelText(/Your question/) as HTMLTextAreaElement;
    expect(box.value).toBe('Where are my inv');
    fireEvent.input(box, { target: { value: 'Where are my invoices?' } });
    expect(JSON.parse(drafts.drafts.get('intake:general_question')!)).toEqual({ question: 'Where are my invoices?' });
    fireEvent.click(screen.getByRole('button', { name: 'Send to support' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('c_7Hx2Q'));
    expect(drafts.drafts.has('intake:general_question')).toBe(false);
  });

  it('drafts live in the scoped storage as one record that shutdown clears; a tampered record is ignored', () => {
    const mem = new Map<string, string>();
    const store = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v), removeItem: (k: string) => void mem.delete(k) } as Storage;
    const d = new Drafts(scopedStorage(store, 'website|https://shop.example'));
    d.set('composer:c_1', 'hello');
    d.set('intake:incident', '{"x":1}');
    expect(new Drafts(scopedStorage(store, 'website|https://shop.example')).get('composer:c_1')).toBe('hello');
    expect(new Drafts(scopedStorage(store, 'login|https://shop.example')).get('composer:c_1')).toBeNull();
    d.set('composer:c_1', null);
    expect(d.get('composer:c_1')).toBeNull();
    d.clear();
    expect([...mem.keys()]).toEqual([]);
    mem.set('ajuda:v1:website|https://shop.example:drafts', '[1,2]');
    expect(d.get('0')).toBeNull();
    mem.set('ajuda:v1:website|https://shop.example:drafts', '{"a":{"b":1},"c":"ok"}');
    expect(d.get('a')).toBeNull();
    expect(d.get('c')).toBe('ok');
    mem.set('ajuda:v1:website|https://shop.example:drafts', 'not json');
    expect(d.get('c')).toBeNull();
  });

  it('a reload lands back in the screen the person was on, else (screen gone) in their newest ongoing conversation, else home', () => {
    const conversations = {
      c_old: conv({ id: 'c_old', status: 'resolved', createdAt: '2026-01-01T00:00:00Z' }),
      c_open: conv({ id: 'c_open', status: 'queued', createdAt: '2026-01-02T00:00:00Z' }),
      c_newer: conv({ id: 'c_newer', status: 'closed', createdAt: '2026-01-03T00:00:00Z' }),
    };
    const s = { conversations, requestTypes: ['general_question', 'incident'] as const } as never;
    expect(resumeView(viewDraft({ name: 'conversation', id: 'c_old' }), s)).toEqual({ name: 'conversation', id: 'c_old' });
    expect(resumeView(viewDraft({ name: 'intake', requestType: 'incident' }), s)).toEqual({ name: 'intake', requestType: 'incident' });
    // Gone or not allowed any more: fall back to the ongoing conversation.
    expect(resumeView(viewDraft({ name: 'conversation', id: 'c_gone' }), s)).toEqual({ name: 'conversation', id: 'c_open' });
    expect(resumeView(viewDraft({ name: 'intake', requestType: 'dev_question' }), s)).toEqual({ name: 'conversation', id: 'c_open' });
    expect(resumeView('{"name":"conversation","id":{"x":1}}', s)).toEqual({ name: 'conversation', id: 'c_open' });
    // Nothing saved (home, or a browser that never opened the widget): home, which lists c_open first.
    expect(resumeView(null, s)).toBeNull();
    expect(resumeView(null, { conversations: { c_old: conversations.c_old }, requestTypes: [] } as never)).toBeNull();
  });

  it('after a reload on a conversation the panel reopens it once the list arrives; home lists the ongoing one first', async () => {
    const { App } = await import('../src/ui/App.tsx');
    const actions = fakeActions(memoryDrafts({ view: viewDraft({ name: 'conversation', id: 'c_7Hx2Q' })! }));
    const base = { principal: realmUser, requestTypes: ['incident' as const], conversations: { c_7Hx2Q: conv({ status: 'queued' }) } };
    const { rerenderWith, container } = renderApp(<App />, { state: { ...base, listLoaded: false }, actions });
    expect(actions.go).not.toHaveBeenCalled();
    // Home already shows the ongoing conversation above the request types.
    const ongoing = container.querySelector('.list-ongoing');
    const cards = container.querySelector('.cards');
    expect(ongoing && cards && ongoing.compareDocumentPosition(cards) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    rerenderWith({ ...base, listLoaded: true });
    await waitFor(() => expect(actions.go).toHaveBeenCalledWith({ name: 'conversation', id: 'c_7Hx2Q' }));
  });

  it('a browser that never opened the widget (or was on home) stays on home: no jump under the person reading it', async () => {
    const { App } = await import('../src/ui/App.tsx');
    const actions = fakeActions();
    const base = { principal: realmUser, requestTypes: ['incident' as const], conversations: { c_7Hx2Q: conv({ status: 'queued' }) } };
    const { rerenderWith } = renderApp(<App />, { state: { ...base, listLoaded: false }, actions });
    rerenderWith({ ...base, listLoaded: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(actions.go).not.toHaveBeenCalled();
  });
});

describe('12: writing again after resolve, the offline banner, links', () => {
  it('a resolved conversation keeps the composer: writing reopens it, then sends', async () => {
    const actions = fakeActions();
    const { container } = renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv({ status: 'resolved' }) } }, actions });
    expect(container.textContent).toContain('Did this answer your question?');
    expect(container.textContent).toContain('Write below and this conversation reopens.');
    const box = screen.getByLabelText('Your message');
    fireEvent.input(box, { target: { value: 'It broke again' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(actions.sendMessage).toHaveBeenCalledWith('c_7Hx2Q', 'It broke again'));
    expect(vi.mocked(actions.reopen).mock.invocationCallOrder[0]!).toBeLessThan(vi.mocked(actions.sendMessage).mock.invocationCallOrder[0]!);
  });

  it('if the reopen is refused, nothing is sent and the person is told why', async () => {
    const actions = fakeActions({ reopen: vi.fn(async () => ({ ok: false as const, code: 'invalid_state' })) });
    renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv({ status: 'resolved' }) } }, actions });
    const box = screen.getByLabelText('Your message') as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: 'Again' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(screen.getByRole('alert')).toBeTruthy());
    expect(actions.sendMessage).not.toHaveBeenCalled();
    expect(box.value).toBe('Again');
  });

  it('a closed conversation offers a new conversation in one click', () => {
    const actions = fakeActions();
    renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv({ status: 'closed' }) } }, actions });
    expect(screen.queryByLabelText('Your message')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Start a new conversation' }));
    expect(actions.go).toHaveBeenCalledWith({ name: 'home' });
  });

  it('the browser going offline shows the offline banner at once, though the socket has not noticed yet', async () => {
    const { App } = await import('../src/ui/App.tsx');
    const { container } = renderApp(<App />, { state: { principal: realmUser, listLoaded: true, status: 'online' } });
    expect(container.querySelector('.banner')).toBeNull();
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    act(() => void window.dispatchEvent(new Event('offline')));
    expect(container.querySelector('.banner')?.textContent).toContain("You're offline");
    onLine.mockReturnValue(true);
    act(() => void window.dispatchEvent(new Event('online')));
    expect(container.querySelector('.banner')).toBeNull();
    onLine.mockRestore();
  });

  it('a connection lost after being online says "reconnecting", not "connecting"', async () => {
    const { App } = await import('../src/ui/App.tsx');
    const { container, rerenderWith } = renderApp(<App />, { state: { principal: realmUser, listLoaded: true, status: 'online' } });
    rerenderWith({ status: 'connecting' });
    expect(container.querySelector('.banner')?.textContent).toBe('Connection lost. Reconnecting…');
  });

  it('http(s) links are clickable, open in a new tab without opener; sentence punctuation stays out; nothing else links', () => {
    const text = 'See https://docs.example/a?b=1. Or (https://x.example/p) and javascript:alert(1) data:text/html,hi http://';
    const { container } = render(<p>{Body({ text })}</p>);
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://docs.example/a?b=1', 'https://x.example/p']);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toContain('noopener');
      expect(a.getAttribute('rel')).toContain('noreferrer');
    }
    expect(container.textContent).toBe(text);
    expect(trimUrlEnd('https://en.example/wiki/A_(b)')).toBe('https://en.example/wiki/A_(b)');
    expect(trimUrlEnd('https://x.example/a),')).toBe('https://x.example/a');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('https://')).toBeNull();
  });
});

describe('13: what a requester sees of the status', () => {
  const t = translator(CATALOGS.en, 'en');
  it('one status line: waiting and when to expect an answer, once; never a priority code', () => {
    const c = conv({ status: 'queued', assignee: null, priority: 'P4' });
    expect(statusLine(t, c, false, 'en')).toBe('Waiting for an agent. We aim to answer within 15 minutes.');
    expect(statusLine(t, conv(), false, 'en')).toBe('Joao Pereira is handling your request. We aim to answer within 15 minutes.');
    expect(statusLine(t, conv(), true, 'en')).toBe('Joao Pereira is handling your request.');
    expect(statusLine(t, conv({ status: 'resolved' }), true, 'en')).toBe('Resolved');
    const { container } = renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: c } } });
    const head = container.querySelector('.conv-head')!.textContent!;
    expect(head.match(/[Ww]aiting/g)).toHaveLength(1);
    expect(head).not.toMatch(/P4|Priority|Low/);
  });

  it('R12: the grant shows who granted it by name, never a raw user id', async () => {
    const { GrantsScreen } = await import('../src/ui/Grants.tsx');
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const { container } = renderApp(<GrantsScreen />, {
      state: { principal: realmUser, grants: [{ id: 'g1', level: 'write', grantedBy: 'u_ana', grantedByName: 'Ana Souza', createdAt: expiresAt, expiresAt, revokedAt: null }] },
    });
    expect(container.textContent).toContain('Granted by Ana Souza');
    expect(container.textContent).not.toContain('u_ana');
  });

  it('R12c: the grant screen lists every use of the access (who, what, which pipeline, when), or says it was not used', async () => {
    const { GrantsScreen } = await import('../src/ui/Grants.tsx');
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const base = { id: 'g1', level: 'write' as const, grantedBy: 'u_ana', grantedByName: 'Ana Souza', createdAt: expiresAt, expiresAt, revokedAt: null };
    const used = renderApp(<GrantsScreen />, {
      state: { principal: realmUser, grants: [{ ...base, uses: [{ at: '2026-12-01T10:00:00Z', action: 'pause', target: 'Orders sync', by: 'Léa Martins' }] }] },
    });
    const list = used.container.querySelector('ul.grant-uses')!;
    expect(list.textContent).toContain('Léa Martins from support paused the pipeline Orders sync using the access you granted.');
    // (renderSystemLine looks up a word for every string param; names and pipelines have none.)
    expect(used.missing.filter((k) => !k.startsWith('param.'))).toEqual([]);
    used.unmount();
    const unused = renderApp(<GrantsScreen />, { state: { principal: realmUser, grants: [{ ...base, uses: [] }] } });
    expect(unused.container.textContent).toContain('Not used yet.');
  });
});
