import { afterAll, describe, expect, it } from 'vitest';
import { openTestStore, type Store } from '../../src/index.ts';

/**
 * One leader per job across processes: a session advisory lock on a connection of its own. Each
 * `tryLeadership` opens its own session, so two calls here are two contenders, as two processes are.
 */
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe('PostgreSQL leadership', () => {
  it('one contender leads; when its session dies another takes over, and a release hands it on', async () => {
    const s = await openTestStore();
    stores.push(s);
    const first = await s.tryLeadership('sla');
    expect(first).not.toBeNull();
    expect(await s.tryLeadership('sla')).toBeNull();
    // Another job is independent.
    const other = await s.tryLeadership('other');
    expect(other).not.toBeNull();
    await other!.release();

    // The leader's session is killed (as when its process or connection dies).
    const [lock] = await s.testing.sql<{ pid: number }>(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted LIMIT 1`);
    await s.testing.sql('SELECT pg_terminate_backend(?)', lock!.pid);
    await first!.lost;
    const second = await s.tryLeadership('sla');
    expect(second).not.toBeNull();
    await second!.release();
    const third = await s.tryLeadership('sla');
    expect(third).not.toBeNull();
    await third!.release();
  });
});
