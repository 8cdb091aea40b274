import { z } from 'zod';
import { Environment, IsoDateTime } from './common.ts';

/**
 * Request types and their intake fields (R6, R15), defined once: the widget renders forms
 * from these definitions and the server validates answers with `intakeSchema()`.
 */
export const RequestType = z.enum([
  'general_question',
  'technical_question',
  'dev_question',
  'incident',
  'auth_incident',
  'contract_question',
]);
export type RequestType = z.infer<typeof RequestType>;

/** Who may open a request type (R2–R4). Contract status of a visitor is never observable (R5). */
export const RequesterClass = z.enum(['visitor', 'realm_user']);
export type RequesterClass = z.infer<typeof RequesterClass>;

export const FieldType = z.enum(['text', 'longtext', 'enum', 'datetime', 'email', 'pipeline', 'project']);
export type FieldType = z.infer<typeof FieldType>;

export interface FieldDef {
  id: string;
  type: FieldType;
  required: boolean;
  /** i18n keys: `intake.field.<id>.label` and `.help`. */
  labelKey: string;
  helpKey: string;
  maxLength?: number;
  options?: readonly string[];
}

export interface RequestTypeDef {
  id: RequestType;
  labelKey: string;
  descriptionKey: string;
  openTo: readonly RequesterClass[];
  fields: readonly FieldDef[];
}

const f = (id: string, type: FieldType, required: boolean, extra: Partial<FieldDef> = {}): FieldDef => ({
  id,
  type,
  required,
  labelKey: `intake.field.${id}.label`,
  helpKey: `intake.field.${id}.help`,
  ...(type === 'longtext' ? { maxLength: 4000 } : type === 'text' || type === 'email' ? { maxLength: 200 } : {}),
  ...extra,
});

export const IMPACT_OPTIONS = ['total', 'partial', 'degradation', 'none'] as const;
export type Impact = (typeof IMPACT_OPTIONS)[number];

const environment = f('environment', 'enum', true, { options: Environment.options });

export const REQUEST_TYPES: readonly RequestTypeDef[] = [
  {
    id: 'general_question',
    labelKey: 'requestType.general_question.label',
    descriptionKey: 'requestType.general_question.description',
    openTo: ['visitor', 'realm_user'],
    fields: [f('question', 'longtext', true)],
  },
  {
    id: 'technical_question',
    labelKey: 'requestType.technical_question.label',
    descriptionKey: 'requestType.technical_question.description',
    openTo: ['visitor', 'realm_user'],
    fields: [f('question', 'longtext', true), f('topic', 'text', false)],
  },
  {
    id: 'auth_incident',
    labelKey: 'requestType.auth_incident.label',
    descriptionKey: 'requestType.auth_incident.description',
    // R3: a contract customer who cannot log in reports it from the login page or the site.
    openTo: ['visitor', 'realm_user'],
    fields: [f('email', 'email', true), f('whatHappens', 'longtext', true), f('when', 'datetime', true)],
  },
  {
    id: 'contract_question',
    labelKey: 'requestType.contract_question.label',
    descriptionKey: 'requestType.contract_question.description',
    // R8a: anyone may ask; the answer is always the polite pointer to the account contact.
    openTo: ['visitor', 'realm_user'],
    fields: [f('question', 'longtext', true)],
  },
  {
    id: 'dev_question',
    labelKey: 'requestType.dev_question.label',
    descriptionKey: 'requestType.dev_question.description',
    openTo: ['realm_user'], // R4
    fields: [f('question', 'longtext', true), f('logic', 'longtext', true), f('pipeline', 'pipeline', true), environment],
  },
  {
    id: 'incident',
    labelKey: 'requestType.incident.label',
    descriptionKey: 'requestType.incident.description',
    openTo: ['realm_user'], // R4
    fields: [
      f('pipeline', 'pipeline', true), // name and key, filled together (R6 items 1 and 4)
      f('project', 'project', false),
      environment,
      f('impact', 'enum', true, { options: IMPACT_OPTIONS }),
      f('workaround', 'enum', true, { options: ['yes', 'no'] }),
      f('errorMessage', 'longtext', true),
      f('errorAt', 'datetime', true),
      f('expected', 'longtext', true),
      f('observed', 'longtext', true),
      f('analysis', 'longtext', true),
      f('other', 'longtext', false),
    ],
  },
];

export const REQUEST_TYPE_BY_ID: ReadonlyMap<RequestType, RequestTypeDef> = new Map(REQUEST_TYPES.map((t) => [t.id, t]));

/** A pipeline reference as stored in answers: name and key together (R6). */
export const PipelineRef = z.object({ name: z.string().trim().min(1).max(200), key: z.string().trim().min(1).max(200) });
export type PipelineRef = z.infer<typeof PipelineRef>;
/** A project reference: its name (and id when picked from the realm). */
export const ProjectRef = z.object({ name: z.string().trim().min(1).max(200), id: z.string().max(64).optional() });
export type ProjectRef = z.infer<typeof ProjectRef>;

function fieldSchema(def: FieldDef): z.ZodType {
  switch (def.type) {
    case 'text':
    case 'longtext':
      return z.string().trim().min(1, 'required').max(def.maxLength ?? 4000, 'too_long');
    case 'email':
      return z.string().trim().max(def.maxLength ?? 200, 'too_long').pipe(z.email('invalid_email'));
    case 'enum':
      return z.enum(def.options as [string, ...string[]], 'invalid_option');
    case 'datetime':
      return IsoDateTime;
    case 'pipeline':
      return PipelineRef;
    case 'project':
      return ProjectRef;
  }
}

export type IntakeAnswers = Record<string, unknown>;
export interface FieldError {
  code: string;
  i18nKey: string;
}

/**
 * Validate answers for a request type. Unknown fields are dropped; each failing field gets
 * one error with an i18n key (`intake.error.<code>`).
 *
 * @example validateIntake('general_question', { question: 'Hi' }) // { ok: true, value: {...} }
 */
export function validateIntake(
  type: RequestType,
  answers: unknown,
): { ok: true; value: IntakeAnswers } | { ok: false; fields: Record<string, FieldError> } {
  const def = REQUEST_TYPE_BY_ID.get(type);
  if (!def) return { ok: false, fields: { _type: { code: 'unknown_type', i18nKey: 'intake.error.unknown_type' } } };
  const input = answers && typeof answers === 'object' && !Array.isArray(answers) ? (answers as Record<string, unknown>) : {};
  const value: IntakeAnswers = {};
  const fields: Record<string, FieldError> = {};
  for (const field of def.fields) {
    const raw = Object.hasOwn(input, field.id) ? input[field.id] : undefined;
    const empty = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
    if (empty) {
      if (field.required) fields[field.id] = { code: 'required', i18nKey: 'intake.error.required' };
      continue;
    }
    const parsed = fieldSchema(field).safeParse(raw);
    if (parsed.success) value[field.id] = parsed.data;
    else {
      const msg = parsed.error.issues[0]?.message ?? 'invalid';
      const code = /^[a-z_]+$/.test(msg) ? msg : 'invalid';
      fields[field.id] = { code, i18nKey: `intake.error.${code}` };
    }
  }
  return Object.keys(fields).length ? { ok: false, fields } : { ok: true, value };
}
