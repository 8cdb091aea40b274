import type { AgentView } from '@ajuda/protocol';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApi, type AgentApi, type LoginResult } from '../src/api.ts';
import { App } from '../src/App.tsx';
import { LOCALE_STORAGE_KEY } from '../src/i18n.ts';
import { FakeSocket, JOAO, LEA, manualTicker, NOW } from './helpers.tsx';

function fakeApi(results: LoginResult[], me: AgentView | null = null): AgentApi & { calls: Array<[string, string]>; loggedOut: number } {
  const api = {
    calls: [] as Array<[string, string]>,
    loggedOut: 0,
    me: async () => me,
    login: async (email: string, password: string) => {
      api.calls.push([email, password]);
      return results.shift() ?? { ok: false, reason: 'server' };
    },
    logout: async () => {
      api.loggedOut++;
    },
  };
  return api;
}

function memoryStorage(init: Record<string, string> = {}) {
  const m = new Map(Object.entries(init));
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

function renderApp(api: AgentApi, opts: { storage?: ReturnType<typeof memoryStorage>; browser?: string[] } = {}) {
  FakeSocket.instances = [];
  return render(
    <App
      api={api}
      socketUrl="ws://console.test/ws/agent"
      socketFactory={(u) => new FakeSocket(u)}
      ticker={manualTicker(NOW)}
      storage={opts.storage ?? memoryStorage()}
      browserLanguages={opts.browser ?? ['en-US']}
    />,
  );
}

async function signIn(email: string, password: string) {
  fireEvent.input(await screen.findByLabelText('Email'), { target: { value: email } });
  fireEvent.input(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

let unmount: (() => void) | null = null;
afterEach(() => {
  unmount?.();
  unmount = null;
});

describe('sign-in', () => {
  it('shows a clear error on bad credentials', async () => {
    const api = fakeApi([{ ok: false, reason: 'bad_credentials' }]);
    unmount = renderApp(api).unmount;
    await signIn('joao@ajuda.local', 'wrong');
    expect((await screen.findByRole('alert')).textContent).toBe('Email or password is incorrect.');
    expect(api.calls).toEqual([['joao@ajuda.local', 'wrong']]);
  });

  it('shows the rate limit with the seconds to wait', async () => {
    unmount = renderApp(fakeApi([{ ok: false, reason: 'rate_limited', retryAfter: 42 }])).unmount;
    await signIn('joao@ajuda.local', 'x');
    expect((await screen.findByRole('alert')).textContent).toBe('Too many sign-in attempts. Try again in 42 s.');
  });

  it('signs in, opens the agent socket with hello first and no token in the URL, and signs out', async () => {
    const api = fakeApi([{ ok: true, agent: JOAO, expiresAt: null }]);
    unmount = renderApp(api).unmount;
    await signIn('joao@ajuda.local', 'ajuda-demo');
    await waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    const sock = FakeSocket.instances[0]!;
    expect(sock.url).toBe('ws://console.test/ws/agent');
    act(() => sock.open());
    expect(sock.sent[0]).toMatchObject({ type: 'session.hello', v: 1 });
    expect(sock.sent[0]).not.toHaveProperty('sessionToken');
    // João's first language is pt: the interface follows it when no choice was stored.
    expect(await screen.findByRole('button', { name: 'Sair' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sair' }));
    await waitFor(() => expect(api.loggedOut).toBe(1));
    expect(await screen.findByLabelText('E-mail')).toBeTruthy();
    expect(sock.closedWith).toBe(1000);
  });

  it('signing out forgets the agent\'s unsent drafts (not another agent\'s)', async () => {
    const draft = (id: string) => JSON.stringify({ c_1: { mode: 'note', body: `note of ${id}` } });
    localStorage.setItem(`ajuda:console:drafts:${JOAO.id}`, draft(JOAO.id));
    localStorage.setItem(`ajuda:console:drafts:${LEA.id}`, draft(LEA.id));
    const api = fakeApi([], JOAO);
    unmount = renderApp(api).unmount;
    await waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    act(() => FakeSocket.instances[0]!.open());
    fireEvent.click(await screen.findByRole('button', { name: 'Sair' }));
    expect(await screen.findByLabelText('E-mail')).toBeTruthy();
    expect(localStorage.getItem(`ajuda:console:drafts:${JOAO.id}`)).toBeNull();
    expect(localStorage.getItem(`ajuda:console:drafts:${LEA.id}`)).toBe(draft(LEA.id));
  });

  it('R11: the language switcher changes every text and the choice is remembered', async () => {
    const storage = memoryStorage();
    unmount = renderApp(fakeApi([]), { storage, browser: ['es-ES'] }).unmount;
    expect(await screen.findByRole('button', { name: 'Entrar' })).toBeTruthy();
    expect(screen.getByLabelText('Contraseña')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Idioma de la interfaz'), { target: { value: 'pt' } });
    expect(await screen.findByLabelText('Senha')).toBeTruthy();
    expect(storage.m.get(LOCALE_STORAGE_KEY)).toBe('pt');
    expect(document.documentElement.lang).toBe('pt');
  });

  it('goes back to sign-in when the server ends the session', async () => {
    unmount = renderApp(fakeApi([], LEA)).unmount;
    await waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    const sock = FakeSocket.instances[0]!;
    act(() => sock.open());
    act(() => sock.serverSend({ type: 'session.ended', reason: 'logout' }));
    expect((await screen.findByRole('status')).textContent).toBe('Você saiu.');
  });
});

describe('HTTP client', () => {
  it('keeps the session in the cookie: same-origin credentials, no token stored', async () => {
    const fetchImpl = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      new Response(JSON.stringify({ agent: JOAO, expiresAt: '2030-01-01T00:00:00Z' }), { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    const api = createApi('', fetchImpl as unknown as typeof fetch);
    const r = await api.login('joao@ajuda.local', 'ajuda-demo');
    expect(r).toMatchObject({ ok: true, agent: { id: JOAO.id } });
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('/api/agent/login');
    expect(init).toMatchObject({ method: 'POST', credentials: 'same-origin' });
    expect(JSON.parse(String(init!.body))).toEqual({ email: 'joao@ajuda.local', password: 'ajuda-demo' });
  });

  it('maps 401 to bad credentials and 429 (Retry-After) to rate limited', async () => {
    const problem = (status: number, headers: Record<string, string> = {}) =>
      new Response(JSON.stringify({ type: 'about:blank', title: 'x', status, code: status === 429 ? 'rate_limited' : 'auth_failed' }), {
        status,
        headers: { 'content-type': 'application/problem+json', ...headers },
      });
    const seq = [problem(401), problem(429, { 'retry-after': '30' })];
    const api = createApi('', (async () => seq.shift()!) as unknown as typeof fetch);
    expect(await api.login('a@b.c', 'x')).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(await api.login('a@b.c', 'x')).toEqual({ ok: false, reason: 'rate_limited', retryAfter: 30 });
    const offline = createApi('', (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch);
    expect(await offline.login('a@b.c', 'x')).toEqual({ ok: false, reason: 'network' });
  });
});
