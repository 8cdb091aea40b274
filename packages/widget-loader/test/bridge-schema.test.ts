import { describe, expect, it } from 'vitest';
import {
  CssColor,
  FrameToHost,
  HostToFrame,
  frameMessage,
  isBridgeMessage,
  parseFrameToHost,
  parseHostToFrame,
} from '../../protocol/src/bridge.ts';

// The bridge schemas live in @ajuda/protocol (bridge.ts); the loader mirrors them by hand, so they are tested here.
describe('bridge schemas', () => {
  it('every message carries the ajuda:1 marker', () => {
    expect(isBridgeMessage({ type: 'frame.ready' })).toBe(false);
    expect(isBridgeMessage({ ajuda: 1, type: 'frame.ready' })).toBe(true);
    expect(isBridgeMessage({ ajuda: 2, type: 'frame.ready' })).toBe(false);
    expect(frameMessage({ type: 'frame.unread', count: 2 })).toEqual({ ajuda: 1, type: 'frame.unread', count: 2 });
  });

  it('host.init needs a channel and an origin without path', () => {
    const init = { ajuda: 1, type: 'host.init', channel: 'platform', hostOrigin: 'http://localhost:3001' };
    expect(parseHostToFrame(init)).toEqual(init);
    expect(parseHostToFrame({ ...init, channel: 'intranet' })).toBeNull();
    expect(parseHostToFrame({ ...init, hostOrigin: 'http://localhost:3001/page' })).toBeNull();
    expect(parseHostToFrame({ ...init, hostOrigin: 'javascript:alert(1)' })).toBeNull();
    expect(parseHostToFrame({ ...init, locale: 'fr' })).toBeNull();
  });

  it('theme colours are plain colours only (no CSS injection)', () => {
    for (const ok of ['#fff', '#1f5eff', '#1f5eff80', 'teal', 'rgb(1, 2, 3)', 'hsl(120deg 50% 50% / .5)']) expect(CssColor.safeParse(ok).success).toBe(true);
    for (const bad of ['#12345', 'red;color:blue', 'url(x)', 'var(--x)', 'red}body{display:none', 'expression(alert(1))', ''])
      expect(CssColor.safeParse(bad).success).toBe(false);
  });

  it('R1: the identity token travels only in host.identity, and directions do not mix', () => {
    expect(HostToFrame.safeParse({ ajuda: 1, type: 'host.identity', identityToken: 'a.b.c' }).success).toBe(true);
    expect(HostToFrame.safeParse({ ajuda: 1, type: 'host.identity', identityToken: '' }).success).toBe(false);
    expect(FrameToHost.safeParse({ ajuda: 1, type: 'host.identity', identityToken: 'a.b.c' }).success).toBe(false);
    expect(parseFrameToHost({ ajuda: 1, type: 'host.show' })).toBeNull();
  });

  it('frame messages validate their fields', () => {
    expect(parseFrameToHost({ ajuda: 1, type: 'frame.needIdentity', reason: 'expired' })).not.toBeNull();
    expect(parseFrameToHost({ ajuda: 1, type: 'frame.needIdentity', reason: 'whatever' })).toBeNull();
    expect(parseFrameToHost({ ajuda: 1, type: 'frame.unread', count: -1 })).toBeNull();
    expect(parseFrameToHost({ ajuda: 1, type: 'frame.unread', count: 1.5 })).toBeNull();
    expect(parseFrameToHost({ ajuda: 1, type: 'frame.conversationStarted', conversationId: '' })).toBeNull();
    expect(parseFrameToHost({ ajuda: 1, type: 'frame.resize', height: 480 })).not.toBeNull();
    for (const junk of [null, 'frame.ready', 1, [], {}]) expect(isBridgeMessage(junk)).toBe(false);
  });
});
