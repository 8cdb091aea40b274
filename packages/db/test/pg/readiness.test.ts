import { afterAll, describe, expect, it } from 'vitest';
import { PgStore, StoreBusy } from '../../src/index.ts';
import { testDatabase } from '../../src/pg-cluster.ts';

/**
 * PostgreSQL readiness (`Store.readiness`): writable only when a pooled connection answers within
 * 2 s and the server takes writes (not a standby, transactions not read-only).
 */
const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});
async function open(poolMax = 4) {
  const db = await testDatabase();
  const store = await PgStore.open({ url: db.url, migrate: false, poolMax });
  cleanup.push(() => db.drop());
  cleanup.push(() => store.close());
  return store;
}

describe('PostgreSQL readiness', () => {
  it('is not writable when transactions are read-only (default_transaction_read_only), and writable again when they are not', async () => {
    // One pooled connection: the session setting below is the one readiness reads.
    const s = await open(1);
    expect(await s.readiness()).toEqual({ writable: true, pendingMigrations: 0 });
    await s.testing.sql('SET default_transaction_read_only = on');
    expect(await s.readiness()).toEqual({ writable: false, pendingMigrations: 0, reason: 'PostgreSQL transactions are read-only (default_transaction_read_only)' });
    await s.testing.sql('SET default_transaction_read_only = off');
    expect(await s.readiness()).toEqual({ writable: true, pendingMigrations: 0 });
  });

  it('a read waiting past the pool\'s connection timeout is StoreBusy (the client\'s retryable `unavailable`), not an internal error', async () => {
    const s = await open(1);
    const held = await s.pool.connect();
    try {
      const err = await s.getConversation('AJ-NONE').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreBusy);
    } finally {
      held.release();
    }
    expect(await s.getConversation('AJ-NONE')).toBeUndefined();
  });

  it('is not writable when no pooled connection is free within 2 s', async () => {
    const s = await open(1);
    const held = await s.pool.connect();
    try {
      expect(await s.readiness()).toEqual({ writable: false, pendingMigrations: 0, reason: 'no PostgreSQL connection answered within 2 s' });
    } finally {
      held.release();
    }
    expect(await s.readiness()).toEqual({ writable: true, pendingMigrations: 0 });
  });
});
