// Cost at scale: a frame the loader created ahead of time (loadOn 'idle', or only to deliver
// host.shutdown) loads its code but opens no socket, so it creates no visitor, until the person
// opens the panel, unless this browser has a conversation to watch or messages still to send.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Controller } from '../src/controller.ts';
import { parseFrameParams } from '../src/params.ts';
import { FakeSocket, MemoryStorage, flush, ready } from './fake-socket.ts';

const HOST = 'https://app.acme.example';
const last = () => FakeSocket.all[FakeSocket.all.length - 1]!;

function frame(storage: MemoryStorage, preload: boolean, channel: 'website' | 'platform' = 'website') {
  const parent = { postMessage: vi.fn() };
  const win = Object.assign(new EventTarget(), {
    parent,
    navigator: { languages: ['en'], language: 'en' },
    location: { protocol: 'https:', host: 'ajuda.example' },
  }) as unknown as Window;
  const c = new Controller({
    params: { channel, hostOrigin: HOST, locale: null, ...(preload ? { preload: true } : {}) },
    win,
    storage,
    createSocket: (u) => new FakeSocket(u),
  });
  const fromHost = (data: unknown) => win.dispatchEvent(Object.assign(new Event('message'), { data, origin: HOST, source: parent }));
  const posted = () => parent.postMessage.mock.calls.map((m) => (m[0] as { type: string }).type);
  return { c, fromHost, posted };
}

const conv = (id: string, status: string): Record<string, unknown> => ({
  id,
  channel: 'website',
  requestType: 'general_question',
  status,
  priority: 'P4',
  language: 'en',
  answers: { question: 'Hello?' },
  createdAt: new Date().toISOString(),
  lastSeq: 0,
  firstResponseDueAt: null,
  assignee: null,
  escalated: false,
  feedback: null,
  agentReadSeq: 0,
  requesterReadSeq: 0,
});

/** A first page view that opened the panel: connected, session.ready, then the conversation list. */
async function earlierVisit(storage: MemoryStorage, conversations: unknown[]) {
  const { c } = frame(storage, false);
  c.boot();
  await flush();
  last().open();
  last().push(ready({ visitorToken: 'v_token_1' }));
  await flush();
  last().push({ type: 'conversation.list.result', conversations } as Record<string, unknown>);
  await flush();
  c.conn.stop();
}

beforeEach(() => {
  FakeSocket.all = [];
});

