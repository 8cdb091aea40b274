import './texts.ts';
import { RequestType } from '@ajuda/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useConsole, type InsightRoute } from '../context.ts';
import { INTL_TAG } from '../i18n.ts';
import { call, type Result } from '../screens/admin/api.ts';
import { AUDIENCES, LANGUAGES, type ArticleFull, type ArticleLanguage, type ArticleSummary, type Audience } from './texts.ts';

/**
 * The help-centre articles for leads and administrators (a lazy chunk): the list with search and
 * filters, and the editor — slug, language, title, Markdown text, audience, request types and tags,
 * a preview rendered by the server exactly as requesters get it (shown inert), publish, unpublish,
 * delete (confirmed), and the article's translations (same slug, other languages). The server
 * decides and audits everything (`/api/agent/articles*`); its refusals are shown by the field they
 * concern, in the person's language.
 */
export function Articles({ route }: { route: InsightRoute }) {
  const { t, me } = useConsole();
  const id = route.view === 'articles' ? route.id : null;
  if (me.role !== 'lead' && me.role !== 'admin') {
    return (
      <main class="insight" id="main">
        <p class="muted">{t('articles.notForYou')}</p>
      </main>
    );
  }
  return id ? <Editor key={id} id={id === 'new' ? null : id} /> : <List />;
}

/** A message to show once on the next screen (after a delete, the list says so). */
let flash: string | null = null;
/** A new translation's starting point (the "Translate to …" button). */
let seed: Partial<Draft> | null = null;

type Filters = { q: string; status: string; language: string; audience: string };

