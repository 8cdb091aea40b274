import { useEffect, useRef, useState } from 'preact/hooks';
import { translator, type Catalog, type Locale, type Translate } from '@ajuda/i18n';
import type { RequestType } from '@ajuda/protocol';
import { useApp, type Actions } from './context.ts';
import { ScreenTitle } from './common.tsx';
import type { AppState, View } from '../state.ts';
import './screens.css';
import './help.css';

// The help centre's texts come with its chunk, in the language shown.
const TEXTS: Record<Locale, () => Promise<{ default: Catalog }>> = {
  pt: () => import('@ajuda/i18n/widget/help-pt'),
  en: () => import('@ajuda/i18n/widget/help-en'),
  es: () => import('@ajuda/i18n/widget/help-es'),
};

/** What /api/help returns of an article in a list. */
export interface HelpSummary {
  slug: string;
  title: string;
  snippet: string;
}
type Result<T> = { ok: true; data: T } | { ok: false; code: string };

/** The draft that carries what the person typed in the help centre into the intake form they pick next. */
export const CARRIED_DRAFT = 'help:text';

/** This frame's channel, from its address (`/widget/frame/?channel=…`). */
const channel = () => new URLSearchParams(location.search).get('channel') ?? '';

/**
 * One GET to /api/help as this reader: a realm user's identity token in `Authorization` (so they see
 * authenticated and contract articles); a visitor sends nothing and sees public ones. A refused token
 * (expired, say) is retried without one: public articles are still an answer.
 */
export async function helpGet<T>(path: string, q: Record<string, string>, locale: Locale, auth: string | null): Promise<Result<T>> {
  const url = `/api/help/${path}?${new URLSearchParams({ ...q, channel: channel(), locale })}`;
  try {
    let r = await fetch(url, auth ? { headers: { Authorization: auth } } : {});
    if (r.status === 401 && auth) r = await fetch(url);
    if (r.ok) return { ok: true, data: (await r.json()) as T };
    const p = (await r.json().catch(() => ({}))) as { code?: unknown };
    return { ok: false, code: typeof p.code === 'string' ? p.code : 'internal' };
  } catch {
    return { ok: false, code: 'offline' };
  }
}

/** Counts what the person decided on an article (the server keeps daily counts, never a query). */
function helpEvent(locale: Locale, event: 'answered' | 'continued'): void {
  void fetch('/api/help/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: channel(), locale, event }),
    keepalive: true,
  }).catch(() => undefined);
}

/** The credential of this reader for /api/help: only a realm user has one the server reads (its identity token). */
const readerAuth = (state: AppState, actions: Actions): string | null => (state.principal?.kind === 'realm_user' ? actions.auth() : null);

/** The app's texts with the help centre's own on top (null until they are downloaded). */
function useHelpTexts(): Translate | null {
  const { state, t: base } = useApp();
  const [own, setOwn] = useState<Translate | null>(null);
  useEffect(() => {
    let live = true;
    void TEXTS[state.locale]().then((m) => live && setOwn(() => translator({ ...m.default }, state.locale)));
    return () => void (live = false);
  }, [state.locale]);
  return own && ((key, params) => (key.startsWith('help.') ? own(key, params) : base(key, params)));
}

/** Fetches `path` whenever `deps` change, once the reader is known (their session says who they are). */
function useHelpQuery<T>(path: string | null, q: Record<string, string>, deps: unknown[]): { data: T | null; error: string | null; retry: () => void } {
  const { state, actions } = useApp();
  const [res, setRes] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  const [n, setN] = useState(0);
  const known = !!state.principal;
  useEffect(() => {
    if (!path || !known) return;
    let live = true;
    setRes({ data: null, error: null });
    void helpGet<T>(path, q, state.locale, readerAuth(state, actions)).then((r) => {
      if (live) setRes(r.ok ? { data: r.data, error: null } : { data: null, error: r.code });
    });
    return () => void (live = false);
  }, [path, known, state.locale, n, ...deps]);
  return { ...res, retry: () => setN((x) => x + 1) };
}

