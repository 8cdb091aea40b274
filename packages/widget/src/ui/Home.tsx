import { useEffect, useState } from 'preact/hooks';
import { useApp } from './context.ts';
import { ScreenTitle, timeText } from './common.tsx';
import { conversationList } from '../state.ts';

const ONGOING = new Set(['intake', 'queued', 'assigned']);

// The help centre (results, popular articles and their texts) is its own chunk: fetched a moment after
// the first screen is usable (it is not part of the first screen's download), or at once when searched.
let help: typeof import('./Help.tsx') | null = null;
let helpLoad: Promise<unknown> | null = null;
const HELP_AFTER_MS = 1500;
function useHelp(ready: boolean, now: boolean) {
  const [, loaded] = useState(0);
  useEffect(() => {
    if (help || !(ready || now)) return;
    const load = () => (helpLoad ??= import('./Help.tsx').then((m) => (help = m))).then(() => loaded(1), () => (helpLoad = null));
    if (now) return void load();
    const id = setTimeout(load, HELP_AFTER_MS);
    return () => clearTimeout(id);
  }, [ready, now]);
  return help;
}
/** What was searched last (kept while the person reads a result and comes back), in memory only. */
let lastQuery = '';
const SEARCH_DEBOUNCE_MS = 400;

/** Home: what this requester may ask (R2–R4), in plain words, and their conversations. */
export function Home() {
  const { state, actions, t } = useApp();
  const principal = state.principal;
  const name = principal?.kind === 'realm_user' ? principal.name : null;
  const all = conversationList(state);
  // An ongoing conversation comes first, above the request types: that is what the person came back for.
  const ongoing = all.filter((c) => ONGOING.has(c.status));
  const conversations = all.filter((c) => !ONGOING.has(c.status));
  const [typed, setTyped] = useState(lastQuery);
  const h = useHelp(!!principal, !!typed);
  const [q, setQ] = useState(lastQuery);
  useEffect(() => {
    const id = setTimeout(() => setQ((lastQuery = typed)), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(id);
  }, [typed]);
  const row = (c: (typeof all)[number]) => (
    <li key={c.id}>
      <button type="button" class="row" onClick={() => actions.go({ name: 'conversation', id: c.id })}>
        <span class="row-title">{t(`requestType.${c.requestType}.label`)}</span>
        <span class="row-meta">
          {t(`status.${c.status}`)} · {timeText(state.locale, c.createdAt)} · <span class="mono">{c.id}</span>
        </span>
      </button>
    </li>
  );

  return (
    <section aria-labelledby="home-title">
      <ScreenTitle id="home-title">{name ? t('home.greeting.named', { name }) : t('home.greeting')}</ScreenTitle>
      {ongoing.length > 0 && (
        <>
          <h3 class="section-title">{t('home.ongoing')}</h3>
          <ul class="list list-ongoing">{ongoing.map(row)}</ul>
        </>
      )}
      <form
        role="search"
        class="help-search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ((lastQuery = typed));
        }}
      >
        <label for="help-q">{t('home.search')}</label>
        <span class="help-search-row">
          <input id="help-q" type="search" maxLength={300} autoComplete="off" value={typed} onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="search-btn">
            {t('home.search.go')}
          </button>
        </span>
      </form>
      {h && <h.SearchResults q={q} />}
      <p class="muted">{t('home.intro')}</p>
      {!principal ? (
        <p class="muted" role="status">
          {t('common.loading')}
        </p>
      ) : (
        <ul class="cards" aria-label={t('home.requestTypes')}>
          {state.requestTypes.map((id) => (
            <li key={id}>
              <button type="button" class="card" onClick={() => actions.go({ name: 'intake', requestType: id })}>
                <span class="card-title">{t(`requestType.${id}.label`)}</span>
                <span class="card-text">{t(`requestType.${id}.description`)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {h && !q.trim() && <h.Popular />}
      {(conversations.length > 0 || ongoing.length === 0) && <h3 class="section-title">{t('home.conversations')}</h3>}
      {conversations.length > 0 ? (
        <ul class="list">{conversations.map(row)}</ul>
      ) : (
        ongoing.length === 0 && <p class="muted">{state.listLoaded ? t('home.noConversations') : t('common.loading')}</p>
      )}
      {principal?.kind === 'realm_user' && principal.canGrant && (
        <p>
          <button type="button" class="link-btn" onClick={() => actions.go({ name: 'grants' })}>
            {t('grants.open')}
          </button>
        </p>
      )}
    </section>
  );
}