function List() {
  const { t, locale, navigate } = useConsole();
  const [f, setF] = useState<Filters>({ q: '', status: '', language: '', audience: '' });
  const [items, setItems] = useState<ArticleSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note] = useState(() => {
    const n = flash;
    flash = null;
    return n;
  });
  async function load(x: Filters) {
    const qs = new URLSearchParams(Object.entries({ q: x.q.trim(), status: x.status, language: x.language }).filter(([, v]) => v));
    const r = await call<{ articles: ArticleSummary[] }>('GET', `/api/agent/articles?${qs}`);
    if (!r.ok) return setError(refusal(t, r));
    setError(null);
    setItems(r.body.articles.filter((a) => !x.audience || a.audience === x.audience));
  }
  useEffect(() => {
    void load(f);
  }, []);
  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const date = new Intl.DateTimeFormat(INTL_TAG[locale], { dateStyle: 'medium' });
  return (
    <main class="insight" id="main" aria-labelledby="articles-h">
      <div class="articles-head">
        <h2 id="articles-h">{t('articles.title')}</h2>
        <a
          class="btn btn--primary"
          href="#/articles/new"
          onClick={(e) => {
            e.preventDefault();
            navigate({ view: 'articles', id: 'new' });
          }}
        >
          {t('articles.new')}
        </a>
      </div>
      {note ? (
        <p class="ok" role="status">
          {note}
        </p>
      ) : null}
      <form
        class="insight-form"
        role="search"
        aria-label={t('articles.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          void load(f);
        }}
      >
        <label class="field field--wide">
          {t('articles.search')}
          <input type="search" value={f.q} maxLength={300} onInput={set('q')} />
        </label>
        <AnyOf label={t('articles.status')} value={f.status} onChange={set('status')} options={['draft', 'published'].map((s) => [s, t(`articles.status.${s}`)])} />
        <AnyOf label={t('articles.language')} value={f.language} onChange={set('language')} options={LANGUAGES.map((l) => [l, t(`articles.lang.${l}`)])} />
        <AnyOf label={t('articles.audience')} value={f.audience} onChange={set('audience')} options={AUDIENCES.map((a) => [a, t(`articles.audience.${a}`)])} />
        <button type="submit" class="btn btn--primary">
          {t('articles.apply')}
        </button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {!items ? (
        <p class="muted" role="status">
          {t('articles.loading')}
        </p>
      ) : (
        <>
          <p class="muted small" role="status">
            {items.length ? t('articles.count', { count: items.length }) : t('articles.none')}
          </p>
          <ul class="articles-list">
            {items.map((a) => (
              <li key={a.id}>
                <a
                  href={`#/articles/${a.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate({ view: 'articles', id: a.id });
                  }}
                >
                  <strong>{a.title}</strong>
                  <span class="slug">{a.slug}</span>
                  <span class="tag" lang={a.language}>{a.language.toUpperCase()}</span>
                  <span class="muted small">{t(`articles.audience.${a.audience}`)}</span>
                  <span class={a.status === 'published' ? 'tag' : 'tag tag--warn'}>{t(`articles.status.${a.status}`)}</span>
                  <span class="muted small">
                    {t('articles.updated')} {date.format(new Date(a.updatedAt))}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}

interface Draft {
  slug: string;
  language: ArticleLanguage;
  title: string;
  body: string;
  audience: Audience;
  requestTypes: string[];
  tags: string;
}
type Field = 'slug' | 'title' | 'body' | 'tags' | 'requestTypes';
/** A list filter: "any", then each option as [value, label]. */
function AnyOf({ label, value, onChange, options }: { label: string; value: string; onChange: (e: Event) => void; options: Array<[string, string]> }) {
  const { t } = useConsole();
  return (
    <label class="field">
      {label}
      <select value={value} onChange={onChange}>
        <option value="">{t('articles.any')}</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

const FIELDS: readonly Field[] = ['slug', 'title', 'body', 'tags', 'requestTypes'];

/** A refusal in the person's language (the server's code; its detail is for the fields). */
function refusal(t: (k: string, p?: Record<string, string | number>) => string, r: { code: string }): string {
  return ['forbidden', 'not_found', 'network'].includes(r.code) ? t(`articles.err.${r.code}`) : t('articles.err.other', { code: r.code });
}

/**
 * Which fields a `bad_request` names: the server's detail is zod's report, one `→ at <path>` line
 * per problem (e.g. `→ at tags[0]`).
 */
export function fieldsOf(detail: string): Field[] {
  const out = new Set<Field>();
  for (const m of detail.matchAll(/→ at ([A-Za-z]+)/g)) if ((FIELDS as readonly string[]).includes(m[1]!)) out.add(m[1] as Field);
  return [...out];
}

function Editor({ id }: { id: string | null }) {
  const { t, locale, navigate } = useConsole();
  const [article, setArticle] = useState<ArticleFull | null>(null);
  const [translations, setTranslations] = useState<ArticleSummary[]>([]);
  const [d, setD] = useState<Draft>(() => {
    const s = seed;
    seed = null;
    return { slug: '', language: locale, title: '', body: '', audience: 'public', requestTypes: [], tags: '', ...s };
  });
  const [errs, setErrs] = useState<Partial<Record<Field, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [html, setHtml] = useState('');
  const cancelRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);

  const take = (a: ArticleFull) => {
    setArticle(a);
    // The stored rendering at once; the preview follows the text from there.
    setHtml(a.html);
    setD({ slug: a.slug, language: a.language, title: a.title, body: a.body, audience: a.audience, requestTypes: a.requestTypes, tags: a.tags.join(', ') });
  };
  useEffect(() => {
    if (!id) return;
    void call<{ article: ArticleFull; translations: ArticleSummary[] }>('GET', `/api/agent/articles/${encodeURIComponent(id)}`).then((r) => {
      if (!r.ok) return setGeneral(refusal(t, r));
      take(r.body.article);
      setTranslations(r.body.translations);
    });
  }, [id]);
  // The preview, rendered by the server as requesters get it, a moment after typing stops.
  useEffect(() => {
    if (!d.body.trim()) return setHtml('');
    let live = true;
    const timer = setTimeout(async () => {
      const r = await call<{ html: string }>('POST', '/api/agent/articles/preview', { body: d.body });
      if (live && r.ok) setHtml(r.body.html);
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [d.body]);
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);

  /** Run a change; a refusal lands by its field(s) or above the buttons. */
  async function change<T>(fn: () => Promise<Result<T>>, onOk: (body: T) => void) {
    setBusy(true);
    setDone(null);
    setGeneral(null);
    const r = await fn();
    setBusy(false);
    if (r.ok) {
      setErrs({});
      return onOk(r.body);
    }
    if (r.code === 'bad_request' && fieldsOf(r.detail).length) {
      const next: Partial<Record<Field, string>> = {};
      for (const f of fieldsOf(r.detail)) next[f] = t(`articles.err.${f}`);
      setErrs(next);
      document.getElementById(`article-${fieldsOf(r.detail)[0]}`)?.focus();
      return;
    }
    if (r.code === 'invalid_state' && !article) {
      setErrs({ slug: t('articles.err.exists') });
      document.getElementById('article-slug')?.focus();
      return;
    }
    setErrs({});
    setGeneral(refusal(t, r));
  }
  const fields = () => ({
    title: d.title,
    body: d.body,
    audience: d.audience,
    requestTypes: d.requestTypes,
    tags: d.tags
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    ...(article ? { position: article.position } : {}),
  });
  const save = (e: Event) => {
    e.preventDefault();
    if (article)
      void change(
        () => call<{ article: ArticleFull }>('PUT', `/api/agent/articles/${article.id}`, fields()),
        (b) => (take(b.article), setDone(t('articles.saved'))),
      );
    else
      void change(
        () => call<{ article: ArticleFull }>('POST', '/api/agent/articles', { ...fields(), slug: d.slug, language: d.language }),
        (b) => {
          flash = null;
          navigate({ view: 'articles', id: b.article.id });
        },
      );
  };
  const setStatus = (verb: 'publish' | 'unpublish') =>
    article &&
    void change(
      () => call<{ article: ArticleFull }>('POST', `/api/agent/articles/${article.id}/${verb}`),
      (b) => (take(b.article), setDone(t(verb === 'publish' ? 'articles.published' : 'articles.unpublished'))),
    );
  const remove = () =>
    article &&
    void change(
      () => call<null>('DELETE', `/api/agent/articles/${article.id}`),
      () => {
        flash = t('articles.deleted');
        navigate({ view: 'articles', id: null });
      },
    );

  /** A change to a field; the refusal shown by it goes, since it was about what was there before. */
  const edit = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setD({ ...d, [k]: v });
    if (errs[k as Field]) setErrs({ ...errs, [k]: undefined });
  };
  const input = (k: 'slug' | 'title' | 'tags') => ({
    id: `article-${k}`,
    value: d[k],
    'aria-invalid': errs[k] ? ('true' as const) : undefined,
    'aria-describedby': errs[k] ? `article-${k}-err` : undefined,
    onInput: (e: Event) => edit(k, (e.currentTarget as HTMLInputElement).value),
  });
  const err = (k: Field) =>
    errs[k] ? (
      <p class="error" id={`article-${k}-err`}>
        {errs[k]}
      </p>
    ) : null;
  const langName = (l: string) => t(`articles.lang.${l}`);
  const heading = article ? t('articles.edit', { title: article.title }) : t('articles.create');
  return (
    <main class="insight" id="main" aria-labelledby="article-h">
      <div class="articles-head">
        <h2 id="article-h">{id && !article && !general ? t('articles.loading') : heading}</h2>
        <a
          class="btn"
          href="#/articles"
          onClick={(e) => {
            e.preventDefault();
            navigate({ view: 'articles', id: null });
          }}
        >
          {t('articles.back')}
        </a>
      </div>
      <div class="article-edit">
        <form class="article-form" onSubmit={save} aria-labelledby="article-h" noValidate>
          <label class="field" for="article-slug">
            {t('articles.f.slug')}
          </label>
          <input {...input('slug')} required maxLength={80} readOnly={!!article} autoCapitalize="none" spellcheck={false} />
          {err('slug')}
          <label class="field">
            {t('articles.language')}
            <select id="article-language" value={d.language} disabled={!!article} onChange={(e) => setD({ ...d, language: e.currentTarget.value as ArticleLanguage })}>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {langName(l)}
                </option>
              ))}
            </select>
          </label>
          <label class="field" for="article-title">
            {t('articles.f.title')}
          </label>
          <input {...input('title')} required maxLength={200} />
          {err('title')}
          <label class="field" for="article-body">
            {t('articles.f.body')}
          </label>
          <textarea
            id="article-body"
            value={d.body}
            required
            maxLength={50_000}
            aria-invalid={errs.body ? 'true' : undefined}
            aria-describedby={errs.body ? 'article-body-err article-body-hint' : 'article-body-hint'}
            onInput={(e) => edit('body', e.currentTarget.value)}
          />
          <p class="muted small" id="article-body-hint">
            {t('articles.f.bodyHint')}
          </p>
          {err('body')}
          <label class="field">
            {t('articles.audience')}
            <select id="article-audience" value={d.audience} onChange={(e) => setD({ ...d, audience: e.currentTarget.value as Audience })}>
              {AUDIENCES.map((a) => (
                <option key={a} value={a}>
                  {t(`articles.audience.${a}`)}
                </option>
              ))}
            </select>
          </label>
          <fieldset aria-describedby={errs.requestTypes ? 'article-requestTypes-err' : undefined}>
            <legend>{t('articles.f.requestTypes')}</legend>
            {RequestType.options.map((rt) => (
              <label key={rt}>
                <input
                  type="checkbox"
                  checked={d.requestTypes.includes(rt)}
                  onChange={(e) => edit('requestTypes', e.currentTarget.checked ? [...d.requestTypes, rt] : d.requestTypes.filter((x) => x !== rt))}
                />
                {t(`requestType.${rt}`)}
              </label>
            ))}
          </fieldset>
          {err('requestTypes')}
          <label class="field" for="article-tags">
            {t('articles.f.tags')}
          </label>
          <input {...input('tags')} maxLength={900} />
          {err('tags')}
          {general ? (
            <p class="error" role="alert">
              {general}
            </p>
          ) : null}
          <p class="ok" role="status">
            {done ?? ''}
          </p>
          <div class="article-actions">
            <button type="submit" class="btn btn--primary" disabled={busy}>
              {article ? t('articles.saveChanges') : t('articles.save')}
            </button>
            {article ? (
              article.status === 'draft' ? (
                <button type="button" class="btn" disabled={busy} onClick={() => setStatus('publish')}>
                  {t('articles.publish')}
                </button>
              ) : (
                <button type="button" class="btn" disabled={busy} onClick={() => setStatus('unpublish')}>
                  {t('articles.unpublish')}
                </button>
              )
            ) : null}
            {article ? (
              <button type="button" ref={deleteRef} class="btn btn--danger" disabled={busy} onClick={() => setConfirming(true)}>
                {t('articles.delete')}
              </button>
            ) : null}
          </div>
          {article && confirming ? (
            <div class="article-confirm" role="group" aria-labelledby="article-confirm-q">
              <p id="article-confirm-q">{t('articles.confirmDelete', { title: article.title, language: langName(article.language) })}</p>
              <div class="article-actions">
                <button type="button" class="btn btn--danger" disabled={busy} onClick={remove}>
                  {t('articles.confirmYes')}
                </button>
                <button
                  type="button"
                  class="btn"
                  ref={cancelRef}
                  onClick={() => {
                    setConfirming(false);
                    deleteRef.current?.focus();
                  }}
                >
                  {t('articles.cancel')}
                </button>
              </div>
            </div>
          ) : null}
        </form>
        <div class="article-side">
          <section class="insight-section" aria-labelledby="article-preview-h">
            <h3 id="article-preview-h">{t('articles.preview')}</h3>
            <p class="muted small">{t('articles.previewNote')}</p>
            {html ? (
              <div class="article-preview" lang={d.language} inert data-preview dangerouslySetInnerHTML={{ __html: html }} />
            ) : (
              <p class="muted">{t('articles.previewEmpty')}</p>
            )}
          </section>
          {article ? (
            <section class="insight-section" aria-labelledby="article-tr-h">
              <h3 id="article-tr-h">{t('articles.translations')}</h3>
              <ul class="articles-list">
                {LANGUAGES.filter((l) => l !== article.language).map((l) => {
                  const tr = translations.find((x) => x.language === l);
                  return (
                    <li key={l}>
                      {tr ? (
                        <a
                          href={`#/articles/${tr.id}`}
                          onClick={(e) => {
                            e.preventDefault();
                            navigate({ view: 'articles', id: tr.id });
                          }}
                        >
                          <span>{langName(l)}</span>
                          <strong lang={l}>{tr.title}</strong>
                          <span class={tr.status === 'published' ? 'tag' : 'tag tag--warn'}>{t(`articles.status.${tr.status}`)}</span>
                        </a>
                      ) : (
                        <button
                          type="button"
                          class="btn"
                          onClick={() => {
                            seed = { slug: article.slug, language: l, audience: article.audience, requestTypes: article.requestTypes, tags: article.tags.join(', ') };
                            navigate({ view: 'articles', id: 'new' });
                          }}
                        >
                          {t('articles.translate', { language: langName(l) })}
                        </button>
                      )}
                    </li>
                  );
                })}
              </ul>
            </section>
          ) : null}
          {article ? (
            <section class="insight-section" aria-labelledby="article-link-h">
              <h3 id="article-link-h">{t('articles.link')}</h3>
              {article.audience === 'public' && article.status === 'published' ? (
                <a href={article.url} target="_blank" rel="noopener noreferrer" data-public-link>
                  {article.url}
                </a>
              ) : (
                <p class="muted small">{t('articles.link.none')}</p>
              )}
            </section>
          ) : null}
        </div>
      </div>
    </main>
  );
}
