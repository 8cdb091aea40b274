import type { Locale } from '@ajuda/i18n';
import type { AgentConversationView, AttachmentView, EscalationView, MessageView, Priority, QueueKind } from '@ajuda/protocol';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ArticleLinkButton } from '../articles/LinkButton.tsx';
import { useConsole } from '../context.ts';
import { CATALOGS, lineText, tOr } from '../i18n.ts';
import { isOpenStatus } from '../sla.ts';
import { loadDraft, saveDraft } from '../drafts.ts';
import { useStore, type OpenConversation, type PendingMessage, type Store } from '../store.ts';
import { useAction } from '../ui/action.ts';
import { PriorityBadge, queueLabel, RequesterLabel, SlaCountdown } from '../ui/bits.tsx';
import { fmtDateTime, fmtTime } from '../ui/format.ts';
import { lazyPart } from '../ui/lazy.tsx';
import { IntakeCard } from './IntakeCard.tsx';
import { useShortcuts } from './admin/shortcuts.tsx';
import type { Uploads } from '../attach/Attach.tsx';

/** Attachments' UI (tray, files, image viewer): a lazy chunk with its own texts, fetched on first need. */
type AttachMod = typeof import('../attach/Attach.tsx');
let attachMod: Promise<AttachMod> | null = null;
const loadAttach = () => (attachMod ??= import('../attach/Attach.tsx'));

/**
 * Each conversation's tray for the session (its store): files added to a reply stay with it, and keep
 * uploading, while the agent looks at another conversation. `on` re-renders the composer showing it.
 */
type Tray = { A: AttachMod; u: Uploads; on(): void };
const trays = new WeakMap<Store, Map<string, Tray>>();

/** A message's files, once the attachments chunk is here. */
const LazyFiles = lazyPart(() => loadAttach().then((A) => A.Files));
/** The requester's realm (R7b, R12): only signed-in platform users' conversations show it, so it is a chunk of its own. */
export const RealmPanel = lazyPart(() => import('./RealmPanel.tsx').then((m) => m.RealmPanel));

/** R8e: the reply template saying systems outside the platform are not ours to own. */
export const R8E_TEMPLATE_KEY = 'canned.r8e.body';

/** Canned replies; R8 ones point the requester to the right people (R8a/R8b/R8c/R8e). */
export const CANNED = [
  { id: 'greeting', transfer: null },
  { id: 'moreInfo', transfer: null },
  { id: 'r8a', transfer: null },
  { id: 'r8b', transfer: 'project' },
  { id: 'r8c', transfer: 'project' },
  { id: 'r8e', transfer: null },
  { id: 'closing', transfer: null },
] as const satisfies ReadonlyArray<{ id: string; transfer: QueueKind | null }>;

/** The canned reply's text in the conversation's language, not the agent's interface language. */
export function cannedText(id: string, language: Locale, agentName: string): string {
  const raw = CATALOGS[language][`canned.${id}.body`] ?? '';
  return raw.replace(/\{agent\}/g, agentName);
}

function newClientMsgId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

