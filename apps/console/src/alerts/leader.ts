/**
 * One console tab of an agent alerts; the others stay quiet. The leader holds a Web Lock
 * (`navigator.locks.request`, released when its tab closes or crashes, and the next tab waiting takes
 * it). Without Web Locks: a lease in localStorage renewed every 2 s, taken over when 5 s old. Without
 * either, every tab leads (the old single-tab behaviour).
 *
 * @example const stop = lead('ajuda-alerts:emma', (on) => (leader = on));
 */
export function lead(name: string, onChange: (leader: boolean) => void): () => void {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManager }).locks;
  if (locks?.request) {
    let release: (() => void) | null = null;
    let stopped = false;
    void locks
      .request(name, () => {
        if (stopped) return undefined;
        onChange(true);
        return new Promise<void>((r) => (release = r));
      })
      .catch(() => onChange(true));
    return () => {
      stopped = true;
      release?.();
      onChange(false);
    };
  }
  let storage: Storage | null = null;
  try {
    storage = localStorage;
  } catch {
    storage = null;
  }
  if (!storage) {
    onChange(true);
    return () => onChange(false);
  }
  const me = Math.random().toString(36).slice(2);
  let leader = false;
  const beat = () => {
    let cur: { id: string; at: number } | null = null;
    try {
      cur = JSON.parse(storage.getItem(name) ?? 'null') as { id: string; at: number } | null;
    } catch {
      cur = null;
    }
    const mine = !cur || cur.id === me || Date.now() - cur.at > 5000;
    if (mine) storage.setItem(name, JSON.stringify({ id: me, at: Date.now() }));
    if (mine !== leader) onChange((leader = mine));
  };
  beat();
  const timer = setInterval(beat, 2000);
  return () => {
    clearInterval(timer);
    if (leader) storage.removeItem(name);
    onChange(false);
  };
}

/** A BroadcastChannel between this agent's tabs, or a stand-in that reaches nobody. */
export function channel(name: string, onMessage: (m: unknown) => void): { post(m: unknown): void; close(): void } {
  if (typeof BroadcastChannel === 'undefined') return { post: () => undefined, close: () => undefined };
  const bc = new BroadcastChannel(name);
  bc.onmessage = (e) => onMessage(e.data);
  return { post: (m) => bc.postMessage(m), close: () => bc.close() };
}
