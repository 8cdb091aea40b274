import type { Locale, Translate } from '@ajuda/i18n';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { call, type Canned } from './api.ts';
import './shortcuts.css';

/** The canned replies, read once per page load (every signed-in agent may read them). */
let cache: Promise<Canned[]> | null = null;
export function loadCanned(): Promise<Canned[]> {
  cache ??= call<{ canned: Canned[] }>('GET', '/api/agent/canned').then((r) => {
    if (r.ok) return r.body.canned;
    cache = null; // try again next time
    return [];
  });
  return cache;
}
/** Forget the cached list (an administrator changed it, or a test). */
export function forgetCanned(): void {
  cache = null;
}

/** The `/query` being typed at the caret: `/` at the start of the text or after a space, then shortcut characters. */
export function shortcutAt(value: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)\/([a-z0-9_-]{0,32})$/i.exec(value.slice(0, caret));
  return m ? { start: caret - m[2]!.length - 1, query: m[2]!.toLowerCase() } : null;
}

/** Canned replies of the conversation's language for a query: shortcuts starting with it first, then titles containing it. */
export function matchCanned(list: readonly Canned[], language: Locale, query: string, max = 8): Canned[] {
  const own = list.filter((c) => c.language === language);
  const starts = own.filter((c) => c.shortcut.startsWith(query));
  const q = query.toLowerCase();
  const titled = q ? own.filter((c) => !c.shortcut.startsWith(query) && c.title.toLowerCase().includes(q)) : [];
  return [...starts, ...titled].slice(0, max);
}

/**
 * `/shortcut` in a composer: typing `/` and a shortcut lists the canned replies of the conversation's
 * language; ↑/↓ move, Enter or Tab insert the reply's text in place of `/shortcut`, Escape closes.
 * Returns the textarea's extra props (ARIA listbox wiring, keys, caret tracking) and the list.
 */
export function useShortcuts(o: { id: string; t: Translate; language: Locale; value: string; setValue(v: string): void; textarea: { current: HTMLTextAreaElement | null } }) {
  const [canned, setCanned] = useState<Canned[]>([]);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [closedAt, setClosedAt] = useState<string | null>(null);
  const pendingCaret = useRef<number | null>(null);

  const at = shortcutAt(o.value, caret);
  const key = at ? `${at.start}:${at.query}` : null;
  const open = !!at && key !== closedAt;
  useEffect(() => {
    if (open) void loadCanned().then(setCanned);
  }, [open]);
  const items = useMemo(() => (open && at ? matchCanned(canned, o.language, at.query) : []), [open, at?.query, canned, o.language]);
  useEffect(() => setActive(0), [key]);

  useLayoutEffect(() => {
    const el = o.textarea.current;
    if (el && pendingCaret.current !== null) {
      el.setSelectionRange(pendingCaret.current, pendingCaret.current);
      setCaret(pendingCaret.current);
      pendingCaret.current = null;
    }
  }, [o.value]);

  const insert = (c: Canned) => {
    if (!at) return;
    const before = o.value.slice(0, at.start);
    const after = o.value.slice(caret);
    pendingCaret.current = before.length + c.body.length;
    o.setValue(before + c.body + after);
  };
  const track = (e: { currentTarget: HTMLTextAreaElement }) => setCaret(e.currentTarget.selectionStart ?? e.currentTarget.value.length);
  const listId = `${o.id}-shortcuts`;
  const optionId = (i: number) => `${listId}-${i}`;

  const textareaProps = {
    'aria-autocomplete': 'list' as const,
    'aria-controls': open && items.length ? listId : undefined,
    'aria-activedescendant': open && items.length ? optionId(Math.min(active, items.length - 1)) : undefined,
    'aria-describedby': `${o.id}-shortcut-hint`,
    onKeyUp: track,
    onClick: track,
    onSelect: track,
  };

  /** Keys for the list; true when the key was used (the composer must not act on it: Enter inserts, not sends). */
  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!open || !items.length) {
      if (open && e.key === 'Escape' && key) {
        setClosedAt(key);
        return true;
      }
      return false;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = items.length;
      setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % n : (a - 1 + n) % n));
      return true;
    }
    if ((e.key === 'Enter' && !e.shiftKey && !e.isComposing) || e.key === 'Tab') {
      e.preventDefault();
      insert(items[Math.min(active, items.length - 1)]!);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      setClosedAt(key);
      return true;
    }
    return false;
  };

  const list = (
    <>
      <span id={`${o.id}-shortcut-hint`} class="visually-hidden">
        {o.t('shortcut.hint')}
      </span>
      {open && at ? (
        items.length ? (
          <div class="shortcut-pop">
            <ul id={listId} role="listbox" class="shortcut-list" aria-label={o.t('shortcut.list', { query: at.query })}>
              {items.map((c, i) => (
                <li
                  key={c.id}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === Math.min(active, items.length - 1)}
                  class={i === Math.min(active, items.length - 1) ? 'shortcut-item shortcut-item--on' : 'shortcut-item'}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    insert(c);
                  }}
                >
                  <code>/{c.shortcut}</code> <span class="strong">{c.title}</span>
                  <span class="shortcut-body small muted">{c.body}</span>
                </li>
              ))}
            </ul>
            <p class="small muted shortcut-help" aria-hidden="true">
              {o.t('shortcut.help')}
            </p>
          </div>
        ) : at.query ? (
          <p class="small muted shortcut-none" role="status">
            {o.t('shortcut.none', { query: at.query })}
          </p>
        ) : null
      ) : null}
    </>
  );
  return { textareaProps, onKeyDown, track, list, open: open && items.length > 0 };
}
