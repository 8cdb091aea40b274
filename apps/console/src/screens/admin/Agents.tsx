import './texts.ts';
import { useState } from 'preact/hooks';
import { useConsole } from '../../context.ts';
import { LOCALE_NAMES } from '../../i18n.ts';
import { fmtDateTime } from '../../ui/format.ts';
import { adminApi, type AdminAgent, type Link, type Team } from './api.ts';
import { LinkBox, Problem, useChange, useLoad } from './bits.tsx';

const LANGS = ['pt', 'en', 'es'] as const;
const ALL_ROLES = ['agent', 'lead', 'project-team', 'admin'] as const;
/** What a lead may give (packages/policy admin.ts: mayChangeAgent). */
const LEAD_ROLES = ['agent', 'project-team'] as const;

type Shown = { kind: 'link'; purpose: 'invite' | 'reset'; name: string; link: Link } | { kind: 'status'; text: string } | null;

/** Agents: add (invite or set a password), edit role/languages/teams, reset password, disable/enable. Leads: their teams' members. */
export function AgentsPanel() {
  const { t, me, locale } = useConsole();
  const agents = useLoad(adminApi.agents);
  const teams = useLoad(adminApi.teams);
  const [editing, setEditing] = useState<string | null>(null);
  const [shown, setShown] = useState<Shown>(null);
  const change = useChange();
  const isAdmin = me.role === 'admin';
  const roles = isAdmin ? ALL_ROLES : LEAD_ROLES;
  const teamList = teams.data?.teams ?? [];

  const act = async (a: AdminAgent, what: 'reset' | 'disable' | 'enable') => {
    setShown(null);
    if (what === 'reset') {
      const r = await change.run(() => adminApi.reset(a.id));
      if (r) setShown({ kind: 'link', purpose: 'reset', name: a.name, link: r.body.reset });
      return;
    }
    const r = await change.run(() => (what === 'disable' ? adminApi.disable(a.id) : adminApi.enable(a.id)));
    if (r) setShown({ kind: 'status', text: t(what === 'disable' ? 'admin.agents.nowDisabled' : 'admin.agents.nowEnabled', { name: a.name }) });
    await agents.reload();
  };

  return (
    <section aria-labelledby="admin-agents" class="admin-section">
      <h3 id="admin-agents">{t('admin.agents.title')}</h3>
      {!isAdmin ? <p class="muted">{t('admin.agents.leadIntro', { teams: me.teams.map((id) => teamList.find((x) => x.id === id)?.name ?? id).join(', ') || '—' })}</p> : null}
      <Problem t={t} error={agents.error} />
      <Problem t={t} error={change.error} />
      {shown?.kind === 'link' ? (
        <LinkBox
          t={t}
          link={shown.link}
          text={t(`admin.agents.link.${shown.purpose}`, { name: shown.name, date: fmtDateTime(locale, shown.link.expiresAt) })}
          onDone={() => setShown(null)}
        />
      ) : shown?.kind === 'status' ? (
        <p class="notice" role="status">
          {shown.text}
        </p>
      ) : null}
      {agents.data === null ? (
        <p class="muted">{t('admin.loading')}</p>
      ) : agents.data.agents.length === 0 ? (
        <p class="empty">{t('admin.agents.none')}</p>
      ) : (
        <ul class="admin-list">
          {agents.data.agents.map((a) =>
            editing === a.id ? (
              <li key={a.id} class="admin-item admin-item--editing">
                <AgentForm
                  title={t('admin.agents.editing', { name: a.name })}
                  initial={a}
                  roles={roles.includes(a.role as never) ? roles : [a.role, ...roles]}
                  teams={teamList}
                  onCancel={() => setEditing(null)}
                  onSave={async (v) => {
                    const r = await change.run(() => adminApi.updateAgent(a.id, { name: v.name, role: v.role, languages: v.languages, teams: v.teams }));
                    if (r) {
                      setEditing(null);
                      await agents.reload();
                      await teams.reload();
                    }
                  }}
                  busy={change.busy}
                />
              </li>
            ) : (
              <li key={a.id} class="admin-item">
                <div class="admin-item-main">
                  <span class="strong">{a.name}</span>
                  {a.id === me.id ? <span class="tag">{t('admin.agents.you')}</span> : null}
                  <span class={a.disabled ? 'tag tag--warn' : 'tag'}>{a.disabled ? t('admin.agents.disabled') : t('admin.agents.active')}</span>
                  <span class="muted small admin-email">{a.email}</span>
                </div>
                <div class="admin-item-meta small">
                  <span>{t(`role.${a.role}`)}</span>
                  <span>· {a.languages.map((l) => l.toUpperCase()).join(', ')}</span>
                  <span>· {a.teams.length ? a.teams.map((id) => teamList.find((x) => x.id === id)?.name ?? id).join(', ') : t('admin.agents.noTeams')}</span>
                </div>
                {a.id === me.id ? null : (
                  <div class="row-actions admin-actions">
                    <button type="button" class="btn btn--small" onClick={() => setEditing(a.id)} aria-label={`${t('admin.edit')}: ${a.name}`}>
                      {t('admin.edit')}
                    </button>
                    <button type="button" class="btn btn--small" disabled={change.busy} onClick={() => act(a, 'reset')} aria-label={`${t('admin.agents.reset')}: ${a.name}`}>
                      {t('admin.agents.reset')}
                    </button>
                    {a.disabled ? (
                      <button type="button" class="btn btn--small" disabled={change.busy} onClick={() => act(a, 'enable')} aria-label={`${t('admin.agents.enable')}: ${a.name}`}>
                        {t('admin.agents.enable')}
                      </button>
                    ) : (
                      <button type="button" class="btn btn--small btn--danger" disabled={change.busy} onClick={() => act(a, 'disable')} aria-label={`${t('admin.agents.disable')}: ${a.name}`}>
                        {t('admin.agents.disable')}
                      </button>
                    )}
                  </div>
                )}
              </li>
            ),
          )}
        </ul>
      )}
      <details class="admin-add">
        <summary>{t('admin.agents.add')}</summary>
        <AgentForm
          title={t('admin.agents.add')}
          roles={roles}
          teams={teamList}
          creating
          busy={change.busy}
          onSave={async (v) => {
            setShown(null);
            const r = await change.run(() =>
              adminApi.createAgent({ email: v.email, name: v.name, role: v.role, languages: v.languages, teams: v.teams, ...(v.password !== null ? { password: v.password } : {}) }),
            );
            if (!r) return false;
            setShown(r.body.invite ? { kind: 'link', purpose: 'invite', name: r.body.agent.name, link: r.body.invite } : { kind: 'status', text: t('admin.agents.created', { name: r.body.agent.name }) });
            await agents.reload();
            await teams.reload();
            return true;
          }}
        />
      </details>
    </section>
  );
}

