// First: zod must be jitless before the protocol's schemas are built (CSP, no eval).
import '../zod-jitless.ts';
import { Fragment } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { REQUEST_TYPE_BY_ID, validateIntake, type FieldDef, type RequestType } from '@ajuda/protocol';
import type { Translate } from '@ajuda/i18n';
import { useApp, type FieldErrorMap } from './context.ts';
import { ScreenTitle, errorText, fieldErrorText } from './common.tsx';
import { EvidencePicker, handOffEvidence } from './Attachments.tsx';
import { useKeptEvidence } from './evidence.ts';
import { useHelp } from './Home.tsx';
import { randomId } from '../storage.ts';
import './screens.css';

type Answers = Record<string, unknown>;

// The help centre's suggestions under the description: its chunk (with its texts), nothing shown until it is there.
function Suggestions(props: Parameters<typeof import('./Help.tsx').Suggestions>[0]) {
  const help = useHelp(true, 0);
  return help ? <help.Suggestions {...props} /> : null;
}
/** What the person typed in the help centre before choosing this form (Help.tsx's CARRIED_DRAFT). */
const CARRIED = 'help:text';

/** The intake screen (R6): one form per request type, rendered from the shared field definitions. */
export function IntakeScreen({ requestType, conversationId }: { requestType: RequestType; conversationId?: string }) {
  const { actions, t } = useApp();
  return (
    <IntakeForm
      requestType={requestType}
      {...(conversationId ? { conversationId } : {})}
      onDone={(id) => actions.go({ name: 'conversation', id })}
      t={t}
    />
  );
}

/** Turns form state into the answers the server validates (datetime-local → ISO with the user's offset). */
export function toAnswers(def: readonly FieldDef[], values: Answers): Answers {
  const out: Answers = {};
  for (const f of def) {
    const v = values[f.id];
    if (v === undefined || v === '') continue;
    if (f.type === 'datetime' && typeof v === 'string') {
      const d = new Date(v);
      out[f.id] = Number.isNaN(d.getTime()) ? v : d.toISOString();
    } else out[f.id] = v;
  }
  return out;
}

/** The saved answers of an unfinished form: an object of plain values, anything else is dropped. */
export function readDraft(raw: string | null): Answers {
  if (!raw) return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Answers) : {};
  } catch {
    return {};
  }
}

