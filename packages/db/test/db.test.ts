import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer, createDb, GroupWriter, openStore, Repo, seedDemoStore, SqliteStore, type ConversationRecord, type Db, type NewMessageRecord } from '../src/index.ts';

let db: Db;
let dir: string | null = null;
afterEach(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = null;
});

function conv(id: string, over: Partial<ConversationRecord> = {}): ConversationRecord {
  const at = new Date().toISOString();
  return {
    id, channel: 'website', requesterKind: 'visitor', ownerKey: 'v:1', visitorId: '1', realmId: null, userId: null,
    requesterName: null, requesterEmail: null, claims: null, contractMatch: 'unknown', requestType: 'general_question',
    answers: '{}', priority: null, priorityTrace: '[]', status: 'intake', queue: 'support', team: null, assigneeId: null,
    language: 'en', lastSeq: 0, idempotencyKey: `idem-${id}`, createdAt: at, updatedAt: at, queuedAt: null,
    firstAgentReplyAt: null, lastRequesterMsgAt: null, lastAgentReplyAt: null, resolvedAt: null, requesterReadSeq: 0,
    agentReadSeq: 0, escalated: 0, flaggedComplex: 0, feedback: null, breaches: '[]', ...over,
  };
}

/** A requester's text message (the body defaults to its client id). */
const text = (conversationId: string, clientMsgId: string, body = clientMsgId, at = new Date().toISOString()): NewMessageRecord => ({
  conversationId, sender: 'requester', senderName: null, kind: 'text', body, clientMsgId, at,
});

