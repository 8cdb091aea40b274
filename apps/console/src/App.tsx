import type { Locale } from '@ajuda/i18n';
import type { AgentView } from '@ajuda/protocol';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { AgentApi } from './api.ts';
import { createTicker, type Ticker } from './clock.ts';
import type { SocketFactory } from './connection.ts';
import { forgetDrafts } from './drafts.ts';
import { lazyPart } from './ui/lazy.tsx';
import { initialLocale, LOCALE_STORAGE_KEY, makeT } from './i18n.ts';
import { SignIn } from './screens/SignIn.tsx';
import { Shell } from './Shell.tsx';
import type { Store } from './store.ts';

export interface AppProps {
  api: AgentApi;
  socketUrl: string;
  socketFactory?: SocketFactory;
  ticker?: Ticker;
  /** Only the interface language preference is stored; never a session token. */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  browserLanguages?: readonly string[];
  storeRef?: (s: Store) => void;
}

/** The set-password page is a lazy chunk: only a person opening such a link ever fetches it. */
const SetPassword = lazyPart(() => import('./screens/admin/SetPassword.tsx').then((m) => m.SetPassword));

/** The token of a set-password link (`#/set-password/<token>`), or null. It never leaves the fragment but to the page's two POSTs. */
export function setPasswordToken(hash: string): string | null {
  const m = /^#\/set-password\/([A-Za-z0-9_-]{8,200})$/.exec(hash);
  return m ? m[1]! : null;
}

type Phase = { kind: 'checking' } | { kind: 'signed_out'; ended: string | null } | { kind: 'signed_in'; agent: AgentView };

/**
 * The console root: checks the cookie session (`GET /api/agent/me`), then shows sign-in or
 * the workspace.
 *
 * @example render(<App api={createApi()} socketUrl={agentSocketUrl(location)} />, el)
 */
export function App(props: AppProps) {
  const ticker = useMemo(() => props.ticker ?? createTicker(), [props.ticker]);
  const storage = props.storage ?? null;
  const browser = props.browserLanguages ?? (typeof navigator === 'undefined' ? [] : navigator.languages);
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });
  // A one-time set-password link (`#/set-password/<token>`): shown whoever is signed in on this browser.
  const [pwToken, setPwToken] = useState(() => (typeof location === 'undefined' ? null : setPasswordToken(location.hash)));
  useEffect(() => {
    // A link opened in a tab where the console already runs changes only the fragment.
    const onHash = () => {
      const token = setPasswordToken(location.hash);
      if (token) setPwToken(token);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const [chosen, setChosen] = useState<string | null>(() => safeGet(storage));
  // The last signed-in agent's languages keep the sign-in screen in their language after sign-out.
  const [lastAgentLangs, setLastAgentLangs] = useState<readonly string[] | undefined>(undefined);
  const agentLangs = phase.kind === 'signed_in' ? phase.agent.languages : lastAgentLangs;
  useEffect(() => {
    if (phase.kind === 'signed_in') setLastAgentLangs(phase.agent.languages);
  }, [phase]);
  const locale = initialLocale(chosen, agentLangs, browser);
  const t = useMemo(() => makeT(locale), [locale]);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  useEffect(() => {
    let live = true;
    props.api.me().then(
      (agent) => live && setPhase(agent ? { kind: 'signed_in', agent } : { kind: 'signed_out', ended: null }),
      () => live && setPhase({ kind: 'signed_out', ended: null }),
    );
    return () => {
      live = false;
    };
  }, [props.api]);

  const setLocale = useCallback(
    (l: Locale) => {
      setChosen(l);
      try {
        storage?.setItem(LOCALE_STORAGE_KEY, l);
      } catch {
        /* storage may be unavailable (private mode): the choice lasts for this page */
      }
    },
    [storage],
  );

  const signOut = useCallback(async () => {
    await props.api.logout();
    if (phase.kind === 'signed_in') forgetDrafts(phase.agent.id);
    setPhase({ kind: 'signed_out', ended: null });
  }, [props.api, phase]);
  const ended = useCallback((reason: string) => setPhase({ kind: 'signed_out', ended: knownEnd(reason) }), []);

  if (pwToken) {
    const done = () => {
      history.replaceState(null, '', location.pathname + location.search);
      setPwToken(null);
      setPhase({ kind: 'signed_out', ended: null });
    };
    return <SetPassword token={pwToken} t={t} locale={locale} setLocale={setLocale} onDone={done} />;
  }
  if (phase.kind === 'checking') {
    return (
      <main class="signin" id="main" aria-busy="true">
        <p class="muted" role="status">
          {t('app.loading')}
        </p>
      </main>
    );
  }
  if (phase.kind === 'signed_out') {
    return <SignIn api={props.api} t={t} locale={locale} setLocale={setLocale} endedReason={phase.ended} onSignedIn={(agent) => setPhase({ kind: 'signed_in', agent })} />;
  }
  return (
    <Shell
      me={phase.agent}
      t={t}
      locale={locale}
      setLocale={setLocale}
      ticker={ticker}
      socketUrl={props.socketUrl}
      {...(props.socketFactory ? { socketFactory: props.socketFactory } : {})}
      {...(props.storeRef ? { storeRef: props.storeRef } : {})}
      onSignOut={signOut}
      onSessionEnded={ended}
    />
  );
}

function knownEnd(reason: string): string {
  return ['logout', 'disabled', 'token_expired', 'shutdown', 'signed_out', 'ended'].includes(reason) ? reason : 'ended';
}

function safeGet(storage: Pick<Storage, 'getItem'> | null): string | null {
  try {
    return storage?.getItem(LOCALE_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
