import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import helpEn from '@ajuda/i18n/widget/help-en';
import helpEs from '@ajuda/i18n/widget/help-es';
import helpPt from '@ajuda/i18n/widget/help-pt';
import { ArticleScreen, Suggestions, inertArticle, meaningfulWords } from '../src/ui/Help.tsx';
import { IntakeForm } from '../src/ui/IntakeForm.tsx';
import { fakeActions, memoryDrafts, realmUser, renderApp, visitor } from './helpers.tsx';

/** Dynamic imports (the texts' chunk) can be slow on a busy machine. */
const SLOW = { timeout: 10_000 };

interface Call {
  url: string;
  method: string;
  auth: string | null;
  body: unknown;
}

/** A fake help centre behind fetch (tests only): records each call and answers from `routes`. */
function fakeHelp(routes: Record<string, (u: URL) => { status: number; body: unknown }>) {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const u = new URL(input, 'http://frame.test');
    const headers = new Headers(init.headers);
    calls.push({ url: u.pathname + u.search, method: init.method ?? 'GET', auth: headers.get('authorization'), body: init.body ? JSON.parse(String(init.body)) : null });
    const route = Object.keys(routes).find((p) => u.pathname === p);
    const r = route ? routes[route]!(u) : { status: 404, body: { code: 'not_found' } };
    return new Response(r.status === 204 ? null : JSON.stringify(r.body), { status: r.status, headers: { 'content-type': 'application/json' } });
  });
  return calls;
}

const hours = { slug: 'support-hours', language: 'en', title: 'When is Support available?', html: '<p>Support is available <strong>24 hours</strong> a day.</p>\n' };
const routes = {
  '/api/help/articles/support-hours': () => ({ status: 200, body: { article: hours } }),
  '/api/help/events': () => ({ status: 204, body: null }),
  '/api/help/search': () => ({ status: 200, body: { articles: [{ slug: 'support-hours', language: 'en', title: hours.title, snippet: 'Support is available 24 hours a day.' }] } }),
};

beforeEach(() => {
  vi.unstubAllGlobals();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the help centre's texts", () => {
  it('R11: the same keys in pt, en and es, none empty', () => {
    for (const c of [helpPt, helpEs]) expect(Object.keys(c).sort()).toEqual(Object.keys(helpEn).sort());
    for (const c of [helpPt, helpEn, helpEs]) expect(Object.values(c).filter((v) => !v.trim())).toEqual([]);
  });
});

describe('the article, checked again in the frame', () => {
  it('keeps text formatting and safe links only: scripts, images, handlers and javascript: links become text or go', () => {
    const html =
      '<p>a<script>alert(1)</script>b <img src=x onerror="alert(2)"> <strong onclick="alert(3)">bold</strong></p>' +
      '<p><a href="javascript:alert(4)">bad</a> <a href="https://example.com/x" onclick="x()">good</a> <a href="mailto:s@example.com">mail</a></p>' +
      '<iframe src="https://evil.example"><p>inside</p></iframe><svg><a href="https://example.com">svg</a></svg>';
    const box = document.createElement('div');
    box.append(inertArticle(html, '(opens in a new tab)'));
    expect(box.querySelectorAll('script, img, iframe, svg, [onclick], [onerror]')).toHaveLength(0);
    expect(box.querySelector('strong')?.textContent).toBe('bold');
    const links = [...box.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.getAttribute('target'), a.getAttribute('rel')]);
    expect(links).toEqual([
      [null, null, null],
      ['https://example.com/x', '_blank', 'noopener noreferrer'],
      ['mailto:s@example.com', '_blank', 'noopener noreferrer'],
    ]);
    expect(box.textContent).toContain('good (opens in a new tab)');
    expect(box.textContent).not.toContain('alert(1)');
  });

  it('says which words of a description count (three letters or more, accents included)', () => {
    expect(meaningfulWords('Qual é o horário do suporte?')).toEqual(['Qual', 'horário', 'suporte']);
    expect(meaningfulWords('a b c')).toEqual([]);
  });
});

