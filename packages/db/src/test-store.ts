import { SqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';
import type { DbOptions } from './open.ts';
import { seedDemoStore } from './seed.ts';

export type TestStore = Store;

/**
 * The store the server runs on: the default backend (SQLite in one file, or `:memory:`), migrated.
 *
 * @example const store = createStore('./data/ajuda.db', { synchronous: 'FULL' });
 */
export function createStore(file: string, opts: DbOptions = {}): Store {
  return SqliteStore.open(file, opts);
}

/**
 * A fresh, empty store for tests (the default backend, in memory), with the demo data if asked.
 * Tests that only need "a store" use this and stay backend-neutral.
 *
 * @example const store = await openTestStore({ seed: true }); … await store.close();
 */
export async function openTestStore(opts: { seed?: boolean } = {}): Promise<TestStore> {
  const store = createStore(':memory:');
  if (opts.seed) await seedDemoStore(store, (pw) => `test:${pw}`);
  return store;
}
