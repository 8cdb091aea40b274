import './texts.ts';
import { useState } from 'preact/hooks';
import { useConsole } from '../../context.ts';
import { fmtDateTime } from '../../ui/format.ts';
import { adminApi } from './api.ts';
import { Problem, useChange, useLoad } from './bits.tsx';
import { integrationsApi, SCOPES, type ApiToken } from './integrations.ts';
import { SecretBox, toggle } from './Secret.tsx';

const SCOPE_KEY = { 'conversations:read': 'admin.tokens.scope.read', 'conversations:write': 'admin.tokens.scope.write', admin: 'admin.tokens.scope.admin' } as const;

/** API tokens (admins): create one (shown once, with a copy button), list them, revoke one. */
export function TokensPanel() {
  const { t, locale } = useConsole();
  const tokens = useLoad(integrationsApi.tokens);
  const agents = useLoad(adminApi.agents);
  const change = useChange();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['conversations:read']);
  const [actor, setActor] = useState('');
  const [expires, setExpires] = useState('');
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);

  const agentName = (id: string | null) => (id === null ? t('admin.tokens.system') : (agents.data?.agents.find((a) => a.id === id)?.name ?? id));
  const state = (tk: ApiToken) => (tk.revokedAt ? 'revoked' : tk.expiresAt && Date.parse(tk.expiresAt) <= Date.now() ? 'expired' : 'active');
  const list = tokens.data ? [...tokens.data.tokens].sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt) || b.createdAt.localeCompare(a.createdAt)) : null;

  return (
    <section aria-labelledby="admin-tokens" class="admin-section">
      <h3 id="admin-tokens">{t('admin.tokens.title')}</h3>
      <p class="muted small">{t('admin.tokens.intro')}</p>
      <Problem t={t} error={tokens.error} />
      <Problem t={t} error={change.error} />
      {shown ? <SecretBox t={t} text={t('admin.tokens.shownOnce', { name: shown.name })} label={t('admin.tokens.token')} secret={shown.token} onDone={() => setShown(null)} /> : null}
      {list === null ? (
        <p class="muted">{t('admin.loading')}</p>
      ) : list.length === 0 ? (
        <p class="empty">{t('admin.tokens.none')}</p>
      ) : (
        <ul class="admin-list" aria-label={t('admin.tokens.list')}>
          {list.map((tk) => {
            const st = state(tk);
            return (
              <li key={tk.id} class="admin-item">
                <div class="admin-item-main">
                  <span class="strong">{tk.name}</span>
                  <code class="small">{tk.id}</code>
                  <span class={st === 'active' ? 'tag' : 'tag tag--warn'}>{t(`admin.tokens.state.${st}`)}</span>
                </div>
                <dl class="admin-dl small">
                  <dt>{t('admin.tokens.scopes')}</dt>
                  <dd>{tk.scopes.map((s) => t(SCOPE_KEY[s as keyof typeof SCOPE_KEY] ?? s)).join(', ')}</dd>
                  <dt>{t('admin.tokens.actsAs')}</dt>
                  <dd>{agentName(tk.agentId)}</dd>
                  <dt>{t('admin.tokens.created')}</dt>
                  <dd>{fmtDateTime(locale, tk.createdAt)}</dd>
                  <dt>{t('admin.tokens.expires')}</dt>
                  <dd>{tk.expiresAt ? fmtDateTime(locale, tk.expiresAt) : t('admin.tokens.never')}</dd>
                  <dt>{t('admin.tokens.lastUsed')}</dt>
                  <dd>{tk.lastUsedAt ? fmtDateTime(locale, tk.lastUsedAt) : t('admin.tokens.notUsed')}</dd>
                </dl>
                {st !== 'revoked' ? (
                  <div class="row-actions admin-actions">
                    <button
                      type="button"
                      class="btn btn--small btn--danger"
                      disabled={change.busy}
                      aria-label={`${t('admin.tokens.revoke')}: ${tk.name}`}
                      onClick={async () => {
                        if (await change.run(() => integrationsApi.revokeToken(tk.id))) await tokens.reload();
                      }}
                    >
                      {t('admin.tokens.revoke')}
                    </button>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <form
        class="admin-form"
        aria-labelledby="admin-tokens-add"
        onSubmit={async (e) => {
          e.preventDefault();
          if (scopes.length === 0) {
            change.setError({ code: 'bad_request', detail: t('admin.tokens.scopeNeeded') });
            return;
          }
          const body = { name: name.trim(), scopes, agentId: actor || null, ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}) };
          const r = await change.run(() => integrationsApi.createToken(body));
          if (r) {
            setShown({ name: r.body.apiToken.name, token: r.body.token });
            setName('');
            setExpires('');
            await tokens.reload();
          }
        }}
      >
        <h4 id="admin-tokens-add">{t('admin.tokens.add')}</h4>
        <div class="admin-fields">
          <label class="field">
            <span>{t('admin.tokens.name')}</span>
            <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('admin.tokens.actsAs')}</span>
            <select value={actor} onChange={(e) => setActor(e.currentTarget.value)}>
              <option value="">{t('admin.tokens.system')}</option>
              {(agents.data?.agents ?? [])
                .filter((a) => !a.disabled)
                .map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({a.email})
                  </option>
                ))}
            </select>
          </label>
          <label class="field">
            <span>{t('admin.tokens.expiresOn')}</span>
            <input type="date" value={expires} min={new Date().toISOString().slice(0, 10)} onInput={(e) => setExpires(e.currentTarget.value)} />
          </label>
        </div>
        <fieldset class="admin-checks">
          <legend>{t('admin.tokens.scopes')}</legend>
          {SCOPES.map((s) => (
            <label key={s} class="check">
              <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(toggle(scopes, s, e.currentTarget.checked))} />
              {t(SCOPE_KEY[s])}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="btn btn--primary" disabled={change.busy}>
          {t('admin.tokens.create')}
        </button>
      </form>
    </section>
  );
}
