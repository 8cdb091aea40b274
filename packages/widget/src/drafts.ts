import type { ScopedStorage } from './storage.ts';

const DRAFTS_KEY = 'drafts';
/** A draft longer than any field accepts is not worth keeping (and storage is small). */
const MAX_DRAFT = 16_000;
const MAX_DRAFTS = 50;

/**
 * What the requester was in the middle of writing — the composer's text per conversation, an unfinished
 * intake form, the screen they were on — kept in the widget's scoped storage so that a reload does not
 * lose it. One record, so shutdown (logout) forgets all of it at once.
 * @example const d = new Drafts(storage); d.set('composer:c_1', 'hello'); d.get('composer:c_1') // 'hello'
 */
export class Drafts {
  constructor(private readonly storage: ScopedStorage) {}

  private read(): Record<string, string> {
    const raw = this.storage.get(DRAFTS_KEY);
    if (!raw) return {};
    try {
      const v: unknown = JSON.parse(raw);
      if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
      // Stored by us, but localStorage is shared with anything on this origin: keep only strings.
      return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }

  get(name: string): string | null {
    const all = this.read();
    return Object.hasOwn(all, name) ? all[name]! : null;
  }

  set(name: string, value: string | null): void {
    const all = this.read();
    if (value === null || value === '') delete all[name];
    else {
      if (value.length > MAX_DRAFT) return;
      delete all[name];
      all[name] = value;
      // The oldest drafts go first when there are too many.
      const names = Object.keys(all);
      for (const n of names.slice(0, Math.max(0, names.length - MAX_DRAFTS))) delete all[n];
    }
    if (Object.keys(all).length) this.storage.set(DRAFTS_KEY, JSON.stringify(all));
    else this.storage.remove(DRAFTS_KEY);
  }

  clear(): void {
    this.storage.remove(DRAFTS_KEY);
  }
}
