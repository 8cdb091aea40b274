import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorFrame } from '@ajuda/protocol';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { requester } from '../client.ts';
import { payloadLimit, prototypeIntact, runFuzz } from './fuzz.ts';
import { reply } from './harness.ts';

let stack: TestStack;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '1000000', AJUDA_FRAME_BURST: '1000000', AJUDA_STARTS_PER_MINUTE: '1000000' }, { demo: false });
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  await stack?.close();
});

describe('frame fuzzing', () => {
  it('5,000 fuzzed frames: no crash, no unhandled rejection, every reply a valid frame, one ErrorFrame per invalid frame, Object.prototype untouched', async () => {
    const r = await runFuzz(stack, 5000, 42);
    expect(r.examples).toEqual([]);
    expect(r.frames).toBe(5000);
    expect(r.invalid).toBeGreaterThan(2500);
    expect(r.badReplies).toBe(0);
    expect(r.missingErrors).toBe(0);
    expect(r.internalErrors).toBe(0);
    expect(r.prototypeIntact).toBe(true);
    expect(prototypeIntact()).toBe(true);
    expect(unhandled).toEqual([]);
    // Still serving.
    const c = await requester(stack);
    expect((await reply(c, { type: 'ping' })).type).toBe('pong');
    c.close();
  }, 60_000);

  it('a frame of exactly 64 KiB is processed; one byte more closes the socket with 1009', async () => {
    const r = await payloadLimit(stack);
    expect(JSON.parse(r.atLimit).type).toBe('pong');
    expect(r.overLimitClose).toBe(1009);
  });

  it('binary frames and frames before hello get an ErrorFrame and the socket stays usable', async () => {
    const ws = new WebSocket(stack.wsUrl, { origin: stack.url });
    const got: string[] = [];
    ws.on('message', (d) => got.push(d.toString()));
    await new Promise((r) => ws.once('open', r));
    ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    ws.send('{"type":"conversation.list","ref":"pre"}');
    ws.send('{"type":"ping","ref":"pre-ping"}');
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((s) => ErrorFrame.safeParse(JSON.parse(s)).success)).toEqual([true, true, true]);
    expect(got.map((s) => JSON.parse(s).code)).toEqual(['binary_not_supported', 'hello_required', 'hello_required']);
    ws.send(JSON.stringify({ type: 'session.hello', v: 1, channel: 'website', ref: 'h' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.parse(got.at(-1)!).type).toBe('session.ready');
    ws.close();
  });
});

describe('frame fuzzing: regressions', () => {
  it('an invalid frame with an empty ref ("ref":"") gets an ErrorFrame without ref and crashes nothing', async () => {
    const before = unhandled.length;
    const ws = new WebSocket(stack.wsUrl, { origin: stack.url });
    const got: string[] = [];
    ws.on('message', (d) => got.push(d.toString()));
    await new Promise((r) => ws.once('open', r));
    ws.send('{"type":"nope","ref":""}');
    ws.send('{"type":"session.hello","v":1,"channel":"website","ref":""}');
    ws.send('{"type":"ping","ref":"after"}');
    await new Promise((r) => setTimeout(r, 500));
    expect(unhandled.length).toBe(before);
    expect(got.map((s) => JSON.parse(s) as { type: string; code?: string; ref?: string }).map((f) => [f.type, f.code, f.ref])).toEqual([
      ['error', 'unknown_type', undefined],
      ['error', 'bad_frame', undefined],
      ['error', 'hello_required', 'after'],
    ]);
    ws.close();
  });
});
