import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Controller, initialLocale } from '../src/controller.ts';
import { FakeSocket, MemoryStorage, flush, ready } from './fake-socket.ts';

const HOST = 'https://app.acme.example';
const last = () => FakeSocket.all[FakeSocket.all.length - 1]!;

function setup(channel: 'platform' | 'website' = 'website', storage = new MemoryStorage()) {
  const parent = { postMessage: vi.fn() };
  const win = Object.assign(new EventTarget(), {
    parent,
    navigator: { languages: ['es-AR'], language: 'es-AR', clipboard: { writeText: vi.fn(async () => {}) } },
    location: { protocol: 'https:', host: 'ajuda.example' },
  }) as unknown as Window;
  const c = new Controller({
    params: { channel, hostOrigin: HOST, locale: null },
    win,
    storage,
    createSocket: (u) => new FakeSocket(u),
  });
  const fromHost = (data: unknown) => win.dispatchEvent(Object.assign(new Event('message'), { data, origin: HOST, source: parent }));
  const posted = () => parent.postMessage.mock.calls.map((c) => c[0] as { type: string; [k: string]: unknown });
  return { c, parent, win, fromHost, posted, storage };
}

async function online(c: Controller, extra: Record<string, unknown> = {}) {
  c.boot();
  await flush();
  last().open();
  await flush();
  last().push(ready(extra));
  await flush();
}

beforeEach(() => {
  FakeSocket.all = [];
});

function startedConv(id: string) {
  return {
    id,
    channel: 'website' as const,
    requestType: 'general_question' as const,
    status: 'queued' as const,
    priority: 'P4' as const,
    language: 'en' as const,
    answers: { question: 'Hello?' },
    createdAt: new Date().toISOString(),
    lastSeq: 0,
    firstResponseDueAt: null,
    assignee: null,
    escalated: false,
    feedback: null,
    agentReadSeq: 0,
    requesterReadSeq: 0,
  };
}

