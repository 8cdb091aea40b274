import './texts.ts';
import type { Locale } from '@ajuda/i18n';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { makeT } from '../i18n.ts';
import { call } from '../screens/admin/api.ts';
import type { ArticleSummary } from './texts.ts';

/**
 * What goes into the reply for an article, in the conversation's language: a public article's
 * public page (`/help/<lang>/<slug>`, which anyone can open); an article for signed-in customers or
 * contracts has no page a link could open for the requester (it is read in the widget, as them), so
 * it is named, with where to find it.
 *
 * @example insertion('pt', { audience: 'public', title: 'Horário', url: 'https://x/help/pt/horario' }) // "Horário — https://x/help/pt/horario"
 */
export function insertion(language: Locale, a: Pick<ArticleSummary, 'audience' | 'title' | 'url'>): string {
  const t = makeT(language);
  return a.audience === 'public' ? t('articles.insert.public', { title: a.title, url: a.url }) : t('articles.insert.private', { title: a.title });
}

/** `text` put in place of the selection [start, end) of `value`, and where the caret goes after it. */
export function insertAt(value: string, start: number, end: number, text: string): { value: string; caret: number } {
  const before = value.slice(0, start);
  const after = value.slice(end);
  const pre = before && !/\s$/.test(before) ? ' ' : '';
  const post = after && !/^\s/.test(after) ? ' ' : '';
  const v = `${before}${pre}${text}${post}${after}`;
  return { value: v, caret: before.length + pre.length + text.length + post.length };
}

/**
 * The article picker (a modal dialog): a combobox searching the published articles, the
 * conversation's language first; ↑/↓ choose, Enter (or a click) inserts the article into the reply
 * at the caret, Escape closes; focus returns to the reply.
 */
export function ArticlePicker(p: { language: Locale; area: { current: HTMLTextAreaElement | null }; setValue(v: string): void; onClose(): void }) {
  const { t } = useConsole();
  const ref = useRef<HTMLDialogElement>(null);
  const [q, setQ] = useState('');
  const [items, setItems] = useState<ArticleSummary[] | null>(null);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  // Where the caret was in the reply when the picker opened.
  const sel = useRef({ start: p.area.current?.selectionStart ?? 0, end: p.area.current?.selectionEnd ?? 0 });
  const close = () => {
    ref.current?.close();
  };
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    const done = () => {
      p.onClose();
      p.area.current?.focus();
    };
    d?.addEventListener('close', done);
    return () => d?.removeEventListener('close', done);
  }, []);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(async () => {
      const qs = new URLSearchParams({ status: 'published', ...(q.trim() ? { q: q.trim() } : {}) });
      const r = await call<{ articles: ArticleSummary[] }>('GET', `/api/agent/articles?${qs}`);
      if (!live) return;
      if (!r.ok) return setError(t('picker.error', { code: r.code }));
      setError(null);
      // The conversation's language first, each group in the server's order (best match first).
      const list = r.body.articles;
      setItems([...list.filter((a) => a.language === p.language), ...list.filter((a) => a.language !== p.language)]);
      setActive(0);
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q]);
  const pick = (a: ArticleSummary) => {
    const area = p.area.current;
    const cur = area?.value ?? '';
    const { value, caret } = insertAt(cur, Math.min(sel.current.start, cur.length), Math.min(sel.current.end, cur.length), insertion(p.language, a));
    p.setValue(value);
    close();
    // After the reply re-renders with the new text, the caret sits after the link.
    setTimeout(() => {
      area?.focus();
      area?.setSelectionRange(caret, caret);
    });
  };
  const list = items ?? [];
  const optId = (i: number) => `picker-opt-${i}`;
  return (
    <dialog ref={ref} class="picker-dialog" aria-labelledby="picker-h">
      <h2 id="picker-h">{t('picker.title')}</h2>
      <label for="picker-q">{t('picker.search')}</label>
      <input
        id="picker-q"
        type="search"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={list.length > 0}
        aria-controls="picker-list"
        aria-activedescendant={list.length ? optId(active) : undefined}
        aria-describedby="picker-hint"
        value={q}
        maxLength={300}
        onInput={(e) => setQ(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            if (list.length) setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length);
          } else if (e.key === 'Enter') {
            e.preventDefault();
            if (list[active]) pick(list[active]);
          }
        }}
      />
      <p id="picker-hint" class="muted small">
        {t('picker.hint', { language: t(`articles.lang.${p.language}`) })}
      </p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <ul id="picker-list" role="listbox" class="picker-list" aria-label={t('picker.results')} hidden={!list.length}>
        {list.map((a, i) => (
          <li
            key={a.id}
            id={optId(i)}
            role="option"
            aria-selected={i === active}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(a)}
            ref={(el) => {
              if (i === active) el?.scrollIntoView?.({ block: 'nearest' });
            }}
          >
            <span>{a.title}</span>
            <span class="muted small">
              {a.language.toUpperCase()} · {a.slug}
              {a.audience === 'public' ? '' : ` · ${t('picker.private')}`}
            </span>
          </li>
        ))}
      </ul>
      <p class="muted small" role="status">
        {items && !list.length ? t('picker.none') : ''}
      </p>
      <div class="row-actions">
        <button type="button" class="btn" onClick={close}>
          {t('picker.close')}
        </button>
      </div>
    </dialog>
  );
}
