import type { Locale, Translate } from '@ajuda/i18n';
import type { AgentView } from '@ajuda/protocol';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Ticker } from './clock.ts';
import { AgentConnection, type ConnectionStatus, type SocketFactory } from './connection.ts';
import { Ctx, parseRoute, routeHash, useConsole, type AdminTab, type ConsoleContext, type Route } from './context.ts';
import { ConversationView } from './screens/Conversation.tsx';
import { Inbox } from './screens/Inbox.tsx';
import { adminTabs } from './screens/admin/tabs.ts';
import { LocaleSwitcher } from './screens/LocaleSwitcher.tsx';
import { InsightLinks, InsightScreen, SearchBox } from './screens/SearchBox.tsx';
import { initialState, Store, useStore } from './store.ts';
import { keepOpenInSync } from './sync.ts';
import { AlertsControl } from './alerts/AlertsControl.tsx';
import { setUnread } from './alerts/badge.ts';
import { lazyPart } from './ui/lazy.tsx';

export interface ShellProps {
  me: AgentView;
  t: Translate;
  locale: Locale;
  setLocale(l: Locale): void;
  ticker: Ticker;
  socketUrl: string;
  socketFactory?: SocketFactory;
  onSignOut(): void;
  /** The server ended the session (logout elsewhere, disabled, expired). */
  onSessionEnded(reason: string): void;
  /** Exposed for tests and the e2e harness. */
  storeRef?: (s: Store) => void;
  /** Is the server healthy? Asked while reconnecting; defaults to `GET /healthz` on the socket's host. */
  probe?: () => Promise<boolean>;
}

/** `GET /healthz` on the server the socket talks to; any failure counts as "not yet". */
export function healthProbe(socketUrl: string): () => Promise<boolean> {
  const url = new URL('/healthz', socketUrl.replace(/^ws/, 'http')).href;
  return () =>
    typeof fetch === 'function'
      ? fetch(url, { cache: 'no-store', credentials: 'omit' }).then((r) => r.ok, () => false)
      : Promise.resolve(false);
}

