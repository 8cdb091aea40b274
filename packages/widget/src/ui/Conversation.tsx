import { useEffect, useRef, useState } from 'preact/hooks';
import { renderSystemLine } from '@ajuda/i18n';
import type { Environment, EscalationReason, MessageView, RequesterConversationView } from '@ajuda/protocol';

import { useApp, type FieldErrorMap } from './context.ts';
import { ScreenTitle, durationText, errorText, fieldErrorText, timeText } from './common.tsx';
import './screens.css';

const OPEN_STATUSES = new Set(['queued', 'assigned']);

/**
 * Message text as plain text nodes (never HTML). Only http(s) URLs become links, so a body can never
 * produce a javascript: or data: link.
 * @example <Body text="see https://example.com" />
 */
export function Body({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"'()]+)/g);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 && /^https?:\/\//i.test(p) ? (
          <a key={i} href={p} target="_blank" rel="noopener noreferrer nofollow">
            {p}
          </a>
        ) : (
          p
        ),
      )}
    </>
  );
}

/** The conversation screen: header (id, priority, SLA in words, assignee), messages, composer, feedback. */
export function ConversationScreen({ id }: { id: string }) {
  const { state, actions, t } = useApp();
  const conv = state.conversations[id];
  const messages = state.messages[id] ?? [];
  const lastSeq = messages.length ? messages[messages.length - 1]!.seq : 0;

  useEffect(() => {
    // Visible messages are read: tell the agent (read receipt) and clear the launcher badge.
    const mark = () => {
      if (state.visible && document.visibilityState !== 'hidden') actions.markRead(id);
    };
    mark();
    // A tab brought back to the front shows what arrived meanwhile.
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [id, lastSeq, state.visible]);

  if (!conv) {
    return (
      <p class="muted" role="status">
        {t('common.loading')}
      </p>
    );
  }
  const open = OPEN_STATUSES.has(conv.status);
  return (
    <section class="conversation" aria-labelledby="conv-title">
      <ConversationHeader conv={conv} />
      <MessageList conv={conv} messages={messages} />
      {state.agentTyping[id] && (
        <p class="typing" aria-live="off">
          {conv.assignee ? t('conversation.typing.named', { name: conv.assignee.name }) : t('conversation.typing')}
        </p>
      )}
      {conv.status === 'intake' && (
        <div class="callout">
          <p>{t('conversation.intakePending')}</p>
          <button type="button" class="primary" onClick={() => actions.go({ name: 'intake', requestType: conv.requestType, conversationId: conv.id })}>
            {t('conversation.completeIntake')}
          </button>
        </div>
      )}
      {open && <Composer id={id} />}
      {open && !conv.escalated && (
        <p>
          <button type="button" class="link-btn" onClick={() => actions.go({ name: 'escalate', id })}>
            {t('escalate.open')}
          </button>
        </p>
      )}
      {(conv.status === 'resolved' || state.feedbackRequested[id]) && <Feedback conv={conv} />}
      {conv.status === 'closed' && <p class="muted">{t('conversation.closed')}</p>}
    </section>
  );
}

function ConversationHeader({ conv }: { conv: RequesterConversationView }) {
  const { state, actions, t } = useApp();
  const [copied, setCopied] = useState<null | boolean>(null);
  const idRef = useRef<HTMLElement>(null);
  // "Copied" or "selected, copy it by hand" says so for a moment, then the button is "Copy" again.
  useEffect(() => {
    if (copied === null) return;
    const timer = setTimeout(() => setCopied(null), 4000);
    return () => clearTimeout(timer);
  }, [copied]);
  const due = conv.firstResponseDueAt ? Date.parse(conv.firstResponseDueAt) : NaN;
  const waiting = OPEN_STATUSES.has(conv.status) && !(state.messages[conv.id] ?? []).some((m) => m.sender.role === 'agent');
  return (
    <header class="conv-head">
      <ScreenTitle id="conv-title">{t(`requestType.${conv.requestType}.label`)}</ScreenTitle>
      <p class="conv-id">
        {/* R13: the conversation ID is always visible to the requester, and copyable. */}
        <span>{t('conversation.id')}</span> <code class="mono" ref={idRef}>{conv.id}</code>{' '}
        <button
          type="button"
          class="small-btn"
          onClick={async () => setCopied(await actions.copy(conv.id, idRef.current))}
          aria-label={t('conversation.copyId.label', { id: conv.id })}
        >
          {copied === true ? t('conversation.copied') : copied === false ? t('conversation.copyFailed') : t('conversation.copyId')}
        </button>
      </p>
      <p class="conv-meta">
        <span class="badge">{t(`status.${conv.status}`)}</span>
        {conv.priority && <span class="badge">{t('conversation.priority', { priority: t(`priority.${conv.priority}`) })}</span>}
        {conv.escalated && <span class="badge badge-warn">{t('conversation.escalated')}</span>}
      </p>
      {waiting && (
        <p class="muted">
          {/* R9, R10: the expected first response, in words. */}
          {Number.isFinite(due) && due > Date.now()
            ? t('conversation.sla', { duration: durationText(state.locale, due - Date.now()) })
            : t('conversation.slaSoon')}
        </p>
      )}
      {OPEN_STATUSES.has(conv.status) && (
        <p class="muted">{conv.assignee ? t('conversation.assignee', { name: conv.assignee.name }) : t('conversation.unassigned')}</p>
      )}
    </header>
  );
}

function MessageList({ conv, messages }: { conv: RequesterConversationView; messages: MessageView[] }) {
  const { state, actions, t } = useApp();
  const endRef = useRef<HTMLDivElement>(null);
  const pending = state.outbox.filter((e) => e.conversationId === conv.id);
  const agentRead = state.agentRead[conv.id] ?? 0;
  let seenSeq = 0;
  for (const m of messages) if (m.sender.role === 'requester' && m.seq <= agentRead) seenSeq = m.seq;

  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, pending.length]);

  return (
    <div class="messages">
      <ol class="msg-list" aria-label={t('conversation.messages')}>
        {messages.map((m) => (
          <li key={m.seq} class={`msg msg-${m.sender.role}`} data-seq={m.seq}>
            {m.sender.role === 'system' ? (
              <p class="msg-system">
                {/* R11: a coded system message in the language shown now; older ones as stored. */}
                <Body text={(m.key && renderSystemLine(t, m.key, m.params)) || m.body} />
              </p>
            ) : (
              <>
                <p class="msg-from">
                  {m.sender.role === 'requester' ? t('conversation.you') : (m.sender.name ?? t('conversation.agent'))}
                  <span class="sr-only">:</span>
                </p>
                <p class="bubble">
                  <Body text={m.body} />
                </p>
                <p class="msg-time">
                  {timeText(state.locale, m.at)}
                  {m.seq === seenSeq && <span class="seen"> · {t('conversation.seen')}</span>}
                </p>
              </>
            )}
          </li>
        ))}
        {pending.map((e) => (
          <li key={e.clientMsgId} class="msg msg-requester msg-pending">
            <p class="msg-from">
              {t('conversation.you')}
              <span class="sr-only">:</span>
            </p>
            <p class="bubble">
              <Body text={e.body} />
            </p>
            <p class="msg-time">
              {e.failed ? (
                <>
                  <span class="field-error">{t('conversation.notSent', { reason: errorText(t, { code: e.failed }) })}</span>{' '}
                  <button type="button" class="small-btn" onClick={() => actions.discardMessage(e.clientMsgId)}>
                    {t('conversation.discard')}
                  </button>
                </>
              ) : state.status === 'online' ? (
                t('conversation.sending')
              ) : (
                t('conversation.queued')
              )}
            </p>
          </li>
        ))}
      </ol>
      {messages.length === 0 && pending.length === 0 && <p class="muted">{t('conversation.empty')}</p>}
      <div ref={endRef} />
    </div>
  );
}

