// The built files, as a host page gets them: stage 1 (loader.js) without the bridge, and the
// two separately minified stages working together (they share renamed fields, see build.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildLoader } from '../build.ts';
import { AJUDA, msg, setup, widget } from './helpers.ts';

let dir: string;
let loader: string;
let frame: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ajuda-loader-'));
  const out = await buildLoader(dir);
  loader = readFileSync(out.loader, 'utf8');
  frame = readFileSync(out.frame, 'utf8');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

const w = window as unknown as { Ajuda?: ((...a: unknown[]) => void) & { q?: unknown[][] } };
const settings = (window as unknown as { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: boolean } } }).happyDOM.settings;
// happy-dom fetches no script here: a requested one "loads" without running; the test runs it.
beforeEach(() => void (settings.handleDisabledFileLoadingAsSuccess = true));
afterEach(() => {
  settings.handleDisabledFileLoadingAsSuccess = false;
  vi.restoreAllMocks();
  delete w.Ajuda;
  document.head.innerHTML = '';
  document.body.innerHTML = '';
});

/** Runs a built file the way a browser runs a classic script element. */
function run(code: string, script: HTMLScriptElement) {
  vi.spyOn(document, 'currentScript', 'get').mockReturnValue(script);
  new Function(code)();
}

describe('dist', () => {
  // Its size budget (1.5 KB gzip) is measured by `pnpm bench`, not asserted here.
  it('loader.js, what every host page loads at start, leaves the iframe and the bridge to stage 2', () => {
    // The iframe and its bridge are only in loader-frame.js.
    for (const s of ['postMessage', 'host.init', 'frame.ready', 'identityToken']) {
      expect(loader).not.toContain(s);
      expect(frame).toContain(s);
    }
  });

  it('the built stages work together: the snippet queue, then the frame and its pinned bridge on first open', () => {
    const { frames, fromFrame, sent } = setup();
    w.Ajuda = function (...args: unknown[]) {
      (w.Ajuda!.q = w.Ajuda!.q || []).push(args);
    } as typeof w.Ajuda;
    w.Ajuda!('boot', { channel: 'website', locale: 'pt' });
    w.Ajuda!('show');
    const s1 = document.createElement('script');
    s1.src = `${AJUDA}/widget/loader.js`;
    run(loader, s1);
    expect(widget().button?.getAttribute('aria-label')).toBe('Fechar ajuda');
    const s2 = document.querySelector('script')!;
    expect(s2.src).toBe(`${AJUDA}/widget/loader-frame.js`);
    run(frame, s2);
    expect(frames).toHaveLength(1);
    expect(widget().iframe?.hidden).toBe(false);
    fromFrame(msg('frame.ready'));
    expect(sent().map((m) => m.type)).toEqual(['host.init', 'host.show']);
    fromFrame(msg('frame.unread', { count: 2 }));
    expect(widget().button?.getAttribute('aria-label')).toBe('Fechar ajuda (2)');
  });
});