/** The signed-in console: header, inbox + conversation, leads' view; owns the socket. */
export function Shell(props: ShellProps) {
  const { me, t, locale, setLocale, ticker } = props;
  const store = useMemo(() => new Store(initialState(me)), [me.id]);
  const endedRef = useRef(props.onSessionEnded);
  endedRef.current = props.onSessionEnded;
  const conn = useMemo(
    () =>
      new AgentConnection({
        url: props.socketUrl,
        ...(props.socketFactory ? { factory: props.socketFactory } : {}),
        locale,
        probe: props.probe ?? healthProbe(props.socketUrl),
        onFrame: (frame) => store.dispatch({ type: 'frame', frame }),
        onStatus: (status: ConnectionStatus, detail?: string) => {
          store.dispatch({ type: 'status', status });
          if (status === 'ready') conn.send({ type: 'inbox.get' });
          if (status === 'signed_out' || status === 'ended') endedRef.current(detail ?? status);
        },
      }),
    // One connection per signed-in agent; a locale change does not reconnect.
    [store, props.socketUrl, props.socketFactory],
  );
  useEffect(() => {
    props.storeRef?.(store);
    const stopSync = keepOpenInSync(store, conn);
    conn.start();
    // Back online or back in front of the person: try at once rather than wait out the backoff.
    const retry = () => conn.retryNow();
    const onVisible = () => document.visibilityState === 'visible' && conn.retryNow();
    window.addEventListener('online', retry);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('online', retry);
      document.removeEventListener('visibilitychange', onVisible);
      stopSync();
      conn.stop();
    };
  }, [conn, store]);

  const [route, setRoute] = useState<Route>(() => parseRoute(typeof location === 'undefined' ? '' : location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const navigate = useCallback((r: Route) => {
    const h = routeHash(r);
    if (location.hash !== h) history.pushState(null, '', h);
    setRoute(r);
  }, []);

  const ctx = useMemo<ConsoleContext>(
    () => ({ locale, t, setLocale, ticker, store, conn, me, navigate }),
    [locale, t, setLocale, ticker, store, conn, me, navigate],
  );

  return (
    <Ctx.Provider value={ctx}>
      <Header route={route} onSignOut={props.onSignOut} />
      {route.view === 'leads' ? (
        <LazyLeads />
      ) : route.view === 'search' || route.view === 'reports' || route.view === 'team' || route.view === 'articles' ? (
        <InsightScreen route={route} />
      ) : route.view === 'admin' ? (
        adminTabs(me.role).length ? <LazyAdmin tab={route.tab} /> : <main class="workspace" id="main"><Inbox selectedId={null} /></main>
      ) : (
        <main class="workspace" id="main">
          <Inbox selectedId={route.conversationId} />
          {route.conversationId ? (
            <ConversationView key={route.conversationId} id={route.conversationId} />
          ) : (
            <section class="conv conv--empty">
              <p class="muted">{t('conv.pick')}</p>
            </section>
          )}
        </main>
      )}
    </Ctx.Provider>
  );
}

/** A screen's place while its chunk is fetched the first time it is opened. */
function Loading({ cls, textKey }: { cls: string; textKey: string }) {
  const { t } = useConsole();
  return (
    <main class={cls} id="main">
      <p class="muted" role="status">
        {t(textKey)}
      </p>
    </main>
  );
}
/** The leads' view: most agents never open it. */
const LazyLeads = lazyPart(
  () => import('./screens/Leads.tsx').then((m) => m.Leads),
  () => <Loading cls="leads" textKey="app.loading" />,
);
/** The Admin area: only admins and leads ever load it. */
const LazyAdmin = lazyPart(
  () => import('./screens/admin/Admin.tsx').then((m) => m.Admin),
  () => <Loading cls="admin" textKey="admin.loading" />,
);

function Header({ route, onSignOut }: { route: Route; onSignOut(): void }) {
  const { t, locale, setLocale, store, conn, me, navigate } = useConsole();
  const status = useStore(store, (s) => s.status);
  const notice = useStore(store, (s) => s.notice);
  const conversations = useStore(store, (s) => s.conversations);
  const [available, setAvailable] = useState(me.available);
  const unread = useMemo(() => Object.values(conversations).reduce((n, c) => n + c.unread, 0), [conversations]);
  useEffect(() => {
    setUnread(unread, t('app.title'));
  }, [unread, t]);

  const skip = (e: Event) => {
    e.preventDefault();
    const main = document.getElementById('main');
    main?.setAttribute('tabindex', '-1');
    main?.focus();
  };
  return (
    <header class="topbar">
      <a href="#main" class="skip" onClick={skip}>
        {t('app.skip')}
      </a>
      <span class="brand">
        <span class="brand-mark" aria-hidden="true">?</span> {t('app.name')}
      </span>
      <nav aria-label={t('nav.label')}>
        <a
          href="#/inbox"
          class={route.view === 'inbox' ? 'nav nav--on' : 'nav'}
          aria-current={route.view === 'inbox' ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate({ view: 'inbox', conversationId: null });
          }}
        >
          {t('nav.inbox')}
          {unread > 0 ? <span class="unread">{unread}</span> : null}
        </a>
        {me.role === 'lead' ? (
          <a
            href="#/leads"
            class={route.view === 'leads' ? 'nav nav--on' : 'nav'}
            aria-current={route.view === 'leads' ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate({ view: 'leads' });
            }}
          >
            {t('nav.leads')}
          </a>
        ) : null}
        <InsightLinks route={route} />
        {adminTabs(me.role).length ? (
          <a
            href="#/admin/agents"
            class={route.view === 'admin' ? 'nav nav--on' : 'nav'}
            aria-current={route.view === 'admin' ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate({ view: 'admin', tab: 'agents' });
            }}
          >
            {t('nav.admin')}
          </a>
        ) : null}
      </nav>
      <SearchBox route={route} />
      <span class={`conn conn--${status}`} role="status">
        {t(`conn.${status}`)}
      </span>
      {status === 'reconnecting' ? (
        <button type="button" class="btn btn--small" onClick={() => conn.retryNow()}>
          {t('conn.retryNow')}
        </button>
      ) : null}
      {notice ? (
        <span class="notice-inline" role="alert">
          {t(notice.i18nKey) === notice.i18nKey ? t('error.generic', { code: notice.code }) : t(notice.i18nKey)}{' '}
          <button type="button" class="btn btn--small" onClick={() => store.dispatch({ type: 'notice.clear' })}>
            {t('common.dismiss')}
          </button>
        </span>
      ) : null}
      <span class="spacer" />
      <label class="toggle">
        <input
          type="checkbox"
          checked={available}
          onChange={(e) => {
            const v = e.currentTarget.checked;
            setAvailable(v);
            conn.send({ type: 'agent.availability', available: v });
          }}
        />
        {t('agent.available')}
      </label>
      <span class="me">
        {me.name} <span class="muted small">· {t(`role.${me.role}`)}</span>
      </span>
      <AlertsControl />
      <LocaleSwitcher t={t} locale={locale} setLocale={setLocale} />
      <button type="button" class="btn btn--small" onClick={onSignOut}>
        {t('signout')}
      </button>
    </header>
  );
}
