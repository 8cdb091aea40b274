import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, StoreBusy, type Store } from '../src/index.ts';

// The SQLite adapter's test seams (StoreTesting): what server tests use instead of opening the
// database themselves.
let store: Store | null = null;
let dir: string | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = null;
});

const fileStore = (busyTimeoutMs: number) => {
  dir = mkdtempSync(join(tmpdir(), 'ajuda-seams-'));
  return (store = SqliteStore.open(join(dir, 'a.db'), { busyTimeoutMs, synchronous: 'NORMAL' }));
};
const visitors = async (s: Store) => Number((await s.testing.sql<{ n: number }>('SELECT count(*) AS n FROM visitors'))[0]!.n);

describe('SqliteStore testing seams', () => {
  it('sql: a SELECT resolves to its rows, a write to [] and is seen by the store (no stale cached row)', async () => {
    const s = fileStore(1000);
    await s.insertVisitor('v1', 'hash-1', '2026-01-01T00:00:00Z');
    expect(await visitors(s)).toBe(1);
    expect(await s.testing.sql('UPDATE visitors SET forgotten_at = ? WHERE id = ?', '2026-01-02T00:00:00Z', 'v1')).toEqual([]);
    expect(await s.findVisitor('hash-1')).toEqual({ id: 'v1', forgottenAt: '2026-01-02T00:00:00Z' });
  });

  it('holdWriteLock: commands wait up to the busy timeout, then fail with StoreBusy and write nothing; after release they succeed', async () => {
    const s = fileStore(100);
    const release = await s.testing.holdWriteLock();
    let err: unknown;
    const t0 = performance.now();
    try {
      await s.insertVisitor('v1', 'hash-1', '2026-01-01T00:00:00Z');
    } catch (e) {
      err = e;
    } finally {
      await release();
    }
    expect(err).toBeInstanceOf(StoreBusy);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    expect(await visitors(s)).toBe(0);
    await release(); // twice is harmless
    await s.insertVisitor('v1', 'hash-1', '2026-01-01T00:00:00Z');
    expect(await visitors(s)).toBe(1);
  });

  it('holdWriteLock on an in-memory database is refused: there is no second connection to it', async () => {
    store = SqliteStore.open(':memory:');
    await expect(store.testing.holdWriteLock()).rejects.toThrow(/database file/);
  });
});

describe('SqliteStore readiness', () => {
  it('is not writable after a group commit failed, until a commit goes through again (readiness itself tries an empty one)', async () => {
    const s = fileStore(50);
    expect(await s.readiness()).toEqual({ writable: true, pendingMigrations: 0 });
    // Another connection holds the write lock: the commit fails whole.
    const release = await s.testing.holdWriteLock();
    await expect(s.insertVisitor('v1', 'hash-1', '2026-01-01T00:00:00Z')).rejects.toBeInstanceOf(StoreBusy);
    const down = await s.readiness();
    expect(down.writable).toBe(false);
    expect(down.reason).toMatch(/last commit failed: SQLITE_BUSY/);
    await release();
    expect(await s.readiness()).toEqual({ writable: true, pendingMigrations: 0 });
    await s.insertVisitor('v1', 'hash-1', '2026-01-01T00:00:00Z');
    expect(await visitors(s)).toBe(1);
  });

  it('a commit failing in its transaction (beforeCommit throws) makes it unwritable; the next commit clears it', async () => {
    const s = fileStore(1000);
    s.testing.beforeCommit = () => {
      throw new Error('disk on fire');
    };
    await expect(s.insertVisitor('v1', 'hash-1', '2026-01-01T00:00:00Z')).rejects.toThrow('disk on fire');
    expect(await s.readiness()).toMatchObject({ writable: false, reason: 'the last commit failed: disk on fire' });
    s.testing.beforeCommit = null;
    await s.insertVisitor('v1', 'hash-1', '2026-01-01T00:00:00Z');
    expect(await s.readiness()).toEqual({ writable: true, pendingMigrations: 0 });
  });
});
