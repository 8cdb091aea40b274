import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connect, createServer, type Socket } from 'node:net';
import type { TestClient } from '../client.ts';
import { holdsExactlyOnce } from './flows.ts';
import { redisCommand, startProxy, startRedis, type ProxyHandle, type RedisHandle } from './harness.ts';

/**
 * The harness itself, before anything of Ajuda runs on it: Redis restarts on the same port and
 * clients reconnect to it; the proxy forwards, black-holes (connected but deaf) and heals; the
 * exactly-once check finds what it is meant to find.
 */
const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
});

async function redis(): Promise<RedisHandle> {
  const r = await startRedis();
  cleanup.push(() => r.close());
  return r;
}
async function proxy(port: number): Promise<ProxyHandle> {
  const p = await startProxy(port);
  cleanup.push(() => p.close());
  return p;
}
function client(port: number, opts: Record<string, unknown> = {}): Redis {
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: false, retryStrategy: () => 50, ...opts });
  c.on('error', () => undefined); // reconnects are expected here
  cleanup.push(async () => void c.disconnect());
  return c;
}
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timeout: ${what}`)), ms))]);
}

describe('cluster harness', () => {
  it('redis-server: stop() and start() bring it back on the same port, empty, and a client reconnects by itself', async () => {
    const r = await redis();
    expect(r.url).toBe(`redis://127.0.0.1:${r.port}`);
    const c = client(r.port);
    await c.set('k', 'v');
    expect(await c.get('k')).toBe('v');
    await r.stop();
    expect(r.running).toBe(false);
    await expect(redisCommand(r.port, 'PING', 500)).rejects.toThrow();
    await r.start();
    expect(r.running).toBe(true);
    expect(await redisCommand(r.port, 'PING')).toBe('+PONG');
    // No persistence: the restarted server is empty; the client found it again on the same port.
    expect(await within(c.get('k'), 10_000, 'get after restart')).toBeNull();
    await r.kill();
    expect(r.running).toBe(false);
    await r.start();
    expect(await within(c.ping(), 10_000, 'ping after kill+start')).toBe('PONG');
  });

  it('proxy: forwards both ways, pub/sub included', async () => {
    const r = await redis();
    const p = await proxy(r.port);
    const c = client(p.port);
    const sub = client(p.port);
    await c.set('through', 'proxy');
    expect(await c.get('through')).toBe('proxy');
    const got = new Promise<string>((res) => sub.on('message', (_ch: string, m: string) => res(m)));
    await sub.subscribe('ch');
    await c.publish('ch', 'hello');
    expect(await within(got, 5000, 'message through the proxy')).toBe('hello');
    expect(p.connections).toBe(2);
  });

  it('proxy: blackhole() keeps connections open but deaf (no reply, no close); heal() resets them and new connections forward again', async () => {
    const r = await redis();
    const p = await proxy(r.port);
    // A plain socket: nothing retries behind our back.
    const s: Socket = connect(p.port, '127.0.0.1');
    await new Promise<void>((res) => s.once('connect', () => res()));
    const replies: string[] = [];
    let closed = false;
    s.on('data', (d) => replies.push(d.toString()));
    s.on('close', () => (closed = true));
    s.on('error', () => undefined);
    s.write('PING\r\n');
    await within(new Promise<void>((res) => s.once('data', () => res())), 5000, 'PONG before the cut');
    expect(replies.join('')).toBe('+PONG\r\n');

    p.blackhole();
    s.write('PING\r\n');
    // Deaf, not closed: a fresh connection through the proxy is accepted and deaf too.
    const late: Socket = connect(p.port, '127.0.0.1');
    let lateClosed = false;
    const lateData: string[] = [];
    late.on('data', (d) => lateData.push(d.toString()));
    late.on('close', () => (lateClosed = true));
    late.on('error', () => undefined);
    await within(new Promise<void>((res) => late.once('connect', () => res())), 5000, 'connect while black-holed');
    late.write('PING\r\n');
    // The only wait without an event: proving that nothing arrives needs some time to pass.
    await new Promise((res) => setTimeout(res, 500));
    expect(replies.join('')).toBe('+PONG\r\n');
    expect(lateData).toEqual([]);
    expect(closed).toBe(false);
    expect(lateClosed).toBe(false);
    // Redis itself still answers directly: only the link is cut.
    expect(await redisCommand(r.port, 'PING')).toBe('+PONG');

    p.heal();
    // Connections that lived through the cut are reset, so their owners reconnect…
    await within(new Promise<void>((res) => (closed ? res() : s.once('close', () => res()))), 5000, 'reset at heal');
    await within(new Promise<void>((res) => (lateClosed ? res() : late.once('close', () => res()))), 5000, 'reset at heal (late)');
    // …and new ones are forwarded.
    expect(await redisCommand(p.port, 'PING')).toBe('+PONG');
  });

  it('proxy: an ioredis client stuck on a black-holed link gets its answer after heal() (it reconnects and retries)', async () => {
    const r = await redis();
    const p = await proxy(r.port);
    const c = client(p.port);
    await c.set('x', '1');
    p.blackhole();
    const pending = c.get('x');
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    await new Promise((res) => setTimeout(res, 300));
    expect(settled).toBe(false);
    p.heal();
    expect(await within(pending, 10_000, 'get after heal')).toBe('1');
    expect(await c.get('x')).toBe('1');
  });

  it('proxy: close() ends every connection and stops listening', async () => {
    const target = createServer((sock) => sock.pipe(sock)); // echo
    await new Promise<void>((res) => target.listen(0, '127.0.0.1', () => res()));
    cleanup.push(() => new Promise<void>((res) => target.close(() => res())));
    const p = await startProxy((target.address() as { port: number }).port);
    const s = connect(p.port, '127.0.0.1');
    s.on('error', () => undefined);
    const echoed = new Promise<string>((res) => s.once('data', (d) => res(d.toString())));
    s.write('echo me');
    expect(await within(echoed, 5000, 'echo')).toBe('echo me');
    const closed = new Promise<void>((res) => s.once('close', () => res()));
    await p.close();
    await within(closed, 5000, 'close');
    await expect(new Promise((res, rej) => connect(p.port, '127.0.0.1').once('connect', res).once('error', rej))).rejects.toThrow();
  });
});

