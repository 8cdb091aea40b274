import { describe, expect, it } from 'vitest';
import { fireEvent, waitFor } from '@testing-library/preact';
import { missingKeys, LOCALES } from '@ajuda/i18n';
import { ConversationStatus, ERRORS, ERROR_CODES, EscalationReason, Priority, REQUEST_TYPES } from '@ajuda/protocol';
import { CATALOGS, RAW_KEY, renderApp, visibleStrings } from './helpers.tsx';
import { SCREENS } from './screens.tsx';

describe('widget catalogs (R11)', () => {
  it('R11: pt, en and es have identical, non-empty key sets', () => {
    for (const a of LOCALES)
      for (const b of LOCALES) expect(missingKeys(CATALOGS[a], CATALOGS[b]), `${a} keys missing in ${b}`).toEqual([]);
  });

  it('R11: every intake field, request type, option, error and status has a text', () => {
    const required = new Set<string>();
    for (const def of REQUEST_TYPES) {
      required.add(def.labelKey).add(def.descriptionKey);
      for (const f of def.fields) {
        required.add(f.labelKey).add(f.helpKey);
        for (const o of f.options ?? []) required.add(`intake.option.${f.id}.${o}`);
      }
    }
    for (const c of ['required', 'too_long', 'invalid_email', 'invalid_option', 'invalid_datetime', 'invalid', 'pipeline_not_found', 'unknown_type'])
      required.add(`intake.error.${c}`);
    for (const info of Object.values(ERRORS)) required.add(info.i18nKey);
    for (const code of ERROR_CODES) required.add(`error.${code}`);
    for (const r of EscalationReason.options) required.add(`escalate.reason.${r}`);
    for (const s of ConversationStatus.options) required.add(`status.${s}`);
    for (const p of Priority.options) required.add(`priority.${p}`);
    for (const l of LOCALES) expect([...required].filter((k) => !CATALOGS[l][k]), l).toEqual([]);
  });

  it('the raw-key detector recognises an untranslated key', () => {
    expect('requestType.incident.label').toMatch(RAW_KEY);
    expect('Hi there. Pick what fits best.').not.toMatch(RAW_KEY);
  });

  it('R14: the feedback question reads as the policy says in Portuguese', () => {
    expect(CATALOGS.pt['feedback.question']).toBe('Respondeu à sua pergunta?');
    expect(CATALOGS.en['feedback.question']).toBe('Did this answer your question?');
  });
});

describe.each(LOCALES)('every screen in %s', (locale) => {
  it.each(SCREENS.map((s) => [s.name, s] as const))('R11: %s renders with no missing key', async (_name, s) => {
    const { container, missing } = renderApp(s.ui(locale), { state: s.state, locale });
    if (s.submit) {
      fireEvent.submit(container.querySelector('form')!);
      await waitFor(() => expect(container.querySelector('.field-error')).toBeTruthy());
    }
    expect(missing).toEqual([]);
    for (const text of visibleStrings(container)) expect(text).not.toMatch(RAW_KEY);
    expect(container.textContent!.length).toBeGreaterThan(10);
  });
});
