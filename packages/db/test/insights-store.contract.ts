import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { queryTerms, type Conversation, type Decide, type NewConversation, type SearchQuery, type Store } from '../src/index.ts';

/**
 * The contract of search (`Store.searchConversations`) and of the conversation events log
 * (`Store.conversationEvents`, written by the commands), run by store.contract.test.ts on the
 * backend AJUDA_STORE names (SQLite in `pnpm test`, PostgreSQL in `pnpm test:pg`).
 */
export function insightsStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: search and the events log (${name})`, () => {
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
        id: `AJ-SEARCH${String(n).padStart(4, '0')}`, channel: 'website', requesterKind: 'visitor', ownerKey: `v:s${n}`, visitorId: `s${n}`, realmId: null, userId: null,
        requesterName: null, requesterEmail: null, claims: null, contractMatch: 'unknown', requestType: 'general_question', language: 'pt',
        idempotencyKey: `k${n}`, at: iso(), ...over,
      };
    };
    const started = { actor: 'requester', action: 'conversation.started' };
    const queued = async (s: Store, over: Partial<NewConversation> = {}, priority: Conversation['priority'] = 'P3'): Promise<Conversation> => {
      const { conversation } = await s.startConversation(newConv(over), started);
      return (await s.completeIntake(conversation.id, () => ({ at: iso(1000), patch: { status: 'queued', priority, queue: 'support', queuedAt: iso(1000), updatedAt: iso(1000) }, audit: [{ actor: 'system', action: 'intake.completed' }] }))).conversation;
    };
    const say = (s: Store, id: string, body: string, who: 'requester' | 'agent' | 'note', ms: number, agent = 'ag_a') =>
      s.appendMessage({
        conversationId: id, sender: who === 'requester' ? 'requester' : `agent:${agent}`, senderName: null, kind: who === 'note' ? 'note' : 'text', body, clientMsgId: null, at: iso(ms),
        who: who === 'note' ? null : who, ...(who === 'agent' ? { takeIfQueued: { agentId: agent, routing: { code: 'taken_by_reply' } } } : {}),
      });
    const find = async (s: Store, q: Partial<SearchQuery> & { text?: string }) =>
      (await s.searchConversations({ terms: queryTerms(q.text ?? ''), ids: [], limit: 50, ...q })).map((c) => c.id);
    const kinds = async (s: Store, id: string) => (await s.conversationEvents({ from: iso(0), to: iso(10_000_000) })).filter((e) => e.conversationId === id).map((e) => e.kind);

    it('writes one event per thing that happened, in the order it happened, with the dimensions of that moment', async () => {
      const s = await fresh();
      const c = await queued(s, { language: 'es', requestType: 'access' }, 'P2');
      await say(s, c.id, 'hola', 'requester', 2000);
      await say(s, c.id, 'a note', 'note', 2500);
      await say(s, c.id, 'first reply', 'agent', 3000);
      await say(s, c.id, 'second reply', 'agent', 4000);
      await s.escalate(c.id, {}, () => ({ at: iso(4500), patch: { escalated: true, updatedAt: iso(4500) }, audit: [{ actor: 'agent:ag_a', action: 'escalated' }] }));
      await s.recordBreaches([{ id: c.id, clock: 'resolution' }], iso(4600));
      await s.recordBreaches([{ id: c.id, clock: 'resolution' }], iso(4700));
      await s.resolve(c.id, {}, () => ({ at: iso(5000), patch: { status: 'resolved', resolvedAt: iso(5000), updatedAt: iso(5000) }, audit: [{ actor: 'agent:ag_a', action: 'conversation.resolved' }] }));
      await s.recordFeedback(c.id, {}, () => ({ at: iso(5500), patch: { feedback: { answered: false }, updatedAt: iso(5500) } }));
      await s.reopen(c.id, { status: 'resolved' }, (cur) => ({ at: iso(6000), patch: { status: cur.assigneeId ? 'assigned' : 'queued', resolvedAt: null, updatedAt: iso(6000) }, audit: [{ actor: 'requester', action: 'conversation.reopened' }] }));
      await say(s, c.id, 'third reply', 'agent', 7000);
      const events = (await s.conversationEvents({ from: iso(0), to: iso(10_000) })).filter((e) => e.conversationId === c.id);
      expect(events.map((e) => e.kind)).toEqual([
        'queued', 'requester_message', 'first_agent_reply', 'agent_reply', 'assigned', 'agent_reply', 'escalated', 'sla_breach', 'resolved', 'feedback', 'reopened', 'agent_reply',
      ]);
      expect(events[0]).toMatchObject({ at: iso(1000), priority: 'P2', language: 'es', queue: 'support', requestType: 'access', actor: 'system' });
      expect(events.find((e) => e.kind === 'assigned')).toMatchObject({ at: iso(3000), actor: 'agent:ag_a', detail: { assigneeId: 'ag_a' } });
      expect(events.find((e) => e.kind === 'sla_breach')?.detail).toEqual({ clock: 'resolution' });
      expect(events.find((e) => e.kind === 'feedback')?.detail).toEqual({ answered: false });
      expect(events.find((e) => e.kind === 'reopened')).toMatchObject({ at: iso(6000), actor: 'requester' });
      // Ids grow in the order written.
      expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    });

    it('a rolled-back command writes no event; the log refuses updates and deletes', async () => {
      const s = await fresh();
      const c = await queued(s);
      const before = await kinds(s, c.id);
      const boom: Decide = () => ({
        at: iso(50),
        patch: { status: 'resolved', resolvedAt: iso(50), updatedAt: iso(50) },
        // Serialising this detail throws once the patch is written.
        audit: [{ actor: 'system', action: 'conversation.resolved', detail: { n: 1n } }],
      });
      await expect(s.resolve(c.id, {}, boom)).rejects.toThrow();
      s.testing.beforeCommit = () => {
        throw new Error('the commit fails');
      };
      await expect(say(s, c.id, 'lost', 'agent', 60)).rejects.toThrow('the commit fails');
      await expect(s.recordBreaches([{ id: c.id, clock: 'first_response' }], iso(70))).rejects.toThrow('the commit fails');
      s.testing.beforeCommit = null;
      expect(await kinds(s, c.id)).toEqual(before);
      expect((await s.getConversation(c.id))!.status).toBe('queued');
      await expect(s.testing.sql(`UPDATE conversation_events SET kind = 'resolved' WHERE conversation_id = ?`, c.id)).rejects.toThrow(/append-only/);
      await expect(s.testing.sql(`DELETE FROM conversation_events WHERE conversation_id = ?`, c.id)).rejects.toThrow(/append-only/);
      expect(await kinds(s, c.id)).toEqual(before);
    });

    it('reads the events of conversations active in a period, from its start on', async () => {
      const s = await fresh();
      const a = await queued(s); // queued at 1 s
      await say(s, a.id, 'late', 'requester', 90_000);
      const b = await queued(s);
      const inWindow = await s.conversationEvents({ from: iso(60_000), to: iso(120_000) });
      // a is in (a message at 90 s), and only its events from 60 s on; b has nothing in the window.
      expect(inWindow.map((e) => [e.conversationId, e.kind])).toEqual([[a.id, 'requester_message']]);
      expect((await s.conversationEvents({ from: iso(0), to: iso(2000) })).map((e) => e.conversationId).sort()).toEqual([a.id, a.id, b.id].sort());
    });

    it('finds conversations by message words with diacritics and case folded, by requester name, email and realm', async () => {
      const s = await fresh();
      await s.loadRealms([{ id: 'acme', name: 'Acme Logística', projects: [], pipelines: [] }], iso());
      const a = await queued(s, { requesterName: 'João Gonçalves', requesterEmail: 'joao.goncalves@example.com' });
      const b = await queued(s, { requesterName: 'Ana', realmId: 'acme', userId: 'u1', requesterKind: 'realm_user', visitorId: null });
      const c = await queued(s);
      await say(s, a.id, 'Preciso de ajuda com a configuração do ACESSO', 'requester', 2000);
      await say(s, b.id, 'Pipeline parado', 'requester', 2000);
      await say(s, c.id, 'nota interna sobre faturação', 'note', 2000);
      await s.resolve(c.id, {}, () => ({ at: iso(3000), patch: { status: 'resolved', resolvedAt: iso(3000), updatedAt: iso(3000) }, system: [{ key: 'system.resolved', params: null, body: 'Conversa resolvida: configuração' }] }));
      expect(await find(s, { text: 'configuracao' })).toEqual([a.id]);
      expect(await find(s, { text: 'CONFIGURAÇÃO acesso' })).toEqual([a.id]);
      expect(await find(s, { text: 'config' })).toEqual([a.id]); // the last word is a prefix
      expect(await find(s, { text: 'configuracao pipeline' })).toEqual([]); // every word, in one place
      expect(await find(s, { text: 'joao' })).toEqual([a.id]);
      expect(await find(s, { text: 'GONCALVES' })).toEqual([a.id]);
      expect(await find(s, { text: 'joao.goncalves@example.com' })).toEqual([a.id]);
      expect(await find(s, { text: 'logistica' })).toEqual([b.id]);
      expect(await find(s, { text: 'acme' })).toEqual([b.id]);
      expect(await find(s, { text: 'faturacao' })).toEqual([c.id]); // notes are searched (agents read them)
      expect(await find(s, { text: 'resolvida' })).toEqual([]); // system lines are not
      expect(await find(s, { ids: [b.id] })).toEqual([b.id]);
    });

    it('filters by status, priority, language, queue and creation period; pages newest update first', async () => {
      const s = await fresh();
      const a = await queued(s, { language: 'en', at: iso(0) }, 'P1');
      const b = await queued(s, { language: 'pt', at: iso(500) }, 'P2');
      const c = await queued(s, { language: 'pt', at: iso(900) }, 'P2');
      for (const [x, ms] of [[a, 3000], [b, 4000], [c, 5000]] as const) await say(s, x.id, 'impressora avariada', 'requester', ms);
      await s.resolve(c.id, {}, () => ({ at: iso(6000), patch: { status: 'resolved', resolvedAt: iso(6000), updatedAt: iso(6000) } }));
      expect(await find(s, { text: 'impressora' })).toEqual([c.id, b.id, a.id]);
      expect(await find(s, { text: 'impressora', status: ['queued'] })).toEqual([b.id, a.id]);
      expect(await find(s, { text: 'impressora', priority: ['P2'] })).toEqual([c.id, b.id]);
      expect(await find(s, { text: 'impressora', language: ['en'] })).toEqual([a.id]);
      expect(await find(s, { text: 'impressora', queue: ['project'] })).toEqual([]);
      expect(await find(s, { text: 'impressora', createdFrom: iso(400), createdTo: iso(900) })).toEqual([b.id]);
      // Filters alone (no words) select too.
      expect(await find(s, { priority: ['P1'] })).toEqual([a.id]);
      const first = await s.searchConversations({ terms: ['impressora'], ids: [], limit: 2 });
      expect(first.map((x) => x.id)).toEqual([c.id, b.id]);
      const last = first.at(-1)!;
      expect(await find(s, { text: 'impressora', before: { updatedAt: last.updatedAt, id: last.id } })).toEqual([a.id]);
    });

    it('FTS operators a person types are inert: any text searches words, never fails', async () => {
      const s = await fresh();
      const a = await queued(s);
      await say(s, a.id, 'erro NEAR NOT AND body o servidor OR cliente', 'requester', 2000);
      for (const q of ['"erro', 'erro*', 'erro OR', 'NOT erro', 'NEAR(erro servidor)', 'body:erro', '^erro', '(erro', 'erro -cliente', "erro'", 'erro AND servidor'])
        expect(await find(s, { text: q }), q).toEqual([a.id]);
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 40 }), async (q) => {
          await s.searchConversations({ terms: queryTerms(q), ids: [], limit: 5 });
        }),
        { numRuns: 60 },
      );
    });
  });
}
