import { describe, expect, it, vi } from 'vitest';
import type { HostToFrame } from '@ajuda/protocol';
import { FrameBridge } from '../src/bridge.ts';

const HOST = 'https://app.acme.example';

function setup() {
  const parent = { postMessage: vi.fn() };
  const stranger = { postMessage: vi.fn() };
  const win = Object.assign(new EventTarget(), { parent }) as unknown as Window;
  const got: HostToFrame[] = [];
  const bridge = new FrameBridge({ win, hostOrigin: HOST, onMessage: (m) => got.push(m) });
  bridge.start();
  const deliver = (data: unknown, origin = HOST, source: unknown = parent) =>
    win.dispatchEvent(Object.assign(new Event('message'), { data, origin, source }));
  return { bridge, parent, stranger, got, deliver, win };
}

const identity = { ajuda: 1, type: 'host.identity', identityToken: 'eyJhbGciOi.x.y' };

describe('frame bridge', () => {
  it('accepts a valid host.identity from the parent window at the host origin', () => {
    const { got, deliver } = setup();
    deliver(identity);
    expect(got).toEqual([identity]);
  });

  it('refuses a message from another origin', () => {
    const { got, deliver } = setup();
    deliver(identity, 'https://evil.example');
    deliver(identity, 'http://app.acme.example'); // scheme differs
    deliver(identity, 'null');
    expect(got).toEqual([]);
  });

  it('refuses a message from the right origin but another window (a sibling frame, a popup)', () => {
    const { got, deliver, stranger, win } = setup();
    deliver(identity, HOST, stranger);
    deliver(identity, HOST, null);
    deliver(identity, HOST, win); // itself
    expect(got).toEqual([]);
  });

  it('refuses malformed messages', () => {
    const { got, deliver } = setup();
    deliver({ type: 'host.identity', identityToken: 'x' }); // no ajuda marker
    deliver({ ajuda: 1, type: 'host.identity' }); // no token
    deliver({ ajuda: 1, type: 'host.identity', identityToken: 42 });
    deliver({ ajuda: 1, type: 'host.init', channel: 'intranet', hostOrigin: HOST });
    deliver({ ajuda: 1, type: 'host.init', channel: 'platform', hostOrigin: HOST, theme: { primary: 'url(javascript:alert(1))' } });
    deliver({ ajuda: 1, type: 'frame.unread', count: 1 }); // wrong direction
    deliver('host.shutdown');
    deliver(null);
    expect(got).toEqual([]);
  });

  it('posts with the pinned host origin, never "*", and marks messages with ajuda: 1', () => {
    const { bridge, parent } = setup();
    bridge.post({ type: 'frame.unread', count: 3 });
    expect(parent.postMessage).toHaveBeenCalledWith({ type: 'frame.unread', count: 3, ajuda: 1 }, HOST);
  });

  it('validates with the widget\'s own guard by default (no zod in the first screen), dropping extra-marker and unknown types', () => {
    const parent = { postMessage: vi.fn() };
    const win = Object.assign(new EventTarget(), { parent }) as unknown as Window;
    const got: HostToFrame[] = [];
    const bridge = new FrameBridge({ win, hostOrigin: HOST, onMessage: (m) => got.push(m) });
    bridge.start();
    const send = (data: unknown) => win.dispatchEvent(Object.assign(new Event('message'), { data, origin: HOST, source: parent }));
    send(identity);
    send({ ajuda: 2, type: 'host.show' });
    send({ ajuda: 1, type: 'nope' });
    send({ ajuda: 1, type: 'host.update', locale: 'de' });
    send({ ajuda: 1, type: 'host.update', theme: { primary: 'red;background:url(x)' } });
    send({ ajuda: 1, type: 'host.init', channel: 'website', hostOrigin: `${HOST}/path` });
    send({ ajuda: 1, type: 'host.show' });
    expect(got.map((m) => m.type)).toEqual(['host.identity', 'host.show']);
    bridge.stop();
    send(identity);
    expect(got).toHaveLength(2);
  });
});