interface FormValue {
  email: string;
  name: string;
  role: AdminAgent['role'];
  languages: AdminAgent['languages'];
  teams: string[];
  password: string | null;
}

function AgentForm(props: {
  title: string;
  initial?: AdminAgent;
  roles: readonly AdminAgent['role'][];
  teams: Team[];
  creating?: boolean;
  busy: boolean;
  onSave(v: FormValue): Promise<boolean | void>;
  onCancel?(): void;
}) {
  const { t, me } = useConsole();
  const init = props.initial;
  const [email, setEmail] = useState(init?.email ?? '');
  const [name, setName] = useState(init?.name ?? '');
  const [role, setRole] = useState<AdminAgent['role']>(init?.role ?? 'agent');
  const [languages, setLanguages] = useState<AdminAgent['languages']>(init?.languages ?? ['en']);
  const [teams, setTeams] = useState<string[]>(init?.teams ?? (me.role === 'lead' && me.teams[0] ? [me.teams[0]] : []));
  const [how, setHow] = useState<'invite' | 'password'>('invite');
  const [password, setPassword] = useState('');
  const key = init?.id ?? 'new';
  const toggle = <T,>(list: T[], v: T, on: boolean) => (on ? [...list.filter((x) => x !== v), v] : list.filter((x) => x !== v));

  const submit = async (e: Event) => {
    e.preventDefault();
    const done = await props.onSave({ email: email.trim(), name: name.trim(), role, languages, teams, password: props.creating && how === 'password' ? password : null });
    if (done && props.creating) {
      setEmail('');
      setName('');
      setPassword('');
    }
  };

  return (
    <form class="admin-form" onSubmit={submit} aria-label={props.title}>
      {props.initial ? <h4>{props.title}</h4> : null}
      <div class="admin-fields">
        {props.creating ? (
          <label class="field">
            <span>{t('admin.agents.email')}</span>
            <input type="email" required autocomplete="off" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
        ) : null}
        <label class="field">
          <span>{t('admin.agents.name')}</span>
          <input required maxLength={120} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('admin.agents.role')}</span>
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as AdminAgent['role'])}>
            {props.roles.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset class="admin-checks">
        <legend>{t('admin.agents.languages')}</legend>
        {LANGS.map((l) => (
          <label key={l} class="check">
            <input type="checkbox" checked={languages.includes(l)} onChange={(e) => setLanguages(toggle(languages, l, e.currentTarget.checked))} />
            {LOCALE_NAMES[l]}
          </label>
        ))}
      </fieldset>
      {props.teams.length ? (
        <fieldset class="admin-checks">
          <legend>{t('admin.agents.teams')}</legend>
          {props.teams.map((tm) => (
            <label key={tm.id} class="check">
              <input type="checkbox" checked={teams.includes(tm.id)} onChange={(e) => setTeams(toggle(teams, tm.id, e.currentTarget.checked))} />
              {tm.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      {props.creating ? (
        <fieldset class="admin-checks">
          <legend>{t('admin.agents.how')}</legend>
          <label class="check">
            <input type="radio" name={`how-${key}`} checked={how === 'invite'} onChange={() => setHow('invite')} />
            {t('admin.agents.invite')}
          </label>
          <label class="check">
            <input type="radio" name={`how-${key}`} checked={how === 'password'} onChange={() => setHow('password')} />
            {t('admin.agents.setPassword')}
          </label>
          {how === 'password' ? (
            <label class="field">
              <span>{t('admin.agents.password')}</span>
              <input type="password" autocomplete="new-password" required minLength={12} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            </label>
          ) : null}
        </fieldset>
      ) : null}
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