function Composer({ id }: { id: string }) {
  const { actions, t } = useApp();
  const [text, setText] = useState('');
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const typing = useRef(false);

  const stopTyping = () => {
    if (typingTimer.current) clearTimeout(typingTimer.current);
    typingTimer.current = null;
    if (typing.current) actions.setTyping(id, false);
    typing.current = false;
  };
  useEffect(() => stopTyping, [id]);

  const send = () => {
    const body = text.trim();
    if (!body) return;
    // Goes through the persisted outbox: typed offline or just before a reload, it is still sent once.
    actions.sendMessage(id, body);
    setText('');
    stopTyping();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for="composer-input" class="sr-only">
        {t('conversation.compose.label')}
      </label>
      <textarea
        id="composer-input"
        rows={2}
        maxLength={8000}
        placeholder={t('conversation.compose.placeholder')}
        value={text}
        onInput={(e) => {
          setText((e.currentTarget as HTMLTextAreaElement).value);
          if (!typing.current) {
            typing.current = true;
            actions.setTyping(id, true);
          }
          if (typingTimer.current) clearTimeout(typingTimer.current);
          typingTimer.current = setTimeout(stopTyping, 3000);
        }}
        onKeyDown={(e) => {
          // Enter sends, Shift+Enter is a new line (the usual chat convention).
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" class="primary" disabled={!text.trim()}>
        {t('conversation.send')}
      </button>
    </form>
  );
}

/** R14: "Did this answer your question?" yes/no + optional comment; "no" offers reopen or escalate. */
export function Feedback({ conv }: { conv: RequesterConversationView }) {
  const { actions, t } = useApp();
  const [answered, setAnswered] = useState<boolean | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const recorded = conv.feedback;

  if (recorded) {
    return (
      <div class="callout" role="status">
        <p>{t('feedback.thanks')}</p>
        {!recorded.answered && <NotAnswered conv={conv} />}
      </div>
    );
  }
  return (
    <form
      class="callout form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (answered === null || busy) return;
        setBusy(true);
        const res = await actions.submitFeedback(conv.id, answered, comment.trim() || undefined);
        setBusy(false);
        setError(res.ok ? null : errorText(t, res));
      }}
    >
      <fieldset class="field">
        <legend>{t('feedback.question')}</legend>
        <div class="choices">
          <label class="choice">
            <input type="radio" name="fb-answered" checked={answered === true} onChange={() => setAnswered(true)} />
            <span>{t('feedback.yes')}</span>
          </label>
          <label class="choice">
            <input type="radio" name="fb-answered" checked={answered === false} onChange={() => setAnswered(false)} />
            <span>{t('feedback.no')}</span>
          </label>
        </div>
      </fieldset>
      <div class="field">
        <label for="fb-comment">
          {t('feedback.comment')} <span class="optional">({t('intake.optional')})</span>
        </label>
        <textarea id="fb-comment" rows={2} maxLength={2000} value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={answered === null || busy}>
        {t('feedback.send')}
      </button>
    </form>
  );
}

