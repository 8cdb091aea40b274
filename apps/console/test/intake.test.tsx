import { REQUEST_TYPE_BY_ID } from '@ajuda/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { intakeSummary } from '../src/intake.ts';
import { answerOpen, INCIDENT_ANSWERS, renderShell, verifiedIncident, type Harness } from './helpers.tsx';

let h: Harness | null = null;
afterEach(() => {
  h?.unmount();
  h = null;
});

describe('intake card (R15)', () => {
  it('R15: lines follow the field order of REQUEST_TYPES and the pipeline reads "name (key)"', () => {
    const lines = intakeSummary('incident', { ...INCIDENT_ANSWERS, project: { name: 'ERP migration', id: 'prj_migration' } });
    expect(lines.map((l) => l.fieldId)).toEqual(REQUEST_TYPE_BY_ID.get('incident')!.fields.map((f) => f.id));
    expect(lines[0]).toMatchObject({ fieldId: 'pipeline', value: 'Orders sync (ORD-SYNC-01)', labelKey: 'intake.field.pipeline.label' });
    expect(lines.find((l) => l.fieldId === 'project')!.value).toBe('ERP migration');
  });

  it('R15: missing optional fields are null, not dropped; unknown answers are ignored', () => {
    const lines = intakeSummary('incident', { ...INCIDENT_ANSWERS, injected: '<script>' });
    expect(lines.find((l) => l.fieldId === 'project')).toMatchObject({ value: null, required: false });
    expect(lines.find((l) => l.fieldId === 'other')).toMatchObject({ value: null, required: false });
    expect(lines.some((l) => l.fieldId === 'injected')).toBe(false);
  });

  it('R15: the card sits at the top of the conversation with pipeline, project, environment, error and date, expected vs observed, analysis, other', () => {
    const conv = verifiedIncident();
    h = renderShell({ conversations: [conv], hash: '#/inbox/c_inc' });
    answerOpen(h, conv);
    const card = h.container.querySelector<HTMLElement>('section.intake')!;
    expect(card).toBeTruthy();
    // The card comes before the messages in the conversation's main column.
    const main = h.container.querySelector('.conv-main')!;
    expect(main.firstElementChild).toBe(card);
    const fields = [...card.querySelectorAll<HTMLElement>('[data-field]')].map((e) => e.dataset.field);
    expect(fields).toEqual(['pipeline', 'project', 'environment', 'impact', 'workaround', 'errorMessage', 'errorAt', 'expected', 'observed', 'analysis', 'other']);
    const text = (id: string) => card.querySelector(`[data-field="${id}"] dd`)!.textContent;
    expect(card.querySelector('[data-field="pipeline"] dt')!.textContent).toBe('Pipeline (key)');
    expect(text('pipeline')).toBe('Orders sync (ORD-SYNC-01)');
    expect(text('project')).toBe('Not provided');
    expect(text('other')).toBe('Not provided');
    expect(text('environment')).toBe('Prod');
    expect(text('impact')).toBe('Partial unavailability');
    expect(text('errorMessage')).toBe('HTTP 500 from ERP endpoint');
    expect(text('errorAt')).toMatch(/2025|25/);
    expect(text('errorAt')).not.toContain('T09:15');
    expect(text('expected')).toBe('Orders arrive in ERP');
    expect(text('observed')).toBe('Orders stuck in retry');
    expect(text('analysis')).toContain('Replayed 3 orders');
  });

  it('R6: a conversation still in intake says so and marks required fields as missing', () => {
    const conv = verifiedIncident({ status: 'intake', answers: { pipeline: { name: 'Orders sync', key: 'ORD-SYNC-01' } } });
    h = renderShell({ conversations: [conv], hash: '#/inbox/c_inc' });
    answerOpen(h, conv);
    const card = h.container.querySelector<HTMLElement>('section.intake')!;
    expect(card.textContent).toContain('Intake not completed yet');
    expect(card.querySelector('[data-field="analysis"] dd')!.textContent).toBe('Missing');
    expect(card.querySelector('[data-field="project"] dd')!.textContent).toBe('Not provided');
  });
});