describe('db', () => {
  it('opens a file database in WAL mode with synchronous=FULL by default and applies migrations', () => {
    dir = mkdtempSync(join(tmpdir(), 'ajuda-db-'));
    db = createDb(join(dir, 'a.db'));
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    // FULL durability is Ajuda's own WAL fsync after each group commit (see DbOptions).
    expect(db.synchronous).toBe('FULL');
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(1);
    const tables = db.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as Array<{ name: string }>;
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['conversations', 'messages', 'audit_log', 'grants']));
    db.close();
    db = createDb(join(dir, 'a.db'), { synchronous: 'NORMAL' }); // re-opening does not re-apply
    expect(db.synchronous).toBe('NORMAL');
  });

  it('settles a write only once its commit is durable, and gathers the writes that arrive meanwhile into the next commit', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ajuda-db-'));
    db = createDb(join(dir, 'a.db'));
    const repo = new Repo(db.sqlite);
    repo.insertConversation(conv('c1'));
    const syncs: Array<() => void> = [];
    const writer = new GroupWriter(db.sqlite, () => new Promise<void>((r) => syncs.push(r)), 3);
    const append = (id: string) => writer.write(() => repo.appendMessage(text('c1', id)).row.seq);
    const turn = async () => {
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    };
    const stored = () => (db.sqlite.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    let settled = false;
    const first = append('a').then((v) => ((settled = true), v));
    await turn();
    // Committed, waiting for its sync: not acknowledged yet.
    expect([syncs.length, stored(), settled]).toEqual([1, 1, false]);
    // Writes arriving during that sync wait for it (committed now, they would wait for the next sync anyway)…
    const second = [append('b'), append('c')];
    await turn();
    expect([syncs.length, stored(), writer.batches]).toEqual([1, 1, 1]);
    // …unless a full batch has gathered: then it commits at once.
    const third = [append('d'), append('e'), append('f')];
    await turn();
    expect([syncs.length, stored(), writer.batches]).toEqual([2, 4, 2]);
    syncs[0]!();
    expect(await first).toBe(1);
    await turn();
    // The second batch still waits for its sync: the rest keeps gathering.
    expect([syncs.length, stored(), writer.batches]).toEqual([2, 4, 2]);
    syncs[1]!();
    expect(await Promise.all(second)).toEqual([2, 3]);
    await turn();
    // No sync pending any more: what gathered is committed as one batch.
    expect([syncs.length, stored(), writer.batches]).toEqual([3, 6, 3]);
    syncs[2]!();
    expect(await Promise.all(third)).toEqual([4, 5, 6]);
    await writer.drain();
    // The real fsync works on a file database.
    await expect(db.durable()).resolves.toBeUndefined();
  });

  it('refuses to update or delete audit rows (append-only)', () => {
    db = createDb(':memory:');
    const repo = new Repo(db.sqlite);
    repo.audit('agent:x', 'priority.set', null, null, { to: 'P1' }, new Date().toISOString());
    expect(() => db.sqlite.exec(`UPDATE audit_log SET action = 'x'`)).toThrow(/append-only/);
    expect(() => db.sqlite.exec(`DELETE FROM audit_log`)).toThrow(/append-only/);
  });

  it('gives gapless seqs and stores a retried clientMsgId once', () => {
    db = createDb(':memory:');
    const repo = new Repo(db.sqlite);
    repo.insertConversation(conv('c1'));
    const at = new Date().toISOString();
    const a = repo.appendMessage(text('c1', 'm1', 'a'));
    const b = repo.appendMessage(text('c1', 'm1', 'a'));
    const c = repo.appendMessage({ conversationId: 'c1', sender: 'agent:x', senderName: 'X', kind: 'text', body: 'b', clientMsgId: 'm1', at });
    expect([a.row.seq, b.row.seq, b.duplicate, c.row.seq]).toEqual([1, 1, true, 2]);
    expect(repo.messagesAfter('c1', 0, 10, true).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('keeps the cached conversation row equal to the stored one as messages are appended', () => {
    db = createDb(':memory:');
    const repo = new Repo(db.sqlite);
    repo.insertConversation(conv('c1', { status: 'queued' }));
    const t1 = '2026-01-01T10:00:00.000Z';
    const t2 = '2026-01-01T10:05:00.000Z';
    // Not cached yet: the row is read once, after the update.
    const a = repo.appendMessage({ conversationId: 'c1', sender: 'requester', senderName: null, kind: 'text', body: 'a', clientMsgId: 'a', at: t1 }, 'requester');
    expect(a.conversation).toMatchObject({ lastSeq: 1, lastRequesterMsgAt: t1, updatedAt: t1, firstAgentReplyAt: null, status: 'queued' });
    // Cached now: patched with what the statement returned.
    const b = repo.appendMessage({ conversationId: 'c1', sender: 'agent:x', senderName: 'X', kind: 'text', body: 'b', clientMsgId: 'b', at: t2 }, 'agent');
    expect(b.conversation).toMatchObject({ lastSeq: 2, lastRequesterMsgAt: t1, lastAgentReplyAt: t2, firstAgentReplyAt: t2, updatedAt: t2 });
    repo.appendMessage({ conversationId: 'c1', sender: 'system', senderName: null, kind: 'system', body: 'c', clientMsgId: null, at: '2026-01-01T11:00:00.000Z' });
    expect(repo.getConversation('c1')).toEqual(new Repo(db.sqlite).getConversation('c1'));
    expect(repo.getConversation('c1')).toMatchObject({ lastSeq: 3, updatedAt: t2, firstAgentReplyAt: t2 });
  });

  it('runs WAL checkpoints on a worker thread, and inline again if that worker is lost', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ajuda-db-'));
    db = createDb(join(dir, 'a.db'), { checkpointIntervalMs: 20 });
    // The serving connection never checkpoints inside a commit.
    expect(db.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const { repo, writer } = openStore(db);
    repo.insertConversation(conv('c1'));
    for (let round = 0; round < 20; round++)
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          writer.write(() => repo.appendMessage(text('c1', `${round}-${i}`, 'x'.repeat(200)))),
        ),
      );
    await expect.poll(async () => (await db.checkpointStats()).pagesCopied, { timeout: 5000 }).toBeGreaterThan(0);
    const stats = await db.checkpointStats();
    expect(stats).toMatchObject({ inline: false, errors: 0 });
    // The database file itself holds the messages (copied there by the worker's checkpoints).
    expect(statSync(join(dir, 'a.db')).size).toBeGreaterThan(4000 * 200);

    // A steady stream of commits: the WAL stays bounded, by RESTART checkpoints with commits held meanwhile.
    db.close();
    db = createDb(join(dir, 'b.db'), { checkpointIntervalMs: 5, checkpointRestartFrames: 64 });
    const store = openStore(db);
    store.repo.insertConversation(conv('c2'));
    let maxWal = 0;
    for (let round = 0; round < 300; round++) {
      const seqs = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          store.writer.write(() => store.repo.appendMessage(text('c2', `${round}-${i}`, 'y'.repeat(300))).row.seq, { replayable: true }),
        ),
      );
      expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => round * 100 + i + 1));
      maxWal = Math.max(maxWal, statSync(join(dir, 'b.db-wal')).size);
    }
    const bounded = await db.checkpointStats();
    expect(bounded.restarts).toBeGreaterThan(0);
    // 30,000 messages of 300 characters went through; the WAL never held more than a few MB of them.
    expect(maxWal).toBeLessThan(4 * 2 ** 20);

    // A checkpointer that cannot open its database fails: the connection checkpoints inline again.
    const other = createDb(':memory:');
    const reasons: string[] = [];
    const lost = new Checkpointer(other.sqlite, join(dir, 'missing.db'), 20, (r) => reasons.push(r));
    expect(other.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await expect.poll(() => other.sqlite.pragma('wal_autocheckpoint', { simple: true }), { timeout: 5000 }).toBe(1000);
    expect(lost.error).toMatch(/missing\.db|unable to open/i);
    expect(reasons).toEqual([lost.error]);
    expect((await lost.stats()).inline).toBe(true);
    other.close();
  });

  it('group-commits a tick of writes in one transaction and isolates a failing write', async () => {
    db = createDb(':memory:');
    const repo = new Repo(db.sqlite);
    repo.insertConversation(conv('c1'));
    const writer = new GroupWriter(db.sqlite);
    const ok = Array.from({ length: 50 }, (_, i) =>
      writer.write(() => repo.appendMessage(text('c1', `c${i}`, `m${i}`)).row.seq),
    );
    const bad = writer.write(() => repo.appendMessage(text('nope', 'x')));
    await expect(bad).rejects.toThrow(/missing/);
    expect(await Promise.all(ok)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(writer.batches).toBe(1);
  });

  it('runs a batch of replayable writes without savepoints, and again with them when one fails', async () => {
    db = createDb(':memory:');
    const { repo, writer } = openStore(db);
    repo.insertConversation(conv('c1'));
    const append = (id: string, conversationId = 'c1') =>
      writer.write(() => repo.appendMessage(text(conversationId, id)).row.seq, { replayable: true });
    expect(await Promise.all(['a', 'b', 'c'].map((id) => append(id)))).toEqual([1, 2, 3]);
    expect(writer.replays).toBe(0);

    // One failing write among replayable ones: the batch is rolled back and run again with savepoints.
    const ok = ['d', 'e', 'f', 'g'].map((id) => append(id));
    const bad = append('x', 'nope');
    const after = append('h');
    await expect(bad).rejects.toThrow(/missing/);
    expect(await Promise.all([...ok, after])).toEqual([4, 5, 6, 7, 8]);
    expect(writer.replays).toBe(1);
    expect(repo.messagesAfter('c1', 0, 100, true).map((m) => m.body)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(repo.getConversation('c1')?.lastSeq).toBe(8);

    // A write that is not replayable in the batch: savepoints from the start, so it runs exactly once.
    let sideEffects = 0;
    const once = writer.write(() => {
      sideEffects++;
      return repo.appendMessage(text('c1', 'i')).row.seq;
    });
    const bad2 = append('y', 'nope');
    await expect(bad2).rejects.toThrow(/missing/);
    expect(await once).toBe(9);
    expect(sideEffects).toBe(1);
    expect(writer.replays).toBe(1);
  });

  it('acks nothing when the commit itself fails, and reads back nothing uncommitted', async () => {
    db = createDb(':memory:');
    const { repo, writer } = openStore(db);
    repo.insertConversation(conv('c1'));
    expect(repo.getConversation('c1')?.lastSeq).toBe(0); // cached from here on
    writer.beforeCommit = () => {
      throw new Error('disk full');
    };
    const p = writer.write(() => repo.appendMessage(text('c1', 'x')));
    await expect(p).rejects.toThrow(/disk full/);
    expect(repo.messagesAfter('c1', 0, 10, true)).toEqual([]);
    expect(repo.getConversation('c1')?.lastSeq).toBe(0);
  });

  it('seeds the demo idempotently', async () => {
    db = createDb(':memory:');
    const { repo, writer } = openStore(db);
    const store = new SqliteStore({ db, repo, writer });
    await seedDemoStore(store, (pw) => `h:${pw}`);
    await seedDemoStore(store, (pw) => `h:${pw}`);
    expect((await store.pipelines('acme')).map((p) => p.key)).toContain('MIG-LEG-04');
    expect(await store.listAgents()).toHaveLength(5);
    expect(await store.pipeline('acme', 'pl_globex_pay')).toBeUndefined();
  });
});
