// Entry of dist/loader.js (the IIFE served at /widget/loader.js). The customer's snippet defined
// `window.Ajuda` as a stub that queues its arguments in `Ajuda.q`; this replaces it with the real
// dispatcher and replays the queue in order.
import { createAjuda } from './loader.ts';

type Stub = ((...a: unknown[]) => void) & { q?: ArrayLike<unknown>[]; l?: 1 };

/** Installs the real `window.Ajuda` (origin taken from the loader's own script URL) and replays the queued calls. */
export function install(script: HTMLScriptElement | null): void {
  const w = window as unknown as { Ajuda?: Stub };
  const stub = w.Ajuda;
  if (stub?.l) return; // loaded twice: the first one stays in charge
  let origin;
  try {
    // The Ajuda origin is where this very script came from.
    origin = new URL(script!.src).origin;
  } catch {
    /* no script URL: boot({ ajudaOrigin }) must say it */
  }
  const api = createAjuda(origin) as unknown as Record<string, (...a: unknown[]) => void>;
  // Ajuda('boot', {...}) → api.boot({...}); unknown commands are ignored.
  const run = (a: ArrayLike<unknown>) => api[a[0] as string]?.(...[].slice.call(a, 1));
  w.Ajuda = Object.assign((...a: unknown[]) => run(a), { l: 1 as const });
  stub?.q?.forEach?.(run);
}

install(document.currentScript as HTMLScriptElement | null);
