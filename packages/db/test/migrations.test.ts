import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// The server's keying, which the migration must reproduce exactly (an owner key is how every requester lookup is scoped).
import { realmUserOwnerKey } from '../../../apps/server/src/identity.ts';
import { createDb, MIGRATIONS_DIR } from '../src/index.ts';

describe('migrations', () => {
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
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
