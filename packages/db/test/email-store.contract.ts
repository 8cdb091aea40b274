import { afterEach, describe, expect, it } from 'vitest';
import type { NewEmailJob, Store } from '../src/index.ts';

/**
 * The contract of `Store.email` (email-store.ts), run by store.contract.test.ts on the backend
 * AJUDA_STORE names (SQLite in `pnpm test`, PostgreSQL in `pnpm test:pg`).
 */
export function emailStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: email contacts, outbox, inbound (${name})`, () => {
    let stores: Store[] = [];
    const fresh = async () => {
      const s = await open();
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of stores) await s.close();
      stores = [];
    });
    const iso = (ms = 0) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    const job = (id: string, over: Partial<NewEmailJob> = {}): NewEmailJob => ({ id, kind: 'code', conversationId: 'C1', payload: '{}', createdAt: iso(), nextAttemptAt: iso(), ...over });

    it('a typed address is confirmed by its code only: wrong codes counted, then too many; an expired code refused; a new code starts over', async () => {
      const s = await fresh();
      expect(await s.email.getContact('C1')).toBeUndefined();
      expect(await s.email.confirmCode('C1', 'h', iso(), 5)).toBe('none');
      await s.email.requestCode('C1', 'ana@example.com', 'good', iso(600_000), iso());
      expect(await s.email.getContact('C1')).toMatchObject({ address: 'ana@example.com', source: 'typed', verifiedAt: null, codeAttempts: 0, notifiedSeq: 0 });
      expect(await s.email.confirmCode('C1', 'bad', iso(1), 3)).toBe('wrong');
      expect(await s.email.confirmCode('C1', 'bad', iso(2), 3)).toBe('wrong');
      expect(await s.email.confirmCode('C1', 'bad', iso(3), 3)).toBe('wrong');
      // Three wrong codes: even the right one is refused now.
      expect(await s.email.confirmCode('C1', 'good', iso(4), 3)).toBe('too_many');
      expect((await s.email.getContact('C1'))?.verifiedAt).toBeNull();
      await s.email.requestCode('C1', 'ana@example.com', 'good2', iso(600_000), iso(5));
      expect(await s.email.confirmCode('C1', 'good2', iso(600_000), 3)).toBe('expired');
      await s.email.requestCode('C1', 'ana@example.com', 'good3', iso(900_000), iso(6));
      expect(await s.email.confirmCode('C1', 'good3', iso(7), 3)).toBe('confirmed');
      expect(await s.email.getContact('C1')).toMatchObject({ verifiedAt: iso(7), codeHash: null });
      // Spent: the same code again finds nothing pending.
      expect(await s.email.confirmCode('C1', 'good3', iso(8), 3)).toBe('none');
      // A new address is unconfirmed again.
      await s.email.requestCode('C1', 'bia@example.com', 'x', iso(900_000), iso(9));
      expect(await s.email.getContact('C1')).toMatchObject({ address: 'bia@example.com', verifiedAt: null });
    });

    it('notified seq only moves forward (with or without a contact row) and keeps the last Message-ID', async () => {
      const s = await fresh();
      expect(await s.email.markNotified('C2', 3, '<m3@x>', iso())).toBe(true);
      expect(await s.email.getContact('C2')).toMatchObject({ source: 'identity', address: null, notifiedSeq: 3, lastMessageId: '<m3@x>' });
      expect(await s.email.markNotified('C2', 3, '<again@x>', iso(1))).toBe(false);
      expect(await s.email.markNotified('C2', 2, '<m2@x>', iso(2))).toBe(false);
      expect(await s.email.markNotified('C2', 5, '<m5@x>', iso(3))).toBe(true);
      expect(await s.email.getContact('C2')).toMatchObject({ notifiedSeq: 5, lastMessageId: '<m5@x>' });
      // A typed address keeps the count.
      await s.email.requestCode('C2', 'c@example.com', 'h', iso(600_000), iso(4));
      expect((await s.email.getContact('C2'))?.notifiedSeq).toBe(5);
    });

    it('outbox: one pending notification per conversation; due jobs claimed once; a lapsed claim taken again; outcomes only from the claimer', async () => {
      const s = await fresh();
      const n1 = job('n1', { kind: 'notify', nextAttemptAt: iso(120_000) });
      const results = await Promise.all([s.email.enqueueNotify(n1), s.email.enqueueNotify({ ...n1, id: 'n2' })]);
      expect(results.filter(Boolean)).toHaveLength(1);
      await s.email.enqueue([job('j1'), job('j2', { conversationId: null, kind: 'answer', nextAttemptAt: iso(1) })]);
      expect(await s.email.pendingCount()).toBe(3);
      // Only due jobs, oldest first; two claimers at once never share one.
      const [a, b] = await Promise.all([s.email.claim(iso(10), iso(60_000), 'A', 10), s.email.claim(iso(10), iso(60_000), 'B', 10)]);
      const ids = [...a, ...b].map((j) => j.id).sort();
      expect(ids).toEqual(['j1', 'j2']);
      expect(await s.email.claim(iso(20), iso(60_000), 'C', 10)).toEqual([]);
      const held = [...a, ...b].find((j) => j.id === 'j1')!;
      const holder = held.claimedBy!;
      const j2 = [...a, ...b].find((j) => j.id === 'j2')!;
      expect(await s.email.finish({ id: 'j2', by: j2.claimedBy!, at: iso(30), status: 'failed', error: '550 no such user', retryAt: null })).toBe(true);
      // Not the claimer: nothing recorded.
      expect(await s.email.finish({ id: 'j1', by: 'someone', at: iso(30), status: 'sent', error: null, retryAt: null })).toBe(false);
      // A failure: pending again later, the attempt counted.
      expect(await s.email.finish({ id: 'j1', by: holder, at: iso(30), status: 'pending', error: 'ECONNREFUSED', retryAt: iso(10_000) })).toBe(true);
      expect(await s.email.getJob('j1')).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: iso(10_000), claimedBy: null, lastError: 'ECONNREFUSED' });
      expect(await s.email.claim(iso(9_999), iso(60_000), 'C', 10)).toEqual([]);
      const [again] = await s.email.claim(iso(10_000), iso(20_000), 'C', 10);
      expect(again?.id).toBe('j1');
      // The claim lapsed: another process takes it, the first one's outcome is refused.
      const [taken] = await s.email.claim(iso(20_001), iso(80_000), 'D', 10);
      expect(taken?.id).toBe('j1');
      expect(await s.email.finish({ id: 'j1', by: 'C', at: iso(20_002), status: 'sent', error: null, retryAt: null })).toBe(false);
      expect(await s.email.finish({ id: 'j1', by: 'D', at: iso(20_003), status: 'sent', error: null, retryAt: null })).toBe(true);
      expect(await s.email.getJob('j1')).toMatchObject({ status: 'sent', attempts: 2, sentAt: iso(20_003) });
      // The notification comes due; once it ended, a new one may be queued.
      const [n] = await s.email.claim(iso(120_000), iso(200_000), 'A', 10);
      expect(n?.kind).toBe('notify');
      expect(await s.email.enqueueNotify({ ...n1, id: 'n3' })).toBe(false);
      await s.email.finish({ id: n!.id, by: 'A', at: iso(120_001), status: 'skipped', error: null, retryAt: null });
      expect(await s.email.enqueueNotify({ ...n1, id: 'n3' })).toBe(true);
      expect((await s.email.jobsOf('C1')).map((j) => j.status)).toEqual(['sent', 'skipped', 'pending']);
    });

    it('inbound Message-IDs are recorded once', async () => {
      const s = await fresh();
      expect(await s.email.seenInbound('<a@x>')).toBe(false);
      const r = await Promise.all([s.email.recordInbound('<a@x>', 'reply', 'C1', iso()), s.email.recordInbound('<a@x>', 'reply', 'C1', iso())]);
      expect(r.filter(Boolean)).toHaveLength(1);
      expect(await s.email.seenInbound('<a@x>')).toBe(true);
    });
  });
}
