import { SqliteStore } from './sqlite-store.ts';
import { PgStore } from './pg-store.ts';
import { testDatabase } from './pg-cluster.ts';
import type { Store } from './store.ts';
import type { DbOptions } from './open.ts';
import { seedDemoStore } from './seed.ts';

export type TestStore = Store;

export interface StoreOptions extends DbOptions {
  /** PostgreSQL pool size (AJUDA_PG_POOL_MAX). */
  poolMax?: number;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** An idle PostgreSQL connection failed (logged; the next command reconnects). */
  onError?: (err: Error) => void;
}

/** Whether a store target is a PostgreSQL URL (else it is a SQLite file or `:memory:`). */
export const isPostgresUrl = (target: string) => /^postgres(ql)?:\/\//.test(target);

/**
 * The store the server runs on: PostgreSQL when `target` is a `postgres://` URL, else SQLite in
 * that file (or `:memory:`); migrated unless `migrate: false`.
 *
 * @example const store = await createStore('./data/ajuda.db', { synchronous: 'FULL' });
 * @example const store = await createStore('postgres://ajuda@db:5432/ajuda', { poolMax: 20 });
 */
export async function createStore(target: string, opts: StoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(target))
    return PgStore.open({ url: target, poolMax: opts.poolMax, synchronous: opts.synchronous, busyTimeoutMs: opts.busyTimeoutMs, migrate: opts.migrate, onError: opts.onError });
  return SqliteStore.open(target, opts);
}

/**
 * A fresh, empty store for tests, with the demo data if asked: the backend AJUDA_STORE names —
 * SQLite in memory by default, or (`AJUDA_STORE=pg`, under `pnpm test:pg`) a new database copied
 * from the migrated template on the test cluster, dropped on close. Tests that only need "a
 * store" use this and stay backend-neutral.
 *
 * @example const store = await openTestStore({ seed: true }); … await store.close();
 */
export async function openTestStore(opts: { seed?: boolean } = {}): Promise<TestStore> {
  let store: Store;
  if (process.env.AJUDA_STORE === 'pg') {
    const db = await testDatabase();
    const pg = await PgStore.open({ url: db.url, migrate: false, poolMax: 4 });
    const close = pg.close.bind(pg);
    pg.close = async () => {
      await close();
      await db.drop();
    };
    store = pg;
  } else store = await createStore(':memory:');
  if (opts.seed) await seedDemoStore(store, (pw) => `test:${pw}`);
  return store;
}
