import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { renderSystemLine } from '@ajuda/i18n';
import type { Environment, EscalationReason, MessageView, RequestType, RequesterConversationView } from '@ajuda/protocol';

import { useApp, type FieldErrorMap } from './context.ts';
import { ScreenTitle, durationText, errorText, fieldErrorText, lazyScreen, timeText, useNetworkOnline } from './common.tsx';
import { isAtBottom, newestSeqInView } from './viewport.ts';
import { AttachButton, LightboxHost, MessageFiles, UploadTray, filesOf, takeEvidence, useUploads } from './Attachments.tsx';
import './screens.css';

const EmailScreen = lazyScreen(() => import('./Email.tsx').then((m) => m.EmailScreen));

const OPEN_STATUSES = new Set(['queued', 'assigned']);

/**
 * Message text as plain text nodes (never HTML). Only http(s) URLs become links (built as DOM nodes,
 * opening in a new tab without access to this frame), so a body can never produce a javascript: or
 * data: link. Punctuation that ends a sentence is not part of the link.
 * @example <Body text="see https://example.com." />
 */
export function Body({ text }: { text: string }) {
  const out: Array<string | ReturnType<typeof Link>> = [];
  let rest = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"'`]+/gi)) {
    let url = m[0];
    // "(see https://x.example/a)." → the link is https://x.example/a
    url = trimUrlEnd(url);
    const href = safeHref(url);
    if (!href) continue;
    out.push(text.slice(rest, m.index), <Link key={m.index} href={href} text={url} />);
    rest = m.index + url.length;
  }
  out.push(text.slice(rest));
  return <>{out}</>;
}

/** Drops sentence punctuation after a URL, and a closing parenthesis that has no opening one in it. */
export function trimUrlEnd(url: string): string {
  const count = (c: string) => url.split(c).length - 1;
  for (;;) {
    const last = url.slice(-1);
    if (last && '.,;:!?\'"]}'.includes(last)) url = url.slice(0, -1);
    else if (last === ')' && count(')') > count('(')) url = url.slice(0, -1);
    else return url;
  }
}

/** The URL if it parses as http(s) with a host; null for anything else. */
export function safeHref(url: string): string | null {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname ? u.href : null;
  } catch {
    return null;
  }
}

function Link({ href, text }: { href: string; text: string }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {text}
    </a>
  );
}

/** Statuses in which the requester can write (a resolved conversation reopens when they write). */
const WRITABLE_STATUSES = new Set(['queued', 'assigned', 'resolved']);

/**
 * The conversation screen: a compact header (request, ID, one status line), the message log (the
 * requester's own intake question first, then the messages, then the feedback form), and the composer
 * below the log, never on top of it.
 */
export function ConversationScreen({ id }: { id: string }) {
  const { state, actions, t } = useApp();
  const conv = state.conversations[id];
  const messages = state.messages[id] ?? [];
  // "Email me the answer" opens in place of the log (its own chunk), and comes back to it.
  const [email, setEmail] = useState(false);

  if (email && conv) return <EmailScreen id={id} onBack={() => setEmail(false)} />;
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
      <MessageLog conv={conv} messages={messages} />
      {WRITABLE_STATUSES.has(conv.status) && <Composer key={id} id={id} reopens={conv.status === 'resolved'} />}
      <p class="conv-foot">
        <button type="button" class="link-btn" onClick={() => setEmail(true)}>
          {t('email.open')}
        </button>
        {open && !conv.escalated && (
          <button type="button" class="link-btn" onClick={() => actions.go({ name: 'escalate', id })}>
            {t('escalate.open')}
          </button>
        )}
      </p>
      <LightboxHost />
    </section>
  );
}

/**
 * One status line for the requester (13): what is happening and, while nobody has answered yet, when
 * to expect an answer (R9, R10: in words). Never the internal priority code.
 */
