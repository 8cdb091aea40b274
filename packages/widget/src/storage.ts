/**
 * localStorage, scoped per channel and host origin so that two embeddings on different sites never
 * share a visitor identity or an outbox. Every access is guarded: storage can be disabled or full
 * (third-party iframe partitioning, private mode), and the widget must keep working without it.
 * @example const s = scopedStorage(localStorage, 'website|https://shop.example'); s.set('visitorToken', 'v1');
 */
export interface ScopedStorage {
  get(name: string): string | null;
  set(name: string, value: string): void;
  remove(name: string): void;
}

export function scopedStorage(store: Storage | null | undefined, scope: string): ScopedStorage {
  const key = (name: string) => `ajuda:v1:${scope}:${name}`;
  return {
    get(name) {
      try {
        return store?.getItem(key(name)) ?? null;
      } catch {
        return null;
      }
    },
    set(name, value) {
      try {
        store?.setItem(key(name), value);
      } catch {
        /* full or disabled: the widget still works for this page view */
      }
    },
    remove(name) {
      try {
        store?.removeItem(key(name));
      } catch {
        /* ignore */
      }
    },
  };
}

/** The localStorage of this window, or null where touching it throws (sandboxed / blocked). */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** A random id for clientMsgId / idempotencyKey; crypto.randomUUID is missing outside secure contexts. */
export function randomId(prefix = ''): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return prefix + s;
}
