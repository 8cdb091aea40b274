import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '@ajuda/protocol';
import { Connection, backoffDelay, type ConnectionOptions } from '../src/connection.ts';
import { scopedStorage } from '../src/storage.ts';
import { FakeSocket, MemoryStorage, flush, ready } from './fake-socket.ts';

function make(store: Storage, over: Partial<ConnectionOptions> = {}) {
  const frames: Array<{ type: string }> = [];
  const identity: string[] = [];
  const conn = new Connection({
    url: 'ws://ajuda.test/ws',
    channel: 'website',
    locale: () => 'en',
    storage: scopedStorage(store, 'website|https://shop.example'),
    requestIdentity: (r) => identity.push(r),
    onFrame: (f) => frames.push(f),
    onStatus: () => {},
    createSocket: (u) => new FakeSocket(u),
    random: () => 0.5,
    ...over,
  });
  return { conn, frames, identity };
}

const last = () => FakeSocket.all[FakeSocket.all.length - 1]!;

beforeEach(() => {
  FakeSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connection', () => {
  it('R1: sends session.hello first with version, channel and locale — no credentials in the URL', async () => {
    const { conn } = make(new MemoryStorage());
    conn.start();
    await flush();
    const ws = last();
    expect(ws.url).toBe('ws://ajuda.test/ws');
    ws.open();
    await flush();
    expect(ws.sent[0]).toEqual({ type: 'session.hello', v: PROTOCOL_VERSION, channel: 'website', locale: 'en' });
    conn.stop();
  });

  it('keeps the minted visitor token, sends it next time, and forgets it on host.shutdown', async () => {
    const store = new MemoryStorage();
    const a = make(store);
    a.conn.start();
    await flush();
    last().open();
    await flush();
    last().push(ready({ visitorToken: 'vt_123' }));
    await flush();
    a.conn.stop();

    const b = make(store);
    b.conn.start();
    await flush();
    last().open();
    await flush();
    expect(last().sent[0]).toMatchObject({ type: 'session.hello', visitorToken: 'vt_123' });
    b.conn.shutdown();
    expect(last().closed).toBe(true);

    const c = make(store);
    c.conn.start();
    await flush();
    last().open();
    await flush();
    expect(last().sent[0]).not.toHaveProperty('visitorToken');
    c.conn.stop();
  });

  it('R1: on the platform channel asks the host for an identity token and sends it in hello, never stores it', async () => {
    const store = new MemoryStorage();
    const { conn, identity } = make(store, { channel: 'platform', identityWaitMs: 10_000 });
    conn.start();
    expect(identity).toEqual(['boot']);
    expect(FakeSocket.all).toHaveLength(0); // waits for the token
    conn.setIdentityToken('jwt.a.b');
    await flush();
    last().open();
    await flush();
    expect(last().sent[0]).toMatchObject({ type: 'session.hello', channel: 'platform', identityToken: 'jwt.a.b' });
    expect(JSON.stringify([...Array(store.length)].map((_, i) => store.getItem(store.key(i)!)))).not.toContain('jwt.a.b');
    conn.stop();
  });

  it('R1: asks again with reason "expired" when the server reports token_expired, then reconnects with the new token', async () => {
    const { conn, identity } = make(new MemoryStorage(), { channel: 'platform', identityWaitMs: 10_000 });
    conn.setIdentityToken('old');
    conn.start();
    await flush();
    const ws1 = last();
    ws1.open();
    await flush();
    ws1.push({ type: 'error', code: 'token_expired', i18nKey: 'error.token_expired' });
    await flush();
    ws1.drop(4001);
    expect(identity).toEqual(['expired']);
    expect(FakeSocket.all).toHaveLength(1);
    conn.setIdentityToken('fresh');
    await flush();
    const ws2 = last();
    expect(ws2).not.toBe(ws1);
    ws2.open();
    await flush();
    expect(ws2.sent[0]).toMatchObject({ identityToken: 'fresh' });
    conn.stop();
  });

  it('R1: after identity_required it waits for a token from the host instead of looping on hellos', async () => {
    vi.useFakeTimers();
    const { conn, identity } = make(new MemoryStorage(), { channel: 'platform', identityWaitMs: 1000 });
    conn.start();
    await vi.advanceTimersByTimeAsync(1000); // host silent: one try without a token
    expect(FakeSocket.all).toHaveLength(1);
    last().open();
    await vi.advanceTimersByTimeAsync(0);
    last().push({ type: 'error', code: 'identity_required' });
    await vi.advanceTimersByTimeAsync(0);
    last().drop(4001);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1); // no new socket without a token
    expect(identity.length).toBeGreaterThan(2); // kept asking the host, backing off
    expect(identity.slice(1).every((r) => r === 'expired')).toBe(true);
    conn.setIdentityToken('late.token');
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(2);
    conn.stop();
  });

  it('resends in-flight messages after a rate_limited error that carries no ref', async () => {
    vi.useFakeTimers();
    const { conn } = make(new MemoryStorage());
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    last().open();
    await vi.advanceTimersByTimeAsync(0);
    last().push(ready());
    await vi.advanceTimersByTimeAsync(0);
    const id = conn.sendMessage('c_1', 'hi');
    last().push({ type: 'error', code: 'rate_limited', retryAfter: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(last().ofType('message.send').map((f) => f.clientMsgId)).toEqual([id, id]);
    conn.stop();
  });

  it('connects without a token when the host stays silent (the requester stays a visitor)', async () => {
    vi.useFakeTimers();
    const { conn } = make(new MemoryStorage(), { channel: 'platform', identityWaitMs: 3000 });
    conn.start();
    expect(FakeSocket.all).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(3000);
    expect(FakeSocket.all).toHaveLength(1);
    conn.stop();
  });

  it('the outbox survives a reload and the message is sent exactly once after reconnect', async () => {
    const store = new MemoryStorage();
    // Page 1: typed while offline (socket never opened), then the page reloads.
    const page1 = make(store);
    page1.conn.start();
    await flush();
    const id = page1.conn.sendMessage('c_1', 'My pipeline stopped');
    expect(last().sent).toHaveLength(0);
    page1.conn.stop();

    // Page 2: a fresh Connection over the same storage.
    const page2 = make(store);
    expect(page2.conn.pendingMessages.map((e) => e.clientMsgId)).toEqual([id]);
    page2.conn.start();
    await flush();
    const ws = last();
    ws.open();
    await flush();
    ws.push(ready());
    await flush();
    const sends = ws.ofType('message.send');
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ conversationId: 'c_1', clientMsgId: id, body: 'My pipeline stopped' });

    // Another session.ready on the same socket (or a second flush) must not resend it.
    ws.push(ready());
    await flush();
    expect(ws.ofType('message.send')).toHaveLength(1);

    ws.push({ type: 'message.ack', conversationId: 'c_1', clientMsgId: id, seq: 3, at: new Date().toISOString() });
    await flush();
    expect(page2.conn.pendingMessages).toHaveLength(0);
    expect(store.length).toBe(0);

    // After a reconnect nothing is resent.
    ws.drop();
    page2.conn.nudge();
    await flush();
    last().open();
    await flush();
    last().push(ready());
    await flush();
    expect(last().ofType('message.send')).toHaveLength(0);
    page2.conn.stop();
  });

  it('resends an unacknowledged message after a reconnect with the same clientMsgId (the server dedupes)', async () => {
    const { conn } = make(new MemoryStorage());
    conn.start();
    await flush();
    last().open();
    await flush();
    last().push(ready());
    await flush();
    const id = conn.sendMessage('c_1', 'hello');
    expect(last().ofType('message.send')).toHaveLength(1);
    last().drop(); // ack lost
    conn.nudge();
    await flush();
    last().open();
    await flush();
    last().push(ready());
    await flush();
    expect(last().ofType('message.send').map((f) => f.clientMsgId)).toEqual([id]);
    conn.stop();
  });

  it('drops duplicate message.created by seq and resumes the open conversation from the last gapless seq', async () => {
    const { conn, frames } = make(new MemoryStorage());
    conn.start();
    await flush();
    last().open();
    await flush();
    last().push(ready());
    await flush();
    conn.openConversation('c_1');
    expect(last().ofType('session.resume')).toEqual([{ type: 'session.resume', conversationId: 'c_1', lastSeq: 0 }]);
    const m = (seq: number) => ({
      type: 'message.created',
      message: { conversationId: 'c_1', seq, sender: { role: 'agent', name: 'Joao' }, kind: 'text', body: `m${seq}`, at: new Date().toISOString() },
    });
    last().push(m(1));
    last().push(m(2));
    last().push(m(2));
    last().push(m(4));
    await flush();
    const created = frames.filter((f) => f.type === 'message.created');
    expect(created).toHaveLength(3);
    expect(conn.lastSeq('c_1')).toBe(2); // 3 is missing: resume from 2, not from 4

    last().drop();
    conn.nudge();
    await flush();
    last().open();
    await flush();
    last().push(ready());
    await flush();
    expect(last().ofType('session.resume')).toEqual([{ type: 'session.resume', conversationId: 'c_1', lastSeq: 2 }]);
    last().push(m(3));
    last().push(m(4)); // replayed again: dropped
    await flush();
    expect(frames.filter((f) => f.type === 'message.created')).toHaveLength(4);
    conn.stop();
  });

  it('correlates replies by ref and ignores frames that fail ServerFrame validation', async () => {
    const { conn, frames } = make(new MemoryStorage());
    conn.start();
    await flush();
    last().open();
    await flush();
    last().push(ready());
    await flush();
    const p = conn.request({ type: 'conversation.list' });
    const sent = last().ofType('conversation.list')[0]!;
    expect(sent.ref).toMatch(/^r\d+$/);
    last().push({ type: 'message.created', message: { seq: 'nope' } } as Record<string, unknown>); // malformed: dropped
    last().pushRaw('{not json');
    last().push({ type: 'conversation.list.result', ref: sent.ref, conversations: [] });
    const reply = await p;
    expect(reply).toMatchObject({ type: 'conversation.list.result', ref: sent.ref });
    expect(frames.map((f) => f.type)).toEqual(['session.ready', 'conversation.list.result']);
    conn.stop();
  });

  it('errors answering a request go to the caller, not to the global handler', async () => {
    const { conn, frames } = make(new MemoryStorage());
    conn.start();
    await flush();
    last().open();
    await flush();
    last().push(ready());
    await flush();
    const p = conn.request({ type: 'realm.directory.get' });
    const ref = last().ofType('realm.directory.get')[0]!.ref;
    last().push({ type: 'error', code: 'forbidden', ref, i18nKey: 'error.forbidden' });
    await expect(p).resolves.toMatchObject({ type: 'error', code: 'forbidden' });
    expect(frames.some((f) => f.type === 'error')).toBe(false);
    conn.stop();
  });

  it('request rejects while offline', async () => {
    const { conn } = make(new MemoryStorage());
    await expect(conn.request({ type: 'conversation.list' })).rejects.toThrow('offline');
  });

  it('a rate-limited send is retried after retryAfter with the same clientMsgId; a permanent refusal marks it failed', async () => {
    vi.useFakeTimers();
    const { conn } = make(new MemoryStorage());
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    last().open();
    await vi.advanceTimersByTimeAsync(0);
    last().push(ready());
    await vi.advanceTimersByTimeAsync(0);
    const id = conn.sendMessage('c_1', 'hi');
    last().push({ type: 'error', code: 'rate_limited', ref: `m:${id}`, retryAfter: 2 });
    await vi.advanceTimersByTimeAsync(1900);
    expect(last().ofType('message.send')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(last().ofType('message.send').map((f) => f.clientMsgId)).toEqual([id, id]);
    last().push({ type: 'error', code: 'conversation_closed', ref: `m:${id}` });
    await vi.advanceTimersByTimeAsync(0);
    expect(conn.pendingMessages[0]?.failed).toBe('conversation_closed');
    conn.stop();
  });

  it('pings every heartbeatMs and reconnects when the server goes silent', async () => {
    vi.useFakeTimers();
    const { conn } = make(new MemoryStorage());
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = last();
    ws.open();
    await vi.advanceTimersByTimeAsync(0);
    ws.push(ready({ heartbeatMs: 1000 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(ws.ofType('ping')).toHaveLength(1);
    ws.push({ type: 'pong', at: new Date().toISOString() });
    await vi.advanceTimersByTimeAsync(4000); // silence
    expect(ws.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(FakeSocket.all.length).toBeGreaterThan(1);
    conn.stop();
  });

  it('backoff grows exponentially, is capped, and is jittered', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 0)).toBe(2000);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
    expect(backoffDelay(20, () => 0)).toBe(15_000);
  });
});