export function statusLine(
  t: (key: string, params?: Record<string, string | number>) => string,
  conv: RequesterConversationView,
  answered: boolean,
  locale: string,
  now = Date.now(),
): string {
  const due = conv.firstResponseDueAt ? Date.parse(conv.firstResponseDueAt) : NaN;
  const sla = Number.isFinite(due) && due > now ? t('conversation.sla', { duration: durationText(locale, due - now) }) : t('conversation.slaSoon');
  if (conv.status === 'assigned' && conv.assignee) {
    const who = t('conversation.assignee', { name: conv.assignee.name });
    return answered ? who : `${who} ${sla}`;
  }
  if (conv.status === 'queued' || conv.status === 'assigned') return answered ? t('status.queued') : `${t('status.queued')}. ${sla}`;
  return t(`status.${conv.status}`);
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
  const answered = (state.messages[conv.id] ?? []).some((m) => m.sender.role === 'agent');
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
      <p class="conv-status">
        {conv.escalated && <span class="badge badge-warn">{t('conversation.escalated')}</span>}{' '}
        <span>{statusLine(t, conv, answered, state.locale)}</span>
      </p>
    </header>
  );
}

/**
 * Per request type, the intake field that holds the requester's question in their own words (a long
 * text field of that form; checked against the protocol's definitions by the tests). Named here so the
 * conversation screen does not load the intake definitions and their validator.
 */
export const QUESTION_FIELD = {
  general_question: 'question',
  technical_question: 'question',
  contract_question: 'question',
  dev_question: 'question',
  auth_incident: 'whatHappens',
  incident: 'errorMessage',
} as const satisfies Record<RequestType, string>;

/** The text the requester typed as their question in the intake form, as they typed it; null when there is none. */
export function intakeQuestion(conv: Pick<RequesterConversationView, 'requestType' | 'answers'>): string | null {
  const field = (QUESTION_FIELD as Record<string, string | undefined>)[conv.requestType];
  const v = field ? conv.answers[field] : undefined;
  return typeof v === 'string' && v.trim() ? v : null;
}

/**
 * The message log, its own scroll container. It stays pinned to the newest item while the person is at
 * the bottom; when they scrolled up it does not jump, it offers "new messages ↓" instead. What is read
 * (the read position the agent sees as "Seen") goes only up to the newest message actually on screen,
 * while the panel is open and the page visible.
 */
