import en from '@ajuda/i18n/console/insights-en';
import es from '@ajuda/i18n/console/insights-es';
import pt from '@ajuda/i18n/console/insights-pt';
import { addTexts } from '../i18n.ts';
import './Reports.css';

// The texts and styles of Search, Reports and Team travel in their lazy chunks: each screen imports this module.
addTexts({ pt, en, es });

export type Result<T> = { ok: true; body: T } | { ok: false; detail: string };

/** A GET on the console's own routes (same origin, the session cookie); a problem's detail on refusal. */
export async function getJson<T>(path: string): Promise<Result<T>> {
  try {
    const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => null)) as (T & { detail?: string; code?: string }) | null;
    if (res.ok && body) return { ok: true, body };
    return { ok: false, detail: body?.detail ?? body?.code ?? String(res.status) };
  } catch {
    return { ok: false, detail: 'network' };
  }
}
