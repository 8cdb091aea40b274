import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { apiStoreContract } from './api-store.contract.ts';
import { emailStoreContract } from './email-store.contract.ts';
import { adminStoreContract } from './admin-store.contract.ts';
import { insightsStoreContract } from './insights-store.contract.ts';
import { articleStoreContract } from './article-store.contract.ts';
import { openTestStore, StoreConflict, type Conversation, type Decide, type Effects, type Expect, type NewConversation, type Store } from '../src/index.ts';

/**
 * The store contract: what every backend of the `Store` port must do. The suite is a function of
 * a factory; this file runs it on the backend named by AJUDA_STORE (default: the SQLite adapter),
 * so another adapter registers its factory below and runs the very same tests.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract (${name})`, () => {
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

    let n = 0;
    const iso = (ms = 0) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    const newConv = (over: Partial<NewConversation> = {}): NewConversation => {
      n++;
      return {
        id: `C${n}`, channel: 'website', requesterKind: 'visitor', ownerKey: `v:${n}`, visitorId: String(n), realmId: null, userId: null,
        requesterName: null, requesterEmail: null, claims: null, contractMatch: 'unknown', requestType: 'general_question', language: 'en',
        idempotencyKey: `k${n}`, at: iso(), ...over,
      };
    };
    const started = { actor: 'visitor:1', action: 'conversation.started' };
    /** A conversation in the queue (intake done), as routing leaves it. */
    const queued = async (s: Store, over: Partial<NewConversation> = {}): Promise<Conversation> => {
      const { conversation } = await s.startConversation(newConv(over), started);
      return (await s.completeIntake(conversation.id, () => ({ at: iso(1), patch: { status: 'queued', priority: 'P3', queue: 'support', queuedAt: iso(1), updatedAt: iso(1) } }))).conversation;
    };
    const text = (conversationId: string, clientMsgId: string | null, sender = 'requester') => ({
      conversationId, sender, senderName: null, kind: 'text' as const, body: clientMsgId ?? 'x', clientMsgId, at: iso(5), who: 'requester' as const,
    });
    const counts = async (s: Store, id: string) => ({
      routing: (await s.routing(id)).length,
      audit: (await s.auditOf(id)).length,
      messages: (await s.messagesAfter(id, 0, 10_000, true)).length,
    });

    it('appends gapless seqs 1..n per conversation under concurrent appends', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 3 }), async (count, convs) => {
          const s = await fresh();
          const ids = [];
          for (let i = 0; i < convs; i++) ids.push((await queued(s)).id);
          const all = await Promise.all(ids.flatMap((id) => Array.from({ length: count }, (_, i) => s.appendMessage(text(id, `m${i}`)))));
          expect(all.every((a) => !a.duplicate)).toBe(true);
          for (const id of ids) {
            const seqs = all.filter((a) => a.message.conversationId === id).map((a) => a.message.seq).sort((a, b) => a - b);
            expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
            const stored = await s.messagesAfter(id, 0, 10_000, true);
            expect(stored.map((m) => m.seq)).toEqual(seqs);
            expect((await s.getConversation(id))!.lastSeq).toBe(count);
          }
        }),
        { numRuns: 15 },
      );
    });

    it('stores a retried clientMsgId once and returns the stored message (sequential and concurrent)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom('a', 'b', 'c', 'd', null), { minLength: 1, maxLength: 40 }), async (ids) => {
          const s = await fresh();
          const c = await queued(s);
          const half = Math.ceil(ids.length / 2);
          const first = await Promise.all(ids.slice(0, half).map((k) => s.appendMessage(text(c.id, k))));
          const rest: typeof first = [];
          for (const k of ids.slice(half)) rest.push(await s.appendMessage(text(c.id, k)));
          const results = [...first, ...rest];
          const distinct = new Set(ids.filter((k) => k !== null));
          const expected = distinct.size + ids.filter((k) => k === null).length;
          const stored = await s.messagesAfter(c.id, 0, 10_000, true);
          expect(stored).toHaveLength(expected);
          expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
          // Every send with the same id got the same seq; exactly one of them was not a duplicate.
          for (const k of distinct) {
            const mine = results.filter((r) => r.message.clientMsgId === k);
            expect(new Set(mine.map((r) => r.message.seq)).size).toBe(1);
            expect(mine.filter((r) => !r.duplicate)).toHaveLength(1);
          }
        }),
        { numRuns: 20 },
      );
    });

    it('appends only while the status is the one the caller decided on; a stored retry still answers with its message', async () => {
      const s = await fresh();
      const c = await queued(s);
      const first = await s.appendMessage({ ...text(c.id, 'e1'), expectStatus: 'queued' });
      expect(first.message.seq).toBe(1);
      await s.resolve(c.id, { status: 'queued' }, () => ({ at: iso(6), patch: { status: 'resolved', resolvedAt: iso(6), updatedAt: iso(6) } }));
      const before = await counts(s, c.id);
      await expect(s.appendMessage({ ...text(c.id, 'e2'), expectStatus: 'queued' })).rejects.toBeInstanceOf(StoreConflict);
      expect(await counts(s, c.id)).toEqual(before);
      expect((await s.getConversation(c.id))!.lastSeq).toBe(1);
      const again = await s.appendMessage({ ...text(c.id, 'e1'), expectStatus: 'queued' });
      expect([again.duplicate, again.message.seq]).toEqual([true, 1]);
      const ok = await s.appendMessage({ ...text(c.id, 'e3'), expectStatus: 'resolved' });
      expect(ok.message.seq).toBe(2);
    });

    it('reads several conversations in one call, leaving out ids that do not exist', async () => {
      const s = await fresh();
      const a = await queued(s);
      const b = await queued(s);
      const got = await s.getConversations([b.id, 'AJ-MISSING', a.id]);
      expect(got.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
      expect(got.find((c) => c.id === a.id)).toEqual(await s.getConversation(a.id));
      expect(await s.getConversations([])).toEqual([]);
    });

    it('keeps the same clientMsgId of two senders apart', async () => {
      const s = await fresh();
      const c = await queued(s);
      const [a, b] = await Promise.all([s.appendMessage(text(c.id, 'same')), s.appendMessage(text(c.id, 'same', 'agent:ag_1'))]);
      expect([a.duplicate, b.duplicate, a.message.seq !== b.message.seq]).toEqual([false, false, true]);
    });

    it('starts one conversation per owner and idempotency key, whoever retries and however concurrently', async () => {
      const s = await fresh();
      const base = newConv();
      const tries = await Promise.all(Array.from({ length: 8 }, (_, i) => s.startConversation({ ...base, id: `X${i}` }, started)));
      expect(new Set(tries.map((t) => t.conversation.id)).size).toBe(1);
      expect(tries.filter((t) => t.created)).toHaveLength(1);
      const again = await s.startConversation({ ...base, id: 'LATER' }, started);
      expect([again.created, again.conversation.id]).toEqual([false, tries[0]!.conversation.id]);
      expect(await s.listByOwner(base.ownerKey)).toHaveLength(1);
      // The same key under another owner is another conversation.
      const other = await s.startConversation({ ...base, id: 'OTHER', ownerKey: 'v:other' }, started);
      expect(other.created).toBe(true);
      expect((await s.auditOf(tries[0]!.conversation.id)).filter((a) => a.action === 'conversation.started')).toHaveLength(1);
    });

    it('decodes what it stores: JSON columns and flags come back typed', async () => {
      const s = await fresh();
      const { conversation: c } = await s.startConversation(newConv({ claims: { email: 'a@b.example' } }), started, (cur) => ({
        at: iso(1),
        patch: { answers: { pipeline: { key: 'K' } }, priorityTrace: [{ code: 'R9.x', params: { n: 1 } }], status: 'queued', escalated: true, updatedAt: iso(1) },
        routing: [{ queue: 'support', team: null, assigneeId: null, code: 'R4.x', params: { q: 'support' } }],
        audit: [{ actor: 'system', action: 'intake.completed', detail: { priority: 'P3' } }],
        system: [{ key: 'system.queued', params: { id: cur.id, minutes: 5 }, body: 'queued' }],
      }));
      expect(c.claims).toEqual({ email: 'a@b.example' });
      expect(c.answers).toEqual({ pipeline: { key: 'K' } });
      expect(c.priorityTrace).toEqual([{ code: 'R9.x', params: { n: 1 } }]);
      expect([c.escalated, c.flaggedComplex, c.breaches, c.feedback]).toEqual([true, false, [], null]);
      expect((await s.routing(c.id))[0]).toMatchObject({ code: 'R4.x', params: { q: 'support' } });
      expect((await s.auditOf(c.id)).at(-1)!.detail).toEqual({ priority: 'P3' });
      const [m] = await s.messagesAfter(c.id, 0, 10, true);
      expect(m).toMatchObject({ seq: 1, kind: 'system', i18nKey: 'system.queued', params: { id: c.id, minutes: 5 } });
    });

    // Two agents act on the same conversation at once, each having read it before: exactly one wins.
    const commands: Array<[string, (s: Store, id: string, expect: Expect, decide: Decide) => Promise<unknown>, (c: Conversation, i: number) => Effects]> = [
      ['assign', (s, id, e, d) => s.assign(id, e, d), (c, i) => ({ at: iso(10 + i), patch: { status: 'assigned', assigneeId: `ag_${i}`, updatedAt: iso(10 + i) }, routing: [{ queue: c.queue, team: c.team, assigneeId: `ag_${i}`, code: 'taken' }], audit: [{ actor: `agent:ag_${i}`, action: 'conversation.assigned' }] })],
      ['transfer', (s, id, e, d) => s.transfer(id, e, d), (c, i) => ({ at: iso(10 + i), patch: { queue: 'project', team: `t${i}`, status: 'queued', assigneeId: null, updatedAt: iso(10 + i) }, routing: [{ queue: 'project', team: `t${i}`, assigneeId: null, code: 'transferred_to_team' }], audit: [{ actor: `agent:ag_${i}`, action: 'conversation.transferred' }] })],
      ['escalate', (s, id, e, d) => s.escalate(id, e, d), (_c, i) => ({ at: iso(10 + i), escalation: { id: `esc_${i}`, reason: 'r', description: 'd', environment: 'Prod', justification: 'j', source: 'api', createdAt: iso(10 + i) }, patch: { escalated: true, queue: 'leads', team: null, status: 'queued', assigneeId: null, updatedAt: iso(10 + i) }, routing: [{ queue: 'leads', team: null, assigneeId: null, code: 'R13.escalated_via' }], audit: [{ actor: 'requester', action: 'conversation.escalated' }], system: [{ key: 'system.escalated', params: null, body: 'escalated' }] })],
      ['resolve', (s, id, e, d) => s.resolve(id, e, d), (_c, i) => ({ at: iso(10 + i), patch: { status: 'resolved', resolvedAt: iso(10 + i), updatedAt: iso(10 + i) }, audit: [{ actor: `agent:ag_${i}`, action: 'conversation.resolved' }], system: [{ key: 'system.resolved', params: null, body: 'resolved' }] })],
      ['setPriority', (s, id, e, d) => s.setPriority(id, e, d), (c, i) => ({ at: iso(10 + i), patch: { priority: i ? 'P1' : 'P2', priorityTrace: [...c.priorityTrace, { code: 'R9.changed', params: { to: i } }], updatedAt: iso(10 + i) }, audit: [{ actor: `agent:ag_${i}`, action: 'priority.changed' }] })],
    ];
    for (const [name, run, effects] of commands) {
      it(`compare-and-set: of two concurrent ${name} commands on the same state exactly one wins, the other gets StoreConflict`, async () => {
        const s = await fresh();
        const c = await queued(s);
        const before = await counts(s, c.id);
        const expectState: Expect = { status: c.status, assigneeId: c.assigneeId, updatedAt: c.updatedAt };
        const results = await Promise.allSettled([0, 1].map((i) => run(s, c.id, expectState, (cur) => effects(cur, i))));
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(StoreConflict);
        // Nothing lost, nothing doubled: the winner's writes are all there, the loser's none.
        const winner = results.findIndex((r) => r.status === 'fulfilled');
        const one = effects(c, winner);
        const after = await counts(s, c.id);
        expect(after).toEqual({ routing: before.routing + (one.routing?.length ?? 0), audit: before.audit + (one.audit?.length ?? 0), messages: before.messages + (one.system?.length ?? 0) });
        expect((await s.getConversation(c.id))!.updatedAt).toBe(iso(10 + winner));
      });
    }

    it('compare-and-set: reopen after a resolve wins once; a decision checking state inside the transaction sees the winner', async () => {
      const s = await fresh();
      const c = await queued(s);
      const r = await s.resolve(c.id, { status: 'queued' }, () => ({ at: iso(20), patch: { status: 'resolved', resolvedAt: iso(20), updatedAt: iso(20) } }));
      const reopen = (i: number) =>
        s.reopen(c.id, { status: 'resolved' }, (cur) => ({ at: iso(30 + i), patch: { status: cur.assigneeId ? 'assigned' : 'queued', resolvedAt: null, updatedAt: iso(30 + i) }, audit: [{ actor: 'requester', action: 'conversation.reopened' }], system: [{ key: 'system.reopened', params: null, body: 'reopened' }] }));
      const results = await Promise.allSettled([reopen(0), reopen(1)]);
      expect(results.filter((x) => x.status === 'rejected').map((x) => (x as PromiseRejectedResult).reason)).toEqual([expect.any(StoreConflict)]);
      expect((await s.messagesAfter(c.id, 0, 100, true)).filter((m) => m.i18nKey === 'system.reopened')).toHaveLength(1);
      expect(r.conversation.status).toBe('resolved');
      expect((await s.getConversation(c.id))!.status).toBe('queued');
      // A decision may refuse on the fresh row itself (the domain's state rule).
      const refuse: Decide = (cur) => {
        if (cur.status !== 'resolved') throw new StoreConflict('invalid_state');
        return { at: iso(40) };
      };
      await expect(s.reopen(c.id, {}, refuse)).rejects.toBeInstanceOf(StoreConflict);
    });

    it('completeIntake runs once: a second submit finds the conversation out of intake', async () => {
      const s = await fresh();
      const { conversation: c } = await s.startConversation(newConv(), started);
      const intake = () => s.completeIntake(c.id, () => ({ at: iso(1), patch: { status: 'queued', updatedAt: iso(1) }, system: [{ key: 'system.queued', params: null, body: 'q' }] }));
      const results = await Promise.allSettled([intake(), intake(), intake()]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await s.messagesAfter(c.id, 0, 100, true)).length).toBe(1);
    });

    it('a reply takes a queued conversation once; a reply to an assigned one does not', async () => {
      const s = await fresh();
      const c = await queued(s);
      const reply = (agent: string) => s.appendMessage({ ...text(c.id, agent, `agent:${agent}`), who: 'agent', takeIfQueued: { agentId: agent, routing: { code: 'taken_by_reply' } } });
      const [a, b] = await Promise.all([reply('ag_a'), reply('ag_b')]);
      expect([a.taken, b.taken]).toEqual([true, false]);
      expect((await s.getConversation(c.id))!.assigneeId).toBe('ag_a');
      expect((await s.routing(c.id)).filter((r) => r.code === 'taken_by_reply')).toHaveLength(1);
    });

    it('rollback leaves nothing: a command that throws midway (after its patch and routing rows) writes nothing', async () => {
      const s = await fresh();
      const c = await queued(s);
      await s.appendMessage(text(c.id, 'm1'));
      const before = { conv: await s.getConversation(c.id), ...(await counts(s, c.id)) };
      const boom: Decide = () => ({
        at: iso(50),
        patch: { status: 'assigned', assigneeId: 'ag_x', updatedAt: iso(50) },
        routing: [{ queue: 'support', team: null, assigneeId: 'ag_x', code: 'taken' }],
        system: [{ key: 'system.assigned', params: { name: 'X' }, body: 'x' }],
        // Serialising this detail throws once the patch and the routing row are written.
        audit: [{ actor: 'system', action: 'conversation.assigned', detail: { n: 1n } }],
      });
      await expect(s.assign(c.id, { status: 'queued' }, boom)).rejects.toThrow();
      // Writes batched with it are unaffected.
      const [ok] = await Promise.all([s.appendMessage(text(c.id, 'm2')), s.assign(c.id, { status: 'queued' }, boom).catch(() => null)]);
      expect(ok.message.seq).toBe(2);
      const after = { conv: await s.getConversation(c.id), ...(await counts(s, c.id)) };
      expect(after).toEqual({ ...before, conv: { ...before.conv, lastSeq: 2, lastRequesterMsgAt: iso(5), updatedAt: iso(5) }, messages: 2 });
      // A start whose follow-up decision throws creates no conversation.
      const n1 = newConv();
      await expect(s.startConversation(n1, started, () => { throw new Error('midway'); })).rejects.toThrow('midway');
      expect(await s.findByIdempotency(n1.ownerKey, n1.idempotencyKey)).toBeUndefined();
      expect(await s.getConversation(n1.id)).toBeUndefined();
    });

    it('records each SLA breach once per clock, however many ticks race', async () => {
      const s = await fresh();
      const a = await queued(s);
      const b = await queued(s);
      const found = [{ id: a.id, clock: 'first_response' as const }, { id: b.id, clock: 'first_response' as const }, { id: a.id, clock: 'resolution' as const }];
      const ticks = await Promise.all([s.recordBreaches(found, iso(60)), s.recordBreaches(found, iso(60)), s.recordBreaches([found[0]!], iso(61))]);
      expect(ticks.flat()).toHaveLength(3);
      expect((await s.getConversation(a.id))!.breaches.sort()).toEqual(['first_response', 'resolution']);
      expect((await s.getConversation(b.id))!.breaches).toEqual(['first_response']);
      expect((await s.routing(a.id)).filter((r) => r.code === 'R10.breached_clock')).toHaveLength(2);
      expect(await s.recordBreaches(found, iso(70))).toEqual([]);
    });

    it('moves read positions forward only, never past the last message', async () => {
      const s = await fresh();
      const c = await queued(s);
      for (const k of ['1', '2', '3']) await s.appendMessage(text(c.id, k));
      expect(await Promise.all([s.markRead(c.id, 'agent', 2), s.markRead(c.id, 'agent', 1), s.markRead(c.id, 'requester', 99)])).toEqual([true, false, true]);
      const now = (await s.getConversation(c.id))!;
      expect([now.agentReadSeq, now.requesterReadSeq]).toEqual([2, 3]);
    });

    it('revokes a grant once; a pipeline adjustment after the revocation is refused', async () => {
      const s = await fresh();
      await s.loadRealms([{ id: 'r1', name: 'R1', projects: [], pipelines: [{ id: 'p1', name: 'P', key: 'K', environment: 'Prod', status: 'running', projectId: null, inProjectPhase: false }] }], iso());
      const c = await queued(s, { realmId: 'r1', requesterKind: 'realm_user', channel: 'platform', userId: 'u1', ownerKey: 'u:r1:u1', visitorId: null });
      await s.grant({ id: 'g1', realmId: 'r1', level: 'write', grantedBy: 'u1', createdAt: iso(), expiresAt: iso(3_600_000) }, { actor: 'user:r1:u1', action: 'grant.created' });
      const live = (gs: Array<{ revokedAt: string | null }>) => gs.some((g) => !g.revokedAt);
      const adjust = () => s.adjustPipeline(c.id, 'r1', 'p1', live, () => ({ status: 'paused', effects: { at: iso(2), audit: [{ actor: 'agent:a', action: 'grant.used' }], system: [{ key: 'system.grant_used', params: null, body: 'used' }] } }));
      const revoke = () => s.revokeGrant('r1', 'g1', iso(1), { actor: 'user:r1:u1', action: 'grant.revoked' });
      const done = await adjust();
      expect([done.pipeline.status, done.messages.map((m) => m.i18nKey)]).toEqual(['paused', ['system.grant_used']]);
      expect(await Promise.all([revoke(), revoke()])).toEqual([true, false]);
      await expect(adjust()).rejects.toBeInstanceOf(StoreConflict);
      expect((await s.messagesAfter(c.id, 0, 100, true)).filter((m) => m.i18nKey === 'system.grant_used')).toHaveLength(1);
      expect((await s.auditOfRealm('r1')).map((a) => a.action).filter((a) => a.startsWith('grant.'))).toEqual(['grant.created', 'grant.used', 'grant.revoked']);
    });

    it('counts open conversations by status, queue and priority (resolved ones left out)', async () => {
      const s = await fresh();
      expect(await s.countOpen()).toEqual([]);
      await s.startConversation(newConv(), started); // intake: no priority yet
      const q1 = await queued(s);
      await queued(s);
      const toLeads = await queued(s);
      await s.setPriority(toLeads.id, { status: 'queued' }, (cur) => ({ at: iso(2), patch: { priority: 'P1', queue: 'leads', updatedAt: iso(2) } }));
      await s.assign(q1.id, { status: 'queued' }, () => ({ at: iso(3), patch: { status: 'assigned', assigneeId: 'a1', updatedAt: iso(3) } }));
      const done = await queued(s);
      await s.resolve(done.id, { status: 'queued' }, () => ({ at: iso(4), patch: { status: 'resolved', resolvedAt: iso(4), updatedAt: iso(4) } }));
      expect(await s.countOpen()).toEqual([
        { status: 'assigned', queue: 'support', priority: 'P3', count: 1 },
        { status: 'intake', queue: 'support', priority: null, count: 1 },
        { status: 'queued', queue: 'leads', priority: 'P1', count: 1 },
        { status: 'queued', queue: 'support', priority: 'P3', count: 1 },
      ]);
    });

    it('readiness: writable with every migration applied; a migration the database has not recorded is pending', async () => {
      const s = await fresh();
      expect(await s.readiness()).toEqual({ writable: true, pendingMigrations: 0 });
      // As if the release shipped a migration this database has not run: forget the newest applied one.
      const table = process.env.AJUDA_STORE === 'pg' ? 'drizzle.__drizzle_migrations' : '__drizzle_migrations';
      await s.testing.sql(`DELETE FROM ${table} WHERE created_at = (SELECT max(created_at) FROM ${table})`);
      expect(await s.readiness()).toEqual({ writable: true, pendingMigrations: 1 });
      await s.testing.sql(`DELETE FROM ${table}`);
      const all = await s.readiness();
      expect(all.pendingMigrations).toBeGreaterThan(1);
      await s.close();
      expect(await s.readiness()).toMatchObject({ writable: false, reason: 'the database is closed' });
    });

    it('tells each commit to onCommit (its latency and the commands it carried), not reads', async () => {
      const s = await fresh();
      const c = await queued(s);
      const seen: Array<[number, number]> = [];
      s.onCommit = (seconds, writes) => void seen.push([seconds, writes]);
      await s.getConversation(c.id);
      await s.listOpen(iso());
      expect(seen).toEqual([]);
      await Promise.all([s.appendMessage(text(c.id, 'a')), s.appendMessage(text(c.id, 'b')), s.markRead(c.id, 'agent', 1)]);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.reduce((n, [, w]) => n + w, 0)).toBe(3);
      expect(seen.every(([sec]) => sec >= 0 && Number.isFinite(sec))).toBe(true);
      s.onCommit = null;
    });

    it("cluster presence: each node's heartbeat replaces its agents, stale nodes are left out and then removed", async () => {
      const s = await fresh();
      await s.heartbeatNode('n1', ['a1', 'a2'], iso(0), iso(-60_000));
      await s.heartbeatNode('n2', ['a3'], iso(0), iso(-60_000));
      await s.heartbeatNode('n1', ['a2'], iso(1000), iso(-59_000));
      const by = async (since: string) => Object.fromEntries((await s.nodePresence(since)).map((n) => [n.nodeId, n.agentIds]));
      expect(await by(iso(0))).toEqual({ n1: ['a2'], n2: ['a3'] });
      expect(await by(iso(500))).toEqual({ n1: ['a2'] });
      // n2 stopped beating: the next heartbeat past the horizon removes it for good.
      await s.heartbeatNode('n1', [], iso(70_000), iso(10_000));
      expect(await by(iso(-1))).toEqual({ n1: [] });
      await s.forgetNode('n1');
      expect(await by(iso(-1))).toEqual({});
    });

    it("alert preferences: none until saved; a save replaces the whole object for that agent only; an unknown agent is refused", async () => {
      const s = await fresh();
      const agent = (id: string) => ({ id, email: `${id}@x.test`, name: id, passwordHash: 'h', role: 'agent' as const, languages: ['en'], teams: [], available: true, disabled: false });
      await s.upsertAgent(agent('a1'));
      await s.upsertAgent(agent('a2'));
      expect(await s.alertPrefs('a1')).toBeUndefined();
      const first = { events: { message: { desktop: true, sound: false, badge: true } }, sound: 'chime', volume: 40 };
      await s.saveAlertPrefs('a1', first, iso(0));
      expect(await s.alertPrefs('a1')).toEqual({ prefs: first, updatedAt: iso(0) });
      const second = { sound: 'bell', volume: 0, reminder: { everySec: 60, times: 3 } };
      await s.saveAlertPrefs('a1', second, iso(1000));
      expect(await s.alertPrefs('a1')).toEqual({ prefs: second, updatedAt: iso(1000) });
      expect(await s.alertPrefs('a2')).toBeUndefined();
      await expect(s.saveAlertPrefs('nobody', first, iso(2000))).rejects.toThrow();
      expect(await s.alertPrefs('nobody')).toBeUndefined();
    });
  });
}

// openTestStore() opens the backend AJUDA_STORE names: SQLite by default, PostgreSQL under `pnpm test:pg`.
const backend = process.env.AJUDA_STORE ?? 'sqlite';
if (backend !== 'sqlite' && backend !== 'pg') throw new Error(`no store backend AJUDA_STORE=${backend}`);
storeContract(backend, () => openTestStore());
apiStoreContract(backend, () => openTestStore());
adminStoreContract(backend, () => openTestStore());
insightsStoreContract(backend, () => openTestStore());
articleStoreContract(backend, () => openTestStore());
emailStoreContract(backend, () => openTestStore());