function NotAnswered({ conv }: { conv: RequesterConversationView }) {
  const { actions, t } = useApp();
  const [error, setError] = useState<string | null>(null);
  const reopenThen = async (next: 'stay' | 'escalate') => {
    const res = conv.status === 'resolved' ? await actions.reopen(conv.id) : ({ ok: true } as const);
    if (!res.ok) return setError(errorText(t, res));
    if (next === 'escalate') actions.go({ name: 'escalate', id: conv.id });
  };
  return (
    <>
      <p>{t('feedback.notAnswered')}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => reopenThen('stay')}>
          {t('feedback.reopen')}
        </button>
        {!conv.escalated && (
          <button type="button" class="secondary" onClick={() => reopenThen('escalate')}>
            {t('feedback.escalate')}
          </button>
        )}
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

const REASONS: readonly EscalationReason[] = ['disagree', 'scenario_changed', 'other_engineer'];
const ENVIRONMENTS: readonly Environment[] = ['Prod', 'Test'];

/** R13: escalate an open conversation to a support lead (reason, description, environment, justification). */
export function EscalateScreen({ id }: { id: string }) {
  const { state, actions, t } = useApp();
  const conv = state.conversations[id];
  const [reason, setReason] = useState<EscalationReason | ''>('');
  const [description, setDescription] = useState('');
  const initialEnv = conv?.answers.environment;
  const [environment, setEnvironment] = useState<Environment | ''>(initialEnv === 'Prod' || initialEnv === 'Test' ? initialEnv : '');
  const [justification, setJustification] = useState('');
  const [errors, setErrors] = useState<FieldErrorMap>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!conv) return <p class="muted">{t('common.loading')}</p>;

  const required = { code: 'required', i18nKey: 'intake.error.required' };
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const errs: FieldErrorMap = {};
    if (!reason) errs.reason = required;
    if (!description.trim()) errs.description = required;
    if (!environment) errs.environment = required;
    if (!justification.trim()) errs.justification = required;
    setErrors(errs);
    if (Object.keys(errs).length || !reason || !environment) return;
    setBusy(true);
    const res = await actions.escalate({ conversationId: id, reason, description: description.trim(), environment, justification: justification.trim() });
    setBusy(false);
    if (res.ok) actions.go({ name: 'conversation', id });
    else setFormError(errorText(t, res));
  };
  const err = (k: string) =>
    errors[k] && (
      <p id={`esc-${k}-error`} class="field-error">
        {fieldErrorText(t, errors[k]!)}
      </p>
    );
  const inv = (k: string) => (errors[k] ? { 'aria-invalid': 'true' as const, 'aria-describedby': `esc-${k}-error` } : {});

  return (
    <section>
      <ScreenTitle>{t('escalate.title')}</ScreenTitle>
      <p class="muted">{t('escalate.intro')}</p>
      <p class="conv-id">
        <span>{t('conversation.id')}</span> <code class="mono">{conv.id}</code>
      </p>
      <form class="form" noValidate onSubmit={onSubmit}>
        <fieldset class={`field ${errors.reason ? 'has-error' : ''}`}>
          <legend>{t('escalate.reason')}</legend>
          <div class="choices">
            {REASONS.map((r) => (
              <label key={r} class="choice">
                <input type="radio" name="esc-reason" value={r} checked={reason === r} onChange={() => setReason(r)} {...inv('reason')} />
                <span>{t(`escalate.reason.${r}`)}</span>
              </label>
            ))}
          </div>
          {err('reason')}
        </fieldset>
        <div class={`field ${errors.description ? 'has-error' : ''}`}>
          <label for="esc-description">{t('escalate.description')}</label>
          <textarea id="esc-description" rows={3} maxLength={4000} value={description} onInput={(e) => setDescription((e.currentTarget as HTMLTextAreaElement).value)} {...inv('description')} />
          {err('description')}
        </div>
        <fieldset class={`field ${errors.environment ? 'has-error' : ''}`}>
          <legend>{t('escalate.environment')}</legend>
          <div class="choices">
            {ENVIRONMENTS.map((env) => (
              <label key={env} class="choice">
                <input type="radio" name="esc-env" value={env} checked={environment === env} onChange={() => setEnvironment(env)} {...inv('environment')} />
                <span>{t(`intake.option.environment.${env}`)}</span>
              </label>
            ))}
          </div>
          {err('environment')}
        </fieldset>
        <div class={`field ${errors.justification ? 'has-error' : ''}`}>
          <label for="esc-justification">{t('escalate.justification')}</label>
          <textarea id="esc-justification" rows={3} maxLength={4000} value={justification} onInput={(e) => setJustification((e.currentTarget as HTMLTextAreaElement).value)} {...inv('justification')} />
          {err('justification')}
        </div>
        {formError && (
          <p class="form-error" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('escalate.submit')}
        </button>
      </form>
    </section>
  );
}