function ArticleList({ articles, open, label }: { articles: HelpSummary[]; open: (a: HelpSummary) => void; label: string }) {
  return (
    <ul class="list help-list" aria-label={label}>
      {articles.map((a) => (
        <li key={a.slug}>
          <button type="button" class="row" data-article={a.slug} onClick={() => open(a)}>
            <span class="row-title">{a.title}</span>
            <span class="row-meta">{a.snippet}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Home: the articles most useful on this channel for this reader. */
export function Popular() {
  const { actions } = useApp();
  const t = useHelpTexts();
  const { data } = useHelpQuery<{ articles: HelpSummary[] }>('articles', {}, []);
  if (!t || !data?.articles.length) return null;
  return (
    <section class="help-popular" aria-labelledby="help-popular">
      <h3 class="section-title" id="help-popular">
        {t('help.popular')}
      </h3>
      <ArticleList label={t('help.popular')} articles={data.articles} open={(a) => actions.go({ name: 'article', slug: a.slug })} />
    </section>
  );
}

/** Home: the articles matching what the person searched for (`q`, every word; accents do not matter). */
export function SearchResults({ q }: { q: string }) {
  const { actions } = useApp();
  const t = useHelpTexts();
  const query = q.trim();
  const { data, error, retry } = useHelpQuery<{ articles: HelpSummary[] }>(query ? 'search' : null, { q: query }, [query]);
  if (!t || !query) return null;
  const list = data?.articles ?? [];
  return (
    <section class="help-results" aria-labelledby="help-results">
      <h3 class="section-title" id="help-results">
        {t('help.results', { q: query })}
      </h3>
      <p class="sr-only" role="status">
        {data ? (list.length ? t('help.found', { count: list.length }) : t('help.none')) : ''}
      </p>
      {error ? (
        <p class="field-error">
          {t('help.error')}{' '}
          <button type="button" class="link-btn" onClick={retry}>
            {t('help.retry')}
          </button>
        </p>
      ) : !data ? (
        <p class="muted">{t('common.loading')}</p>
      ) : list.length ? (
        <ArticleList label={t('help.results', { q: query })} articles={list} open={(a) => actions.go({ name: 'article', slug: a.slug, text: query })} />
      ) : (
        <p class="muted">{t('help.none')}</p>
      )}
    </section>
  );
}

/** What was searched last (kept while the person reads a result and comes back), in memory only. */
let lastQuery = '';
const SEARCH_DEBOUNCE_MS = 400;

/** Home: the search box (searches as the person types, after a pause, or at once with Enter) and its results. */
export function HomeSearch() {
  const t = useHelpTexts();
  const [typed, setTyped] = useState(lastQuery);
  const [q, setQ] = useState(lastQuery);
  useEffect(() => {
    const id = setTimeout(() => setQ((lastQuery = typed)), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(id);
  }, [typed]);
  if (!t) return null;
  return (
    <>
      <form
        role="search"
        class="help-search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ((lastQuery = typed));
        }}
      >
        <label for="help-q">{t('help.search')}</label>
        <span class="help-search-row">
          <input id="help-q" type="search" maxLength={300} autoComplete="off" value={typed} onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="search-btn">
            {t('help.search.go')}
          </button>
        </span>
      </form>
      <SearchResults q={q} />
    </>
  );
}

const WORDS_FOR_SUGGESTIONS = 3;
const SUGGEST_DEBOUNCE_MS = 600;

/** The words of a description that say something (three letters or more). */
export const meaningfulWords = (text: string): string[] => text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3);

/**
 * Under the intake description: once it has a few words, and the person pauses, the top three articles
 * for it (this request type, this reader). Opening one shows it; Back or "I still need help" returns to
 * the form, whose text is kept (its draft).
 */
export function Suggestions({ text, back }: { text: string; back: Extract<View, { name: 'intake' }> }) {
  const { actions } = useApp();
  const t = useHelpTexts();
  const [asked, setAsked] = useState('');
  const box = useRef<HTMLDivElement>(null);
  // Still in the description (the field just before this box) or in the suggestions: only then do they
  // appear — the fields below never move under a person who has already gone on to them.
  const here = () => {
    const a = document.activeElement;
    return !!a && !!(box.current?.previousElementSibling?.contains(a) || box.current?.contains(a));
  };
  useEffect(() => {
    const enough = meaningfulWords(text).length >= WORDS_FOR_SUGGESTIONS;
    const id = setTimeout(() => (!enough ? setAsked('') : here() && setAsked(text.trim().slice(0, 300))), enough ? SUGGEST_DEBOUNCE_MS : 0);
    return () => clearTimeout(id);
  }, [text]);
  const { data } = useHelpQuery<{ articles: HelpSummary[] }>(asked ? 'search' : null, { q: asked, purpose: 'suggest', requestType: back.requestType }, [asked, back.requestType]);
  // The last answer stays while the next one comes (no flicker under the person's typing).
  const shown = useRef<HelpSummary[]>([]);
  if (!asked) shown.current = [];
  else if (data && (shown.current.length || here())) shown.current = data.articles;
  const list = shown.current;
  return (
    <div class="help-suggest" ref={box}>
      <p class="sr-only" aria-live="polite" aria-atomic="true">
        {t && list.length ? t('help.suggestedCount', { count: list.length }) : ''}
      </p>
      {t && list.length > 0 && (
        <section aria-labelledby="help-suggested" class="help-suggest-box">
          <h3 class="help-suggest-title" id="help-suggested">
            {t('help.suggested')}
          </h3>
          <ArticleList label={t('help.suggested')} articles={list} open={(a) => actions.go({ name: 'article', slug: a.slug, back })} />
        </section>
      )}
    </div>
  );
}

const TAGS = new Set(['P', 'A', 'STRONG', 'EM', 'B', 'I', 'S', 'UL', 'OL', 'LI', 'CODE', 'PRE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BR', 'HR', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD']);
const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

/**
 * The server's article HTML (already rendered without raw HTML and with only http/https/mailto links),
 * checked again here: parsed inert in a <template>, only text-formatting elements kept (anything else
 * becomes its text), every attribute dropped but a safe link's href; links open in a new tab with
 * rel="noopener noreferrer" and say so to screen readers.
 */
export function inertArticle(html: string, newTab: string): DocumentFragment {
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  for (const el of Array.from(tpl.content.querySelectorAll('*'))) {
    if (!tpl.content.contains(el)) continue; // inside an element already turned into text
    if (!TAGS.has(el.tagName)) {
      el.replaceWith(document.createTextNode(el.tagName === 'SCRIPT' || el.tagName === 'STYLE' ? '' : (el.textContent ?? '')));
      continue;
    }
    const href = el.tagName === 'A' ? (el.getAttribute('href') ?? '').trim() : '';
    for (const a of Array.from(el.attributes)) el.removeAttribute(a.name);
    if (el.tagName === 'A' && SAFE_HREF.test(href)) {
      el.setAttribute('href', href);
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
      const note = document.createElement('span');
      note.className = 'sr-only';
      note.textContent = ` ${newTab}`;
      el.append(note);
    }
  }
  return tpl.content;
}

interface FullArticle {
  slug: string;
  title: string;
  html: string;
}

/**
 * One article (from a search result, a suggestion or the host's `Ajuda('showArticle', slug)`), then:
 * "This answered it" ends there (no conversation; counted as answered) and "I still need help" goes on
 * to the intake with what the person typed kept (counted as continued).
 */
export function ArticleScreen({ view }: { view: Extract<View, { name: 'article' }> }) {
  const { state, actions, t: base } = useApp();
  const t = useHelpTexts();
  const { data, error, retry } = useHelpQuery<{ article: FullArticle }>(`articles/${encodeURIComponent(view.slug)}`, {}, [view.slug]);
  const [decided, setDecided] = useState<null | 'answered' | 'pick'>(null);
  const body = useRef<HTMLDivElement>(null);
  const after = useRef<HTMLParagraphElement>(null);
  const article = data?.article;
  useEffect(() => {
    if (body.current && article && t) body.current.replaceChildren(inertArticle(article.html, t('help.opensNewTab')));
  }, [article, !!t]);
  useEffect(() => {
    if (decided) after.current?.focus();
  }, [decided]);

  if (!t) return <p class="muted" role="status">{base('common.loading')}</p>;
  if (error) {
    return (
      <section>
        <ScreenTitle>{error === 'not_found' ? t('help.notFound') : t('help.error')}</ScreenTitle>
        <p class="help-actions">
          {error !== 'not_found' && (
            <button type="button" class="secondary" onClick={retry}>
              {t('help.retry')}
            </button>
          )}
          <button type="button" class="secondary" onClick={() => actions.go(view.back ?? { name: 'home' })}>
            {view.back ? t('common.back') : t('help.home')}
          </button>
        </p>
      </section>
    );
  }
  const answered = () => {
    helpEvent(state.locale, 'answered');
    // Nothing to ask any more: the unfinished form this came from is forgotten.
    if (view.back && !view.back.conversationId) actions.setDraft(`intake:${view.back.requestType}`, null);
    setDecided('answered');
  };
  const needHelp = () => {
    helpEvent(state.locale, 'continued');
    if (view.back) return actions.go(view.back);
    if (view.text) actions.setDraft(CARRIED_DRAFT, view.text);
    if (state.requestTypes.length === 1) return actions.go({ name: 'intake', requestType: state.requestTypes[0]! });
    setDecided('pick');
  };
  const pick = (requestType: RequestType) => actions.go({ name: 'intake', requestType });
  return (
    <article class="help-article" aria-busy={!article}>
      <ScreenTitle>{article ? article.title : t('common.loading')}</ScreenTitle>
      <div class="help-body" ref={body} />
      {article &&
        (decided === 'answered' ? (
          <div class="help-after">
            <p role="status" tabIndex={-1} ref={after}>
              {t('help.thanks')}
            </p>
            <button type="button" class="secondary" onClick={() => actions.go({ name: 'home' })}>
              {t('help.home')}
            </button>
          </div>
        ) : decided === 'pick' ? (
          <div class="help-after">
            <p tabIndex={-1} ref={after}>
              {t('help.pick')}
            </p>
            <ul class="cards" aria-label={t('home.requestTypes')}>
              {state.requestTypes.map((id) => (
                <li key={id}>
                  <button type="button" class="card" onClick={() => pick(id)}>
                    <span class="card-title">{t(`requestType.${id}.label`)}</span>
                    <span class="card-text">{t(`requestType.${id}.description`)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <p class="help-actions">
            <button type="button" class="primary" onClick={answered}>
              {t('help.answered')}
            </button>
            <button type="button" class="secondary" onClick={needHelp}>
              {t('help.needHelp')}
            </button>
          </p>
        ))}
    </article>
  );
}