describe('controller', () => {
  it('connects to wss://<host>/ws, says frame.ready, lists conversations after session.ready', async () => {
    const { c, posted } = setup();
    await online(c);
    expect(last().url).toBe('wss://ajuda.example/ws');
    expect(posted()[0]).toEqual({ ajuda: 1, type: 'frame.ready' });
    expect(last().ofType('conversation.list')).toHaveLength(1);
    c.conn.stop();
  });

  it('R1: on the platform channel posts frame.needIdentity and uses the host.identity token', async () => {
    const { c, posted, fromHost } = setup('platform');
    c.boot();
    await flush();
    expect(posted().map((m) => m.type)).toEqual(['frame.ready', 'frame.needIdentity']);
    expect(posted()[1]).toMatchObject({ reason: 'boot' });
    fromHost({ ajuda: 1, type: 'host.identity', identityToken: 'tok.en.x' });
    await flush();
    last().open();
    await flush();
    expect(last().sent[0]).toMatchObject({ type: 'session.hello', channel: 'platform', identityToken: 'tok.en.x' });
    c.conn.stop();
  });

  it('reports unread agent messages to the host and clears them when read', async () => {
    const { c, posted } = setup();
    await online(c);
    last().push({
      type: 'message.created',
      message: { conversationId: 'c_1', seq: 1, sender: { role: 'agent', name: 'Joao' }, kind: 'text', body: 'Hi', at: new Date().toISOString() },
    });
    await flush();
    expect(posted().filter((m) => m.type === 'frame.unread').at(-1)).toMatchObject({ count: 1 });
    c.markRead('c_1', 1);
    expect(last().ofType('read')).toEqual([{ type: 'read', conversationId: 'c_1', lastReadSeq: 1 }]);
    expect(posted().filter((m) => m.type === 'frame.unread').at(-1)).toMatchObject({ count: 0 });
    c.conn.stop();
  });

  it('tells the host when a conversation starts (R13: its id is visible)', async () => {
    const { c, posted } = setup();
    await online(c);
    const p = c.startConversation('general_question', { question: 'Hello?' }, 'idem-key-123');
    const start = last().ofType('conversation.start')[0]!;
    // The browser said es-AR, but session.ready (the token's language) said en: R11, the token wins.
    expect(start).toMatchObject({ idempotencyKey: 'idem-key-123', requestType: 'general_question', locale: 'en' });
    last().push({
      type: 'conversation.started',
      ref: start.ref,
      conversation: {
        id: 'c_9',
        channel: 'website',
        requestType: 'general_question',
        status: 'queued',
        priority: 'P4',
        language: 'es',
        answers: { question: 'Hello?' },
        createdAt: new Date().toISOString(),
        lastSeq: 0,
        firstResponseDueAt: null,
        assignee: null,
        escalated: false,
        feedback: null,
        agentReadSeq: 0,
        requesterReadSeq: 0,
      },
    });
    await expect(p).resolves.toMatchObject({ ok: true, conversation: { id: 'c_9' } });
    expect(posted().find((m) => m.type === 'frame.conversationStarted')).toEqual({ ajuda: 1, type: 'frame.conversationStarted', conversationId: 'c_9' });
    c.conn.stop();
  });

  it('returns intake_invalid field errors to the form', async () => {
    const { c } = setup();
    await online(c);
    const p = c.startConversation('general_question', { question: 'x' }, 'idem-key-456');
    const ref = last().ofType('conversation.start')[0]!.ref;
    // As the server does: the conversation exists (still in intake), then the reason, same ref.
    last().push({ type: 'conversation.started', ref, conversation: { ...startedConv('c_2'), status: 'intake', priority: null } });
    last().push({ type: 'error', ref, code: 'intake_invalid', conversationId: 'c_2', fields: { question: { code: 'too_long', i18nKey: 'intake.error.too_long' } } });
    await expect(p).resolves.toEqual({
      ok: false,
      code: 'intake_invalid',
      conversationId: 'c_2',
      fields: { question: { code: 'too_long', i18nKey: 'intake.error.too_long' } },
    });
    c.conn.stop();
  });

  it('R6: a retried start that finds the conversation still in intake submits the answers to it', async () => {
    const { c } = setup();
    await online(c);
    const p = c.startConversation('general_question', { question: 'Hello?' }, 'idem-key-789');
    const ref = last().ofType('conversation.start')[0]!.ref;
    last().push({ type: 'conversation.started', ref, conversation: { ...startedConv('c_3'), status: 'intake', priority: null } });
    await vi.waitFor(() => expect(last().ofType('intake.submit')).toHaveLength(1), { timeout: 3000 });
    const submit = last().ofType('intake.submit')[0]!;
    expect(submit).toMatchObject({ conversationId: 'c_3', answers: { question: 'Hello?' } });
    last().push({ type: 'conversation.updated', ref: submit.ref, conversation: startedConv('c_3') });
    await expect(p).resolves.toMatchObject({ ok: true, conversation: { id: 'c_3', status: 'queued' } });
    c.conn.stop();
  });

  it('R7: a visitor never asks for the realm directory', async () => {
    const { c } = setup();
    await online(c);
    c.loadDirectory();
    expect(last().ofType('realm.directory.get')).toHaveLength(0);
    c.conn.stop();
  });

  it('host.shutdown forgets the visitor token, the outbox, the chosen language and kept evidence files', async () => {
    const deleted: string[] = [];
    vi.stubGlobal('indexedDB', { deleteDatabase: (name: string) => deleted.push(name) });
    const { c, fromHost, storage } = setup();
    await online(c, { visitorToken: 'vt_1' });
    c.setLocale('pt');
    c.sendMessage('c_1', 'queued');
    expect(storage.length).toBeGreaterThan(0);
    fromHost({ ajuda: 1, type: 'host.shutdown' });
    await flush();
    vi.unstubAllGlobals();
    expect(deleted).toEqual(['ajuda-evidence']);
    expect(storage.length).toBe(0);
    expect(last().closed).toBe(true);
    expect(c.store.get().conversations).toEqual({});
  });

  it('host.init from the page applies theme and locale; an init naming another origin is ignored', async () => {
    const { c, fromHost } = setup();
    c.boot();
    await flush();
    fromHost({ ajuda: 1, type: 'host.init', channel: 'website', hostOrigin: 'https://other.example', locale: 'pt', theme: { primary: '#ff0000' } });
    await flush();
    expect(c.store.get().primaryColor).toBeNull();
    fromHost({ ajuda: 1, type: 'host.init', channel: 'website', hostOrigin: HOST, locale: 'pt', theme: { primary: '#0a7' } });
    await flush();
    expect(c.store.get()).toMatchObject({ primaryColor: '#0a7', locale: 'pt' });
    c.conn.stop();
  });

  it('after a reload the launcher badge counts what agents wrote since the requester last read (requesterReadSeq)', async () => {
    const { c, posted } = setup();
    await online(c);
    const ws = last();
    const list = ws.ofType('conversation.list')[0]!;
    const at = new Date().toISOString();
    ws.push({
      type: 'conversation.list.result',
      ref: list.ref,
      conversations: [
        { ...startedConv('c_1'), lastSeq: 5, requesterReadSeq: 2, agentReadSeq: 2 },
        { ...startedConv('c_2'), lastSeq: 3, requesterReadSeq: 3, agentReadSeq: 3 }, // all read: nothing to fetch
      ],
    });
    await flush();
    const resumes = ws.ofType('session.resume');
    expect(resumes).toEqual([{ type: 'session.resume', conversationId: 'c_1', lastSeq: 2, ref: expect.any(String) }]);
    const m = (seq: number, role: 'agent' | 'requester') => ({
      type: 'message.created',
      message: { conversationId: 'c_1', seq, sender: role === 'agent' ? { role, name: 'Joao' } : { role }, kind: 'text', body: `m${seq}`, at },
    });
    ws.push(m(3, 'agent'));
    ws.push(m(4, 'requester'));
    ws.push(m(5, 'agent'));
    ws.push({ type: 'resume.done', ref: resumes[0]!.ref, conversationId: 'c_1', lastSeq: 5, replayed: 3 });
    await flush();
    expect(posted().filter((p) => p.type === 'frame.unread').at(-1)).toMatchObject({ count: 2 });
    expect(c.store.get().announcement).toBe(''); // history, not news
    // The list again (after a reconnect): the tail was already fetched.
    ws.push({ type: 'conversation.list.result', conversations: [{ ...startedConv('c_1'), lastSeq: 5, requesterReadSeq: 2, agentReadSeq: 2 }] });
    await flush();
    expect(ws.ofType('session.resume')).toHaveLength(1);
    // Only what was on screen is read: seq 3 first, then the rest once it came into view.
    c.markRead('c_1', 3);
    expect(ws.ofType('read').at(-1)).toEqual({ type: 'read', conversationId: 'c_1', lastReadSeq: 3 });
    expect(posted().filter((p) => p.type === 'frame.unread').at(-1)).toMatchObject({ count: 1 });
    // Never past what is loaded, never backwards.
    c.markRead('c_1', 99);
    c.markRead('c_1', 4);
    expect(ws.ofType('read').map((r) => r.lastReadSeq)).toEqual([3, 5]);
    expect(posted().filter((p) => p.type === 'frame.unread').at(-1)).toMatchObject({ count: 0 });
    c.conn.stop();
  });

  it('R11: language defaults to the stored choice, then the host param, then the browser, then English', () => {
    expect(initialLocale('es', 'pt', ['en-US'])).toBe('es');
    expect(initialLocale(null, 'pt', ['en-US'])).toBe('pt');
    expect(initialLocale(null, null, ['pt-BR', 'en'])).toBe('pt');
    expect(initialLocale(null, null, ['de-DE', 'es-MX'])).toBe('es');
    expect(initialLocale(null, null, ['fr'])).toBe('en');
  });
});