function MessageLog({ conv, messages }: { conv: RequesterConversationView; messages: MessageView[] }) {
  const { state, actions, t } = useApp();
  const networkOnline = useNetworkOnline();
  const logRef = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const [away, setAway] = useState(false);
  const latest = useRef({ visible: state.visible, actions, id: conv.id });
  latest.current = { visible: state.visible, actions, id: conv.id };
  const pending = state.outbox.filter((e) => e.conversationId === conv.id);
  const agentRead = state.agentRead[conv.id] ?? 0;
  const myRead = state.myRead[conv.id] ?? 0;
  let seenSeq = 0;
  for (const m of messages) if (m.sender.role === 'requester' && m.seq <= agentRead) seenSeq = m.seq;
  const unreadBelow = messages.some((m) => m.sender.role !== 'requester' && m.seq > myRead);
  const question = intakeQuestion(conv);
  const showFeedback = conv.status === 'resolved' || !!state.feedbackRequested[conv.id];

  const frame = useRef(0);
  const markVisible = () => {
    const el = logRef.current;
    const { visible, actions: act, id } = latest.current;
    if (!el || !visible || document.visibilityState === 'hidden') return;
    const seq = newestSeqInView(el);
    if (seq > 0) act.markRead(id, seq);
  };
  const later = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      markVisible();
    });
  };
  const toBottom = () => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  // Every render: a pinned log follows what was just added (messages, pending sends, the feedback form).
  useLayoutEffect(() => {
    if (pinned.current) toBottom();
    later();
  });

  // Sending is the person's own act: show it even when they had scrolled up.
  const pendingCount = pending.length;
  const lastPending = useRef(pendingCount);
  useLayoutEffect(() => {
    if (pendingCount > lastPending.current) {
      pinned.current = true;
      setAway(false);
      toBottom();
    }
    lastPending.current = pendingCount;
  }, [pendingCount]);

  // Opening the panel, bringing the tab back, resizing (phone keyboard, the panel appearing): keep the
  // newest item in view if pinned, then count as read what is on screen now.
  useEffect(() => {
    const el = logRef.current;
    if (!el) return;
    const onChange = () => {
      if (pinned.current) toBottom();
      later();
    };
    document.addEventListener('visibilitychange', onChange);
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(onChange);
    ro?.observe(el);
    if (el.firstElementChild) ro?.observe(el.firstElementChild);
    return () => {
      document.removeEventListener('visibilitychange', onChange);
      ro?.disconnect();
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [conv.id]);

  useEffect(() => {
    if (!state.visible) return;
    if (pinned.current) toBottom();
    later();
  }, [state.visible]);

  const onScroll = () => {
    const el = logRef.current;
    if (!el) return;
    pinned.current = isAtBottom(el);
    setAway(!pinned.current);
    later();
  };

  return (
    <div class="log-wrap">
      <div class="log" ref={logRef} onScroll={onScroll} tabIndex={0} role="region" aria-label={t('conversation.messages')}>
        <div class="log-inner">
          <ol class="msg-list">
            {question && (
              <li class="msg msg-requester msg-intake" data-intake>
                <p class="msg-from">
                  {t('conversation.you')}
                  <span class="sr-only">:</span>
                </p>
                <p class="bubble">
                  <Body text={question} />
                </p>
                <p class="msg-time">{timeText(state.locale, conv.createdAt)}</p>
              </li>
            )}
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
                    {m.body && (
                      <p class="bubble">
                        <Body text={m.body} />
                      </p>
                    )}
                    <MessageFiles list={m.attachments} />
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
                {e.body && (
                  <p class="bubble">
                    <Body text={e.body} />
                  </p>
                )}
                <MessageFiles list={e.files} />
                <p class="msg-time">
                  {e.failed ? (
                    <>
                      <span class="field-error">{t('conversation.notSent', { reason: errorText(t, { code: e.failed }) })}</span>{' '}
                      <button type="button" class="small-btn" onClick={() => actions.discardMessage(e.clientMsgId)}>
                        {t('conversation.discard')}
                      </button>
                    </>
                  ) : state.status === 'online' && networkOnline ? (
                    t('conversation.sending')
                  ) : (
                    t('conversation.queued')
                  )}
                </p>
              </li>
            ))}
          </ol>
          {messages.length === 0 && pending.length === 0 && <p class="muted">{t('conversation.empty')}</p>}
          {state.agentTyping[conv.id] && (
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
          {showFeedback && <Feedback conv={conv} />}
          {conv.status === 'closed' && (
            <div class="callout">
              <p>{t('conversation.closed')}</p>
              <button type="button" class="secondary" onClick={() => actions.go({ name: 'home' })}>
                {t('conversation.startNew')}
              </button>
            </div>
          )}
        </div>
      </div>
      {away && unreadBelow && (
        <button
          type="button"
          class="new-below"
          onClick={() => {
            pinned.current = true;
            setAway(false);
            toBottom();
            logRef.current?.focus({ preventScroll: true });
            later();
          }}
        >
          {t('conversation.newBelow')}
        </button>
      )}
    </div>
  );
}

