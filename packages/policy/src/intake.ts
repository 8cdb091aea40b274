import { REQUEST_TYPE_BY_ID, validateIntake } from '@ajuda/protocol';
import type { RequestType } from '@ajuda/protocol';

export interface SummaryLine {
  fieldId: string;
  labelKey: string;
  value: string;
}

function render(type: string, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const name = typeof o.name === 'string' ? o.name.trim() : '';
    // R15: a pipeline reads "name (key)", as agents search by either.
    if (type === 'pipeline') {
      const key = typeof o.key === 'string' ? o.key.trim() : '';
      return key ? `${name} (${key})` : name;
    }
    if (name) return name;
  }
  return '';
}

/**
 * R15: the structured card agents see at the top of a conversation: one line per answered field,
 * in the order the request type defines them (the order the article asks for). Empty optional
 * fields and unknown keys are left out.
 *
 * @example intakeSummary('incident', { pipeline: { name: 'Orders sync', key: 'ORD-SYNC-01' } })[0] // { fieldId: 'pipeline', labelKey: 'intake.field.pipeline.label', value: 'Orders sync (ORD-SYNC-01)' }
 */
export function intakeSummary(type: RequestType, answers: Record<string, unknown>): SummaryLine[] {
  const def = REQUEST_TYPE_BY_ID.get(type);
  if (!def) return [];
  const lines: SummaryLine[] = [];
  for (const field of def.fields) {
    if (!Object.hasOwn(answers, field.id)) continue;
    const value = render(field.type, answers[field.id]);
    if (value !== '') lines.push({ fieldId: field.id, labelKey: field.labelKey, value });
  }
  return lines;
}

/**
 * R6: a conversation reaches an agent only once its request type's required fields are valid.
 *
 * @example readyForAgent('general_question', { question: 'How do retries work?' }) // true
 */
export function readyForAgent(type: RequestType, answers: unknown): boolean {
  return validateIntake(type, answers).ok;
}
