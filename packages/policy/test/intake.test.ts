import { describe, expect, it } from 'vitest';
import { REQUEST_TYPE_BY_ID, validateIntake, type RequestType } from '@ajuda/protocol';
import { intakeSummary, readyForAgent } from '../src/index.ts';

const PIPELINE = { name: 'Orders sync', key: 'ORD-SYNC-01' };
const VALID: Record<RequestType, Record<string, unknown>> = {
  general_question: { question: 'Do you support SFTP?' },
  technical_question: { question: 'How do retries work?', topic: 'retries' },
  auth_incident: { email: 'ana@acme.example', whatHappens: 'The login page says invalid password.', when: '2025-03-10T09:30:00Z' },
  contract_question: { question: 'When does my contract renew?' },
  dev_question: { question: 'How do I page an API?', logic: 'Read orders, map, post to ERP; want all pages.', pipeline: PIPELINE, environment: 'Prod' },
  incident: {
    pipeline: PIPELINE,
    project: { name: 'ERP rollout', id: 'prj_1' },
    environment: 'Prod',
    impact: 'partial',
    workaround: 'no',
    errorMessage: 'HTTP 502 from ERP',
    errorAt: '2025-03-10T09:30:00Z',
    expected: 'Orders reach the ERP',
    observed: 'Half of them fail',
    analysis: 'Replayed three orders in Test: same error. Logs attached.',
    other: 'Started after the ERP upgrade',
  },
};
const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

describe('required intake', () => {
  for (const [type, answers] of Object.entries(VALID) as Array<[RequestType, Record<string, unknown>]>) {
    it(`R6: complete ${type} answers are valid and ready for an agent`, () => {
      expect(validateIntake(type, answers).ok).toBe(true);
      expect(readyForAgent(type, answers)).toBe(true);
    });
    it(`R6: empty ${type} answers keep the conversation in intake`, () => {
      expect(readyForAgent(type, {})).toBe(false);
      expect(readyForAgent(type, null)).toBe(false);
    });
    const def = REQUEST_TYPE_BY_ID.get(type)!;
    for (const field of def.fields) {
      it(`R6: ${type} without ${field.id} is ${field.required ? 'refused with a required error' : 'still valid (optional)'}`, () => {
        const r = validateIntake(type, without(answers, field.id));
        expect(r.ok).toBe(!field.required);
        if (!r.ok) expect(r.fields[field.id]).toEqual({ code: 'required', i18nKey: 'intake.error.required' });
      });
    }
  }
  it("R6: dev_question asks exactly the article's 4 items, all required", () => {
    const fields = REQUEST_TYPE_BY_ID.get('dev_question')!.fields;
    expect(fields.map((f) => [f.id, f.required])).toEqual([
      ['question', true],
      ['logic', true],
      ['pipeline', true],
      ['environment', true],
    ]);
    expect(fields.find((f) => f.id === 'environment')?.options).toEqual(['Prod', 'Test']);
  });
  it("R6: incident covers the article's 8 items: pipeline name+key, optional project, environment, error with date/time, expected vs observed, analysis, optional other", () => {
    const byId = new Map(REQUEST_TYPE_BY_ID.get('incident')!.fields.map((f) => [f.id, f]));
    const items: Array<[item: string, ids: string[], required: boolean]> = [
      ['1 pipeline name', ['pipeline'], true],
      ['2 project', ['project'], false],
      ['3 environment', ['environment'], true],
      ['4 pipeline key', ['pipeline'], true],
      ['5 error message with date and time', ['errorMessage', 'errorAt'], true],
      ['6 expected vs observed', ['expected', 'observed'], true],
      ['7 analysis with evidence', ['analysis'], true],
      ['8 other information', ['other'], false],
    ];
    for (const [item, ids, required] of items) for (const id of ids) expect(byId.get(id)?.required, `${item}: ${id}`).toBe(required);
  });
  it('R6: an incident pipeline needs both its name and its key', () => {
    for (const pipeline of [{ name: 'Orders sync' }, { key: 'ORD-SYNC-01' }, { name: ' ', key: 'ORD-SYNC-01' }, 'Orders sync']) {
      const r = validateIntake('incident', { ...VALID.incident, pipeline });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.fields.pipeline).toBeTruthy();
    }
  });
  const invalid: Array<[what: string, type: RequestType, patch: Record<string, unknown>, field: string, code: string]> = [
    ['an environment outside Prod|Test', 'incident', { environment: 'Staging' }, 'environment', 'invalid_option'],
    ['an error time that is not a date', 'incident', { errorAt: 'yesterday-ish' }, 'errorAt', 'invalid_datetime'],
    ['a whitespace-only analysis', 'incident', { analysis: '   ' }, 'analysis', 'required'],
    ['an email that is not an address', 'auth_incident', { email: 'ana' }, 'email', 'invalid_email'],
    ['a question longer than 4000 characters', 'general_question', { question: 'x'.repeat(4001) }, 'question', 'too_long'],
  ];
  for (const [what, type, patch, field, code] of invalid) {
    it(`R6: ${type} with ${what} is refused on ${field} (${code})`, () => {
      const r = validateIntake(type, { ...VALID[type], ...patch });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.fields[field]).toEqual({ code, i18nKey: `intake.error.${code}` });
    });
  }
});

