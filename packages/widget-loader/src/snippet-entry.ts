// Entry of dist/loader.js (the IIFE served at /widget/loader.js): stage 1 only. The customer's
// snippet defined `window.Ajuda` as a stub that queues its arguments in `Ajuda.q`; this replaces it
// with the real dispatcher and replays the queue in order. Stage 2 (the iframe and its bridge) is
// fetched from the Ajuda origin, as /widget/loader-frame.js, the first time a boot needs its frame.
import { createLauncher, type MountFrame } from './launcher.ts';

type Stub = ((...a: unknown[]) => void) & { q?: ArrayLike<unknown>[]; l?: 1 };
/** The script element for stage 2; frame-entry.ts calls `cb_` with the frame part as it runs. */
export type FrameScript = HTMLScriptElement & { cb_?: (m: MountFrame) => void };

let mount: MountFrame | undefined;
/** Mounts boot `x`'s frame with stage 2, fetched once from `<Ajuda origin>/widget/loader-frame.js`. */
export const loadFrame: MountFrame = (x) => {
  if (mount) return mount(x);
  const s: FrameScript = document.createElement('script');
  s.src = x.origin_ + '/widget/loader-frame.js';
  s.cb_ = (m) => (mount = m)(x);
  // Not fetched (offline, blocked): the next open tries again.
  s.onerror = () => (x.asked_ = 0);
  document.head.append(s);
};

/** Installs the real `window.Ajuda` (origin taken from the loader's own script URL) and replays the queued calls. */
export function install(script: HTMLScriptElement | null): void {
  const w = self as unknown as { Ajuda?: Stub };
  const stub = w.Ajuda;
  if (stub?.l) return; // loaded twice: the first one stays in charge
  // The Ajuda origin is where this very script came from (boot() keeps only the URL's origin);
  // without a script URL, boot({ ajudaOrigin }) must say it.
  const api = createLauncher(script?.src, loadFrame) as unknown as Record<string, (a: unknown, b: unknown) => void>;
  // Ajuda('boot', {...}) → api.boot({...}); no API method takes more than two arguments; unknown commands are ignored.
  const run = (a: ArrayLike<unknown>) => api[a[0] as string]?.(a[1], a[2]);
  (w.Ajuda = ((...a: unknown[]) => run(a)) as Stub).l = 1;
  stub?.q?.map?.(run);
}

install(document.currentScript as HTMLScriptElement | null);
