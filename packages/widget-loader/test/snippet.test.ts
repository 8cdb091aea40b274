import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrameScript } from '../src/snippet-entry.ts';
import { AJUDA, msg, setup, tick, widget } from './helpers.ts';

type W = { Ajuda?: ((...a: unknown[]) => void) & { q?: unknown[][]; l?: number } };
const w = window as unknown as W;
const settings = (window as unknown as { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: boolean } } }).happyDOM.settings;

/** The stub exactly as the customer's snippet defines it (see README). */
function snippetStub() {
  w.Ajuda = function (...args: unknown[]) {
    (w.Ajuda!.q = w.Ajuda!.q || []).push(args);
  } as W['Ajuda'];
}

/** The stage 2 scripts (loader-frame.js) the loader has asked for. */
const stage2Scripts = () => [...document.querySelectorAll('script')] as FrameScript[];

/** Runs loader-frame.js's entry the way the browser does once `script` has been fetched: as document.currentScript. */
async function runStage2(script: Element | undefined) {
  vi.spyOn(document, 'currentScript', 'get').mockReturnValue(script as HTMLScriptElement);
  vi.resetModules();
  await import('../src/frame-entry.ts');
}

beforeEach(() => {
  // happy-dom does not fetch scripts here: let a requested script "load" without running, like one still in flight.
  settings.handleDisabledFileLoadingAsSuccess = true;
});

afterEach(() => {
  settings.handleDisabledFileLoadingAsSuccess = false;
  vi.restoreAllMocks();
  vi.resetModules();
  delete w.Ajuda;
  document.head.innerHTML = '';
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
    expect(widget().button?.getAttribute('aria-label')).toBe('Cerrar ayuda');
    expect(widget().button?.getAttribute('aria-expanded')).toBe('true');
    // The panel's code (stage 2) is fetched on that first open, from the Ajuda origin.
    expect(stage2Scripts().map((s) => s.src)).toEqual([`${AJUDA}/widget/loader-frame.js`]);
    expect(frames).toHaveLength(0);
    await runStage2(stage2Scripts()[0]);
    expect(frames).toHaveLength(1);
    expect(widget().iframe?.hidden).toBe(false);
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
    expect(stage2Scripts().map((s) => s.src)).toEqual(['https://support.vendor.test:8443/widget/loader-frame.js']);
    await runStage2(stage2Scripts()[0]);
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

describe('stage 2 (loader-frame.js)', () => {
  /** The snippet's loader, installed with the customer's stub. */
  async function snippet() {
    snippetStub();
    await import('../src/snippet-entry.ts');
    return (...a: unknown[]) => w.Ajuda!(...a);
  }

  it('is fetched only when the panel is first needed, once, and the panel opened meanwhile gets focus', async () => {
    const { frames } = setup();
    const ajuda = await snippet();
    ajuda('boot', { channel: 'website', ajudaOrigin: AJUDA });
    await tick(5);
    expect(stage2Scripts()).toHaveLength(0); // a page that never opens the chat never loads it
    ajuda('show');
    ajuda('hide');
    ajuda('show');
    expect(stage2Scripts()).toHaveLength(1);
    await runStage2(stage2Scripts()[0]);
    expect(frames).toHaveLength(1);
    expect(widget().iframe?.hidden).toBe(false);
    expect(widget().root!.activeElement).toBe(widget().iframe);
    // Stage 2 is kept: a later boot mounts its frame at once.
    ajuda('boot', { channel: 'login', ajudaOrigin: AJUDA });
    ajuda('show');
    expect(stage2Scripts()).toHaveLength(1);
    expect(frames).toHaveLength(2);
  });

  it("loadOn:'idle' fetches it when the browser is idle and mounts the frame hidden", async () => {
    const { frames } = setup();
    const ajuda = await snippet();
    ajuda('boot', { channel: 'website', ajudaOrigin: AJUDA, loadOn: 'idle' });
    expect(stage2Scripts()).toHaveLength(0);
    await tick(5);
    expect(stage2Scripts()).toHaveLength(1);
    await runStage2(stage2Scripts()[0]);
    expect(frames).toHaveLength(1);
    expect(widget().iframe?.hidden).toBe(true);
    expect(widget().button?.getAttribute('aria-expanded')).toBe('false');
  });

  it('a failed fetch is tried again on the next open', async () => {
    const { frames } = setup();
    const ajuda = await snippet();
    ajuda('boot', { channel: 'website', ajudaOrigin: AJUDA });
    ajuda('show');
    stage2Scripts()[0]!.dispatchEvent(new Event('error'));
    ajuda('hide');
    ajuda('show');
    expect(stage2Scripts()).toHaveLength(2);
    await runStage2(stage2Scripts()[1]);
    expect(frames).toHaveLength(1);
    expect(widget().iframe?.hidden).toBe(false);
  });

  it('a boot replaced before stage 2 arrived gets no frame', async () => {
    const { frames } = setup();
    const ajuda = await snippet();
    ajuda('boot', { channel: 'website', ajudaOrigin: AJUDA });
    ajuda('show');
    ajuda('boot', { channel: 'website', ajudaOrigin: AJUDA, locale: 'pt' });
    await runStage2(stage2Scripts()[0]);
    expect(frames).toHaveLength(0);
    expect(widget().button?.getAttribute('aria-label')).toBe('Ajuda');
  });

  it('shutdown before stage 2 arrived still makes the frame forget the visitor', async () => {
    const { frames } = setup();
    const ajuda = await snippet();
    ajuda('boot', { channel: 'login', ajudaOrigin: AJUDA });
    ajuda('show');
    ajuda('shutdown');
    expect(widget().button).toBeNull();
    expect(frames).toHaveLength(0);
    await runStage2(stage2Scripts()[0]);
    expect(frames).toHaveLength(1);
    const { el, win } = frames[0]!;
    expect(el.hidden).toBe(true);
    await new Promise((r) => el.addEventListener('load', r));
    expect(win.posted).toEqual([{ data: { ajuda: 1, type: 'host.shutdown' }, targetOrigin: AJUDA }]);
    // The old frame cannot drive anything any more.
    window.dispatchEvent(new MessageEvent('message', { data: msg('frame.open'), origin: AJUDA, source: win as unknown as Window }));
    expect(el.hidden).toBe(true);
  });

  it('hands its code only to the script element that asked for it, and defines no global', async () => {
    setup();
    const before = Object.keys(window).length;
    await runStage2(document.createElement('script')); // loaded by something else: nothing happens
    await runStage2(undefined);
    expect(Object.keys(window).length).toBe(before);
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
