import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentConnection, agentSocketUrl, FrameError, type ConnectionStatus } from '../src/connection.ts';
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

  it('pings on the heartbeat the server asked for', () => {
    const { sock } = connect();
    sock().open();
    sock().serverSend(ready);
    vi.advanceTimersByTime(25_000);
    expect(sock().sent.at(-1)).toMatchObject({ type: 'ping' });
  });
});