describe('preloaded frame', () => {
  it('the loader marks a frame created while the panel is closed (preload=1); the frame reads it', () => {
    expect(parseFrameParams(`?channel=website&host=${encodeURIComponent(HOST)}&locale=en&preload=1`)).toMatchObject({ preload: true });
    expect(parseFrameParams(`?channel=website&host=${encodeURIComponent(HOST)}&locale=en`)?.preload).toBeFalsy();
    expect(parseFrameParams(`?channel=website&host=${encodeURIComponent(HOST)}&preload=yes`)?.preload).toBeFalsy();
  });

  it('opens no socket (no visitor) while nobody opened the panel, and connects when the person opens it', async () => {
    const { c, fromHost, posted } = frame(new MemoryStorage(), true);
    c.boot();
    await flush();
    fromHost({ ajuda: 1, type: 'host.init', channel: 'website', locale: 'en', theme: {}, hostOrigin: HOST });
    await new Promise((r) => setTimeout(r, 50));
    expect(FakeSocket.all).toHaveLength(0);
    // The code is loaded and the bridge is live: the host hears frame.ready.
    expect(posted()).toEqual(['frame.ready']);
    fromHost({ ajuda: 1, type: 'host.show' });
    await flush();
    expect(FakeSocket.all).toHaveLength(1);
    last().open();
    await flush();
    expect(last().sent[0]).toMatchObject({ type: 'session.hello', channel: 'website' });
    expect(last().sent[0]).not.toHaveProperty('visitorToken');
    // Shown again later: still the one socket.
    fromHost({ ajuda: 1, type: 'host.hide' });
    fromHost({ ajuda: 1, type: 'host.show' });
    await flush();
    expect(FakeSocket.all).toHaveLength(1);
    c.conn.stop();
  });

  it('R1: on the platform channel the identity token is asked for only when the panel opens', async () => {
    const { c, fromHost, posted } = frame(new MemoryStorage(), true, 'platform');
    c.boot();
    await flush();
    expect(posted()).toEqual(['frame.ready']);
    fromHost({ ajuda: 1, type: 'host.show' });
    await flush();
    expect(posted()).toEqual(['frame.ready', 'frame.needIdentity']);
    c.conn.stop();
  });

  it('connects at once when this browser has a conversation still open to watch (unread badge, replies)', async () => {
    const storage = new MemoryStorage();
    await earlierVisit(storage, [conv('c_1', 'closed'), conv('c_2', 'assigned')]);
    FakeSocket.all = [];
    const { c } = frame(storage, true);
    c.boot();
    await flush();
    expect(FakeSocket.all).toHaveLength(1);
    last().open();
    await flush();
    expect(last().sent[0]).toMatchObject({ type: 'session.hello', visitorToken: 'v_token_1' });
    c.conn.stop();
  });

  it('a conversation started in this browser is watched from then on', async () => {
    const storage = new MemoryStorage();
    await earlierVisit(storage, []);
    const { c } = frame(storage, false);
    c.boot();
    await flush();
    last().open();
    last().push(ready());
    await flush();
    last().push({ type: 'conversation.started', conversation: conv('c_9', 'queued') } as Record<string, unknown>);
    await flush();
    c.conn.stop();
    FakeSocket.all = [];
    frame(storage, true).c.boot();
    await flush();
    expect(FakeSocket.all).toHaveLength(1);
    FakeSocket.all[0]!.close();
  });

  it('nothing to watch when every conversation here is closed: the preloaded frame stays offline', async () => {
    const storage = new MemoryStorage();
    await earlierVisit(storage, [conv('c_1', 'assigned')]);
    await earlierVisit(storage, [conv('c_1', 'closed')]);
    FakeSocket.all = [];
    frame(storage, true).c.boot();
    await flush();
    expect(FakeSocket.all).toHaveLength(0);
  });

  it('a visitor from before this browser kept track (a visitor token, nothing known) is looked up once, then known', async () => {
    const storage = new MemoryStorage();
    storage.setItem('ajuda:v1:website|https://app.acme.example:visitorToken', 'v_old');
    const { c } = frame(storage, true);
    c.boot();
    await flush();
    expect(FakeSocket.all).toHaveLength(1);
    last().open();
    last().push(ready());
    await flush();
    last().push({ type: 'conversation.list.result', conversations: [] } as Record<string, unknown>);
    await flush();
    c.conn.stop();
    // Nothing open there: the next page views stay offline until the panel is opened.
    FakeSocket.all = [];
    frame(storage, true).c.boot();
    await flush();
    expect(FakeSocket.all).toHaveLength(0);
  });

  it('connects at once to deliver messages typed but not yet sent (outbox)', async () => {
    const storage = new MemoryStorage();
    const first = frame(storage, false).c;
    // Typed while offline (never connected): it waits in the outbox.
    first.sendMessage('c_1', 'still to send');
    expect(first.conn.pendingMessages).toHaveLength(1);
    const { c } = frame(storage, true);
    c.boot();
    await flush();
    expect(FakeSocket.all).toHaveLength(1);
    last().open();
    last().push(ready());
    await flush();
    await new Promise((r) => setTimeout(r, 0));
    expect(last().ofType('message.send').map((m) => m.body)).toEqual(['still to send']);
    c.conn.stop();
  });

  it('host.shutdown forgets what there was to watch', async () => {
    const storage = new MemoryStorage();
    await earlierVisit(storage, [conv('c_2', 'assigned')]);
    const { c, fromHost } = frame(storage, true);
    c.boot();
    await flush();
    fromHost({ ajuda: 1, type: 'host.shutdown' });
    await flush();
    FakeSocket.all = [];
    frame(storage, true).c.boot();
    await flush();
    expect(FakeSocket.all).toHaveLength(0);
  });
});