describe('ArticleScreen', () => {
  it('a visitor reads it without credentials; "This answered it" counts answered, forgets the form it came from and opens nothing', async () => {
    const calls = fakeHelp(routes);
    const actions = fakeActions({ ...memoryDrafts({ 'intake:general_question': '{"question":"hours?"}' }) });
    renderApp(<ArticleScreen view={{ name: 'article', slug: 'support-hours', back: { name: 'intake', requestType: 'general_question' } }} />, {
      state: { principal: visitor, requestTypes: ['general_question'] },
      actions,
    });
    await screen.findByRole('heading', { name: hours.title }, SLOW);
    await waitFor(() => expect(document.querySelector('.help-body strong')?.textContent).toBe('24 hours'));
    expect(calls[0]!.auth).toBeNull();
    expect(calls[0]!.url).toMatch(/^\/api\/help\/articles\/support-hours\?.*locale=en/);
    fireEvent.click(screen.getByRole('button', { name: helpEn['help.answered'] }));
    await screen.findByText(helpEn['help.thanks']);
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(calls.at(-1)).toMatchObject({ url: '/api/help/events', body: { event: 'answered', locale: 'en' } });
    expect(actions.getDraft('intake:general_question')).toBeNull();
    expect(actions.startConversation).not.toHaveBeenCalled();
    expect(actions.go).not.toHaveBeenCalled();
  });

  it('a realm user reads with the identity token; "I still need help" counts continued and returns to the form', async () => {
    const calls = fakeHelp(routes);
    const actions = fakeActions({ auth: vi.fn(() => 'Bearer idtoken') });
    const back = { name: 'intake' as const, requestType: 'incident' as const };
    renderApp(<ArticleScreen view={{ name: 'article', slug: 'support-hours', back }} />, { state: { principal: realmUser, requestTypes: ['incident', 'general_question'] }, actions });
    fireEvent.click(await screen.findByRole('button', { name: helpEn['help.needHelp'] }, SLOW));
    expect(calls[0]!.auth).toBe('Bearer idtoken');
    expect(actions.go).toHaveBeenCalledWith(back);
    await waitFor(() => expect(calls.at(-1)).toMatchObject({ url: '/api/help/events', body: { event: 'continued' } }));
  });

  it('from a home search, "I still need help" offers what the person may ask and carries the search into the form', async () => {
    fakeHelp(routes);
    const actions = fakeActions();
    renderApp(<ArticleScreen view={{ name: 'article', slug: 'support-hours', text: 'support at night' }} />, { state: { principal: visitor, requestTypes: ['general_question', 'technical_question'] }, actions });
    fireEvent.click(await screen.findByRole('button', { name: helpEn['help.needHelp'] }, SLOW));
    fireEvent.click(await screen.findByRole('button', { name: /Technical question/ }));
    expect(actions.getDraft('help:text')).toBe('support at night');
    expect(actions.go).toHaveBeenCalledWith({ name: 'intake', requestType: 'technical_question' });
  });

  it('a missing or hidden article says "not found", with a way back', async () => {
    fakeHelp({});
    const actions = fakeActions();
    renderApp(<ArticleScreen view={{ name: 'article', slug: 'support-access' }} />, { state: { principal: visitor }, actions });
    await screen.findByRole('heading', { name: helpEn['help.notFound'] }, SLOW);
    fireEvent.click(screen.getByRole('button', { name: helpEn['help.home'] }));
    expect(actions.go).toHaveBeenCalledWith({ name: 'home' });
  });
});

/** An intake description (starting with `initial`), its suggestions, and the field after it. */
function Described({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  return (
    <>
      <div>
        <textarea aria-label="description" value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      <Suggestions text={text} back={{ name: 'intake', requestType: 'general_question' }} />
      <input aria-label="next field" />
    </>
  );
}

describe('Suggestions under the intake description', () => {
  it('asks nothing for a word or two; from three words, after a pause, lists the top answers and says how many politely', async () => {
    const calls = fakeHelp(routes);
    renderApp(<Described initial="hours" />, { state: { principal: visitor } });
    await new Promise((r) => setTimeout(r, 700));
    expect(calls).toEqual([]);
    const field = screen.getByLabelText('description');
    field.focus();
    fireEvent.input(field, { target: { value: 'when is support open at night' } });
    const open = await screen.findByRole('button', { name: /When is Support available\?/ }, SLOW);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toContain('purpose=suggest');
    expect(calls[0]!.url).toContain('requestType=general_question');
    expect(document.querySelector('[aria-live="polite"]')?.textContent).toBe('Suggested answers below the description: 1');
    fireEvent.click(open);
  });
});

describe('Suggestions once the person has moved on', () => {
  it('do not appear when the description no longer has the focus (the fields below do not move)', async () => {
    const calls = fakeHelp(routes);
    renderApp(<Described initial="" />, { state: { principal: visitor } });
    const field = screen.getByLabelText('description');
    field.focus();
    fireEvent.input(field, { target: { value: 'when is support open at night' } });
    (screen.getByLabelText('next field') as HTMLInputElement).focus();
    await new Promise((r) => setTimeout(r, 900));
    expect(calls).toEqual([]);
    expect(screen.queryByRole('button', { name: /When is Support available/ })).toBeNull();
  });
});

describe('IntakeForm', () => {
  it('takes what was typed in the help centre as its description, once', () => {
    const actions = fakeActions({ ...memoryDrafts({ 'help:text': 'support at night' }) });
    renderApp(<IntakeForm requestType="general_question" onDone={() => undefined} t={(k) => k} />, { state: { principal: visitor }, actions });
    expect((document.querySelector('#f-question') as HTMLTextAreaElement).value).toBe('support at night');
    expect(actions.getDraft('help:text')).toBeNull();
  });
});