export function IntakeForm({
  requestType,
  conversationId: existingId,
  onDone,
  t,
}: {
  requestType: RequestType;
  conversationId?: string;
  onDone: (conversationId: string) => void;
  t: Translate;
}) {
  const { state, actions } = useApp();
  const def = REQUEST_TYPE_BY_ID.get(requestType);
  const draftKey = `intake:${requestType}`;
  // An unfinished form survives a reload (the widget's storage; cleared once sent, and on shutdown).
  // The description is the first long text; what was typed in the help centre becomes it when it is empty.
  const description = def?.fields.find((f) => f.type === 'longtext')?.id;
  const [values, setValuesNow] = useState<Answers>(() => {
    const v = readDraft(actions.getDraft(draftKey));
    const carried = actions.getDraft(CARRIED);
    if (carried) actions.setDraft(CARRIED, null);
    return carried && description && !v[description] ? { ...v, [description]: carried } : v;
  });
  const setValues = (fn: (prev: Answers) => Answers) =>
    setValuesNow((prev) => {
      const next = fn(prev);
      actions.setDraft(draftKey, Object.keys(next).length ? JSON.stringify(next) : null);
      return next;
    });
  const [errors, setErrors] = useState<FieldErrorMap>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Incident evidence (screenshots, logs): kept (across reloads too) until the conversation exists, then
  // uploaded by its composer.
  const [evidence, setEvidence, forgetEvidence] = useKeptEvidence(draftKey);
  // One idempotency key per form: a double submit or a retry never opens two conversations.
  const idempotencyKey = useMemo(() => randomId('k'), []);
  const conversationId = useRef<string | undefined>(existingId);
  const formRef = useRef<HTMLFormElement>(null);
  const isRealmUser = state.principal?.kind === 'realm_user';
  const needsDirectory = !!def?.fields.some((f) => f.type === 'pipeline' || f.type === 'project');

  useEffect(() => {
    // R7: visitors never ask for realm data; realm users get their own realm's pipelines.
    if (isRealmUser && needsDirectory && !state.directory) actions.loadDirectory();
  }, [isRealmUser, needsDirectory]);

  if (!def) return <p role="alert">{t('intake.error.unknown_type')}</p>;

  const set = (id: string, v: unknown) => {
    setValues((prev) => ({ ...prev, [id]: v }));
    if (errors[id]) setErrors((prev) => Object.fromEntries(Object.entries(prev).filter(([k]) => k !== id)));
  };

  const focusFirstError = (errs: FieldErrorMap) => {
    const first = def.fields.find((f) => errs[f.id]);
    if (!first) return;
    queueMicrotask(() => (formRef.current?.querySelector(`[data-field="${first.id}"]`) as HTMLElement | null)?.focus());
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const answers = toAnswers(def.fields, values);
    // The same validation the server runs (one definition, R6): instant feedback beside the fields.
    const local = validateIntake(requestType, answers);
    if (!local.ok) {
      setErrors(local.fields);
      focusFirstError(local.fields);
      return;
    }
    setErrors({});
    setBusy(true);
    const res = conversationId.current
      ? await actions.submitIntake(conversationId.current, local.value)
      : await actions.startConversation(requestType, local.value, idempotencyKey);
    setBusy(false);
    if (res.ok) {
      const conv = res.conversation;
      if (conv) {
        conversationId.current = conv.id;
        if (conv.status !== 'intake') {
          actions.setDraft(draftKey, null);
          handOffEvidence(conv.id, evidence);
          forgetEvidence();
          onDone(conv.id);
        }
      }
      return;
    }
    if (res.conversationId) conversationId.current = res.conversationId;
    if (res.code === 'intake_invalid' && res.fields) {
      const known = Object.fromEntries(Object.entries(res.fields).filter(([k]) => def.fields.some((f) => f.id === k)));
      setErrors(known);
      focusFirstError(known);
      if (Object.keys(known).length === 0) setFormError(errorText(t, res));
    } else setFormError(errorText(t, res));
  };

  const errorCount = Object.keys(errors).length;
  return (
    <section>
      <ScreenTitle>{t(def.labelKey)}</ScreenTitle>
      <p class="muted">{t(def.descriptionKey)}</p>
      <form ref={formRef} class="form" noValidate onSubmit={onSubmit}>
        {def.fields.map((f) => (
          <Fragment key={f.id}>
            <Field def={f} value={values[f.id]} error={errors[f.id]} onChange={(v) => set(f.id, v)} setValues={setValues} t={t} realm={isRealmUser} />
            {f.id === description && (
              <Suggestions text={typeof values[f.id] === 'string' ? (values[f.id] as string) : ''} back={{ name: 'intake', requestType, ...(conversationId.current ? { conversationId: conversationId.current } : {}) }} />
            )}
          </Fragment>
        ))}
        {requestType === 'incident' && <EvidencePicker files={evidence} onChange={setEvidence} />}
        {errorCount > 0 && (
          <p class="form-error" role="alert">
            {t('intake.fixErrors', { count: errorCount })}
          </p>
        )}
        {formError && (
          <p class="form-error" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy} aria-disabled={busy}>
          {busy ? t('intake.sending') : t('intake.submit')}
        </button>
      </form>
    </section>
  );
}

interface FieldProps {
  def: FieldDef;
  value: unknown;
  error: { code: string; i18nKey: string } | undefined;
  onChange: (v: unknown) => void;
  setValues: (fn: (prev: Answers) => Answers) => void;
  t: Translate;
  realm: boolean;
}

function Field({ def, value, error, onChange, setValues, t, realm }: FieldProps) {
  const { state } = useApp();
  const id = `f-${def.id}`;
  const helpId = `${id}-help`;
  const errId = `${id}-error`;
  const describedBy = [helpId, error ? errId : ''].filter(Boolean).join(' ');
  const label = (
    <>
      {t(def.labelKey)}
      {!def.required && <span class="optional"> ({t('intake.optional')})</span>}
    </>
  );
  const common = {
    id,
    'data-field': def.id,
    'aria-describedby': describedBy,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-required': def.required ? ('true' as const) : undefined,
  };
  const str = typeof value === 'string' ? value : '';
  const help = (
    <p id={helpId} class="help">
      {t(def.helpKey)}
    </p>
  );
  const err = error && (
    <p id={errId} class="field-error">
      {fieldErrorText(t, error)}
    </p>
  );

  if (def.type === 'enum') {
    return (
      <fieldset class={`field ${error ? 'has-error' : ''}`} aria-describedby={describedBy}>
        <legend>{label}</legend>
        {help}
        <div class="choices">
          {(def.options ?? []).map((o, i) => (
            <label key={o} class="choice">
              <input
                type="radio"
                name={id}
                value={o}
                checked={value === o}
                onChange={() => onChange(o)}
                {...(i === 0 ? { 'data-field': def.id } : {})}
                aria-invalid={error ? 'true' : undefined}
              />
              <span>{t(`intake.option.${def.id}.${o}`)}</span>
            </label>
          ))}
        </div>
        {err}
      </fieldset>
    );
  }

  if ((def.type === 'pipeline' || def.type === 'project') && realm && state.directory) {
    const dir = state.directory;
    if (def.type === 'pipeline') {
      const picked = value && typeof value === 'object' ? (value as { name?: string; key?: string }) : null;
      const current = dir.pipelines.find((p) => p.name === picked?.name && p.key === picked?.key);
      return (
        <div class={`field ${error ? 'has-error' : ''}`}>
          <label for={id}>{label}</label>
          {help}
          <select
            {...common}
            value={current?.id ?? ''}
            onChange={(e) => {
              const p = dir.pipelines.find((x) => x.id === (e.currentTarget as HTMLSelectElement).value);
              if (!p) return onChange(undefined);
              // R6: name and key are filled together; the environment and project follow the pipeline.
              setValues((prev) => {
                const next: Answers = { ...prev, [def.id]: { name: p.name, key: p.key } };
                if (!prev.environment) next.environment = p.environment;
                const project = p.projectId ? dir.projects.find((x) => x.id === p.projectId) : undefined;
                if (project && !prev.project) next.project = { name: project.name, id: project.id };
                return next;
              });
              onChange({ name: p.name, key: p.key });
            }}
          >
            <option value="">{t('intake.pipeline.choose')}</option>
            {dir.pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.key}) · {t(`intake.option.environment.${p.environment}`)}
              </option>
            ))}
          </select>
          {picked?.key && (
            <p class="help" data-testid="pipeline-key">
              {t('intake.pipeline.key', { key: picked.key })}
            </p>
          )}
          {err}
        </div>
      );
    }
    const picked = value && typeof value === 'object' ? (value as { name?: string; id?: string }) : null;
    return (
      <div class={`field ${error ? 'has-error' : ''}`}>
        <label for={id}>{label}</label>
        {help}
        <select
          {...common}
          value={picked?.id ?? ''}
          onChange={(e) => {
            const p = dir.projects.find((x) => x.id === (e.currentTarget as HTMLSelectElement).value);
            onChange(p ? { name: p.name, id: p.id } : undefined);
          }}
        >
          <option value="">{t('intake.project.none')}</option>
          {dir.projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        {err}
      </div>
    );
  }

  if (def.type === 'pipeline') {
    // Free text: what a visitor (or a realm user without the directory) types is never checked
    // against realm data in a way they can observe (R5).
    const v = value && typeof value === 'object' ? (value as { name?: string; key?: string }) : {};
    const put = (k: 'name' | 'key', s: string) => {
      const next = { ...v, [k]: s };
      onChange(next.name || next.key ? next : undefined);
    };
    return (
      <fieldset class={`field ${error ? 'has-error' : ''}`} aria-describedby={describedBy}>
        <legend>{label}</legend>
        {help}
        <label for={`${id}-name`}>{t('intake.pipeline.name')}</label>
        <input id={`${id}-name`} data-field={def.id} type="text" maxLength={200} value={v.name ?? ''} onInput={(e) => put('name', (e.currentTarget as HTMLInputElement).value)} aria-invalid={error ? 'true' : undefined} />
        <label for={`${id}-key`}>{t('intake.pipeline.keyLabel')}</label>
        <input id={`${id}-key`} type="text" maxLength={200} value={v.key ?? ''} onInput={(e) => put('key', (e.currentTarget as HTMLInputElement).value)} aria-invalid={error ? 'true' : undefined} />
        {err}
      </fieldset>
    );
  }

  let control;
  if (def.type === 'project') {
    const v = value && typeof value === 'object' ? ((value as { name?: string }).name ?? '') : '';
    control = <input {...common} type="text" maxLength={200} value={v} onInput={(e) => onChange((e.currentTarget as HTMLInputElement).value ? { name: (e.currentTarget as HTMLInputElement).value } : undefined)} />;
  } else if (def.type === 'longtext') {
    control = <textarea {...common} rows={3} maxLength={def.maxLength} value={str} onInput={(e) => onChange((e.currentTarget as HTMLTextAreaElement).value)} />;
  } else if (def.type === 'datetime') {
    control = <input {...common} type="datetime-local" value={str} onInput={(e) => onChange((e.currentTarget as HTMLInputElement).value)} />;
  } else {
    control = (
      <input
        {...common}
        type={def.type === 'email' ? 'email' : 'text'}
        autoComplete={def.type === 'email' ? 'email' : undefined}
        maxLength={def.maxLength}
        value={str}
        onInput={(e) => onChange((e.currentTarget as HTMLInputElement).value)}
      />
    );
  }
  return (
    <div class={`field ${error ? 'has-error' : ''}`}>
      <label for={id}>{label}</label>
      {help}
      {control}
      {err}
    </div>
  );
}
