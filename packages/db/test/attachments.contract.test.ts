import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, type NewAttachment, type NewConversation, type Store } from '../src/index.ts';

/**
 * The contract of `Store.attachments` (attachment-store.ts), on the backend AJUDA_STORE names: SQLite
 * in `pnpm test`, PostgreSQL in `pnpm test:pg`.
 */
describe(`attachment store contract (${process.env.AJUDA_STORE ?? 'sqlite'})`, () => {
  let stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores) await s.close();
    stores = [];
  });
  const fresh = async () => {
    const s = await openTestStore();
    stores.push(s);
    return s;
  };
  const iso = (ms = 0) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  let n = 0;
  const conv = async (s: Store) => {
    n++;
    const c: NewConversation = {
      id: `A${n}`, channel: 'website', requesterKind: 'visitor', ownerKey: `v:${n}`, visitorId: String(n), realmId: null, userId: null, requesterName: null,
      requesterEmail: null, claims: null, contractMatch: 'unknown', requestType: 'general_question', language: 'en', idempotencyKey: `k${n}`, at: iso(),
    };
    const { conversation } = await s.startConversation(c, { actor: 'visitor', action: 'conversation.started' });
    await s.completeIntake(conversation.id, () => ({ at: iso(1), patch: { status: 'queued', priority: 'P3', queue: 'support', queuedAt: iso(1), updatedAt: iso(1) } }));
    return conversation.id;
  };
  const file = (id: string, conversationId: string, over: Partial<NewAttachment> = {}): NewAttachment => ({
    id, conversationId, uploader: 'requester', filename: `${id}.png`, contentType: 'image/png', size: 10, blobKey: `b-${id}`, thumbKey: `t-${id}`,
    width: 2, height: 3, createdAt: iso(), expiresAt: iso(60_000), ...over,
  });
  const send = (s: Store, conversationId: string, clientMsgId: string, sender = 'requester') =>
    s.appendMessage({ conversationId, sender, senderName: null, kind: 'text', body: '', clientMsgId, at: iso(10), who: 'requester', params: { attachments: '[]' } });

  it('keeps a row as inserted, with no message until one carries it', async () => {
    const s = await fresh();
    const c = await conv(s);
    await s.attachments.insert(file('att_1', c));
    const got = await s.attachments.get('att_1');
    expect(got).toEqual({ ...file('att_1', c), clientMsgId: null, message: null });
    expect(await s.attachments.get('att_none')).toBeUndefined();
    expect(await s.attachments.totalSize(c)).toBe(10);
  });

  it('claims all or none: same conversation, same uploader, unexpired, not another message’s', async () => {
    const s = await fresh();
    const c = await conv(s);
    const other = await conv(s);
    await s.attachments.insert(file('a1', c));
    await s.attachments.insert(file('a2', c));
    await s.attachments.insert(file('x', other));
    await s.attachments.insert(file('ag', c, { uploader: 'agent:a' }));
    await s.attachments.insert(file('old', c, { expiresAt: iso(5) }));
    expect(await s.attachments.claim(['a1', 'x'], c, 'requester', 'm1', iso(10))).toBeNull();
    expect(await s.attachments.claim(['a1', 'ag'], c, 'requester', 'm1', iso(10))).toBeNull();
    expect(await s.attachments.claim(['a1', 'old'], c, 'requester', 'm1', iso(10))).toBeNull();
    expect(await s.attachments.claim(['a1', 'nope'], c, 'requester', 'm1', iso(10))).toBeNull();
    // None of the refused claims wrote anything.
    expect((await s.attachments.get('a1'))!.clientMsgId).toBeNull();
    const rows = await s.attachments.claim(['a2', 'a1'], c, 'requester', 'm1', iso(10));
    expect(rows!.map((r) => [r.id, r.clientMsgId])).toEqual([['a2', 'm1'], ['a1', 'm1']]);
    // A retried send takes them again; another message cannot.
    expect(await s.attachments.claim(['a1'], c, 'requester', 'm1', iso(10))).not.toBeNull();
    expect(await s.attachments.claim(['a1'], c, 'requester', 'm2', iso(10))).toBeNull();
  });

  it('two messages racing for one upload: exactly one takes it', async () => {
    const s = await fresh();
    const c = await conv(s);
    await s.attachments.insert(file('r1', c));
    const got = await Promise.all(['m1', 'm2', 'm3'].map((m) => s.attachments.claim(['r1'], c, 'requester', m, iso(10))));
    expect(got.filter((g) => g !== null)).toHaveLength(1);
  });

  it('finds the message that carries a row (sender and client id), its kind and seq', async () => {
    const s = await fresh();
    const c = await conv(s);
    await s.attachments.insert(file('a1', c));
    await s.attachments.claim(['a1'], c, 'requester', 'm1', iso(10));
    expect((await s.attachments.get('a1'))!.message).toBeNull();
    const m = await send(s, c, 'm1');
    expect((await s.attachments.get('a1'))!.message).toEqual({ seq: m.message.seq, kind: 'text' });
    expect(m.message.params).toEqual({ attachments: '[]' });
  });

  it('sweeps expired uploads no message carries, and names the blobs no row references', async () => {
    const s = await fresh();
    const c = await conv(s);
    await s.attachments.insert(file('gone', c, { blobKey: 'shared', thumbKey: 't-gone' }));
    await s.attachments.insert(file('kept', c, { blobKey: 'shared', thumbKey: null, expiresAt: iso(999_999) }));
    await s.attachments.insert(file('sent', c, { blobKey: 'sent-b', thumbKey: null }));
    await s.attachments.insert(file('claimed', c, { blobKey: 'claimed-b', thumbKey: null }));
    await s.attachments.claim(['sent'], c, 'requester', 'm1', iso(10));
    await send(s, c, 'm1');
    await s.attachments.claim(['claimed'], c, 'requester', 'm2', iso(10));
    const r = await s.attachments.sweep(iso(120_000), 100);
    // 'claimed' was taken by a message that was never written: it expires like any other.
    expect(r.removed.map((x) => x.id).sort()).toEqual(['claimed', 'gone']);
    expect(r.unreferenced.sort()).toEqual(['claimed-b', 't-gone']);
    expect(await s.attachments.referenced('shared')).toBe(true);
    expect(await s.attachments.get('gone')).toBeUndefined();
    expect(await s.attachments.get('sent')).toBeDefined();
    expect((await s.attachments.sweep(iso(120_000), 100)).removed).toEqual([]);
  });
});
