import { useEffect } from 'preact/hooks';
import type { Locale } from '@ajuda/protocol';
import { useApp } from './context.ts';
import { errorText, lazyScreen } from './common.tsx';
import { Home } from './Home.tsx';

// Everything past the first screen is its own chunk (first screen ≤ 20 KB gzip).
const IntakeScreen = lazyScreen(() => import('./IntakeForm.tsx').then((m) => m.IntakeScreen));
const ConversationScreen = lazyScreen(() => import('./Conversation.tsx').then((m) => m.ConversationScreen));
const EscalateScreen = lazyScreen(() => import('./Conversation.tsx').then((m) => m.EscalateScreen));
const GrantsScreen = lazyScreen(() => import('./Grants.tsx').then((m) => m.GrantsScreen));

const LANGS: readonly Locale[] = ['pt', 'en', 'es'];

/** The panel: header, banners, the current screen, and the live region. */
export function App() {
  const { state, actions, t } = useApp();
  const { view } = state;

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
          <button type="button" class="icon-btn" onClick={() => actions.go(view.name === 'escalate' ? { name: 'conversation', id: view.id } : { name: 'home' })}>
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
      {state.status !== 'online' && (
        <div class={`banner ${state.status === 'offline' ? 'banner-warn' : ''}`} role="status">
          {state.status === 'offline' ? t('status.offline') : t('status.connecting')}
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
      <main class="content">
        {view.name === 'home' && <Home />}
        {view.name === 'intake' && <IntakeScreen requestType={view.requestType} {...(view.conversationId ? { conversationId: view.conversationId } : {})} />}
        {view.name === 'conversation' && <ConversationScreen id={view.id} />}
        {view.name === 'escalate' && <EscalateScreen id={view.id} />}
        {view.name === 'grants' && <GrantsScreen />}
      </main>
      <div class="sr-only" aria-live="polite" aria-atomic="true">
        {state.announcement && t('conversation.announce', { text: state.announcement })}
      </div>
    </div>
  );
}
