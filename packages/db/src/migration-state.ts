import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * When each migration of a drizzle migrations folder was generated (its journal's `when`, in ms).
 * Drizzle records that number as `created_at` in `__drizzle_migrations` when it applies one.
 */
export function journalTimes(folder: string): number[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ when: number }> };
  return journal.entries.map((e) => e.when);
}

/**
 * How many of the journal's migrations the database has not applied, by drizzle's own rule: a
 * migration runs when it is newer than the newest one recorded (`lastApplied`: null when none is).
 *
 * @example pendingMigrations([100, 200, 300], 200) // 1
 */
export function pendingMigrations(times: readonly number[], lastApplied: number | null): number {
  return lastApplied === null ? times.length : times.filter((t) => t > lastApplied).length;
}
