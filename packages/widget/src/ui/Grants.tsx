import { useEffect, useState } from 'preact/hooks';
import { renderSystemLine } from '@ajuda/i18n';
import { useApp } from './context.ts';
import { ScreenTitle, durationText, errorText } from './common.tsx';
import './screens.css';

const HOURS = [1, 4, 8, 24, 72] as const;

/**
 * R12: a realm user holding the grant permission lets support write in their realm for a while,
 * sees the active grant and its expiry, and revokes it. Agents are read-only otherwise (R12a).
 */
export function GrantsScreen() {
  const { state, actions, t } = useApp();
  const [hours, setHours] = useState<number>(4);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const principal = state.principal;
  const canGrant = principal?.kind === 'realm_user' && principal.canGrant;

  useEffect(() => {
    if (canGrant) actions.loadGrants();
  }, [canGrant]);

  if (!canGrant) return <p role="alert">{t('error.forbidden')}</p>;

  const now = Date.now();
  const active = (state.grants ?? []).filter((g) => !g.revokedAt && Date.parse(g.expiresAt) > now);
  const fmt = new Intl.DateTimeFormat(state.locale, { dateStyle: 'medium', timeStyle: 'short' });
  const run = async (p: Promise<{ ok: boolean; code?: string }>) => {
    setBusy(true);
    const res = await p;
    setBusy(false);
    setError(res.ok ? null : errorText(t, res as { code: string }));
  };

  return (
    <section>
      <ScreenTitle>{t('grants.title')}</ScreenTitle>
      <p class="muted">{t('grants.intro')}</p>
      <h3 class="section-title">{t('grants.active')}</h3>
      {state.grants === null ? (
        <p class="muted" role="status">
          {t('common.loading')}
        </p>
      ) : active.length === 0 ? (
        <p class="muted">{t('grants.none')}</p>
      ) : (
        <ul class="list">
          {active.map((g) => (
            <li key={g.id} class="row row-static">
              <span class="row-title">{t('grants.writeUntil', { date: fmt.format(new Date(g.expiresAt)) })}</span>
              {/* A person's name, never a raw user id (13); who granted it is unknown only for old rows. */}
              {g.grantedByName && <span class="row-meta">{t('grants.grantedBy', { name: g.grantedByName })}</span>}
              {/* R12c: every use of the access, as the screen promises: who did what to which pipeline, when. */}
              {g.uses?.length ? (
                <ul class="grant-uses" aria-label={t('grants.uses')}>
                  {g.uses.map((u, i) => (
                    <li key={i}>
                      <time dateTime={u.at}>{fmt.format(new Date(u.at))}</time> · {renderSystemLine(t, 'system.grant_used', { agent: u.by, grantAction: u.action, pipeline: u.target })}
                    </li>
                  ))}
                </ul>
              ) : (
                <span class="row-meta">{t('grants.unused')}</span>
              )}
              <button type="button" class="secondary" disabled={busy} onClick={() => run(actions.revokeGrant(g.id))}>
                {t('grants.revoke')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void run(actions.createGrant(hours * 60));
        }}
      >
        <div class="field">
          <label for="grant-hours">{t('grants.duration')}</label>
          <select id="grant-hours" value={String(hours)} onChange={(e) => setHours(Number((e.currentTarget as HTMLSelectElement).value))}>
            {HOURS.map((h) => (
              <option key={h} value={String(h)}>
                {durationText(state.locale, h * 3_600_000)}
              </option>
            ))}
          </select>
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('grants.create')}
        </button>
      </form>
    </section>
  );
}
