import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { Locale, RequestType } from '@ajuda/protocol';
import { useApp } from './context.ts';
import { errorText, lazyScreen, useNetworkOnline } from './common.tsx';
import { Home } from './Home.tsx';
import { conversationList, type AppState, type View } from '../state.ts';

// Everything past the first screen is its own chunk (first screen ≤ 20 KB gzip).
const IntakeScreen = lazyScreen(() => import('./IntakeForm.tsx').then((m) => m.IntakeScreen));
const ConversationScreen = lazyScreen(() => import('./Conversation.tsx').then((m) => m.ConversationScreen));
const EscalateScreen = lazyScreen(() => import('./Conversation.tsx').then((m) => m.EscalateScreen));
const GrantsScreen = lazyScreen(() => import('./Grants.tsx').then((m) => m.GrantsScreen));
const ArticleScreen = lazyScreen(() => import('./Help.tsx').then((m) => m.ArticleScreen));

const LANGS: readonly Locale[] = ['pt', 'en', 'es'];
const ONGOING = new Set(['intake', 'queued', 'assigned']);
const VIEW_DRAFT = 'view';

/** The screen to keep across a reload (conversation or unfinished intake form), as stored text; null for the others. */
export function viewDraft(v: View): string | null {
  if (v.name === 'conversation') return JSON.stringify({ name: v.name, id: v.id });
  if (v.name === 'intake') return JSON.stringify({ name: v.name, requestType: v.requestType, ...(v.conversationId ? { conversationId: v.conversationId } : {}) });
  return null;
}

/**
 * Where a reload lands (as Intercom does: back in the open conversation). The screen the person was on,
 * if it still exists for them; if it no longer does, their newest ongoing conversation. Nothing saved (they
 * were on home, or this browser never opened the widget) lands on home (null), which lists ongoing
 * conversations first: the panel does not jump away from the screen the person is already reading.
 */
export function resumeView(saved: string | null, s: Pick<AppState, 'conversations' | 'requestTypes'>): View | null {
  if (!saved) return null;
  let v: unknown = null;
  try {
    v = saved ? JSON.parse(saved) : null;
  } catch {
    v = null;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.name === 'conversation' && typeof o.id === 'string' && s.conversations[o.id]) return { name: 'conversation', id: o.id };
    if (o.name === 'intake' && typeof o.requestType === 'string' && (s.requestTypes as string[]).includes(o.requestType)) {
      const cid = typeof o.conversationId === 'string' && s.conversations[o.conversationId]?.status === 'intake' ? o.conversationId : undefined;
      return { name: 'intake', requestType: o.requestType as RequestType, ...(cid ? { conversationId: cid } : {}) };
    }
  }
  const ongoing = conversationList({ conversations: s.conversations } as AppState).find((c) => ONGOING.has(c.status));
  return ongoing ? { name: 'conversation', id: ongoing.id } : null;
}

/** The panel: header, banners, the current screen, and the live region. */
export function App() {
  const { state, actions, t } = useApp();
  const { view } = state;
  const networkOnline = useNetworkOnline();
  const wasOnline = useRef(false);
  if (state.status === 'online') wasOnline.current = true;
  // Read once, before the first screen overwrites it.
  const saved = useRef<string | null | undefined>(undefined);
  if (saved.current === undefined) saved.current = actions.getDraft(VIEW_DRAFT);
  const resumed = useRef(false);

  useEffect(() => {
    // After a reload, once the conversations are known: back where the person was (11).
    if (resumed.current || !state.listLoaded || !state.principal) return;
    resumed.current = true;
    if (state.view.name !== 'home') return;
    const next = resumeView(saved.current ?? null, state);
    if (next) actions.go(next);
  }, [state.listLoaded, state.principal]);

  useEffect(() => {
    if (resumed.current) actions.setDraft(VIEW_DRAFT, viewDraft(view));
  }, [view]);

  // Every screen starts at its top (the previous screen's scroll position means nothing here).
  const main = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    if (main.current) main.current.scrollTop = 0;
  }, [view]);

  useEffect(() => {
    // Focus into the panel when the host opens it.
    if (state.visible) (document.querySelector('[data-screen-title]') as HTMLElement | null)?.focus({ preventScroll: true });
  }, [state.visible]);

  useEffect(() => {
    document.documentElement.lang = state.locale;
  }, [state.locale]);

  useEffect(() => {
    // Escape closes the panel (the host moves focus back to its launcher).
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) actions.close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [actions]);

  return (
    <div class="panel">
      <header class="bar">
        {view.name !== 'home' && (
          <button type="button" class="icon-btn" onClick={() => actions.go(view.name === 'escalate' ? { name: 'conversation', id: view.id } : view.name === 'article' ? (view.back ?? { name: 'home' }) : { name: 'home' })}>
            <span aria-hidden="true">‹</span>
            <span class="sr-only">{t('common.back')}</span>
          </button>
        )}
        <h1 class="bar-title">{t('app.title')}</h1>
        <label class="lang">
          <span class="sr-only">{t('language.label')}</span>
          <select value={state.locale} onChange={(e) => actions.setLocale((e.currentTarget as HTMLSelectElement).value as Locale)}>
            {LANGS.map((l) => (
              <option key={l} value={l} lang={l}>
                {t(`language.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="icon-btn" onClick={() => actions.close()}>
          <span aria-hidden="true">×</span>
          <span class="sr-only">{t('common.close')}</span>
        </button>
      </header>
      {(!networkOnline || state.status !== 'online') && (
        <div class={`banner ${!networkOnline || state.status === 'offline' ? 'banner-warn' : ''}`} role="status" data-connection={networkOnline ? state.status : 'offline'}>
          {!networkOnline || state.status === 'offline' ? t('status.offline') : wasOnline.current ? t('status.reconnecting') : t('status.connecting')}
        </div>
      )}
      {state.notice && (
        <div class="banner banner-error" role="alert">
          <span>{errorText(t, state.notice)}</span>
          <button type="button" class="link-btn" onClick={() => actions.dismissNotice()}>
            {t('common.dismiss')}
          </button>
        </div>
      )}
      <main ref={main} class={`content${view.name === 'conversation' ? ' content-conv' : ''}`}>
        {view.name === 'home' && <Home />}
        {view.name === 'intake' && <IntakeScreen requestType={view.requestType} {...(view.conversationId ? { conversationId: view.conversationId } : {})} />}
        {view.name === 'conversation' && <ConversationScreen id={view.id} />}
        {view.name === 'escalate' && <EscalateScreen id={view.id} />}
        {view.name === 'grants' && <GrantsScreen />}
        {view.name === 'article' && <ArticleScreen key={view.slug} view={view} />}
      </main>
      <div class="sr-only" aria-live="polite" aria-atomic="true">
        {state.announcement && t('conversation.announce', { text: state.announcement })}
      </div>
    </div>
  );
}
