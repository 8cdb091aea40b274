import type { AgentConversationView, AgentView, Priority } from '@ajuda/protocol';
import { useCallback, useMemo, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { compareUrgency, isOpenStatus } from '../sla.ts';
import { useStore } from '../store.ts';
import { useDraftedIds } from '../drafts.ts';
import { resyncOpen } from '../sync.ts';
import { memo } from '../ui/memo.ts';
import { PriorityBadge, queueKey, queueLabel, RequesterLabel, SlaCountdown } from '../ui/bits.tsx';

export interface InboxFilters {
  queue: string; // 'all' or a queueKey
  priority: 'all' | Priority;
  status: 'open' | 'queued' | 'assigned' | 'resolved' | 'all';
  owner: 'all' | 'mine' | 'unassigned';
}

export const DEFAULT_FILTERS: InboxFilters = { queue: 'all', priority: 'all', status: 'open', owner: 'all' };

/** The queues an agent works: support by language, their project teams, leads (R4a, R11, R13). */
export function agentQueues(me: AgentView): string[] {
  const out: string[] = [];
  if (me.role !== 'project-team') for (const l of me.languages) out.push(`support:${l}`);
  for (const team of me.teams) out.push(`project:${team}`);
  if (me.role === 'lead') out.push('leads');
  return out;
}

export function matchesFilters(c: AgentConversationView, f: InboxFilters, meId: string): boolean {
  if (f.queue !== 'all' && queueKey(c) !== f.queue) return false;
  if (f.priority !== 'all' && c.priority !== f.priority) return false;
  switch (f.status) {
    case 'open':
      if (!isOpenStatus(c.status)) return false;
      break;
    case 'resolved':
      if (isOpenStatus(c.status)) return false;
      break;
    case 'queued':
    case 'assigned':
      if (c.status !== f.status) return false;
      break;
    case 'all':
      break;
  }
  if (f.owner === 'mine' && c.assignee?.id !== meId) return false;
  if (f.owner === 'unassigned' && c.assignee !== null) return false;
  return true;
}

/** Sorted, filtered rows (R9, R10): see compareUrgency for the order. */
export function inboxRows(conversations: Readonly<Record<string, AgentConversationView>>, f: InboxFilters, meId: string, now: number) {
  return Object.values(conversations)
    .filter((c) => matchesFilters(c, f, meId))
    .sort((a, b) => compareUrgency(a, b, now));
}

export function Inbox({ selectedId }: { selectedId: string | null }) {
  const { t, store, me, ticker, navigate, conn } = useConsole();
  const conversations = useStore(store, (s) => s.conversations);
  const loaded = useStore(store, (s) => s.inboxLoaded);
  const [filters, setFilters] = useState<InboxFilters>(DEFAULT_FILTERS);
  // Sorting reads the clock only when the data or filters change: rows keep their order as
  // countdowns tick (time moves every due date alike), and each countdown updates itself.
  const rows = useMemo(() => inboxRows(conversations, filters, me.id, ticker.now()), [conversations, filters, me.id, ticker]);
  // A conversation shows its draft as soon as it has one (kept as the agent types), and loses the mark once sent.
  const drafted = useDraftedIds(me.id);
  const queues = useMemo(() => {
    const set = new Set(agentQueues(me));
    for (const c of Object.values(conversations)) set.add(queueKey(c));
    return [...set];
  }, [conversations, me]);
  // Clicking the row of the conversation already open brings it up to date (by seq) as well.
  const open = useCallback(
    (id: string) => {
      if (id === selectedId) void resyncOpen(store, conn);
      else navigate({ view: 'inbox', conversationId: id });
    },
    [navigate, selectedId, store, conn],
  );
  const set = <K extends keyof InboxFilters>(k: K, v: InboxFilters[K]) => setFilters((f) => ({ ...f, [k]: v }));

  return (
    <section class="inbox" aria-labelledby="inbox-title">
      <div class="pane-head">
        <h2 id="inbox-title">{t('inbox.title')}</h2>
        <span class="count" aria-label={t('inbox.countLabel', { n: rows.length })}>
          {rows.length}
        </span>
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('inbox.filters')}>
        <label>
          <span>{t('filter.queue')}</span>
          <select value={filters.queue} onChange={(e) => set('queue', e.currentTarget.value)}>
            <option value="all">{t('filter.all')}</option>
            {queues.map((q) => (
              <option key={q} value={q}>
                {queueLabel(t, q)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('filter.priority')}</span>
          <select value={filters.priority} onChange={(e) => set('priority', e.currentTarget.value as InboxFilters['priority'])}>
            <option value="all">{t('filter.all')}</option>
            {(['P1', 'P2', 'P3', 'P4'] as const).map((p) => (
              <option key={p} value={p}>
                {p} · {t(`priority.${p}.name`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('filter.status')}</span>
          <select value={filters.status} onChange={(e) => set('status', e.currentTarget.value as InboxFilters['status'])}>
            {(['open', 'queued', 'assigned', 'resolved', 'all'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`filter.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('filter.owner')}</span>
          <select value={filters.owner} onChange={(e) => set('owner', e.currentTarget.value as InboxFilters['owner'])}>
            {(['all', 'mine', 'unassigned'] as const).map((o) => (
              <option key={o} value={o}>
                {t(`filter.owner.${o}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {!loaded ? (
        <p class="empty" role="status">
          {t('inbox.loading')}
        </p>
      ) : rows.length === 0 ? (
        <p class="empty">{t('inbox.empty')}</p>
      ) : (
        <ul class="rows" aria-label={t('inbox.listLabel')}>
          {rows.map((c) => (
            <InboxRow key={c.id} c={c} selected={c.id === selectedId} draft={drafted.has(c.id)} onOpen={open} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** One row; memoised so an update to another conversation does not re-render it. */
export const InboxRow = memo(function InboxRow({ c, selected, draft, onOpen }: { c: AgentConversationView; selected: boolean; draft?: boolean; onOpen(id: string): void }) {
  const { t } = useConsole();
  return (
    <li class={selected ? 'row row--selected' : 'row'} data-conversation-id={c.id}>
      <button type="button" class="row-btn" aria-current={selected ? 'true' : undefined} onClick={() => onOpen(c.id)}>
        <span class="row-line">
          <PriorityBadge priority={c.priority} />
          <span class="row-type">{t(`requestType.${c.requestType}`)}</span>
          {c.escalated ? <span class="tag tag--esc">{t('conv.escalated')}</span> : null}
          {draft ? <span class="tag tag--draft">{t('inbox.draft')}</span> : null}
          {c.feedback && !c.feedback.answered ? <span class="tag tag--warn">{t('feedback.negativeTag')}</span> : null}
          <span class="row-sla">
            <SlaCountdown sla={c.sla} status={c.status} />
          </span>
        </span>
        <span class="row-line row-line--sub">
          <RequesterLabel requester={c.requester} />
          <span class="row-meta">
            <span class="tag">{t(`channel.${c.channel}`)}</span>
            <span class="tag">{c.language.toUpperCase()}</span>
            <span class="tag">{t(`status.${c.status}`)}</span>
            {c.assignee ? <span class="row-assignee">{c.assignee.name}</span> : null}
            {c.unread > 0 ? (
              <span class="unread" aria-label={t('inbox.unread', { n: c.unread })}>
                {c.unread}
              </span>
            ) : null}
          </span>
        </span>
        {c.lastMessage ? (
          <span class="row-line row-preview" data-preview="true">
            <span class="row-preview-who">{c.lastMessage.name ?? t(`sender.${c.lastMessage.role}`)}:</span> <span class="row-preview-text">{c.lastMessage.text}</span>
          </span>
        ) : null}
      </button>
    </li>
  );
});
