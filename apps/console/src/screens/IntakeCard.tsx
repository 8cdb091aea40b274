import type { AgentConversationView } from '@ajuda/protocol';
import { useConsole } from '../context.ts';
import { intakeSummary } from '../intake.ts';
import { fmtDateTime } from '../ui/format.ts';

/**
 * The intake as a structured card at the top of the conversation (R15), in the field order of
 * REQUEST_TYPES: pipeline "name (key)", project, environment, error with date/time, expected vs
 * observed, analysis, other. Optional fields the requester left empty say so.
 */
export function IntakeCard({ conversation }: { conversation: Pick<AgentConversationView, 'requestType' | 'answers' | 'status'> }) {
  const { t, locale } = useConsole();
  const lines = intakeSummary(conversation.requestType, conversation.answers);
  return (
    <section class="intake" aria-labelledby="intake-title">
      <h3 id="intake-title">
        {t('intake.title')} · {t(`requestType.${conversation.requestType}`)}
      </h3>
      {conversation.status === 'intake' ? <p class="tag tag--warn">{t('intake.incomplete')}</p> : null}
      <dl class="intake-grid">
        {lines.map((l) => {
          let value: string | null = l.value;
          if (value !== null && l.type === 'datetime') value = fmtDateTime(locale, value);
          if (value !== null && l.type === 'enum') value = t(`intake.option.${l.fieldId}.${value}`);
          const long = l.type === 'longtext';
          return (
            <div key={l.fieldId} class={long ? 'intake-row intake-row--long' : 'intake-row'} data-field={l.fieldId}>
              <dt>{t(l.labelKey)}</dt>
              <dd class={value === null ? 'muted' : long ? 'pre' : undefined}>
                {value ?? (l.required ? t('intake.missing') : t('intake.notProvided'))}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}
