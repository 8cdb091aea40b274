import type { AgentConversationView, EscalationView } from '@ajuda/protocol';
import { useMemo } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { compareUrgency, slaState } from '../sla.ts';
import { useStore } from '../store.ts';
import { PriorityBadge, RequesterLabel, SlaCountdown } from '../ui/bits.tsx';
import { EscalationDetails } from './Conversation.tsx';

/** Support leads' view: escalations (R13) and breached SLAs (R10). */
export function Leads() {
  const { t, store, ticker, navigate } = useConsole();
  const conversations = useStore(store, (s) => s.conversations);
  const escalations = useStore(store, (s) => s.escalations);
  const breaches = useStore(store, (s) => s.breaches);

  const escalated = useMemo(() => {
    const ids = new Set<string>(Object.keys(escalations));
    for (const c of Object.values(conversations)) if (c.escalated) ids.add(c.id);
    return [...ids]
      .map((id) => ({ id, c: conversations[id] ?? null, list: escalations[id] ?? [] }))
      .sort((a, b) => latest(b.list).localeCompare(latest(a.list)));
  }, [conversations, escalations]);

  const breached = useMemo(() => {
    const now = ticker.now();
    const ids = new Set(breaches.map((b) => b.conversationId));
    const list: AgentConversationView[] = Object.values(conversations).filter((c) => ids.has(c.id) || slaState(c.sla, c.status, now).breached);
    return list.sort((a, b) => compareUrgency(a, b, now));
  }, [conversations, breaches, ticker]);

  // R14: a "No" reaches the leads with its comment, newest first; updates arrive live with the row.
  const unhappy = useMemo(
    () => Object.values(conversations).filter((c) => c.feedback && !c.feedback.answered).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
    [conversations],
  );

  const open = (id: string) => navigate({ view: 'inbox', conversationId: id });

  return (
    <main class="leads" id="main" aria-labelledby="leads-title">
      <h2 id="leads-title">{t('leads.title')}</h2>
      <section aria-labelledby="leads-esc">
        <h3 id="leads-esc">
          {t('leads.escalations')} <span class="count">{escalated.length}</span>
        </h3>
        {escalated.length === 0 ? (
          <p class="empty">{t('leads.noEscalations')}</p>
        ) : (
          <ul class="cards">
            {escalated.map(({ id, c, list }) => (
              <li key={id} class="card card--esc">
                <div class="card-head">
                  {c ? <PriorityBadge priority={c.priority} /> : null}
                  <span class="strong">{c ? t(`requestType.${c.requestType}`) : t('leads.conversation')}</span>
                  <code class="small">{id}</code>
                  {c ? <RequesterLabel requester={c.requester} /> : null}
                  {c ? <SlaCountdown sla={c.sla} status={c.status} /> : null}
                  <button type="button" class="btn btn--small" onClick={() => open(id)}>
                    {t('leads.open')}
                  </button>
                </div>
                {list.length === 0 ? (
                  <p class="muted small">{t('leads.detailsOnOpen')}</p>
                ) : (
                  list.map((e) => (
                    <EscalationDetails key={e.id} e={e} />
                  ))
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="leads-feedback">
        <h3 id="leads-feedback">
          {t('leads.negativeFeedback')} <span class="count">{unhappy.length}</span>
        </h3>
        {unhappy.length === 0 ? (
          <p class="empty">{t('leads.noNegativeFeedback')}</p>
        ) : (
          <ul class="cards">
            {unhappy.map((c) => (
              <li key={c.id} class="card card--feedback" data-conversation-id={c.id}>
                <div class="card-head">
                  <PriorityBadge priority={c.priority} />
                  <span class="strong">{t(`requestType.${c.requestType}`)}</span>
                  <code class="small">{c.id}</code>
                  <RequesterLabel requester={c.requester} />
                  <span class="muted small">
                    {t('conv.assignee')}: {c.assignee?.name ?? t('conv.unassigned')}
                  </span>
                  <button type="button" class="btn btn--small" onClick={() => open(c.id)}>
                    {t('leads.open')}
                  </button>
                </div>
                <p class="warn">{t('feedback.no')}</p>
                {c.feedback?.comment ? <blockquote class="pre">{c.feedback.comment}</blockquote> : <p class="muted small">{t('leads.noComment')}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="leads-breach">
        <h3 id="leads-breach">
          {t('leads.breaches')} <span class="count">{breached.length}</span>
        </h3>
        {breached.length === 0 ? (
          <p class="empty">{t('leads.noBreaches')}</p>
        ) : (
          <table class="table">
            <caption class="visually-hidden">{t('leads.breaches')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('leads.col.priority')}</th>
                <th scope="col">{t('leads.col.request')}</th>
                <th scope="col">{t('leads.col.sla')}</th>
                <th scope="col">{t('leads.col.assignee')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('leads.open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {breached.map((c) => (
                <tr key={c.id}>
                  <td>
                    <PriorityBadge priority={c.priority} />
                  </td>
                  <td>
                    {t(`requestType.${c.requestType}`)} <code class="small">{c.id}</code>
                  </td>
                  <td>
                    <SlaCountdown sla={c.sla} status={c.status} />
                  </td>
                  <td>{c.assignee?.name ?? t('conv.unassigned')}</td>
                  <td>
                    <button type="button" class="btn btn--small" onClick={() => open(c.id)}>
                      {t('leads.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}

function latest(list: readonly EscalationView[]): string {
  return list.reduce((m, e) => (e.createdAt > m ? e.createdAt : m), '');
}
