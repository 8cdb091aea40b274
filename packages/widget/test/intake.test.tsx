import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { REQUEST_TYPES, REQUEST_TYPE_BY_ID } from '@ajuda/protocol';
import { IntakeForm } from '../src/ui/IntakeForm.tsx';
import { translator } from '@ajuda/i18n';
import { CATALOGS, directory, fakeActions, realmUser, renderApp, visitor } from './helpers.tsx';

const t = translator(CATALOGS.en, 'en');
const form = (type: Parameters<typeof IntakeForm>[0]['requestType'], onDone = vi.fn()) => <IntakeForm requestType={type} onDone={onDone} t={t} />;

describe('intake form (R6)', () => {
  it.each(REQUEST_TYPES.map((d) => d.id))('R6: renders every field of %s from the shared definitions, labelled', (id) => {
    const def = REQUEST_TYPE_BY_ID.get(id)!;
    const { container, missing } = renderApp(form(id), { state: { principal: realmUser, directory } });
    for (const f of def.fields) {
      const text = t(f.labelKey);
      expect(container.textContent).toContain(text);
      expect(container.textContent).toContain(t(f.helpKey));
      if (f.type === 'enum') {
        for (const o of f.options ?? []) {
          const radio = container.querySelector(`input[type=radio][name=f-${f.id}][value=${o}]`);
          expect(radio?.closest('label')?.textContent).toBe(t(`intake.option.${f.id}.${o}`));
        }
      } else {
        // Every control is reachable through its label.
        expect(screen.getAllByLabelText(new RegExp(`^${text.replace(/[?()]/g, '\\$&')}`)).length).toBeGreaterThan(0);
      }
    }
    expect(missing).toEqual([]);
  });

  it('uses the right control per type: textarea, email, datetime-local, radios', () => {
    const { container } = renderApp(form('auth_incident'), { state: { principal: visitor } });
    expect(container.querySelector('#f-email')?.getAttribute('type')).toBe('email');
    expect(container.querySelector('#f-whatHappens')?.tagName).toBe('TEXTAREA');
    expect(container.querySelector('#f-when')?.getAttribute('type')).toBe('datetime-local');
    const inc = renderApp(form('incident'), { state: { principal: realmUser, directory } });
    expect(inc.container.querySelectorAll('input[type=radio][name=f-environment]')).toHaveLength(2);
    expect(inc.container.querySelectorAll('input[type=radio][name=f-impact]')).toHaveLength(4);
  });

  it('R6: client-side validation shows errors beside their fields and sends nothing', async () => {
    const actions = fakeActions();
    const { container } = renderApp(form('auth_incident'), { state: { principal: visitor }, actions });
    fireEvent.input(container.querySelector('#f-email')!, { target: { value: 'not-an-email' } });
    fireEvent.submit(container.querySelector('form')!);
    await waitFor(() => expect(container.querySelector('#f-email-error')).toBeTruthy());
    expect(container.querySelector('#f-email-error')!.textContent).toBe(t('intake.error.invalid_email'));
    expect(container.querySelector('#f-whatHappens-error')!.textContent).toBe(t('intake.error.required'));
    expect(container.querySelector('#f-when-error')!.textContent).toBe(t('intake.error.required'));
    // The error is tied to its control for assistive technology.
    expect(container.querySelector('#f-email')!.getAttribute('aria-invalid')).toBe('true');
    expect(container.querySelector('#f-email')!.getAttribute('aria-describedby')).toContain('f-email-error');
    expect(actions.startConversation).not.toHaveBeenCalled();
  });

  it("R6: the server's intake_invalid field errors are shown beside their fields", async () => {
    const actions = fakeActions({
      startConversation: vi.fn(async () => ({
        ok: false as const,
        code: 'intake_invalid',
        conversationId: 'c_5',
        fields: { question: { code: 'too_long', i18nKey: 'intake.error.too_long' } },
      })),
    });
    const { container } = renderApp(form('general_question'), { state: { principal: visitor }, actions });
    fireEvent.input(container.querySelector('#f-question')!, { target: { value: 'How do I export?' } });
    fireEvent.submit(container.querySelector('form')!);
    await waitFor(() => expect(container.querySelector('#f-question-error')?.textContent).toBe(t('intake.error.too_long')));
    expect(actions.startConversation).toHaveBeenCalledWith('general_question', { question: 'How do I export?' }, expect.stringMatching(/^k[0-9a-f]{32}$/));
    // The retry goes to the conversation the server kept in intake, not to a new one.
    fireEvent.input(container.querySelector('#f-question')!, { target: { value: 'Shorter' } });
    fireEvent.submit(container.querySelector('form')!);
    await waitFor(() => expect(actions.submitIntake).toHaveBeenCalledWith('c_5', { question: 'Shorter' }));
  });

  it('R6: the same idempotency key is reused when the user submits again', async () => {
    const actions = fakeActions({ startConversation: vi.fn(async () => ({ ok: false as const, code: 'unavailable' })) });
    const { container } = renderApp(form('general_question'), { state: { principal: visitor }, actions });
    fireEvent.input(container.querySelector('#f-question')!, { target: { value: 'Q' } });
    fireEvent.submit(container.querySelector('form')!);
    await waitFor(() => expect(screen.getByText(t('error.unavailable'))).toBeTruthy());
    fireEvent.submit(container.querySelector('form')!);
    await waitFor(() => expect(actions.startConversation).toHaveBeenCalledTimes(2));
    const calls = (actions.startConversation as ReturnType<typeof vi.fn>).mock.calls;
    expect(calls[0]![2]).toBe(calls[1]![2]);
  });

  it('R6: picking a pipeline fills its name and key together (and its environment and project)', async () => {
    const onDone = vi.fn();
    const actions = fakeActions({
      startConversation: vi.fn(async () => ({ ok: true as const, conversation: { id: 'c_8', status: 'queued' } as never })),
    });
    const { container } = renderApp(form('incident', onDone), { state: { principal: realmUser, directory }, actions });
    const select = container.querySelector('#f-pipeline') as HTMLSelectElement;
    expect(select.tagName).toBe('SELECT');
    fireEvent.change(select, { target: { value: 'pl_migration' } });
    await waitFor(() => expect(screen.getByTestId('pipeline-key').textContent).toContain('MIG-LEG-04'));
    expect((container.querySelector('input[name=f-environment][value=Test]') as HTMLInputElement).checked).toBe(true);
    expect((container.querySelector('#f-project') as HTMLSelectElement).value).toBe('prj_migration');
    // Fill the rest and submit: the answer carries name and key.
    fireEvent.click(container.querySelector('input[name=f-impact][value=partial]')!);
    fireEvent.click(container.querySelector('input[name=f-workaround][value=no]')!);
    for (const id of ['errorMessage', 'expected', 'observed', 'analysis']) fireEvent.input(container.querySelector(`#f-${id}`)!, { target: { value: `${id} text` } });
    fireEvent.input(container.querySelector('#f-errorAt')!, { target: { value: '2026-11-20T10:30' } });
    fireEvent.submit(container.querySelector('form')!);
    await waitFor(() => expect(actions.startConversation).toHaveBeenCalled());
    const answers = (actions.startConversation as ReturnType<typeof vi.fn>).mock.calls[0]![1] as Record<string, unknown>;
    expect(answers.pipeline).toEqual({ name: 'Legacy migration', key: 'MIG-LEG-04' });
    expect(answers.project).toEqual({ name: 'ERP migration', id: 'prj_migration' });
    expect(answers.environment).toBe('Test');
    expect(answers.errorAt).toBe(new Date('2026-11-20T10:30').toISOString());
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('c_8'));
  });

  it('R7: a realm user without the directory yet asks for it; a visitor never does and sees no realm data', () => {
    const a = fakeActions();
    renderApp(form('incident'), { state: { principal: realmUser }, actions: a });
    expect(a.loadDirectory).toHaveBeenCalled();

    const b = fakeActions();
    // Even if a directory were somehow in state, a visitor gets free-text fields, never the realm's list.
    const { container } = renderApp(form('incident'), { state: { principal: visitor, directory }, actions: b });
    expect(b.loadDirectory).not.toHaveBeenCalled();
    expect(container.querySelector('select')).toBeNull();
    expect(container.textContent).not.toContain('Orders sync');
    expect(container.textContent).not.toContain('ORD-SYNC-01');
    expect(container.querySelector('#f-pipeline-name')).toBeTruthy();
    expect(container.querySelector('#f-pipeline-key')).toBeTruthy();
  });
});