export function ConversationView({ id }: { id: string }) {
  const { t, store, conn } = useConsole();
  // Out of this agent's queues (escalated, transferred away) the pane keeps the last snapshot's view.
  const conv = useStore(store, (s) => s.conversations[id] ?? (s.open?.id === id ? s.open.view : null));
  const inQueues = useStore(store, (s) => id in s.conversations);
  const open = useStore(store, (s) => (s.open?.id === id ? s.open : null));
  const ready = useStore(store, (s) => s.status === 'ready');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [transferPreset, setTransferPreset] = useState<QueueKind | null>(null);

  // Open (and re-open after a reconnect): the snapshot carries every message, so no resume needed.
  useEffect(() => {
    store.dispatch({ type: 'open', id });
    setLoadError(null);
    if (!ready) return;
    conn.request({ type: 'conversation.open', conversationId: id }).catch((e: { frame?: { code: string } }) => {
      setLoadError(e.frame?.code === 'not_found' || e.frame?.code === 'forbidden' ? 'conv.notFound' : 'conv.loadFailed');
    });
  }, [id, ready, store, conn]);

  if (loadError && !open?.loaded) {
    return (
      <section class="conv conv--empty">
        <p class="error" role="alert">
          {t(loadError)}
        </p>
      </section>
    );
  }
  if (open?.gone || (!conv && open?.loaded)) {
    // Transferred away or otherwise out of this agent's queues, and no longer readable: say so, calmly.
    return (
      <section class="conv conv--empty">
        <p role="status">{t('conv.left')}</p>
      </section>
    );
  }
  if (!conv || !open) {
    return (
      <section class="conv conv--empty" aria-busy="true">
        <p class="muted" role="status">
          {t('conv.loading')}
        </p>
      </section>
    );
  }
  // R13: the agent who handled it may follow it after an escalation or a transfer, read-only.
  const readOnly = open.access === 'read' || !inQueues;
  return (
    <section class="conv" aria-labelledby="conv-title">
      <ConversationHeader conv={conv} readOnly={readOnly} />
      {readOnly ? <ReadOnlyBanner conv={conv} known={open.access === 'read'} /> : null}
      <div class="conv-body">
        <div class="conv-main">
          <IntakeCard conversation={conv} />
          <Messages conv={conv} open={open} readOnly={readOnly} />
          {readOnly ? null : <Composer conv={conv} open={open} onCanned={(q) => q && setTransferPreset(q)} />}
        </div>
        <aside class="conv-side" aria-label={t('conv.details')}>
          {readOnly ? null : <PriorityPanel conv={conv} />}
          {readOnly ? null : <AssignPanel conv={conv} preset={transferPreset} />}
          <RoutingLog conv={conv} />
          <FeedbackPanel conv={conv} />
          <EscalationsPanel open={open} />
          {!readOnly && conv.requester.verified && conv.realmId ? <RealmPanel conv={conv} open={open} /> : null}
        </aside>
      </div>
    </section>
  );
}

/** What happened to a conversation this agent no longer handles, and what they still may do (R13). */
function ReadOnlyBanner({ conv, known }: { conv: AgentConversationView; known: boolean }) {
  const { t } = useConsole();
  // Until the server answered the resync, all we know is that it left this agent's queues.
  const key = !known ? 'conv.left' : conv.escalated && conv.queue === 'leads' ? 'conv.readOnly.escalated' : conv.queue === 'project' ? 'conv.readOnly.project' : 'conv.readOnly.moved';
  return (
    <p class="banner banner--info" role="status" data-read-only="true">
      {t(key, { name: conv.assignee?.name ?? t(`transfer.to.${conv.queue}`) })}
    </p>
  );
}

/** Who is typing, as the agent knows them: the verified name, else the name they gave, else a neutral word. */
export function typingLabel(t: (k: string, p?: Record<string, string | number>) => string, requester: AgentConversationView['requester']): string {
  const name = requester.verified ? requester.name : requester.claims?.name;
  return name ? t('conv.typingNamed', { name }) : t('conv.typingSomeone');
}

