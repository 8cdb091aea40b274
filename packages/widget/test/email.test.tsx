import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import en from '@ajuda/i18n/widget/email-en';
import es from '@ajuda/i18n/widget/email-es';
import pt from '@ajuda/i18n/widget/email-pt';
import { EmailScreen } from '../src/ui/Email.tsx';
import { renderApp } from './helpers.tsx';

type Call = { method: string; url: string; auth: string | null; body: unknown };

/** The email routes as the server answers them, for one conversation (a fake only inside this test). */
function fakeServer() {
  const calls: Call[] = [];
  let status: Record<string, unknown> = { enabled: true, state: 'none', address: null, source: null };
  const json = (b: unknown, code = 200) => new Response(JSON.stringify(b), { status: code, headers: { 'content-type': code >= 400 ? 'application/problem+json' : 'application/json' } });
  const fetchFn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method: init.method ?? 'GET', url, auth: new Headers(init.headers).get('authorization'), body });
    if (url.startsWith('/api/email?')) return json(status);
    if (url === '/api/email/address') return json((status = { enabled: true, state: 'pending', address: body.address, source: 'typed' }));
    if (url === '/api/email/confirm') {
      if (body.code !== '123456') return json({ ...status, problem: 'wrong_code' });
      return json((status = { ...status, state: 'confirmed' }));
    }
    if (url === '/api/email/transcript') return json({ emailedTo: status.address });
    return json({ code: 'not_found' }, 404);
  });
  return { calls, fetchFn };
}

let server: ReturnType<typeof fakeServer>;
beforeEach(() => {
  server = fakeServer();
  vi.stubGlobal('fetch', server.fetchFn);
});
afterEach(() => vi.unstubAllGlobals());

describe('"Email me the answer"', () => {
  it('an address gets a code; a wrong one is refused in words; the right one confirms; the transcript is mailed there', async () => {
    const onBack = vi.fn();
    renderApp(<EmailScreen id="c_7Hx2Q" onBack={onBack} />);
    const address = await screen.findByLabelText('Your email address');
    fireEvent.input(address, { target: { value: 'not an address' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Type an email address, like name@example.com.');
    expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    fireEvent.input(address, { target: { value: 'ana@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
    await screen.findByText('We sent a 6-digit code to ana@example.com.');
    expect(server.calls.at(-1)).toEqual({ method: 'POST', url: '/api/email/address', auth: 'Bearer vt_test', body: { conversationId: 'c_7Hx2Q', address: 'ana@example.com' } });

    const code = screen.getByLabelText('Code from the email');
    fireEvent.input(code, { target: { value: '654321' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That code is not right. Check the email and try again.');

    // Typing again takes the refusal away (it said what was wrong with the previous code).
    fireEvent.input(code, { target: { value: '123456' } });
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await screen.findByText('Answers you have not read go to ana@example.com.');

    fireEvent.click(screen.getByRole('button', { name: 'Email me the transcript' }));
    await screen.findByText('The transcript is on its way to ana@example.com.');
    fireEvent.click(screen.getByRole('button', { name: '← Back to the conversation' }));
    expect(onBack).toHaveBeenCalled();
  });

  it('a refusal from the server (rate limit) is said, not swallowed', async () => {
    server.fetchFn.mockImplementation(async (url: string) =>
      url.startsWith('/api/email?')
        ? new Response(JSON.stringify({ enabled: true, state: 'none', address: null, source: null }), { status: 200, headers: { 'content-type': 'application/json' } })
        : new Response(JSON.stringify({ code: 'rate_limited', retryAfter: 30 }), { status: 429, headers: { 'content-type': 'application/problem+json' } }),
    );
    renderApp(<EmailScreen id="c_7Hx2Q" onBack={() => {}} />);
    fireEvent.input(await screen.findByLabelText('Your email address'), { target: { value: 'ana@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).not.toBe('');
    expect(screen.queryByLabelText('Code from the email')).toBeNull();
  });

  it('the screen’s own texts exist in pt, en and es with the same keys', () => {
    expect(Object.keys(pt).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  });
});

describe('the email screen in each language', () => {
  it.each(['pt', 'es'] as const)('%s: the address form is in that language', async (locale) => {
    renderApp(<EmailScreen id="c_7Hx2Q" onBack={() => {}} />, { locale });
    const catalog = locale === 'pt' ? pt : es;
    await screen.findByLabelText(catalog['email.address']);
    await waitFor(() => expect(screen.getByRole('button', { name: catalog['email.sendCode'] })).toBeTruthy());
  });
});
