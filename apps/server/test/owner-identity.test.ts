import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, MIGRATIONS_DIR } from '@ajuda/db';
import { realmUserOwnerKey, visitorOwnerKey } from '../src/identity.ts';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { GENERAL, requester, type TestClient } from './client.ts';

/**
 * Owner identity (R7): every requester lookup — the conversation list, start idempotency, the live
 * topic and the rate buckets — is scoped by one owner key, so two different (realm, user) pairs must
 * never share one, whatever characters the host platform puts in its ids.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});

const user = async (realm: string, sub: string) => requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ realm, sub, name: `${realm}/${sub}` }) });
/** Whether any frame this client received names the conversation. */
const saw = (c: TestClient, id: string) => c.raw.some((r) => r.includes(id));

describe('owner identity', () => {
  it('R7: realm "acme:x" + user "y" and realm "acme" + user "x:y" never see each other\'s conversations, live messages or idempotent starts', async () => {
    const first = await user('acme:x', 'y');
    const second = await user('acme', 'x:y');
    const key = 'shared-idempotency-key-1';
    const mine = await first.request({ type: 'conversation.start', idempotencyKey: key, requestType: 'general_question', answers: GENERAL('first asks') }, 'conversation.started');
    await first.request({ type: 'message.send', conversationId: mine.conversation.id, clientMsgId: 'm-1', body: 'a private detail' }, 'message.ack');
    // Anything published to the first requester's sockets reached the second before this pong.
    await second.request({ type: 'ping' }, 'pong');
    expect(saw(second, mine.conversation.id)).toBe(false);
    expect(second.raw.join('\n')).not.toContain('a private detail');

    const listed = await second.request({ type: 'conversation.list' }, 'conversation.list.result');
    expect(listed.conversations.map((c) => c.id)).toEqual([]);

    // The same idempotency key is the second requester's own: a new conversation, not the first's.
    const theirs = await second.request({ type: 'conversation.start', idempotencyKey: key, requestType: 'general_question', answers: GENERAL('second asks') }, 'conversation.started');
    expect(theirs.conversation.id).not.toBe(mine.conversation.id);
    const again = await first.request({ type: 'conversation.list' }, 'conversation.list.result');
    expect(again.conversations.map((c) => c.id)).toEqual([mine.conversation.id]);
    await first.request({ type: 'ping' }, 'pong');
    expect(saw(first, theirs.conversation.id)).toBe(false);
    first.close();
    second.close();
  });

  it('R7: concurrent starts of two owners never share one creation, even when their ids hold the separator of the in-flight key', async () => {
    const first = await user('acme', 'b\u0000c');
    const second = await user('acme', 'b');
    const [a, b] = await Promise.all([
      first.request({ type: 'conversation.start', idempotencyKey: 'dddddddd', requestType: 'general_question', answers: GENERAL('first') }, 'conversation.started'),
      second.request({ type: 'conversation.start', idempotencyKey: 'c\u0000dddddddd', requestType: 'general_question', answers: GENERAL('second') }, 'conversation.started'),
    ]);
    expect(a.conversation.id).not.toBe(b.conversation.id);
    expect((await second.request({ type: 'conversation.list' }, 'conversation.list.result')).conversations.map((c) => c.id)).toEqual([b.conversation.id]);
    first.close();
    second.close();
  });

  it('R7: distinct (realm, user) pairs never map to one owner key, whatever the characters', () => {
    // Separators, escapes, unicode (astral too), control characters and empty-looking values.
    const part = fc.oneof(
      fc.string({ unit: fc.constantFrom(':', '%', '3', 'A', 'a', 'u', 'v', '\u0000', ' ', '%3A', '%25', '\\', '"', 'é', '😀') }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('', ' ', ':', '::', '%', '%3A', '%25', 'u', 'v:', 'null', 'undefined', '\u0000'),
    );
    fc.assert(
      fc.property(part, part, part, part, (r1, s1, r2, s2) => {
        fc.pre(r1 !== r2 || s1 !== s2);
        expect(realmUserOwnerKey(r1, s1)).not.toBe(realmUserOwnerKey(r2, s2));
        expect(realmUserOwnerKey(r1, s1)).not.toBe(visitorOwnerKey(r2 + s2));
      }),
      { numRuns: 2000 },
    );
    // The pair from the outside probe, explicitly.
    expect(realmUserOwnerKey('acme:x', 'y')).not.toBe(realmUserOwnerKey('acme', 'x:y'));
  });

  it('keeps the stored form of ordinary ids (no ":" or "%" in the realm), so existing conversations stay their owner\'s', () => {
    expect(realmUserOwnerKey('acme', 'u_ana')).toBe('u:acme:u_ana');
    expect(realmUserOwnerKey('acme', 'x:y')).toBe('u:acme:x:y');
    expect(visitorOwnerKey('vis_1')).toBe('v:vis_1');
  });
});

describe('owner identity: stored conversations', () => {
  it('R7: migration 0002 re-keys the ambiguous rows of an existing database exactly as the server now keys them, and leaves ordinary ones alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ajuda-owner-'));
    try {
      const file = join(dir, 'old.db');
      // Rows as the previous release stored them: `u:<realm>:<user>`.
      const realm = fc.string({ unit: fc.constantFrom(':', '%', '3', 'A', 'a', 'é', '😀', '\u0000', '_') , minLength: 1, maxLength: 12 });
      const pairs = fc.sample(fc.tuple(realm, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 })), { numRuns: 300, seed: 7 });
      pairs.push(['acme:x', 'y'], ['acme', 'x:y'], ['acme', 'u_ana'], ['100%', 'z'], ['a%3Ab', 'c']);
      const unique = [...new Map(pairs.map(([r, u]) => [JSON.stringify([r, u]), [r, u] as const])).values()];
      const db = createDb(file);
      const insert = db.sqlite.prepare(
        `INSERT INTO conversations (id, channel, requester_kind, owner_key, realm_id, user_id, request_type, status, language, idempotency_key, created_at, updated_at)
         VALUES (?, 'platform', 'realm_user', ?, ?, ?, 'general_question', 'queued', 'en', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
      );
      unique.forEach(([r, u], i) => insert.run(`AJ-OLD${i}`, `u:${r}:${u}`, r, u, `idem-${i}`));
      insert.run('AJ-VISITOR', 'v:vis_1', null, null, 'idem-v');
      db.sqlite.exec(`UPDATE conversations SET requester_kind = 'visitor', visitor_id = 'vis_1' WHERE id = 'AJ-VISITOR'`);
      // Run the migration as createDb runs it on an older database (it is in the journal, so it runs once).
      const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
      expect(journal.entries.map((e) => e.tag)).toContain('0002_owner_key_escape');
      for (const statement of readFileSync(join(MIGRATIONS_DIR, '0002_owner_key_escape.sql'), 'utf8').split('--> statement-breakpoint')) db.sqlite.exec(statement);
      const rows = db.sqlite.prepare(`SELECT id, owner_key AS ownerKey, realm_id AS realmId, user_id AS userId FROM conversations ORDER BY id`).all() as Array<{ id: string; ownerKey: string; realmId: string | null; userId: string | null }>;
      for (const row of rows) {
        if (row.id === 'AJ-VISITOR') expect(row.ownerKey).toBe('v:vis_1');
        else expect(row.ownerKey, JSON.stringify([row.realmId, row.userId])).toBe(realmUserOwnerKey(row.realmId!, row.userId!));
      }
      expect(new Set(rows.map((r) => r.ownerKey)).size).toBe(rows.length);
      expect(rows.find((r) => r.realmId === 'acme' && r.userId === 'u_ana')!.ownerKey).toBe('u:acme:u_ana');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
