/**
 * The IndexedDB database where the intake form keeps picked evidence files across reloads (ui/evidence.ts,
 * a lazy chunk). Apart so that the entry, which forgets it at host.shutdown, does not carry that chunk.
 */
export const EVIDENCE_DB = 'ajuda-evidence';

/** host.shutdown: every kept evidence file goes with the drafts (nothing of this person stays behind). */
export function forgetAllEvidence(): void {
  try {
    indexedDB.deleteDatabase(EVIDENCE_DB);
  } catch {
    /* no IndexedDB: nothing was kept */
  }
}
