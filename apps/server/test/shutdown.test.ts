import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CLOSE } from '@ajuda/protocol';
import { startTestStack } from '../src/testing.ts';
import { agent, requester } from './client.ts';

describe('shutdown and restart', () => {
  it('a socket that never answers the closing handshake does not hold the server\'s close (and so its restart) for 30 s; live sockets are told first', async () => {
    const stack = await startTestStack({}, { demo: false });
    const port = Number(new URL(stack.url).port);
    // A client that completes the upgrade, then reads nothing and answers nothing (a frozen tab, a dead network).
    const frozen = connect(port, '127.0.0.1');
    await new Promise((r) => frozen.once('connect', r));
    frozen.write(`GET /ws HTTP/1.1\r\nHost: x\r\nOrigin: ${stack.url}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await new Promise((r) => frozen.once('data', r));
    frozen.pause();
    frozen.on('error', () => undefined);
    const widget = await requester(stack);
    const console_ = await agent(stack, 'emma@ajuda.local');
    const t0 = performance.now();
    await stack.close();
    const took = performance.now() - t0;
    expect(took).toBeLessThan(3000);
    for (const c of [widget, console_]) {
      expect(c.frames.filter((f) => f.type === 'session.ended'), c.raw.slice(-2).join(' ')).toEqual([{ type: 'session.ended', reason: 'shutdown' }]);
      expect((await c.waitClose()).code).toBe(CLOSE.goingAway);
    }
    frozen.destroy();
  }, 40_000);
});
