import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttemptOutcome, NewConversation, NewOutboxRow, Store } from '../src/index.ts';

/**
 * The contract of `Store.api` and `Store.webhooks` (api-store.ts), run by store.contract.test.ts
 * on the backend AJUDA_STORE names (SQLite in `pnpm test`, PostgreSQL in `pnpm test:pg`).
 */
export function apiStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: API tokens, listings, webhooks (${name})`, () => {
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
    let n = 0;
    const conv = (over: Partial<NewConversation> = {}): NewConversation => {
      n++;
      return {
        id: `A${n}`, channel: 'website', requesterKind: 'visitor', ownerKey: `v:a${n}`, visitorId: `a${n}`, realmId: null, userId: null,
        requesterName: null, requesterEmail: null, claims: null, contractMatch: 'unknown', requestType: 'general_question', language: 'en',
        idempotencyKey: `k${n}`, at: iso(), ...over,
      };
    };
    const audit = { actor: 'admin', action: 'test' };

    it('tokens: stored by hash, listed, revoked once, their use recorded forward only', async () => {
      const s = await fresh();
      const t = { id: 'tok_1', name: 'CRM', tokenHash: 'h1', scopes: ['conversations:read'], agentId: 'emma', createdBy: 'admin', createdAt: iso(0), expiresAt: iso(86_400_000) };
      await s.api.createToken(t, audit);
      await s.api.createToken({ ...t, id: 'tok_2', tokenHash: 'h2', agentId: null, scopes: ['admin'], expiresAt: null, createdAt: iso(1) }, audit);
      // The hash is unique: a second token with the same hash is refused, nothing written.
      await expect(s.api.createToken({ ...t, id: 'tok_3' }, audit)).rejects.toThrow();
      expect(await s.api.findToken('h1')).toEqual({ ...t, revokedAt: null, lastUsedAt: null });
      expect(await s.api.findToken('nope')).toBeUndefined();
      expect((await s.api.listTokens()).map((x) => [x.id, x.agentId, x.scopes])).toEqual([
        ['tok_1', 'emma', ['conversations:read']],
        ['tok_2', null, ['admin']],
      ]);
      await s.api.touchToken('tok_1', iso(10));
      await s.api.touchToken('tok_1', iso(5));
      expect((await s.api.findToken('h1'))!.lastUsedAt).toBe(iso(10));
      expect(await s.api.revokeToken('tok_1', iso(20), audit)).toBe(true);
      expect(await s.api.revokeToken('tok_1', iso(30), audit)).toBe(false);
      expect(await s.api.revokeToken('tok_9', iso(30), audit)).toBe(false);
      expect((await s.api.findToken('h1'))!.revokedAt).toBe(iso(20));
    });

    it('lists conversations in a stable (updatedAt, id) order: pages after a cursor hold every matching row once', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ t: fc.integer({ min: 0, max: 5 }), lang: fc.constantFrom('en' as const, 'pt' as const, 'es' as const) }), { minLength: 0, maxLength: 25 }),
          fc.integer({ min: 1, max: 7 }),
          fc.option(fc.constantFrom('en' as const, 'pt' as const)),
          async (rows, limit, lang) => {
            const s = await fresh();
            const made: Array<{ id: string; updatedAt: string; language: string }> = [];
            for (const r of rows) {
              const c = conv({ at: iso(r.t * 1000), language: r.lang });
              await s.startConversation(c, audit);
              made.push({ id: c.id, updatedAt: c.at, language: r.lang });
            }
            const want = made
              .filter((c) => !lang || c.language === lang)
              .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
              .map((c) => c.id);
            const got: string[] = [];
            let after: { updatedAt: string; id: string } | undefined;
            for (let pages = 0; pages < 100; pages++) {
              const page = await s.api.listConversations({ limit, ...(lang ? { language: [lang] } : {}), ...(after ? { after } : {}) });
              expect(page.length).toBeLessThanOrEqual(limit);
              got.push(...page.map((c) => c.id));
              if (page.length < limit) break;
              after = { updatedAt: page.at(-1)!.updatedAt, id: page.at(-1)!.id };
            }
            expect(got).toEqual(want);
          },
        ),
        { numRuns: 12 },
      );
    });

    it('filters conversations by status, priority, queue and time updated; an empty filter matches nothing', async () => {
      const s = await fresh();
      const a = conv({ at: iso(0) });
      const b = conv({ at: iso(1000) });
      await s.startConversation(a, audit);
      await s.startConversation(b, audit);
      await s.completeIntake(b.id, () => ({ at: iso(2000), patch: { status: 'queued', priority: 'P2', queue: 'leads', updatedAt: iso(2000) } }));
      const ids = async (q: Parameters<Store['api']['listConversations']>[0]) => (await s.api.listConversations(q)).map((c) => c.id);
      expect(await ids({ limit: 10, status: ['intake'] })).toEqual([a.id]);
      expect(await ids({ limit: 10, priority: ['P2', 'P1'] })).toEqual([b.id]);
      expect(await ids({ limit: 10, queue: ['support'] })).toEqual([a.id]);
      expect(await ids({ limit: 10, updatedSince: iso(1500) })).toEqual([b.id]);
      expect(await ids({ limit: 10, updatedSince: iso(0) })).toEqual([a.id, b.id]);
      expect(await ids({ limit: 10, status: [] })).toEqual([]);
      // The listing returns decoded rows, as getConversation does.
      expect((await s.api.listConversations({ limit: 1, status: ['queued'] }))[0]).toEqual(await s.getConversation(b.id));
    });

    it('lists escalations oldest first after a cursor', async () => {
      const s = await fresh();
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        const c = conv();
        await s.startConversation(c, audit);
        await s.completeIntake(c.id, () => ({ at: iso(1), patch: { status: 'queued', priority: 'P3', updatedAt: iso(1) } }));
        const id = `esc_${i}`;
        await s.escalate(c.id, {}, () => ({
          at: iso(10 + (i % 2)),
          escalation: { id, reason: 'other_engineer', description: 'd', environment: 'Prod', justification: 'j', source: 'api', createdAt: iso(10 + (i % 2)) },
          patch: { escalated: true, updatedAt: iso(10 + (i % 2)) },
        }));
        made.push(id);
      }
      const first = await s.api.listEscalations({ limit: 3 });
      expect(first.map((e) => e.id)).toEqual(['esc_0', 'esc_2', 'esc_4']);
      const rest = await s.api.listEscalations({ limit: 3, after: { createdAt: first.at(-1)!.createdAt, id: first.at(-1)!.id } });
      expect(rest.map((e) => e.id)).toEqual(['esc_1', 'esc_3']);
      expect((await s.api.listEscalations({ limit: 10, since: iso(11) })).map((e) => e.id)).toEqual(['esc_1', 'esc_3']);
      expect(first[0]).toMatchObject({ reason: 'other_engineer', environment: 'Prod', source: 'api', conversationId: expect.any(String) });
    });

    const endpoint = (id: string, over: Record<string, unknown> = {}) => ({
      id, url: `https://hooks.example.com/${id}`, description: '', events: ['message.created'], secret: `whsec_${id}`, createdAt: iso(0), updatedAt: iso(0), ...over,
    });
    const row = (id: string, endpointId: string, due = iso(0)): NewOutboxRow => ({ id, endpointId, event: 'message.created', payload: `{"n":"${id}"}`, createdAt: due, nextAttemptAt: due });
    const outcome = (id: string, by: string, over: Partial<AttemptOutcome> = {}): AttemptOutcome => ({
      id, by, at: iso(100), ok: true, statusCode: 204, error: null, durationMs: 3, retryAt: null, disableIfFailingSince: iso(-1), disabledReason: 'failing', ...over,
    });

    it('webhook endpoints: created, updated, disabled and enabled again, the secret rotated in place, deleted with their outbox', async () => {
      const s = await fresh();
      await s.webhooks.createEndpoint(endpoint('we_1'), audit);
      expect(await s.webhooks.getEndpoint('we_1')).toMatchObject({ events: ['message.created'], previousSecret: null, disabledAt: null, failingSince: null });
      const upd = await s.webhooks.updateEndpoint('we_1', { events: [], description: 'CRM', enabled: false, disabledReason: 'by hand' }, iso(5), audit);
      expect(upd).toMatchObject({ events: [], description: 'CRM', disabledAt: iso(5), disabledReason: 'by hand', updatedAt: iso(5) });
      expect(await s.webhooks.updateEndpoint('we_1', { enabled: true }, iso(6), audit)).toMatchObject({ disabledAt: null, disabledReason: null });
      expect(await s.webhooks.updateEndpoint('nope', { enabled: true }, iso(6), audit)).toBeUndefined();
      const rot = await s.webhooks.rotateSecret('we_1', 'whsec_new', iso(3_600_000), iso(7), audit);
      expect(rot).toMatchObject({ secret: 'whsec_new', previousSecret: 'whsec_we_1', previousSecretUntil: iso(3_600_000) });
      await s.webhooks.enqueue([row('m1', 'we_1')]);
      expect(await s.webhooks.deleteEndpoint('we_1', iso(8), audit)).toBe(true);
      expect(await s.webhooks.deleteEndpoint('we_1', iso(8), audit)).toBe(false);
      expect(await s.webhooks.getOutbox('m1')).toBeUndefined();
      expect(await s.webhooks.listEndpoints()).toEqual([]);
    });

    it('claims: concurrent claimers never hold the same row; only due rows of enabled endpoints; a lapsed claim is taken again', async () => {
      const s = await fresh();
      await s.webhooks.createEndpoint(endpoint('we_a'), audit);
      await s.webhooks.createEndpoint(endpoint('we_off'), audit);
      await s.webhooks.updateEndpoint('we_off', { enabled: false }, iso(0), audit);
      const rows = Array.from({ length: 30 }, (_, i) => row(`m${String(i).padStart(2, '0')}`, 'we_a', iso(i)));
      await s.webhooks.enqueue([...rows, row('later', 'we_a', iso(10_000)), row('off', 'we_off')]);
      expect(await s.webhooks.pendingCount()).toBe(32);
      const claims = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((by) => s.webhooks.claim(iso(1000), iso(61_000), by, 10)));
      const ids = claims.flat().map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(rows.map((r) => r.id).sort());
      for (const [i, by] of ['p1', 'p2', 'p3', 'p4'].entries()) for (const r of claims[i]!) expect(r.claimedBy).toBe(by);
      // Nothing left to claim until the leases lapse; then another claimer takes them.
      expect(await s.webhooks.claim(iso(2000), iso(62_000), 'p5', 100)).toEqual([]);
      const again = await s.webhooks.claim(iso(61_001), iso(120_000), 'p5', 100);
      expect(again.map((r) => r.id).sort()).toEqual([...rows.map((r) => r.id), 'later'].sort());
      // The first claimer's outcome is no longer recorded: its claim is gone.
      const firstClaimer = claims.flat().find((r) => r.id === 'm00')!.claimedBy!;
      expect(await s.webhooks.finish(outcome('m00', firstClaimer))).toEqual({ recorded: false, endpointDisabled: false });
      expect(await s.webhooks.finish(outcome('m00', 'p5'))).toEqual({ recorded: true, endpointDisabled: false });
      expect(await s.webhooks.getOutbox('m00')).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: iso(100), claimedBy: null, lastStatus: 204 });
      // Recorded once: a second outcome for the same claim is refused.
      expect((await s.webhooks.finish(outcome('m00', 'p5'))).recorded).toBe(false);
    });

    it('attempts: a failure schedules the row again and starts the endpoint’s failure run; a long run disables it; a success ends the run', async () => {
      const s = await fresh();
      await s.webhooks.createEndpoint(endpoint('we_f'), audit);
      await s.webhooks.enqueue([row('f1', 'we_f'), row('f2', 'we_f')]);
      await s.webhooks.claim(iso(0), iso(60_000), 'p', 10);
      const fail = (id: string, at: number, over: Partial<AttemptOutcome> = {}) =>
        s.webhooks.finish(outcome(id, 'p', { at: iso(at), ok: false, statusCode: 500, error: 'HTTP 500', retryAt: iso(at + 5000), disableIfFailingSince: iso(at - 50_000), ...over }));
      expect(await fail('f1', 1000)).toEqual({ recorded: true, endpointDisabled: false });
      expect(await s.webhooks.getOutbox('f1')).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: iso(6000), lastStatus: 500, lastError: 'HTTP 500', claimedBy: null });
      expect((await s.webhooks.getEndpoint('we_f'))!.failingSince).toBe(iso(1000));
      // Not due yet; due at its retry time.
      expect(await s.webhooks.claim(iso(5999), iso(70_000), 'p', 10)).toEqual([]);
      expect((await s.webhooks.claim(iso(6000), iso(70_000), 'p', 10)).map((r) => r.id)).toEqual(['f1']);
      // The run began at 1000; a failure at 60_000 finds it longer than 50 s: the endpoint is disabled.
      expect(await fail('f1', 60_000)).toEqual({ recorded: true, endpointDisabled: true });
      const ep = (await s.webhooks.getEndpoint('we_f'))!;
      expect(ep).toMatchObject({ disabledAt: iso(60_000), disabledReason: 'failing', failingSince: iso(1000) });
      expect(await s.webhooks.claim(iso(100_000), iso(160_000), 'p', 10)).toEqual([]);
      // Attempts exhausted: failed for good.
      expect((await fail('f2', 61_000, { retryAt: null })).recorded).toBe(true);
      expect(await s.webhooks.getOutbox('f2')).toMatchObject({ status: 'failed', attempts: 1 });
      // Enabled again and replayed: delivered, and the failure run is over.
      await s.webhooks.updateEndpoint('we_f', { enabled: true }, iso(70_000), audit);
      expect(await s.webhooks.replay('f2', iso(70_000), audit)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: iso(70_000) });
      expect(await s.webhooks.replay('nope', iso(70_000), audit)).toBeUndefined();
      const got = await s.webhooks.claim(iso(70_000), iso(130_000), 'q', 10);
      expect(got.map((r) => r.id).sort()).toEqual(['f1', 'f2']);
      await fail('f2', 70_001, { by: 'q' });
      expect((await s.webhooks.finish(outcome('f1', 'q', { at: iso(70_002) }))).recorded).toBe(true);
      expect((await s.webhooks.getEndpoint('we_f'))!.failingSince).toBeNull();
      const log = await s.webhooks.attempts('f1');
      expect(log.map((a) => [a.attempt, a.ok, a.statusCode])).toEqual([
        [1, false, 500],
        [2, false, 500],
        [3, true, 204],
      ]);
      expect(log[0]).toMatchObject({ endpointId: 'we_f', at: iso(1000), error: 'HTTP 500', durationMs: 3 });
    });

    it('the delivery log pages newest first; old finished rows are pruned, pending ones kept', async () => {
      const s = await fresh();
      await s.webhooks.createEndpoint(endpoint('we_l'), audit);
      await s.webhooks.enqueue(Array.from({ length: 5 }, (_, i) => row(`l${i}`, 'we_l', iso(i * 10))));
      const first = await s.webhooks.listOutbox({ endpointId: 'we_l', limit: 2 });
      expect(first.map((r) => r.id)).toEqual(['l4', 'l3']);
      const next = await s.webhooks.listOutbox({ endpointId: 'we_l', limit: 10, before: { createdAt: first[1]!.createdAt, id: first[1]!.id } });
      expect(next.map((r) => r.id)).toEqual(['l2', 'l1', 'l0']);
      for (const r of await s.webhooks.claim(iso(100), iso(200), 'p', 2)) await s.webhooks.finish(outcome(r.id, 'p'));
      expect((await s.webhooks.listOutbox({ endpointId: 'we_l', status: 'delivered', limit: 10 })).map((r) => r.id)).toEqual(['l1', 'l0']);
      expect(await s.webhooks.prune(iso(5))).toBe(1);
      expect(await s.webhooks.getOutbox('l0')).toBeUndefined();
      expect(await s.webhooks.attempts('l0')).toEqual([]);
      expect(await s.webhooks.prune(iso(1000))).toBe(1);
      expect(await s.webhooks.pendingCount()).toBe(3);
    });
  });
}