function Composer({ id, reopens }: { id: string; reopens: boolean }) {
  const { actions, t } = useApp();
  const draftKey = `composer:${id}`;
  // The draft survives a reload (kept by the widget's storage; cleared on send and on shutdown).
  const [text, setText] = useState(() => actions.getDraft(draftKey) ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const typing = useRef(false);
  const uploads = useUploads(id);
  const [dragging, setDragging] = useState(false);
  // Evidence picked in the intake form (before this conversation existed): uploaded now, then sent as
  // a message of files as soon as every one is uploaded; a refused one stays in the tray (retry, remove).
  const evidence = useRef(new Set<string>());
  useEffect(() => {
    for (const key of uploads.add(takeEvidence(id))) evidence.current.add(key);
  }, [id]);
  useEffect(() => {
    if (!uploads.items.some((u) => evidence.current.has(u.key)) || !uploads.ready) return;
    evidence.current.clear();
    actions.sendMessage(id, '', uploads.views());
    uploads.clear();
  }, [uploads.items]);

  const stopTyping = () => {
    if (typingTimer.current) clearTimeout(typingTimer.current);
    typingTimer.current = null;
    if (typing.current) actions.setTyping(id, false);
    typing.current = false;
  };
  useEffect(() => stopTyping, [id]);

  // Writing (or attaching) in a resolved conversation reopens it once, first.
  const reopened = useRef(false);
  useEffect(() => {
    if (!reopens) reopened.current = false;
  }, [reopens]);
  const reopen = async (): Promise<boolean> => {
    if (!reopens || reopened.current) return true;
    setBusy(true);
    const res = await actions.reopen(id);
    setBusy(false);
    if (!res.ok) {
      setError(errorText(t, res));
      return false;
    }
    reopened.current = true;
    return true;
  };
  // Files (paperclip, drop, paste) upload at once; the server takes uploads only in an open conversation.
  const attach = async (files: File[]) => {
    if (!files.length || (reopens && !reopened.current && !(await reopen()))) return;
    setError(null);
    uploads.add(files);
  };

  const send = async () => {
    const body = text.trim();
    if ((!body && !uploads.items.length) || busy) return;
    // Still uploading: wait; refused or broken: the person removes it (or tries again) first.
    if (!uploads.ready) return setError(t(uploads.items.some((u) => u.error) ? 'attach.blocked' : 'attach.waiting'));
    // A resolved conversation: writing reopens it (the server allows the requester to), then sends.
    // (No await otherwise: Enter sends at once.)
    if (reopens && !reopened.current && !(await reopen())) return;
    setError(null);
    // Goes through the persisted outbox: typed offline or just before a reload, it is still sent once.
    const files = uploads.views();
    if (files.length) actions.sendMessage(id, body, files);
    else actions.sendMessage(id, body);
    uploads.clear();
    setText('');
    actions.setDraft(draftKey, null);
    stopTyping();
  };

  return (
    <form
      class={`composer${dragging ? ' dragging' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer?.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        setDragging(false);
        const files = filesOf(e.dataTransfer);
        if (!files.length) return;
        e.preventDefault();
        void attach(files);
      }}
    >
      {reopens && (
        <p class="composer-hint" id="composer-hint">
          {t('conversation.writeToReopen')}
        </p>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <UploadTray uploads={uploads} />
      {dragging && <p class="composer-hint">{t('attach.drop')}</p>}
      <div class="composer-row">
        <AttachButton onFiles={(f) => void attach(f)} />
        <label for="composer-input" class="sr-only">
          {t('conversation.compose.label')}
        </label>
        <textarea
          id="composer-input"
          rows={2}
          maxLength={8000}
          placeholder={t('conversation.compose.placeholder')}
          value={text}
          {...(reopens ? { 'aria-describedby': 'composer-hint' } : {})}
          onInput={(e) => {
            const v = (e.currentTarget as HTMLTextAreaElement).value;
            setText(v);
            actions.setDraft(draftKey, v || null);
            if (reopens) return;
            if (!typing.current) {
              typing.current = true;
              actions.setTyping(id, true);
            }
            if (typingTimer.current) clearTimeout(typingTimer.current);
            typingTimer.current = setTimeout(stopTyping, 3000);
          }}
          onPaste={(e) => {
            // A pasted screenshot (or file) is attached; pasted text stays text.
            const files = filesOf(e.clipboardData);
            if (!files.length) return;
            e.preventDefault();
            void attach(files);
          }}
          onKeyDown={(e) => {
            // Enter sends, Shift+Enter is a new line (the usual chat convention).
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <button type="submit" class="primary" disabled={(!text.trim() && !uploads.items.length) || busy}>
          {t('conversation.send')}
        </button>
      </div>
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

