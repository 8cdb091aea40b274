import './SearchTexts.tsx';
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { fmtTime } from '../ui/format.ts';
import { getJson } from './SearchTexts.tsx';

interface Overview {
  at: string;
  agents: Array<{ id: string; name: string; role: string; teams: string[]; online: boolean; available: boolean; open: number }>;
  queues: Array<{ queue: string; team: string | null; waiting: number; oldestId: string | null; oldestQueuedAt: string | null }>;
}

/** The team overview for leads: who is online and available, open conversations per agent, each queue's waiting line. */
export function Team() {
  const { t, locale, navigate } = useConsole();
  const [o, setO] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    const r = await getJson<Overview>('/api/agent/team');
    if (!r.ok) return setError(t('insights.error', { detail: r.detail }));
    setError(null);
    setO(r.body);
  };
  useEffect(() => {
    void load();
    const every = setInterval(() => void load(), 30_000);
    return () => clearInterval(every);
  }, []);
  const minutes = (since: string) => Math.max(0, Math.round((Date.parse(o!.at) - Date.parse(since)) / 60_000));
  return (
    <main class="insight" id="main" aria-labelledby="team-title">
      <div class="insight-row">
        <h2 id="team-title">{t('team.title')}</h2>
        <button type="button" class="btn btn--small" onClick={() => void load()}>
          {t('team.refresh')}
        </button>
        {o ? (
          <span class="muted small" role="status">
            {t('team.at', { time: fmtTime(locale, o.at) })}
          </span>
        ) : null}
      </div>
      {error ? (
        <p role="alert" class="notice-inline">
          {error}
        </p>
      ) : null}
      {!o ? (
        <p class="muted" role="status">
          {t('insights.loading')}
        </p>
      ) : (
        <>
          <section class="insight-section" aria-labelledby="queues-h" tabIndex={0}>
            <h3 id="queues-h">{t('team.queues')}</h3>
            {o.queues.length ? (
              <table class="insight-table">
                <thead>
                  <tr>
                    <th scope="col">{t('team.queue')}</th>
                    <th scope="col" class="num">{t('team.waiting')}</th>
                    <th scope="col">{t('team.oldest')}</th>
                  </tr>
                </thead>
                <tbody>
                  {o.queues.map((q) => (
                    <tr key={`${q.queue}|${q.team}`}>
                      <th scope="row">
                        {t(`insights.queue.${q.queue}`)}
                        {q.team ? ` · ${q.team}` : ''}
                      </th>
                      <td class="num">{q.waiting}</td>
                      <td>
                        {q.oldestId ? (
                          <a
                            href={`#/inbox/${encodeURIComponent(q.oldestId)}`}
                            onClick={(e) => {
                              e.preventDefault();
                              navigate({ view: 'inbox', conversationId: q.oldestId });
                            }}
                          >
                            {q.oldestId}
                          </a>
                        ) : null}{' '}
                        {q.oldestQueuedAt ? <span class="muted small">{t('team.since', { minutes: minutes(q.oldestQueuedAt) })}</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">{t('team.noQueue')}</p>
            )}
          </section>
          <section class="insight-section" aria-labelledby="agents-h" tabIndex={0}>
            <h3 id="agents-h">{t('team.agents')}</h3>
            <table class="insight-table">
              <thead>
                <tr>
                  <th scope="col">{t('team.agent')}</th>
                  <th scope="col">{t('team.state')}</th>
                  <th scope="col" class="num">{t('team.open')}</th>
                </tr>
              </thead>
              <tbody>
                {o.agents.map((a) => (
                  <tr key={a.id} data-agent-id={a.id}>
                    <th scope="row">
                      {a.name} <span class="muted small">· {a.role === 'admin' ? t('insights.role.admin') : t(`role.${a.role}`)}</span>
                    </th>
                    <td>
                      <span class={a.online ? 'insight-dot insight-dot--on' : 'insight-dot'} aria-hidden="true" />
                      {a.online ? t('team.online') : t('team.offline')}
                      {a.online ? ` · ${a.available ? t('team.available') : t('team.away')}` : ''}
                    </td>
                    <td class="num">{a.open}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </main>
  );
}
