import { afterEach, describe, expect, it, vi } from 'vitest';
import { msg, setup, tick, widget } from './helpers.ts';

type W = { Ajuda?: ((...a: unknown[]) => void) & { q?: unknown[][]; l?: number } };
const w = window as unknown as W;

/** The stub exactly as the customer's snippet defines it (see README). */
function snippetStub() {
  w.Ajuda = function (...args: unknown[]) {
    (w.Ajuda!.q = w.Ajuda!.q || []).push(args);
  } as W['Ajuda'];
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
  delete w.Ajuda;
  document.body.innerHTML = '';
});

describe('the async snippet', () => {
  it('replays the queued calls in order once the loader arrives, then dispatches directly', async () => {
    const { frames } = setup(); // only for its iframe stand-in; the snippet makes its own instance
    snippetStub();
    const seen: string[] = [];
    w.Ajuda!('on', 'open', () => seen.push('open'));
    w.Ajuda!('boot', { channel: 'website', ajudaOrigin: 'https://help.ajuda.test', locale: 'es' });
    w.Ajuda!('show');
    expect(widget().host).toBeUndefined(); // nothing happens before the loader runs
    await import('../src/snippet-entry.ts');
    expect(w.Ajuda!.l).toBe(1);
    expect(widget().button?.getAttribute('aria-label')).toBe('Ayuda');
    expect(frames).toHaveLength(1);
    await tick();
    expect(seen).toEqual(['open']);
    w.Ajuda!('hide');
    expect(widget().iframe?.hidden).toBe(true);
    w.Ajuda!('no-such-command'); // ignored, no throw
  });

  it('derives the Ajuda origin from its own script URL', async () => {
    const { frames } = setup();
    const { install } = await import('../src/snippet-entry.ts');
    delete w.Ajuda;
    snippetStub();
    w.Ajuda!('boot', { channel: 'login' });
    w.Ajuda!('show');
    const script = document.createElement('script');
    script.src = 'https://support.vendor.test:8443/widget/loader.js';
    install(script);
    expect(new URL(frames[0]!.el.src).origin).toBe('https://support.vendor.test:8443');
  });

  it('a second copy of the loader on the page leaves the first in charge', async () => {
    setup();
    const { install } = await import('../src/snippet-entry.ts');
    const first = w.Ajuda;
    install(null);
    expect(w.Ajuda).toBe(first);
  });
});

describe('the ES module entry', () => {
  it('exports boot/show/hide/toggle/update/shutdown/on/off bound to one instance', async () => {
    const { frames, fromFrame } = setup();
    const m = await import('../src/index.ts');
    const seen: number[] = [];
    m.on('unreadCountChange', (n) => seen.push(n));
    m.boot({ ajudaOrigin: 'https://help.ajuda.test', channel: 'platform', getIdentityToken: async () => 'jwt' });
    m.toggle();
    expect(frames).toHaveLength(1);
    fromFrame(msg('frame.unread', { count: 1 }));
    await tick();
    expect(seen).toEqual([1]);
    m.update({ locale: 'pt' });
    m.hide();
    m.shutdown();
    expect(widget().button).toBeNull();
  });
});
