import { useEffect, useState } from 'preact/hooks';
import { EVIDENCE_DB } from '../evidence-db.ts';
import { randomId } from '../storage.ts';
import { useApp } from './context.ts';

/**
 * Evidence picked in the intake form survives a reload, like the answers typed beside it: the files go to
 * IndexedDB (it stores files; localStorage holds only text) under a random key that only this form's draft
 * knows (the draft lives in the embedding's scoped storage, so another site's widget never finds them).
 * A record is dropped once its conversation takes the files, when the form is emptied of them, after a
 * week, and with everything else at host.shutdown (`forgetAllEvidence` in ../evidence-db.ts). Without IndexedDB (blocked,
 * tests) the form works as before: the files last for the page.
 */
const STORE = 'forms';
const KEEP_MS = 7 * 86_400_000;

type Kept = { at: number; files: File[] };

function request(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest | void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(EVIDENCE_DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => {
        db.close();
        resolve(req ? req.result : undefined);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        reject(tx.error);
      };
    };
  });
}

/** The files kept under `key` (none when absent, older than a week, or IndexedDB is unavailable); older records are dropped on the way. */
export async function loadEvidence(key: string): Promise<File[]> {
  try {
    const kept = (await request('readonly', (s) => s.get(key))) as Kept | undefined;
    void request('readwrite', (s) => {
      const all = s.openCursor();
      all.onsuccess = () => {
        const c = all.result;
        if (!c) return;
        if (!((c.value as Kept).at > Date.now() - KEEP_MS)) c.delete();
        c.continue();
      };
    }).catch(() => undefined);
    return kept && kept.at > Date.now() - KEEP_MS && Array.isArray(kept.files) ? kept.files.filter((f) => f instanceof Blob) : [];
  } catch {
    return [];
  }
}

/** Keep `files` under `key` (none: forget the record). */
export async function saveEvidence(key: string, files: readonly File[]): Promise<void> {
  try {
    await request('readwrite', (s) => (files.length ? s.put({ at: Date.now(), files: [...files] } satisfies Kept, key) : s.delete(key)) as IDBRequest);
  } catch {
    /* unavailable or full: the files last for this page */
  }
}

/**
 * The intake form's evidence, kept across reloads under the form's draft `name`. `forget()` once the
 * conversation has taken them.
 * @example const [files, setFiles, forget] = useKeptEvidence('intake:incident');
 */
export function useKeptEvidence(name: string): [File[], (files: File[]) => void, () => void] {
  const { actions } = useApp();
  const draft = `${name}:files`;
  const [files, setFilesNow] = useState<File[]>([]);
  useEffect(() => {
    const key = actions.getDraft(draft);
    if (key) void loadEvidence(key).then((kept) => kept.length && setFilesNow((now) => (now.length ? now : kept)));
  }, [draft]);
  const setFiles = (next: File[]) => {
    setFilesNow(next);
    let key = actions.getDraft(draft);
    if (!key && next.length) actions.setDraft(draft, (key = randomId('ev_')));
    if (key) void saveEvidence(key, next);
    if (!next.length) actions.setDraft(draft, null);
  };
  return [files, setFiles, () => setFiles([])];
}
