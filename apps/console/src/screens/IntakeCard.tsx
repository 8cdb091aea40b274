import type { AgentConversationView } from '@ajuda/protocol';
import { useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { intakeSummary, type IntakeLine } from '../intake.ts';
import { fmtDateTime } from '../ui/format.ts';

/** Conversations whose intake card this page has already shown in full: they open compact. */
const seenInFull = new Set<string>();

/** Below this window height the full card would leave too little room for the messages. */
export const COMPACT_BELOW_HEIGHT_PX = 1000;

function startsExpanded(id: string | undefined): boolean {
  if (id !== undefined && seenInFull.has(id)) return false;
  if (typeof window !== 'undefined' && window.innerHeight > 0 && window.innerHeight < COMPACT_BELOW_HEIGHT_PX) return false;
  return true;
}

/**
 * The intake as a structured card at the top of the conversation (R15), in the field order of
 * REQUEST_TYPES: pipeline "name (key)", project, environment, error with date/time, expected vs
 * observed, analysis, other. Optional fields the requester left empty say so.
 *
 * Compact by default when the window is short or the card was already seen in full: one summary
 * line and a button (Enter/Space) that shows every field, so the message log keeps its room.
 */
export function IntakeCard({ conversation }: { conversation: Pick<AgentConversationView, 'requestType' | 'answers' | 'status'> & { id?: string } }) {
  const { t, locale } = useConsole();
  const [expanded, setExpanded] = useState(() => startsExpanded(conversation.id));
  if (expanded && conversation.id !== undefined) seenInFull.add(conversation.id);
  const lines = intakeSummary(conversation.requestType, conversation.answers);
  const shown = (l: IntakeLine): string | null => {
    let value: string | null = l.value;
    if (value !== null && l.type === 'datetime') value = fmtDateTime(locale, value);
    if (value !== null && l.type === 'enum') value = t(`intake.option.${l.fieldId}.${value}`);
    return value;
  };
  const gridId = `intake-grid-${conversation.id ?? 'x'}`;
  // The summary: the first answered short fields, then the first long one, on one line.
  const summary = lines
    .map((l) => ({ l, v: shown(l) }))
    .filter((x) => x.v !== null)
    .slice(0, 5)
    .map((x) => (x.v as string).split('\n')[0])
    .join(' · ');
  return (
    <section class={expanded ? 'intake' : 'intake intake--compact'} aria-labelledby="intake-title">
      <div class="intake-head">
        <h3 id="intake-title">
          {t('intake.title')} · {t(`requestType.${conversation.requestType}`)}
        </h3>
        {conversation.status === 'intake' ? <span class="tag tag--warn">{t('intake.incomplete')}</span> : null}
        <button type="button" class="btn btn--small intake-toggle" aria-expanded={expanded} aria-controls={gridId} onClick={() => setExpanded((e) => !e)}>
          {expanded ? t('intake.hide') : t('intake.show')}
        </button>
      </div>
      {!expanded && summary ? (
        <p class="intake-summary" title={summary}>
          {summary}
        </p>
      ) : null}
      <dl class="intake-grid" id={gridId} hidden={!expanded}>
        {lines.map((l) => {
          const value = shown(l);
          const long = l.type === 'longtext';
          return (
            <div key={l.fieldId} class={long ? 'intake-row intake-row--long' : 'intake-row'} data-field={l.fieldId}>
              <dt>{t(l.labelKey)}</dt>
              <dd class={value === null ? 'muted' : long ? 'pre' : undefined}>{value ?? (l.required ? t('intake.missing') : t('intake.notProvided'))}</dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}
