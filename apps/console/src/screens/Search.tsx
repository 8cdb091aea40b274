import './SearchTexts.tsx';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useConsole, type InsightRoute } from '../context.ts';
import { fmtDateTime } from '../ui/format.ts';
import { getJson } from './SearchTexts.tsx';

interface Row {
  id: string;
  requesterName: string | null;
  requesterEmail: string | null;
  realmId: string | null;
  status: string;
  priority: string | null;
  language: string;
  queue: string;
  team: string | null;
  requestType: string;
  updatedAt: string;
}
type Filters = { status: string; priority: string; language: string; queue: string; from: string; to: string };
const NONE: Filters = { status: '', priority: '', language: '', queue: '', from: '', to: '' };

/** Search conversations: words (accents folded), requester, realm or ID, with filters; only what this agent may open (R7). */
export function Search({ route }: { route: InsightRoute }) {
  const { t, locale, navigate } = useConsole();
  const initial = route.view === 'search' ? route.q : '';
  const [q, setQ] = useState(initial);
  const [f, setF] = useState<Filters>(NONE);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  async function run(query: string, filters: Filters, cursor: string | null) {
    const p = new URLSearchParams({ q: query, limit: '25' });
    for (const [k, v] of Object.entries(filters)) if (v) p.set(k, v);
    if (cursor) p.set('cursor', cursor);
    setBusy(true);
    const r = await getJson<{ results: Row[]; nextCursor: string | null }>(`/api/agent/search?${p}`);
    setBusy(false);
    if (!r.ok) {
      setError(t('search.error', { detail: r.detail }));
      return;
    }
    setError(null);
    setRows((cur) => (cursor && cur ? [...cur, ...r.body.results] : r.body.results));
    setNext(r.body.nextCursor);
  }
  useEffect(() => {
    setQ(initial);
    if (initial) void run(initial, f, null);
  }, [initial]);

  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const select = (k: keyof Filters, label: string, options: Array<[string, string]>) => (
    <label class="field">
      {label}
      <select value={f[k]} onChange={set(k)}>
        <option value="">{t('search.any')}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <main class="insight" id="main" aria-labelledby="search-title">
      <h2 id="search-title" ref={heading}>
        {t('search.title')}
      </h2>
      <form
        class="insight-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void run(q.trim(), f, null);
        }}
      >
        <label class="field field--wide">
          {t('search.query')}
          <input id="search-q" type="search" value={q} maxLength={200} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        {select('status', t('search.status'), ['queued', 'assigned', 'resolved', 'closed', 'intake'].map((s) => [s, t(`status.${s}`)]))}
        {select('priority', t('search.priority'), ['P1', 'P2', 'P3', 'P4'].map((p) => [p, `${p} · ${t(`priority.${p}.name`)}`]))}
        {select('language', t('search.language'), ['pt', 'en', 'es'].map((l) => [l, t(`insights.lang.${l}`)]))}
        {select('queue', t('search.queue'), ['support', 'project', 'leads'].map((x) => [x, t(`insights.queue.${x}`)]))}
        <label class="field">
          {t('search.from')}
          <input type="date" value={f.from} onInput={set('from')} />
        </label>
        <label class="field">
          {t('search.to')}
          <input type="date" value={f.to} onInput={set('to')} />
        </label>
        <button type="submit" class="btn btn--primary" disabled={busy}>
          {t('search.submit')}
        </button>
      </form>
      <p class="muted small">{t('search.hint')}</p>
      {error ? (
        <p role="alert" class="notice-inline">
          {error}
        </p>
      ) : null}
      <p role="status" class="muted">
        {rows ? (rows.length ? t('search.results', { count: rows.length }) : t('search.none')) : ''}
      </p>
      {rows?.length ? (
        <ul class="insight-results">
          {rows.map((c) => (
            <li key={c.id} class="insight-result" data-conversation-id={c.id}>
              <a
                href={`#/inbox/${encodeURIComponent(c.id)}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate({ view: 'inbox', conversationId: c.id });
                }}
              >
                <span class="id">{c.id}</span>
                <span class="who">{c.requesterName ?? c.requesterEmail ?? t('search.requester.unknown')}</span>
                {c.realmId ? <span class="tag">{c.realmId}</span> : null}
                <span class="tag">{t(`status.${c.status}`)}</span>
                {c.priority ? <span class={`badge badge--${c.priority.toLowerCase()}`}>{c.priority}</span> : null}
                <span class="tag">{t(`insights.lang.${c.language}`)}</span>
                <span class="muted small">{t(`requestType.${c.requestType}`)}</span>
                <span class="muted small">{fmtDateTime(locale, c.updatedAt)}</span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {next ? (
        <button type="button" class="btn" disabled={busy} onClick={() => void run(q.trim(), f, next)}>
          {t('search.more')}
        </button>
      ) : null}
    </main>
  );
}