function ConversationHeader({ conv, readOnly }: { conv: AgentConversationView; readOnly: boolean }) {
  const { t, conn, me } = useConsole();
  const [run, busy, error] = useAction();
  const isOpen = isOpenStatus(conv.status);
  return (
    <header class="conv-head">
      <div class="conv-title-line">
        <PriorityBadge priority={conv.priority} />
        <h2 id="conv-title">{t(`requestType.${conv.requestType}`)}</h2>
        <span class="tag">{t(`status.${conv.status}`)}</span>
        {conv.escalated ? <span class="tag tag--esc">{t('conv.escalated')}</span> : null}
        <SlaCountdown sla={conv.sla} status={conv.status} />
      </div>
      <div class="conv-meta">
        <RequesterLabel requester={conv.requester} />
        {!conv.requester.verified && conv.requester.claims?.realm ? (
          <span>
            {t('requester.claimedRealm')}: <span class="claim">{conv.requester.claims.realm}</span>{' '}
            <span class="tag tag--warn">{t('requester.unverifiedClaim')}</span>
          </span>
        ) : null}
        {!conv.requester.verified && conv.requester.contractMatch !== 'unknown' ? (
          // R5: contract status of a claim is for agents' eyes only.
          <span class="tag" title={t('requester.contractHint')}>
            {t(`requester.contract.${conv.requester.contractMatch}`)}
          </span>
        ) : null}
        <span class="tag">{t(`channel.${conv.channel}`)}</span>
        <span class="tag" lang={conv.language}>
          {conv.language.toUpperCase()}
        </span>
        <span class="muted">
          {t('conv.id')}: <code>{conv.id}</code>
        </span>
        <span class="muted">
          {t('conv.assignee')}: {conv.assignee ? conv.assignee.name : t('conv.unassigned')}
        </span>
      </div>
      {readOnly ? null : <div class="conv-actions">
        {isOpen && conv.assignee?.id !== me.id ? (
          <button type="button" class="btn" disabled={busy} onClick={() => run(() => conn.command({ type: 'conversation.assign', conversationId: conv.id }))}>
            {t('conv.assignToMe')}
          </button>
        ) : null}
        {isOpen ? (
          <button type="button" class="btn btn--primary" disabled={busy} onClick={() => run(() => conn.command({ type: 'conversation.resolve', conversationId: conv.id }))}>
            {t('conv.resolve')}
          </button>
        ) : (
          <button type="button" class="btn" disabled={busy} onClick={() => run(() => conn.command({ type: 'conversation.reopen', conversationId: conv.id }))}>
            {t('conv.reopen')}
          </button>
        )}
        {error ? (
          <span class="error" role="alert">
            {error}
          </span>
        ) : null}
      </div>}
    </header>
  );
}

