import './texts.ts';
import { useState } from 'preact/hooks';
import { useConsole } from '../../context.ts';
import { LOCALE_NAMES } from '../../i18n.ts';
import { adminApi, type Canned, type Priority, type Targets, type Tier } from './api.ts';
import { Problem, useChange, useLoad } from './bits.tsx';

const LANGS = ['pt', 'en', 'es'] as const;
const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];
const FIELDS = ['firstResponseMin', 'nextResponseMin', 'resolutionMin'] as const;
const FIELD_KEY = { firstResponseMin: 'admin.sla.firstResponse', nextResponseMin: 'admin.sla.nextResponse', resolutionMin: 'admin.sla.resolution' } as const;

/** Teams: add, rename, delete when empty (admins). */
export function TeamsPanel() {
  const { t } = useConsole();
  const teams = useLoad(adminApi.teams);
  const change = useChange();
  const [name, setName] = useState('');
  const [id, setId] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [newName, setNewName] = useState('');

  return (
    <section aria-labelledby="admin-teams" class="admin-section">
      <h3 id="admin-teams">{t('admin.teams.title')}</h3>
      <Problem t={t} error={teams.error} />
      <Problem t={t} error={change.error} />
      {teams.data === null ? (
        <p class="muted">{t('admin.loading')}</p>
      ) : teams.data.teams.length === 0 ? (
        <p class="empty">{t('admin.teams.none')}</p>
      ) : (
        <ul class="admin-list">
          {teams.data.teams.map((tm) => (
            <li key={tm.id} class="admin-item">
              {renaming === tm.id ? (
                <form
                  class="inline-form admin-inline"
                  onSubmit={async (e) => {
                    e.preventDefault();
                    if (await change.run(() => adminApi.renameTeam(tm.id, newName.trim()))) {
                      setRenaming(null);
                      await teams.reload();
                    }
                  }}
                >
                  <label class="field">
                    <span>{t('admin.teams.newName', { name: tm.name })}</span>
                    <input required maxLength={120} value={newName} onInput={(e) => setNewName(e.currentTarget.value)} />
                  </label>
                  <button type="submit" class="btn btn--primary btn--small" disabled={change.busy}>
                    {t('admin.save')}
                  </button>
                  <button type="button" class="btn btn--small" onClick={() => setRenaming(null)}>
                    {t('admin.cancel')}
                  </button>
                </form>
              ) : (
                <>
                  <div class="admin-item-main">
                    <span class="strong">{tm.name}</span>
                    <code class="small">{tm.id}</code>
                    <span class="muted small">{t('admin.teams.members', { n: tm.members })}</span>
                  </div>
                  <div class="row-actions admin-actions">
                    <button
                      type="button"
                      class="btn btn--small"
                      aria-label={`${t('admin.teams.rename')}: ${tm.name}`}
                      onClick={() => {
                        setRenaming(tm.id);
                        setNewName(tm.name);
                      }}
                    >
                      {t('admin.teams.rename')}
                    </button>
                    <button
                      type="button"
                      class="btn btn--small btn--danger"
                      disabled={change.busy || tm.members > 0}
                      title={tm.members > 0 ? t('admin.teams.inUse') : undefined}
                      aria-label={`${t('admin.delete')}: ${tm.name}`}
                      onClick={async () => {
                        if (await change.run(() => adminApi.deleteTeam(tm.id))) await teams.reload();
                      }}
                    >
                      {t('admin.delete')}
                    </button>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <form
        class="admin-form"
        aria-labelledby="admin-teams-add"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await change.run(() => adminApi.createTeam({ name: name.trim(), ...(id.trim() ? { id: id.trim() } : {}) }))) {
            setName('');
            setId('');
            await teams.reload();
          }
        }}
      >
        <h4 id="admin-teams-add">{t('admin.teams.add')}</h4>
        <div class="admin-fields">
          <label class="field">
            <span>{t('admin.teams.name')}</span>
            <input required maxLength={120} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('admin.teams.id')}</span>
            <input pattern="[a-z0-9][a-z0-9_\-]{0,63}" maxLength={64} value={id} onInput={(e) => setId(e.currentTarget.value)} />
          </label>
        </div>
        <button type="submit" class="btn btn--primary" disabled={change.busy}>
          {t('admin.add')}
        </button>
      </form>
    </section>
  );
}

/** Canned replies per language (admins); agents insert them with /shortcut. */
export function CannedPanel() {
  const { t } = useConsole();
  const canned = useLoad(adminApi.canned);
  const change = useChange();
  const [lang, setLang] = useState<Canned['language']>('en');
  const [editing, setEditing] = useState<string | null>(null);
  const list = (canned.data?.canned ?? []).filter((c) => c.language === lang);

  return (
    <section aria-labelledby="admin-canned" class="admin-section">
      <h3 id="admin-canned">{t('admin.canned.title')}</h3>
      <p class="muted">{t('admin.canned.intro')}</p>
      <fieldset class="segmented admin-langs">
        <legend class="visually-hidden">{t('admin.canned.language')}</legend>
        {LANGS.map((l) => (
          <label key={l} class={lang === l ? 'seg seg--on' : 'seg'}>
            <input type="radio" name="canned-lang" value={l} checked={lang === l} onChange={() => setLang(l)} />
            {LOCALE_NAMES[l]}
          </label>
        ))}
      </fieldset>
      <Problem t={t} error={canned.error} />
      <Problem t={t} error={change.error} />
      {canned.data === null ? (
        <p class="muted">{t('admin.loading')}</p>
      ) : list.length === 0 ? (
        <p class="empty">{t('admin.canned.none')}</p>
      ) : (
        <ul class="admin-list">
          {list.map((c) =>
            editing === c.id ? (
              <li key={c.id} class="admin-item admin-item--editing">
                <CannedForm
                  title={t('admin.canned.editing', { shortcut: c.shortcut })}
                  initial={c}
                  busy={change.busy}
                  onCancel={() => setEditing(null)}
                  onSave={async (v) => {
                    if (await change.run(() => adminApi.updateCanned(c.id, v))) {
                      setEditing(null);
                      await canned.reload();
                    }
                  }}
                />
              </li>
            ) : (
              <li key={c.id} class="admin-item">
                <div class="admin-item-main">
                  <code class="strong">/{c.shortcut}</code>
                  <span>{c.title}</span>
                </div>
                <p class="pre small admin-body">{c.body}</p>
                <div class="row-actions admin-actions">
                  <button type="button" class="btn btn--small" aria-label={`${t('admin.edit')}: /${c.shortcut}`} onClick={() => setEditing(c.id)}>
                    {t('admin.edit')}
                  </button>
                  <button
                    type="button"
                    class="btn btn--small btn--danger"
                    disabled={change.busy}
                    aria-label={`${t('admin.delete')}: /${c.shortcut}`}
                    onClick={async () => {
                      if (await change.run(() => adminApi.deleteCanned(c.id))) await canned.reload();
                    }}
                  >
                    {t('admin.delete')}
                  </button>
                </div>
              </li>
            ),
          )}
        </ul>
      )}
      <CannedForm
        key={lang}
        title={t('admin.canned.add')}
        initial={{ language: lang, shortcut: '', title: '', body: '' }}
        busy={change.busy}
        creating
        onSave={async (v) => {
          const r = await change.run(() => adminApi.createCanned(v));
          if (r) {
            setLang(r.body.canned.language);
            await canned.reload();
          }
          return !!r;
        }}
      />
    </section>
  );
}

function CannedForm(props: { title: string; initial: Omit<Canned, 'id'>; busy: boolean; creating?: boolean; onSave(v: Omit<Canned, 'id'>): Promise<boolean | void>; onCancel?(): void }) {
  const { t } = useConsole();
  const [v, setV] = useState(props.initial);
  const id = props.creating ? 'canned-new' : `canned-${props.initial.shortcut}`;
  return (
    <form
      class="admin-form"
      aria-labelledby={`${id}-title`}
      onSubmit={async (e) => {
        e.preventDefault();
        const done = await props.onSave({ ...v, shortcut: v.shortcut.trim(), title: v.title.trim(), body: v.body.trim() });
        if (done && props.creating) setV({ ...props.initial });
      }}
    >
      <h4 id={`${id}-title`}>{props.title}</h4>
      <div class="admin-fields">
        <label class="field">
          <span>{t('admin.canned.language')}</span>
          <select value={v.language} onChange={(e) => setV({ ...v, language: e.currentTarget.value as Canned['language'] })}>
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {LOCALE_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>
            {t('admin.canned.shortcut')} <span class="small">({t('admin.canned.shortcutHint')})</span>
          </span>
          <input required pattern="[a-z0-9][a-z0-9_\-]{0,31}" maxLength={32} value={v.shortcut} onInput={(e) => setV({ ...v, shortcut: e.currentTarget.value })} />
        </label>
        <label class="field">
          <span>{t('admin.canned.titleField')}</span>
          <input required maxLength={120} value={v.title} onInput={(e) => setV({ ...v, title: e.currentTarget.value })} />
        </label>
      </div>
      <label class="field">
        <span>{t('admin.canned.body')}</span>
        <textarea required rows={3} maxLength={8000} value={v.body} onInput={(e) => setV({ ...v, body: e.currentTarget.value })} />
      </label>
      <div class="row-actions">
        <button type="submit" class="btn btn--primary" disabled={props.busy}>
          {props.creating ? t('admin.add') : t('admin.save')}
        </button>
        {props.onCancel ? (
          <button type="button" class="btn" onClick={props.onCancel}>
            {t('admin.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** SLA tiers (R10): the targets per priority of each contract tier; the default tier first. */
export function SlaPanel() {
  const { t } = useConsole();
  const tiers = useLoad(adminApi.tiers);
  const change = useChange();
  const [newId, setNewId] = useState('');
  const [newName, setNewName] = useState('');

  return (
    <section aria-labelledby="admin-sla" class="admin-section">
      <h3 id="admin-sla">{t('admin.sla.title')}</h3>
      <p class="muted">{t('admin.sla.intro')}</p>
      <Problem t={t} error={tiers.error} />
      <Problem t={t} error={change.error} />
      {tiers.data === null ? (
        <p class="muted">{t('admin.loading')}</p>
      ) : (
        tiers.data.tiers.map((tier) => <TierForm key={`${tier.id}:${JSON.stringify(tier.targets)}`} tier={tier} change={change} onSaved={tiers.reload} />)
      )}
      <form
        class="admin-form"
        aria-labelledby="admin-sla-add"
        onSubmit={async (e) => {
          e.preventDefault();
          const base = tiers.data?.tiers[0]?.targets;
          if (!base) return;
          if (await change.run(() => adminApi.putTier(newId.trim(), { name: newName.trim(), targets: base }))) {
            setNewId('');
            setNewName('');
            await tiers.reload();
          }
        }}
      >
        <h4 id="admin-sla-add">{t('admin.sla.add')}</h4>
        <div class="admin-fields">
          <label class="field">
            <span>{t('admin.sla.id')}</span>
            <input required pattern="[a-z0-9][a-z0-9_\-]{0,63}" maxLength={64} value={newId} onInput={(e) => setNewId(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('admin.sla.name')}</span>
            <input required maxLength={120} value={newName} onInput={(e) => setNewName(e.currentTarget.value)} />
          </label>
        </div>
        <button type="submit" class="btn btn--primary" disabled={change.busy}>
          {t('admin.add')}
        </button>
      </form>
    </section>
  );
}

function TierForm({ tier, change, onSaved }: { tier: Tier; change: ReturnType<typeof useChange>; onSaved(): Promise<void> }) {
  const { t } = useConsole();
  const [name, setName] = useState(tier.name);
  const [targets, setTargets] = useState<Record<Priority, Targets>>(tier.targets);
  const set = (p: Priority, f: (typeof FIELDS)[number], v: string) => setTargets({ ...targets, [p]: { ...targets[p], [f]: Number(v) } });
  const hid = `tier-${tier.id}`;
  return (
    <form
      class="admin-form admin-tier"
      aria-labelledby={hid}
      onSubmit={async (e) => {
        e.preventDefault();
        if (await change.run(() => adminApi.putTier(tier.id, { name: name.trim(), targets }))) await onSaved();
      }}
    >
      <h4 id={hid}>
        {tier.name} <code class="small">{tier.id}</code> {tier.builtIn ? <span class="tag">{t('admin.sla.default')}</span> : null}{' '}
        <span class="muted small">{t('admin.sla.realms', { n: tier.realms })}</span>
      </h4>
      <label class="field">
        <span>{t('admin.sla.name')}</span>
        <input required maxLength={120} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      {tier.overridden.length ? <p class="hint small">{t('admin.sla.overridden', { list: tier.overridden.join(', ') })}</p> : null}
      <table class="admin-targets">
        <thead>
          <tr>
            <th scope="col">{t('admin.sla.priority')}</th>
            {FIELDS.map((f) => (
              <th key={f} scope="col">
                {t(FIELD_KEY[f])}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {PRIORITIES.map((p) => (
            <tr key={p}>
              <th scope="row">{p}</th>
              {FIELDS.map((f) => (
                <td key={f}>
                  <input
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={525600}
                    required
                    disabled={tier.overridden.includes(p)}
                    aria-label={t('admin.sla.minutes', { field: t(FIELD_KEY[f]), priority: p })}
                    value={targets[p][f]}
                    onInput={(e) => set(p, f, e.currentTarget.value)}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div class="row-actions">
        <button type="submit" class="btn btn--primary btn--small" disabled={change.busy}>
          {t('admin.save')}
        </button>
        {tier.builtIn ? null : (
          <button
            type="button"
            class="btn btn--small btn--danger"
            disabled={change.busy || tier.realms > 0}
            title={tier.realms > 0 ? t('admin.sla.inUse') : undefined}
            aria-label={`${t('admin.delete')}: ${tier.name}`}
            onClick={async () => {
              if (await change.run(() => adminApi.deleteTier(tier.id))) await onSaved();
            }}
          >
            {t('admin.delete')}
          </button>
        )}
      </div>
    </form>
  );
}

/** The realm directory, read-only: the platform keeps it in sync through the API. */
export function RealmsPanel() {
  const { t } = useConsole();
  const realms = useLoad(adminApi.realms);
  return (
    <section aria-labelledby="admin-realms" class="admin-section">
      <h3 id="admin-realms">{t('admin.realms.title')}</h3>
      <p class="muted">{t('admin.realms.intro')}</p>
      <Problem t={t} error={realms.error} />
      {realms.data === null ? (
        <p class="muted">{t('admin.loading')}</p>
      ) : realms.data.realms.length === 0 ? (
        <p class="empty">{t('admin.realms.none')}</p>
      ) : (
        <ul class="admin-list">
          {realms.data.realms.map((r) => (
            <li key={r.id} class="admin-item">
              <div class="admin-item-main">
                <span class="strong">{r.name}</span>
                <code class="small">{r.id}</code>
                {r.contract ? (
                  <>
                    <span class={r.contract.active ? 'tag' : 'tag tag--warn'}>
                      {t('admin.realms.contract')}: {r.contract.active ? t('admin.realms.active') : t('admin.realms.inactive')}
                    </span>
                    <span class="tag">{t('admin.realms.tier', { tier: r.contract.tier })}</span>
                  </>
                ) : (
                  <span class="tag">{t('admin.realms.noContract')}</span>
                )}
              </div>
              <dl class="admin-dl small">
                {r.contract ? (
                  <>
                    <dt>{t('admin.realms.domains')}</dt>
                    <dd>{r.contract.emailDomains.join(', ') || '—'}</dd>
                  </>
                ) : null}
                <dt>{t('admin.realms.projects')}</dt>
                <dd>{r.projects.length ? r.projects.map((p) => `${p.name}${p.ongoing ? ` (${t('admin.realms.ongoing')})` : ''}`).join(', ') : '—'}</dd>
                <dt>{t('admin.realms.pipelines')}</dt>
                <dd>
                  {r.pipelines.length
                    ? r.pipelines.map((p) => `${p.name} · ${p.key} · ${p.environment} · ${p.status}${p.inProjectPhase ? ` (${t('admin.realms.projectPhase')})` : ''}`).join('; ')
                    : '—'}
                </dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
