import { SqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';
import { seedDemoStore } from './seed.ts';

export type TestStore = Store;

/**
 * A fresh, empty store for tests (the default backend, in memory), with the demo data if asked.
 * Tests that only need "a store" use this and stay backend-neutral.
 *
 * @example const store = await openTestStore({ seed: true }); … await store.close();
 */
export async function openTestStore(opts: { seed?: boolean } = {}): Promise<TestStore> {
  const store = SqliteStore.open(':memory:');
  if (opts.seed) await seedDemoStore(store, (pw) => `test:${pw}`);
  return store;
}