describe('structured summary', () => {
  it('R15: the incident card lists every answer in the order of the article, pipeline as "name (key)"', () => {
    expect(intakeSummary('incident', VALID.incident)).toEqual([
      { fieldId: 'pipeline', labelKey: 'intake.field.pipeline.label', value: 'Orders sync (ORD-SYNC-01)' },
      { fieldId: 'project', labelKey: 'intake.field.project.label', value: 'ERP rollout' },
      { fieldId: 'environment', labelKey: 'intake.field.environment.label', value: 'Prod' },
      { fieldId: 'impact', labelKey: 'intake.field.impact.label', value: 'partial' },
      { fieldId: 'workaround', labelKey: 'intake.field.workaround.label', value: 'no' },
      { fieldId: 'errorMessage', labelKey: 'intake.field.errorMessage.label', value: 'HTTP 502 from ERP' },
      { fieldId: 'errorAt', labelKey: 'intake.field.errorAt.label', value: '2025-03-10T09:30:00Z' },
      { fieldId: 'expected', labelKey: 'intake.field.expected.label', value: 'Orders reach the ERP' },
      { fieldId: 'observed', labelKey: 'intake.field.observed.label', value: 'Half of them fail' },
      { fieldId: 'analysis', labelKey: 'intake.field.analysis.label', value: 'Replayed three orders in Test: same error. Logs attached.' },
      { fieldId: 'other', labelKey: 'intake.field.other.label', value: 'Started after the ERP upgrade' },
    ]);
  });
  it('R15: empty optional answers and unknown keys are left off the card', () => {
    const lines = intakeSummary('incident', { ...without(VALID.incident, 'other'), project: null, injected: '<script>' });
    expect(lines.map((l) => l.fieldId)).toEqual(['pipeline', 'environment', 'impact', 'workaround', 'errorMessage', 'errorAt', 'expected', 'observed', 'analysis']);
  });
  it('R15: the dev_question card reads question, logic, pipeline, environment', () => {
    expect(intakeSummary('dev_question', VALID.dev_question).map((l) => `${l.fieldId}=${l.value}`)).toEqual([
      'question=How do I page an API?',
      'logic=Read orders, map, post to ERP; want all pages.',
      'pipeline=Orders sync (ORD-SYNC-01)',
      'environment=Prod',
    ]);
  });
  it('R15: a pipeline without a key (free text from an older client) shows its name only', () => {
    expect(intakeSummary('dev_question', { pipeline: { name: 'Orders sync' } })).toEqual([
      { fieldId: 'pipeline', labelKey: 'intake.field.pipeline.label', value: 'Orders sync' },
    ]);
  });
});