describe('cluster checks', () => {
  // holdsExactlyOnce reads only a client's frames: a stand-in with frames is enough.
  const client = (frames: Array<{ type: string; seq: number }>) =>
    ({
      frames: frames.map((f) =>
        f.type === 'ack' ? { type: 'message.ack', conversationId: 'c', clientMsgId: `m${f.seq}`, seq: f.seq, at: '' } : { type: 'message.created', message: { conversationId: 'c', seq: f.seq } },
      ),
    }) as unknown as TestClient;
  const created = (...seqs: number[]) => seqs.map((seq) => ({ type: 'created', seq }));
  const acked = (...seqs: number[]) => seqs.map((seq) => ({ type: 'ack', seq }));

  it('holdsExactlyOnce: every seq once, from message.created or the own ack, in order — and says what is wrong otherwise', () => {
    expect(holdsExactlyOnce(client([...created(1, 2), ...acked(3), ...created(4)]), 'c', 4)).toBeNull();
    // An own message echoed as message.created as well is not a second delivery to that person.
    expect(holdsExactlyOnce(client([...acked(1), ...created(1, 2)]), 'c', 2)).toBeNull();
    expect(holdsExactlyOnce(client(created(1, 3)), 'c', 3)).toMatch(/missing 1 of 3: 2/);
    expect(holdsExactlyOnce(client(created(1, 2, 2, 3)), 'c', 3)).toMatch(/twice: 2/);
    expect(holdsExactlyOnce(client(created(2, 1, 3)), 'c', 3)).toMatch(/out of order at 2 → 1/);
    expect(holdsExactlyOnce(client(created(1, 2, 3)), 'c', 2)).toMatch(/past the stored last seq 2: 3/);
    // Only what came after `afterSeq` counts.
    expect(holdsExactlyOnce(client(created(5, 6)), 'c', 6, 4)).toBeNull();
  });
});
