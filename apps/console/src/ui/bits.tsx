import type { AgentConversationView, ConversationStatus, Priority, SlaView } from '@ajuda/protocol';
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { formatDuration, slaState } from '../sla.ts';

/** Re-render the calling component on each tick of the shared clock, and only it. */
export function useNow(): number {
  const { ticker } = useConsole();
  const [now, setNow] = useState(() => ticker.now());
  useEffect(() => ticker.subscribe(() => setNow(ticker.now())), [ticker]);
  return now;
}

/**
 * The live SLA countdown (R10): time left on the clock that runs out first, or how long
 * ago it was breached. Subscribes to the shared ticker by itself.
 */
export function SlaCountdown({ sla, status }: { sla: SlaView; status: ConversationStatus }) {
  const { t } = useConsole();
  const now = useNow();
  const s = slaState(sla, status, now);
  if (s.clock === null || s.msLeft === null) {
    if (s.breached) return <span class="sla sla--breached">{t('sla.breached')}</span>;
    return <span class="sla sla--none">{t('sla.none')}</span>;
  }
  const clock = t(`sla.clock.${s.clock}`);
  if (s.breached) {
    // A breach the server recorded stays visible while the next clock keeps running.
    const text = s.msLeft <= 0 ? t('sla.breachedAgo', { time: formatDuration(s.msLeft) }) : t('sla.breachedLeft', { time: formatDuration(s.msLeft) });
    return (
      <span class="sla sla--breached" title={clock}>
        <span aria-hidden="true">⚠ </span>
        {text}
      </span>
    );
  }
  const soon = s.msLeft < 15 * 60_000;
  return (
    <span class={soon ? 'sla sla--soon' : 'sla'} title={clock}>
      {t('sla.left', { time: formatDuration(s.msLeft) })}
    </span>
  );
}

export function PriorityBadge({ priority }: { priority: Priority | null }) {
  const { t } = useConsole();
  if (!priority) return <span class="badge badge--none">{t('priority.none')}</span>;
  return (
    <span class={`badge badge--${priority.toLowerCase()}`} title={t(`priority.${priority}.name`)}>
      {priority}
      <span class="visually-hidden"> {t(`priority.${priority}.name`)}</span>
    </span>
  );
}

/** Verified (identity token) vs unverified claim (R1): never let a claim look verified. */
export function RequesterLabel({ requester }: { requester: AgentConversationView['requester'] }) {
  const { t } = useConsole();
  if (requester.verified) {
    return (
      <span class="who who--verified">
        <span class="who-mark" aria-hidden="true">✔</span> {requester.name ?? requester.email ?? requester.userId ?? t('requester.unnamed')}
        <span class="visually-hidden"> ({t('requester.verified')})</span>
      </span>
    );
  }
  const claim = requester.claims?.name ?? requester.claims?.email;
  return (
    <span class="who who--unverified">
      {claim ? (
        <>
          <span class="claim">{claim}</span> <span class="tag tag--warn">{t('requester.unverifiedClaim')}</span>
        </>
      ) : (
        <span>{t('requester.anonymous')}</span>
      )}
    </span>
  );
}

export function queueLabel(t: (k: string, p?: Record<string, string | number>) => string, key: string): string {
  const [queue, rest] = key.split(':');
  if (queue === 'support') return t('queue.support', { lang: (rest ?? '').toUpperCase() });
  if (queue === 'project') return rest ? t('queue.projectTeam', { team: rest }) : t('queue.project');
  return t('queue.leads');
}

/** The queue a conversation sits in, keyed for filters: support by language, project by team, leads. */
export function queueKey(c: Pick<AgentConversationView, 'queue' | 'language' | 'team'>): string {
  if (c.queue === 'support') return `support:${c.language}`;
  if (c.queue === 'project') return `project:${c.team ?? ''}`;
  return 'leads';
}
