import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/preact';
import enHome from '@ajuda/i18n/widget/en-home';
import { Root } from '../src/ui/Root.tsx';
import { Controller } from '../src/controller.ts';
import { conv, msg, visitor } from './helpers.tsx';
import { FakeSocket, MemoryStorage, flush, ready } from './fake-socket.ts';

const SLOW = { timeout: 10_000 };

/** A widget on a website with an en browser, connected to a fake server that sent session.ready. */
async function boot() {
  FakeSocket.all = [];
  const win = Object.assign(new EventTarget(), {
    parent: { postMessage: vi.fn() },
    navigator: { languages: ['en'], language: 'en' },
    location: { protocol: 'https:', host: 'ajuda.example' },
  }) as unknown as Window;
  const c = new Controller({ params: { channel: 'website', hostOrigin: 'https://shop.example', locale: null }, win, storage: new MemoryStorage(), createSocket: (u) => new FakeSocket(u) });
  c.boot();
  await flush();
  const socket = FakeSocket.all.at(-1)!;
  socket.open();
  await flush();
  socket.push(ready({ principal: visitor }));
  await flush();
  return { c, socket };
}

describe('system messages in the language the widget shows (R11)', () => {
  it('R11: switching language re-renders the system messages already on screen; a message stored as text stays as stored', async () => {
    const { c, socket } = await boot();
    socket.push({ type: 'conversation.list.result', conversations: [conv({ id: 'c_7Hx2Q', channel: 'website', requestType: 'general_question', answers: { question: 'Hi' }, lastSeq: 3 })] });
    await flush();
    render(<Root controller={c} initialCatalog={enHome} />);
    c.go({ name: 'conversation', id: 'c_7Hx2Q' });
    const queued = { ...msg(1, 'system', 'Thanks … (fallback)'), key: 'system.queued', params: { id: 'c_7Hx2Q', minutes: 240 } };
    const assigned = { ...msg(2, 'system', 'Sofía Romero is now looking after your conversation.'), key: 'system.assigned', params: { name: 'Sofía Romero' } };
    const legacy = msg(3, 'system', 'An older message stored as text.');
    for (const m of [queued, assigned, legacy]) socket.push({ type: 'message.created', message: m });
    await waitFor(() => expect(screen.getByText(/we aim to answer within 4 hours/)).toBeTruthy(), SLOW);
    expect(screen.getByText('Sofía Romero is now looking after your conversation.')).toBeTruthy();
    c.setLocale('es');
    await waitFor(() => expect(screen.getByText('Sofía Romero se encarga ahora de su conversación.')).toBeTruthy(), SLOW);
    expect(screen.getByText(/queremos responder en menos de 4 horas/)).toBeTruthy();
    expect(screen.queryByText(/is now looking after/)).toBeNull();
    expect(screen.getByText('An older message stored as text.')).toBeTruthy();
    c.setLocale('pt');
    await waitFor(() => expect(screen.getByText('Sofía Romero está agora cuidando da sua conversa.')).toBeTruthy(), SLOW);
    c.conn.stop();
  });

  it('R11: a conversation started after the person picked Español is started in es, although the socket said hello in en', async () => {
    const { c, socket } = await boot();
    expect(socket.ofType('session.hello')[0]?.locale).toBe('en');
    c.setLocale('es');
    void c.startConversation('general_question', { question: '¿Hola?' }, 'idem-0123456789');
    await flush();
    expect(socket.ofType('conversation.start').at(-1)?.locale).toBe('es');
    c.conn.stop();
  });
});
