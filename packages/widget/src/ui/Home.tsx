import { useEffect, useState } from 'preact/hooks';
import { useApp } from './context.ts';
import { ScreenTitle, timeText } from './common.tsx';
import { conversationList } from '../state.ts';

const ONGOING = new Set(['intake', 'queued', 'assigned']);

// The help centre (search box, results, popular articles and their texts) is its own chunk, fetched a
// moment after home is usable: the first download stays small. Its search box fills a slot kept for it
// (nothing above the request types moves); the popular articles come last (nothing below them moves).
// The intake form's suggestions use the same chunk, at once (`wait` 0).
let help: typeof import('./Help.tsx') | null = null;
export function useHelp(ready: boolean, wait = 300) {
  const [, loaded] = useState(0);
  useEffect(() => {
    if (help || !ready) return;
    const id = setTimeout(() => import('./Help.tsx').then((m) => loaded((help = m) && 1), () => undefined), wait);
    return () => clearTimeout(id);
  }, [ready]);
  return help;
}

/** Home: what this requester may ask (R2–R4), in plain words, and their conversations. */
export function Home() {
  const { state, actions, t } = useApp();
  const principal = state.principal;
  const name = principal?.kind === 'realm_user' ? principal.name : null;
  const all = conversationList(state);
  // An ongoing conversation comes first, above the request types: that is what the person came back for.
  const ongoing = all.filter((c) => ONGOING.has(c.status));
  const conversations = all.filter((c) => !ONGOING.has(c.status));
  const h = useHelp(!!principal);
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
      <div class="help-slot">{h && <h.HomeSearch />}</div>
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
      {h && <h.Popular />}
    </section>
  );
}
