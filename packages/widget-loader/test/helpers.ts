import { vi } from 'vitest';
import { HostToFrame } from '../../protocol/src/bridge.ts';
import { createAjuda, type AjudaApi } from '../src/loader.ts';

export const AJUDA = 'https://help.ajuda.test';

/** A stand-in for the iframe's window: happy-dom does not load iframe pages, so we record what is posted to it. */
export interface FakeFrameWindow {
  posted: { data: Record<string, unknown>; targetOrigin: string }[];
  postMessage(data: unknown, targetOrigin: string): void;
}

export function fakeWindow(): FakeFrameWindow {
  const w: FakeFrameWindow = {
    posted: [],
    postMessage(data, targetOrigin) {
      // Structured clone, like the real thing: the loader cannot mutate what it already sent.
      w.posted.push({ data: structuredClone(data) as Record<string, unknown>, targetOrigin });
    },
  };
  return w;
}

/**
 * Boots a fresh loader instance and gives the test hands on its iframe: every created iframe gets a
 * fake contentWindow, `fromFrame` delivers a message as if the frame posted it.
 */
export function setup() {
  const frames: { el: HTMLIFrameElement; win: FakeFrameWindow }[] = [];
  const create = document.createElement.bind(document);
  vi.spyOn(document, 'createElement').mockImplementation(((tag: string, opts?: ElementCreationOptions) => {
    const el = create(tag, opts);
    if (tag === 'iframe') {
      const win = fakeWindow();
      // happy-dom does not load pages into iframes and logs an error for each; an (empty) srcdoc loads
      // locally instead and fires `load` like a real frame would.
      el.setAttribute('srcdoc', '');
      Object.defineProperty(el, 'contentWindow', { value: win, configurable: true });
      frames.push({ el: el as HTMLIFrameElement, win });
    }
    return el;
  }) as typeof document.createElement);
  const api: AjudaApi = createAjuda(AJUDA);
  const frame = () => frames[frames.length - 1];
  /** Delivers a message to the page's window, by default from our iframe and the Ajuda origin. */
  const fromFrame = (data: unknown, o: { origin?: string; source?: unknown } = {}) =>
    window.dispatchEvent(
      new MessageEvent('message', { data, origin: o.origin ?? AJUDA, source: ('source' in o ? o.source : frame()?.win) as Window }),
    );
  /** Every message posted to the current frame, after checking each against the protocol schema. */
  const sent = () => {
    const f = frame();
    if (!f) return [];
    for (const p of f.win.posted) {
      // Habit 9: targetOrigin is pinned, never '*'; and what we send is exactly what the frame accepts.
      if (p.targetOrigin !== AJUDA) throw new Error(`targetOrigin ${p.targetOrigin}`);
      HostToFrame.parse(p.data);
    }
    return f.win.posted.map((p) => p.data);
  };
  const types = () => sent().map((m) => m.type);
  return { api, frames, frame, fromFrame, sent, types };
}

/** The widget's host element and its shadow root (the last element the loader appended to body). */
export function widget() {
  // A launcher being torn down (shutdown waits for delivery) has no button any more: take the live one if any.
  const hosts = [...document.body.children].filter((e) => e.shadowRoot) as HTMLElement[];
  const host = hosts.find((e) => e.shadowRoot!.querySelector('button')) ?? hosts[0];
  const root = host?.shadowRoot ?? null;
  return {
    host,
    root,
    button: root?.querySelector('button') ?? null,
    badge: root?.querySelector('span') ?? null,
    iframe: root?.querySelector('iframe') ?? null,
  };
}

/** Lets queued tasks (event listeners run in their own task) and promises settle. */
export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

export const msg = (type: string, extra: Record<string, unknown> = {}) => ({ ajuda: 1, type, ...extra });