function Messages({ conv, open, readOnly }: { conv: AgentConversationView; open: OpenConversation; readOnly: boolean }) {
  const { t, conn, locale } = useConsole();
  const listRef = useRef<HTMLDivElement>(null);
  const sentRead = useRef(0);
  const lastSeq = open.messages.length ? open.messages[open.messages.length - 1]!.seq : 0;

  // Read receipts: tell the server what the agent has seen, only while the page is visible.
  useEffect(() => {
    sentRead.current = 0;
  }, [conv.id]);
  useEffect(() => {
    const markRead = () => {
      // A reader is not the handler: their reading must not clear the handler's unread count.
      if (readOnly) return;
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
      if (lastSeq > sentRead.current) {
        sentRead.current = lastSeq;
        conn.send({ type: 'read', conversationId: conv.id, lastReadSeq: lastSeq });
      }
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [conv.id, lastSeq, conn, readOnly]);

  useEffect(() => {
    const el = listRef.current;
    if (el && typeof el.scrollTo === 'function') el.scrollTo({ top: el.scrollHeight });
  }, [open.messages.length, open.pending.length]);

  return (
    <section class="messages" aria-labelledby="messages-title">
      <h3 id="messages-title" class="visually-hidden">
        {t('conv.messages')}
      </h3>
      {/* The live region wraps the list so the list keeps its list semantics. */}
      <div class="msgs-scroll" ref={listRef} role="log" aria-live="polite" aria-relevant="additions" tabIndex={0} aria-label={t('conv.messages')}>
      <ol class="msgs">
        {!open.loaded ? <li class="muted">{t('conv.loading')}</li> : null}
        {open.loaded && open.messages.length === 0 && open.pending.length === 0 ? <li class="muted">{t('conv.noMessages')}</li> : null}
        {open.messages.map((m) => (
          <MessageItem key={m.seq} m={m} seen={m.sender.role === 'agent' && m.kind === 'text' && m.seq <= open.requesterReadSeq} locale={locale} />
        ))}
        {open.pending.map((p) => (
          <PendingItem key={p.clientMsgId} p={p} />
        ))}
      </ol>
      </div>
      <p class="typing" role="status">
        {open.requesterTyping ? typingLabel(t, conv.requester) : ''}
      </p>
    </section>
  );
}

function MessageItem({ m, seen, locale }: { m: MessageView; seen: boolean; locale: Locale }) {
  const { t } = useConsole();
  if (m.kind === 'system') {
    return (
      <li class="msg msg--system" data-seq={m.seq}>
        {/* R11: a coded system message in the agent's language; older ones as stored. */}
        <span>{(m.key && lineText(locale, m.key, m.params)) || m.body}</span> <time dateTime={m.at}>{fmtTime(locale, m.at)}</time>
      </li>
    );
  }
  const note = m.kind === 'note';
  const cls = note ? 'msg msg--note' : m.sender.role === 'agent' ? 'msg msg--agent' : 'msg msg--requester';
  const who = m.sender.name ?? t(`sender.${m.sender.role}`);
  return (
    <li class={cls} data-seq={m.seq} data-kind={m.kind}>
      <div class="msg-head">
        {note ? (
          <span class="note-label">{t('note.label')}</span>
        ) : null}
        <span class="msg-who">{who}</span>
        <time dateTime={m.at} title={fmtDateTime(locale, m.at)}>
          {fmtTime(locale, m.at)}
        </time>
        {seen ? <span class="receipt">{t('conv.seen')}</span> : null}
      </div>
      {m.body ? <div class="msg-body">{m.body}</div> : null}
      {m.attachments?.length ? <LazyFiles list={m.attachments} /> : null}
    </li>
  );
}

function PendingItem({ p }: { p: PendingMessage }) {
  const { t, store, conn } = useConsole();
  const retry = () => {
    store.dispatch({ type: 'pending.retry', clientMsgId: p.clientMsgId });
    sendPending(conn, store, p);
  };
  return (
    <li class={p.kind === 'note' ? 'msg msg--note msg--pending' : 'msg msg--agent msg--pending'} data-kind={p.kind}>
      <div class="msg-head">
        {p.kind === 'note' ? <span class="note-label">{t('note.label')}</span> : null}
        <span class="muted">{p.failed ? t('conv.notSent') : t('conv.sending')}</span>
        {p.failed ? (
          <button type="button" class="btn btn--small" onClick={retry}>
            {t('conv.retry')}
          </button>
        ) : null}
      </div>
      {p.body ? <div class="msg-body">{p.body}</div> : null}
      {p.attachments ? <LazyFiles list={p.attachments} /> : null}
    </li>
  );
}

function sendPending(conn: ReturnType<typeof useConsole>['conn'], store: ReturnType<typeof useConsole>['store'], p: PendingMessage) {
  // The same clientMsgId on a retry: the server stores it once (exactly-once in effect).
  conn
    .request({ type: 'message.send', conversationId: p.conversationId, clientMsgId: p.clientMsgId, body: p.body, ...(p.kind === 'note' ? { kind: 'note' as const } : {}), ...(p.attachments ? { attachments: p.attachments.map((a) => a.id) } : {}) })
    .catch(() => store.dispatch({ type: 'pending.failed', clientMsgId: p.clientMsgId }));
}

function Composer({ conv, open, onCanned }: { conv: AgentConversationView; open: OpenConversation; onCanned(transfer: QueueKind | null): void }) {
  const { t, conn, store, me } = useConsole();
  // What the agent had written here before moving elsewhere (or reloading), in the mode they wrote it in.
  const [draft] = useState(() => loadDraft(me.id, conv.id));
  const [mode, setMode] = useState(draft?.mode ?? 'text');
  const [body, setBody] = useState(draft?.body ?? '');
  const typingOn = useRef(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const canReply = isOpenStatus(conv.status);
  const effectiveMode = canReply ? mode : 'note';
  const area = useRef<HTMLTextAreaElement>(null);
  // Files for the next message (paperclip, drop, paste): uploaded at once, taken by the message by id.
  const mine = trays.get(store) ?? new Map<string, Tray>();
  trays.set(store, mine);
  const [, bump] = useState(0);
  const rerender = () => bump((n) => n + 1);
  // The composer showing a tray re-renders on its progress (an unmounted one's setState does nothing).
  const tray = mine.get(conv.id);
  if (tray) tray.on = rerender;
  const files = tray?.u.views();
  useEffect(() => {
    // Not before the draft's files are back in the tray (that would forget them).
    if (!tray && draft?.files?.length) return;
    saveDraft(me.id, conv.id, { mode, body, ...(files?.length ? { files } : {}) });
    // (The uploaded files by id: not at every progress tick of one still uploading.)
  }, [mode, body, tray, files?.map((f) => f.id).join()]);
  const picker = useRef<HTMLInputElement>(null);
  const attach = (list: File[], saved?: AttachmentView[]) => {
    if (!list.length && !saved?.length) return;
    void loadAttach().then((A) => {
      let x = mine.get(conv.id);
      if (!x) mine.set(conv.id, (x = { A, u: new A.Uploads(conv.id, () => mine.get(conv.id)?.on()), on: rerender }));
      x.u.maxBytes = store.get().uploadMaxBytes;
      if (saved) x.u.restore(saved);
      x.u.add(list);
    });
  };
  // After a reload: the files the draft had uploaded are back in the tray.
  useEffect(() => {
    if (!tray && draft?.files?.length) attach([], draft.files);
  }, []);
  const up = tray?.u;

  const setTyping = useCallback(
    (on: boolean) => {
      if (typingOn.current === on) return;
      typingOn.current = on;
      conn.send({ type: 'typing.set', conversationId: conv.id, on });
    },
    [conn, conv.id],
  );
  useEffect(
    () => () => {
      if (typingTimer.current) clearTimeout(typingTimer.current);
      setTyping(false);
    },
    [setTyping],
  );

  const onInput = (value: string) => {
    setBody(value);
    // Never signal typing while writing an internal note: the requester must not see it.
    if (effectiveMode !== 'text') return;
    setTyping(value.length > 0);
    if (typingTimer.current) clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(() => setTyping(false), 4000);
  };

  const send = (e?: Event) => {
    e?.preventDefault();
    const text = body.trim();
    const files = up?.views() ?? [];
    // A message with only files is fine; one whose files are still uploading (or failed) waits.
    if ((!text && !files.length) || up?.busy) return;
    const p: PendingMessage = { clientMsgId: newClientMsgId(), conversationId: conv.id, kind: effectiveMode, body: text, ...(files.length ? { attachments: files } : {}), failed: false };
    store.dispatch({ type: 'pending.add', message: p });
    sendPending(conn, store, p);
    up?.clear();
    setBody('');
    setTyping(false);
  };

  // `/shortcut`: the administrators' canned replies, in the conversation's language.
  const shortcuts = useShortcuts({ id: `composer-${conv.id}`, t, language: conv.language, value: body, setValue: (v) => onInput(v), textarea: area });

  const insertCanned = (id: string) => {
    const item = CANNED.find((c) => c.id === id);
    if (!item) return;
    const text = cannedText(id, conv.language, me.name);
    setBody((b) => (b.trim() ? `${b.trimEnd()}\n\n${text}` : text));
    setMode('text');
    onCanned(item.transfer);
  };

  return (
    <form
      class={effectiveMode === 'note' ? 'composer composer--note' : 'composer'}
      onSubmit={send}
      aria-label={t('composer.label')}
      onDragOver={(e) => e.dataTransfer?.types.includes('Files') && e.preventDefault()}
      onDrop={(e) => {
        if (!e.dataTransfer?.files.length) return;
        e.preventDefault();
        attach([...e.dataTransfer.files]);
      }}
    >
      <div class="composer-tools">
        <fieldset class="segmented">
          <legend class="visually-hidden">{t('composer.mode')}</legend>
          <label class={effectiveMode === 'text' ? 'seg seg--on' : 'seg'}>
            <input type="radio" name="mode" value="text" checked={effectiveMode === 'text'} disabled={!canReply} onChange={() => setMode('text')} />
            {t('composer.reply')}
          </label>
          <label class={effectiveMode === 'note' ? 'seg seg--on seg--note' : 'seg seg--note'}>
            <input type="radio" name="mode" value="note" checked={effectiveMode === 'note'} onChange={() => setMode('note')} />
            {t('composer.note')}
          </label>
        </fieldset>
        <label class="canned">
          <span class="visually-hidden">{t('canned.label')}</span>
          <select
            value=""
            disabled={!canReply}
            onChange={(e) => {
              insertCanned(e.currentTarget.value);
              e.currentTarget.value = '';
            }}
          >
            <option value="">{t('canned.label')}</option>
            {CANNED.map((c) => (
              <option key={c.id} value={c.id}>
                {t(`canned.${c.id}.title`)}
              </option>
            ))}
          </select>
        </label>
        <span class="muted small">{t('canned.inLanguage', { lang: conv.language.toUpperCase() })}</span>
        <ArticleLinkButton language={conv.language} area={area} setValue={(v) => (setMode('text'), onInput(v))} disabled={!canReply} />
      </div>
      <label class="visually-hidden" for={`composer-${conv.id}`}>
        {effectiveMode === 'note' ? t('composer.notePlaceholder') : t('composer.replyPlaceholder')}
      </label>
      {shortcuts.list}
      <textarea
        ref={area}
        id={`composer-${conv.id}`}
        rows={3}
        maxLength={8000}
        value={body}
        placeholder={effectiveMode === 'note' ? t('composer.notePlaceholder') : t('composer.replyPlaceholder')}
        {...shortcuts.textareaProps}
        onInput={(e) => {
          onInput(e.currentTarget.value);
          shortcuts.track(e);
        }}
        onKeyDown={(e) => {
          if (shortcuts.onKeyDown(e)) return;
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) send(e);
        }}
        onBlur={() => setTyping(false)}
        onPaste={(e) => {
          // A pasted screenshot: the clipboard's files join the tray (text pastes as usual).
          if (!e.clipboardData?.files.length) return;
          e.preventDefault();
          attach([...e.clipboardData.files]);
        }}
      />
      {tray ? <tray.A.Tray uploads={tray.u} /> : null}
      <div class="composer-foot">
        <span class="muted small">{effectiveMode === 'note' ? t('composer.noteHint') : t('composer.hint')}</span>
        <span class="row-actions">
          <input
            type="file"
            multiple
            hidden
            aria-label={t('composer.attach')}
            ref={picker}
            onChange={(e) => {
              attach([...(e.currentTarget.files ?? [])]);
              e.currentTarget.value = '';
            }}
          />
          <button type="button" class="btn" aria-label={t('composer.attach')} onClick={() => picker.current?.click()}>
            <svg viewBox="0 0 24 24" width="16" height="16" style="display:block" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
              <path d="M9 7v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11a6 6 0 0 0 12 0V8" />
            </svg>
          </button>
          <button type="submit" class={effectiveMode === 'note' ? 'btn btn--note' : 'btn btn--primary'} disabled={(!body.trim() && !up?.items.length) || !!up?.busy}>
            {effectiveMode === 'note' ? t('composer.addNote') : t('composer.send')}
          </button>
        </span>
      </div>
      {!canReply ? <p class="muted small">{t('composer.resolvedHint')}</p> : null}
      {open.pending.some((p) => p.failed) ? (
        <p class="error" role="alert">
          {t('conv.someNotSent')}
        </p>
      ) : null}
    </form>
  );
}

function PriorityPanel({ conv }: { conv: AgentConversationView }) {
  const { t, conn, locale } = useConsole();
  const [priority, setPriority] = useState<Priority>(conv.priority ?? 'P4');
  const [reason, setReason] = useState('');
  const [editing, setEditing] = useState(false);
  const [run, busy, error] = useAction();
  useEffect(() => setPriority(conv.priority ?? 'P4'), [conv.priority]);
  const canSubmit = reason.trim().length > 0 && priority !== conv.priority && !busy;
  return (
    <section class="panel" aria-labelledby="prio-title">
      <h3 id="prio-title">{t('priority.title')}</h3>
      <p>
        <PriorityBadge priority={conv.priority} /> {conv.priority ? t(`priority.${conv.priority}.name`) : t('priority.none')}
      </p>
      {conv.priority ? <p class="muted small">{t(`priority.${conv.priority}.definition`)}</p> : null}
      {conv.priorityTrace.length || conv.priorityLines?.length ? (
        <>
          <h4>{t('priority.trace')}</h4>
          <ul class="trace">
            {/* Older conversations: English text as stored; newer ones: coded lines in the agent's language (R9, R11). */}
            {conv.priorityTrace.map((line, i) => (
              <li key={`t${i}`}>{tOr(locale, `priority.trace.${line}`, line)}</li>
            ))}
            {(conv.priorityLines ?? []).map((line, i) => (
              <li key={`l${i}`} data-code={line.code}>{lineText(locale, `line.${line.code}`, line.params) ?? line.code}</li>
            ))}
          </ul>
        </>
      ) : null}
      {!editing ? (
        <button type="button" class="btn btn--small" onClick={() => setEditing(true)}>
          {t('priority.change')}
        </button>
      ) : (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (!canSubmit) return;
            run(
              () => conn.command({ type: 'priority.set', conversationId: conv.id, priority, reason: reason.trim() }),
              () => {
                setReason('');
                setEditing(false);
              },
            );
          }}
        >
          <label class="field">
            <span>{t('priority.new')}</span>
            <select value={priority} onChange={(e) => setPriority(e.currentTarget.value as Priority)}>
              {(['P1', 'P2', 'P3', 'P4'] as const).map((p) => (
                <option key={p} value={p}>
                  {p} · {t(`priority.${p}.name`)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('priority.reason')}</span>
            <textarea rows={2} required maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <p class="muted small">{t('priority.audited')}</p>
          <div class="row-actions">
            <button type="submit" class="btn btn--primary btn--small" disabled={!canSubmit}>
              {t('priority.apply')}
            </button>
            <button type="button" class="btn btn--small" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </button>
          </div>
          {error ? (
            <p class="error" role="alert">
              {error}
            </p>
          ) : null}
        </form>
      )}
    </section>
  );
}

function AssignPanel({ conv, preset }: { conv: AgentConversationView; preset: QueueKind | null }) {
  const { t, conn, store, me } = useConsole();
  const agents = useStore(store, (s) => s.agents);
  const [agentId, setAgentId] = useState('');
  const [queue, setQueue] = useState<QueueKind>(preset ?? 'project');
  const [reason, setReason] = useState('');
  const [runAssign, busyAssign, errAssign] = useAction();
  const [runTransfer, busyTransfer, errTransfer] = useAction();
  useEffect(() => {
    if (preset) setQueue(preset);
  }, [preset]);
  const others = agents.filter((a) => a.id !== conv.assignee?.id);
  return (
    <section class="panel" aria-labelledby="assign-title">
      <h3 id="assign-title">{t('assign.title')}</h3>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!agentId) return;
          runAssign(() => conn.command({ type: 'conversation.assign', conversationId: conv.id, agentId }), () => setAgentId(''));
        }}
      >
        <label class="field">
          <span>{t('assign.toPerson')}</span>
          <select value={agentId} onChange={(e) => setAgentId(e.currentTarget.value)}>
            <option value="">{t('assign.choose')}</option>
            {others.map((a) => (
              <option key={a.id} value={a.id}>
                {a.id === me.id ? t('assign.me', { name: a.name }) : a.name} · {a.languages.join('/').toUpperCase()}
                {a.available ? '' : ` · ${t('assign.away')}`}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn btn--small" disabled={!agentId || busyAssign}>
          {t('assign.submit')}
        </button>
      </form>
      {errAssign ? (
        <p class="error" role="alert">
          {errAssign}
        </p>
      ) : null}
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (!reason.trim()) return;
          runTransfer(() => conn.command({ type: 'conversation.transfer', conversationId: conv.id, queue, reason: reason.trim() }), () => setReason(''));
        }}
      >
        <label class="field">
          <span>{t('transfer.queue')}</span>
          <select value={queue} onChange={(e) => setQueue(e.currentTarget.value as QueueKind)}>
            {(['support', 'project', 'leads'] as const).map((q) => (
              <option key={q} value={q}>
                {t(`transfer.to.${q}`)}
              </option>
            ))}
          </select>
        </label>
        {preset === 'project' && queue === 'project' ? <p class="hint small">{t('transfer.r8Hint')}</p> : null}
        <label class="field">
          <span>{t('transfer.reason')}</span>
          <textarea rows={2} required maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn btn--small" disabled={!reason.trim() || busyTransfer}>
          {t('transfer.submit')}
        </button>
        {errTransfer ? (
          <p class="error" role="alert">
            {errTransfer}
          </p>
        ) : null}
      </form>
    </section>
  );
}

function RoutingLog({ conv }: { conv: AgentConversationView }) {
  const { t, locale, store } = useConsole();
  const agents = useStore(store, (s) => s.agents);
  if (conv.routingLog.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="routing-title">
      <h3 id="routing-title">{t('routing.title')}</h3>
      <ol class="timeline">
        {conv.routingLog.map((r, i) => {
          const assignee = r.assigneeId ? (agents.find((a) => a.id === r.assigneeId)?.name ?? r.assigneeId) : null;
          const key = r.queue === 'support' ? `support:${conv.language}` : r.queue === 'project' ? `project:${r.team ?? ''}` : 'leads';
          return (
            <li key={i}>
              <time dateTime={r.at}>{fmtDateTime(locale, r.at)}</time> · <strong>{queueLabel(t, key)}</strong>
              {assignee ? <> → {assignee}</> : null}
              <div class="small" data-code={r.code}>{(r.code && lineText(locale, `line.${r.code}`, r.params)) || r.reason}</div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function FeedbackPanel({ conv }: { conv: AgentConversationView }) {
  const { t } = useConsole();
  if (!conv.feedback && isOpenStatus(conv.status)) return null;
  return (
    <section class="panel" aria-labelledby="feedback-title">
      <h3 id="feedback-title">{t('feedback.title')}</h3>
      {conv.feedback ? (
        <>
          <p class={conv.feedback.answered ? 'ok' : 'warn'}>{conv.feedback.answered ? t('feedback.yes') : t('feedback.no')}</p>
          {conv.feedback.comment ? <blockquote class="pre">{conv.feedback.comment}</blockquote> : null}
        </>
      ) : (
        <p class="muted">{t('feedback.waiting')}</p>
      )}
    </section>
  );
}

function EscalationsPanel({ open }: { open: OpenConversation }) {
  const { t } = useConsole();
  if (open.escalations.length === 0) return null;
  return (
    <section class="panel panel--esc" aria-labelledby="esc-title">
      <h3 id="esc-title">{t('escalation.title')}</h3>
      {open.escalations.map((e) => (
        <EscalationDetails key={e.id} e={e} />
      ))}
    </section>
  );
}

/** One escalation's fields (R13), as the conversation panel and the leads' view show them. */
export function EscalationDetails({ e }: { e: EscalationView }) {
  const { t, locale } = useConsole();
  return (
    <dl class="kv">
      <dt>{t('escalation.reason')}</dt>
      <dd>{t(`escalation.reason.${e.reason}`)}</dd>
      <dt>{t('escalation.description')}</dt>
      <dd class="pre">{e.description}</dd>
      <dt>{t('escalation.environment')}</dt>
      <dd>{e.environment}</dd>
      <dt>{t('escalation.justification')}</dt>
      <dd class="pre">{e.justification}</dd>
      <dt>{t('escalation.when')}</dt>
      <dd>
        {fmtDateTime(locale, e.createdAt)} · {t(`escalation.source.${e.source}`)}
      </dd>
    </dl>
  );
}
