import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentConnection, agentSocketUrl, FrameError, MAX_BACKOFF_MS, type ConnectionStatus } from '../src/connection.ts';
import { FakeSocket, JOAO } from './helpers.tsx';

const ready = { type: 'session.ready', v: 1, principal: { kind: 'agent', agent: JOAO }, locale: 'pt', heartbeatMs: 25_000 };

function connect() {
  FakeSocket.instances = [];
  const frames: string[] = [];
  const statuses: ConnectionStatus[] = [];
  const conn = new AgentConnection({
    url: 'ws://h/ws/agent',
    factory: (u) => new FakeSocket(u),
    locale: 'pt',
    onFrame: (f) => frames.push(f.type),
    onStatus: (s) => statuses.push(s),
    maxBackoffMs: 4_000,
  });
  conn.start();
  return { conn, frames, statuses, sock: () => FakeSocket.instances.at(-1)! };
}

describe('agent socket', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('builds the socket URL from the page origin, without any token', () => {
    expect(agentSocketUrl({ protocol: 'https:', host: 'support.example' })).toBe('wss://support.example/ws/agent');
    expect(agentSocketUrl({ protocol: 'http:', host: 'localhost:3000' })).toBe('ws://localhost:3000/ws/agent');
  });

  it('sends session.hello first, then matches replies by ref', async () => {
    const { conn, sock, statuses } = connect();
    sock().open();
    expect(sock().sent).toEqual([{ type: 'session.hello', v: 1, locale: 'pt' }]);
    expect(conn.send({ type: 'inbox.get' })).toBeNull(); // nothing goes out before session.ready
    sock().serverSend(ready);
    expect(statuses.at(-1)).toBe('ready');
    const p = conn.request({ type: 'conversation.open', conversationId: 'c1' });
    const ref = sock().sent.at(-1)!.ref;
    sock().serverSend({ type: 'error', ref, code: 'not_found', i18nKey: 'error.not_found' });
    await expect(p).rejects.toBeInstanceOf(FrameError);
  });

  it('drops frames that do not match the protocol', () => {
    const { sock, frames } = connect();
    sock().open();
    sock().serverSend(ready);
    sock().serverSend({ type: 'inbox', conversations: [{ id: 'x' }], agents: [] });
    sock().onmessage?.({ data: 'not json' });
    expect(frames).toEqual(['session.ready']);
  });

  it('a command settles when the conversation update arrives', async () => {
    const { conn, sock } = connect();
    sock().open();
    sock().serverSend(ready);
    const p = conn.command({ type: 'conversation.resolve', conversationId: 'c9' });
    sock().serverSend({ type: 'agent.conversation.removed', conversationId: 'c9' });
    await expect(p).resolves.toBeUndefined();
  });

  it('reconnects with capped backoff after a drop, but not after an auth failure', () => {
    const { sock, statuses } = connect();
    sock().open();
    sock().serverSend(ready);
    sock().drop(1006);
    expect(statuses.at(-1)).toBe('reconnecting');
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(4_000);
    expect(FakeSocket.instances).toHaveLength(2);
    sock().open();
    expect(sock().sent[0]).toMatchObject({ type: 'session.hello' });
    sock().drop(4001);
    expect(statuses.at(-1)).toBe('signed_out');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('a server restart: every retry comes within 2 s however long the server was down, with jitter', () => {
    FakeSocket.instances = [];
    const statuses: ConnectionStatus[] = [];
    const conn = new AgentConnection({ url: 'ws://h/ws/agent', factory: (u) => new FakeSocket(u), onFrame: () => undefined, onStatus: (s) => statuses.push(s) });
    conn.start();
    const last = () => FakeSocket.instances.at(-1)!;
    last().open();
    last().serverSend(ready);
    // The server says it is shutting down: the session stays (the cookie is valid), the console reconnects.
    last().serverSend({ type: 'session.ended', reason: 'shutdown' });
    last().drop(1001);
    expect(statuses.at(-1)).toBe('reconnecting');
    const gaps: number[] = [];
    // Thirty failed attempts (about a minute down): the wait before each one never exceeds MAX_BACKOFF_MS.
    for (let i = 0; i < 30; i++) {
      const n = FakeSocket.instances.length;
      let waited = 0;
      while (FakeSocket.instances.length === n) {
        vi.advanceTimersByTime(50);
        waited += 50;
        expect(waited).toBeLessThanOrEqual(MAX_BACKOFF_MS);
      }
      gaps.push(waited);
      last().drop(1006); // refused: the server is still down
    }
    expect(Math.max(...gaps)).toBeLessThanOrEqual(MAX_BACKOFF_MS);
    expect(new Set(gaps.slice(10)).size).toBeGreaterThan(1); // jittered, not in lockstep
    expect(statuses).not.toContain('ended');
    conn.stop();
  });

  it('reconnects at once when the health probe answers, or on "retry now", instead of waiting out the backoff', async () => {
    FakeSocket.instances = [];
    let healthy = false;
    const conn = new AgentConnection({
      url: 'ws://h/ws/agent',
      factory: (u) => new FakeSocket(u),
      onFrame: () => undefined,
      onStatus: () => undefined,
      maxBackoffMs: 60_000,
      probe: () => Promise.resolve(healthy),
      probeMs: 500,
    });
    conn.start();
    const last = () => FakeSocket.instances.at(-1)!;
    last().open();
    last().serverSend(ready);
    for (let i = 0; i < 8; i++) {
      last().drop(1006);
      await vi.advanceTimersByTimeAsync(Math.min(60_000, 250 * 2 ** i));
    }
    last().drop(1006);
    const n = FakeSocket.instances.length;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.instances).toHaveLength(n); // still down, and the backoff is long now
    healthy = true;
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.instances).toHaveLength(n + 1); // the probe saw the server healthy
    last().drop(1006);
    healthy = false;
    conn.retryNow();
    expect(FakeSocket.instances).toHaveLength(n + 2);
    conn.retryNow(); // already connecting: no second socket
    expect(FakeSocket.instances).toHaveLength(n + 2);
    conn.stop();
  });

  it('an error answering a background read or typing signal is dropped; any other unawaited error is shown', () => {
    const { conn, sock, frames } = connect();
    sock().open();
    sock().serverSend(ready);
    const read = conn.send({ type: 'read', conversationId: 'c1', lastReadSeq: 3 })!;
    const typing = conn.send({ type: 'typing.set', conversationId: 'c1', on: true })!;
    const other = conn.send({ type: 'agent.availability', available: true })!;
    for (const ref of [read, typing, other]) sock().serverSend({ type: 'error', ref, code: 'not_found', i18nKey: 'error.not_found' });
    expect(frames).toEqual(['session.ready', 'error']);
  });

  it('pings on the heartbeat the server asked for', () => {
    const { sock } = connect();
    sock().open();
    sock().serverSend(ready);
    vi.advanceTimersByTime(25_000);
    expect(sock().sent.at(-1)).toMatchObject({ type: 'ping' });
  });
});
