import { REQUEST_TYPE_BY_ID, type FieldType, type RequestType } from '@ajuda/protocol';

/** One line of the intake card (R15). */
export interface IntakeLine {
  fieldId: string;
  labelKey: string;
  type: FieldType;
  required: boolean;
  /** Display value: a pipeline is "name (key)", a project its name; null when not given. */
  value: string | null;
}

function display(type: FieldType, raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (type === 'pipeline' && typeof raw === 'object') {
    const p = raw as { name?: unknown; key?: unknown };
    const name = typeof p.name === 'string' ? p.name.trim() : '';
    const key = typeof p.key === 'string' ? p.key.trim() : '';
    if (!name && !key) return null;
    return key ? `${name} (${key})` : name;
  }
  if (type === 'project' && typeof raw === 'object') {
    const name = (raw as { name?: unknown }).name;
    return typeof name === 'string' && name.trim() ? name.trim() : null;
  }
  if (typeof raw === 'string') return raw.trim() === '' ? null : raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return null;
}

/**
 * The intake answers as ordered lines, in the field order of REQUEST_TYPES (R6, R15).
 * Local helper: packages/policy's `intakeSummary` was not available when this was written.
 *
 * @example intakeSummary('incident', { pipeline: { name: 'Orders sync', key: 'ORD-SYNC-01' } })[0].value
 *   // "Orders sync (ORD-SYNC-01)"
 */
export function intakeSummary(type: RequestType, answers: Record<string, unknown>): IntakeLine[] {
  const def = REQUEST_TYPE_BY_ID.get(type);
  if (!def) return [];
  return def.fields.map((f) => ({
    fieldId: f.id,
    labelKey: f.labelKey,
    type: f.type,
    required: f.required,
    value: display(f.type, Object.hasOwn(answers, f.id) ? answers[f.id] : undefined),
  }));
}
