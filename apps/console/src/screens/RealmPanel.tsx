import type { AgentConversationView, GrantView, PipelineView } from '@ajuda/protocol';
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { tOr } from '../i18n.ts';
import { formatDuration } from '../sla.ts';
import { useStore, type OpenConversation } from '../store.ts';
import { useAction } from '../ui/action.ts';
import { useNow } from '../ui/bits.tsx';
import { fmtDateTime } from '../ui/format.ts';

/** A grant is usable while not revoked and not expired (R12c). */
export function activeGrant(grant: GrantView | null, now: number): GrantView | null {
  if (!grant || grant.revokedAt) return null;
  return Date.parse(grant.expiresAt) > now ? grant : null;
}

type Adjust = 'restart' | 'pause' | 'resume';

/**
 * The requester's realm, for authenticated conversations only (R7b): read-only by default
 * (R12a); the adjust actions are enabled only while a customer grant is active (R12b, R12c).
 */
export function RealmPanel({ conv, open }: { conv: AgentConversationView; open: OpenConversation }) {
  const { t, conn, store } = useConsole();
  const ready = useStore(store, (s) => s.status === 'ready');
  const [loadError, setLoadError] = useState<string | null>(null);
  const now = useNow();
  const realm = open.realm;
  const grant = activeGrant(realm?.grant ?? open.grant, now);

  const load = () => {
    setLoadError(null);
    conn.request({ type: 'realm.view', conversationId: conv.id }).catch((e: { frame?: { i18nKey?: string; code: string } }) => {
      setLoadError(e.frame?.i18nKey ?? `error.${e.frame?.code ?? 'internal'}`);
    });
  };
  useEffect(() => {
    if (ready) load();
  }, [conv.id, ready]);

  return (
    <section class="panel realm" aria-labelledby="realm-title">
      <div class="panel-head">
        <h3 id="realm-title">{t('realm.title')}</h3>
        <button type="button" class="btn btn--small" onClick={load}>
          {t('realm.refresh')}
        </button>
      </div>
      {grant ? (
        <p class="banner banner--grant" role="status">
          <strong>{t('realm.grantActive', { level: t(`realm.grantLevel.${grant.level}`) })}</strong>{' '}
          {t('realm.grantExpires', { time: formatDuration(Date.parse(grant.expiresAt) - now), by: grant.grantedBy })}
          <span class="small block">{t('realm.guideFirst')}</span>
        </p>
      ) : (
        <p class="muted small">{t('realm.readOnly')}</p>
      )}
      {loadError ? (
        <p class="error" role="alert">
          {t(loadError)}
        </p>
      ) : null}
      {!realm ? (
        <p class="muted">{t('realm.loading')}</p>
      ) : (
        <>
          <table class="table">
            <caption class="visually-hidden">{t('realm.pipelines')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('realm.pipeline')}</th>
                <th scope="col">{t('realm.env')}</th>
                <th scope="col">{t('realm.status')}</th>
                <th scope="col">{t('realm.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {realm.pipelines.map((p) => (
                <PipelineRow key={p.id} p={p} conversationId={conv.id} enabled={grant !== null} onGrantLost={load} />
              ))}
            </tbody>
          </table>
          <h4>{t('realm.projects')}</h4>
          {realm.projects.length === 0 ? (
            <p class="muted small">{t('realm.noProjects')}</p>
          ) : (
            <ul class="plain">
              {realm.projects.map((p) => (
                <li key={p.id}>
                  {p.name} {p.ongoing ? <span class="tag tag--warn">{t('realm.projectOngoing')}</span> : <span class="tag">{t('realm.projectDone')}</span>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function PipelineRow({ p, conversationId, enabled, onGrantLost }: { p: PipelineView; conversationId: string; enabled: boolean; onGrantLost(): void }) {
  const { t, conn, locale } = useConsole();
  const [confirm, setConfirm] = useState<Adjust | null>(null);
  const [run, busy, error] = useAction();
  const [done, setDone] = useState<string | null>(null);
  const actions: Adjust[] = p.status === 'paused' ? ['restart', 'resume'] : ['restart', 'pause'];
  return (
    <tr>
      <td>
        <span class="strong">{p.name}</span> <code class="small">{p.key}</code>
        {p.inProjectPhase ? <span class="tag tag--warn">{t('realm.projectPhase')}</span> : null}
      </td>
      <td>{p.environment}</td>
      <td>{tOr(locale, `realm.pipelineStatus.${p.status}`, p.status)}</td>
      <td>
        {confirm ? (
          <span class="confirm">
            <span class="small">{t('realm.confirm', { action: t(`realm.action.${confirm}`), name: p.name })}</span>{' '}
            <button
              type="button"
              class="btn btn--small btn--danger"
              disabled={busy}
              onClick={() =>
                run(
                  () =>
                    conn.request({ type: 'realm.adjust', conversationId, pipelineId: p.id, action: confirm }).catch((e: { frame?: { code: string } }) => {
                      if (e.frame?.code === 'grant_required') onGrantLost();
                      throw e;
                    }),
                  () => {
                    setDone(fmtDateTime(locale, new Date().toISOString()));
                    setConfirm(null);
                  },
                )
              }
            >
              {t('common.confirm')}
            </button>{' '}
            <button type="button" class="btn btn--small" onClick={() => setConfirm(null)}>
              {t('common.cancel')}
            </button>
          </span>
        ) : (
          actions.map((a) => (
            <button
              key={a}
              type="button"
              class="btn btn--small"
              disabled={!enabled}
              title={enabled ? undefined : t('realm.needsGrant')}
              aria-label={`${t(`realm.action.${a}`)} ${p.name}`}
              onClick={() => setConfirm(a)}
            >
              {t(`realm.action.${a}`)}
            </button>
          ))
        )}
        {done ? <span class="ok small block">{t('realm.adjustDone', { at: done })}</span> : null}
        {error ? (
          <span class="error small block" role="alert">
            {error}
          </span>
        ) : null}
      </td>
    </tr>
  );
}
