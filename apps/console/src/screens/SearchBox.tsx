import { useEffect, useRef, useState } from 'preact/hooks';
import { useConsole, type InsightRoute, type Route } from '../context.ts';

/**
 * What the console's entry bundle carries of search, Reports and the team overview: the header's
 * search box (`/` focuses it from anywhere but a text field), the two leads' links, and the loader
 * of their screens — each a lazy chunk (Search.tsx, Reports.tsx, Team.tsx).
 */

/** Where `/` is text the person is typing (a text field, a text area, a list with type-ahead). */
const typing = (el: EventTarget | null) =>
  el instanceof HTMLElement && (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName) || (el instanceof HTMLInputElement && !/^(checkbox|radio|button|submit|reset|range|color|file)$/.test(el.type)));

export function SearchBox({ route }: { route: Route }) {
  const { t, navigate } = useConsole();
  const input = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState(route.view === 'search' ? route.q : '');
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <form
      role="search"
      class="topsearch"
      onSubmit={(e) => {
        e.preventDefault();
        navigate({ view: 'search', q: q.trim() });
      }}
    >
      <label class="visually-hidden" for="topsearch">
        {t('search.label')}
      </label>
      <input ref={input} id="topsearch" type="search" value={q} maxLength={200} placeholder={t('search.placeholder')} aria-keyshortcuts="/" onInput={(e) => setQ(e.currentTarget.value)} />
    </form>
  );
}

export function InsightLinks({ route }: { route: Route }) {
  const { t, me, navigate } = useConsole();
  if (me.role !== 'lead' && me.role !== 'admin') return null;
  return (
    <>
      {(['reports', 'team', 'articles'] as const).map((view) => (
        <a
          key={view}
          href={`#/${view}`}
          class={route.view === view ? 'nav nav--on' : 'nav'}
          aria-current={route.view === view ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate(view === 'articles' ? { view, id: null } : { view });
          }}
        >
          {t(`nav.${view}`)}
        </a>
      ))}
    </>
  );
}

type Screen = (p: { route: InsightRoute }) => preact.JSX.Element;
const loaders: Record<InsightRoute['view'], () => Promise<Screen>> = {
  search: () => import('./Search.tsx').then((m) => m.Search as Screen),
  reports: () => import('./Reports.tsx').then((m) => m.Reports as Screen),
  team: () => import('./Team.tsx').then((m) => m.Team as Screen),
  articles: () => import('../articles/Articles.tsx').then((m) => m.Articles as Screen),
};

/** The screen of an insight route, fetched the first time it is opened. */
export function InsightScreen({ route }: { route: InsightRoute }) {
  const { t } = useConsole();
  const [loaded, setLoaded] = useState<{ view: string; Screen: Screen } | null>(null);
  useEffect(() => {
    let live = true;
    void loaders[route.view]().then((Screen) => live && setLoaded({ view: route.view, Screen }));
    return () => {
      live = false;
    };
  }, [route.view]);
  return loaded && loaded.view === route.view ? (
    <loaded.Screen route={route} />
  ) : (
    <main class="insight" id="main">
      <p class="muted" role="status">
        {t('app.loading')}
      </p>
    </main>
  );
}
