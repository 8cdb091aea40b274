import type { AttachmentView, ClientFrame, HostToFrame, Locale, RequestType, RequesterConversationView } from '@ajuda/protocol';
import { FrameBridge } from './bridge.ts';
import { Connection, type RequestOptions, type SocketLike } from './connection.ts';
import type { WidgetServerFrame as ServerFrame } from './guards.ts';
import type { FrameParams } from './params.ts';
import { Store, initialState, reduce, unreadCount, type View } from './state.ts';
import { scopedStorage, type ScopedStorage } from './storage.ts';
import { Drafts } from './drafts.ts';
import { forgetAllEvidence } from './evidence-db.ts';
import type { ActionResult, Actions, EscalationInput } from './ui/context.ts';

export interface ControllerDeps {
  params: FrameParams;
  win: Window;
  storage: Storage | null;
  createSocket?: (url: string) => SocketLike;
  /** ws(s)://<location.host>/ws unless given. */
  wsUrl?: string;
}

const LOCALE_KEY = 'locale';

/** The language to start with: the user's earlier choice, the host's, then the browser's (R11). */
export function initialLocale(stored: string | null, param: Locale | null, navigatorLanguages: readonly string[]): Locale {
  for (const c of [stored, param, ...navigatorLanguages]) {
    const base = c?.toLowerCase().split(/[-_]/)[0];
    if (base === 'pt' || base === 'en' || base === 'es') return base;
  }
  return 'en';
}

/**
 * Wires the connection, the host bridge and the store, and implements the screens' actions.
 * @example const c = new Controller({ params, win: window, storage: localStorage }); c.boot();
 */
export class Controller implements Actions {
  readonly store: Store;
  readonly conn: Connection;
  readonly bridge: FrameBridge;
  private readonly storage: ScopedStorage;
  private readonly drafts: Drafts;
  private readonly localeChosen: boolean;
  private lastUnread = 0;
  /** Per conversation, the seq up to which its unread tail was asked for (see fetchUnread). */
  private readonly tails = new Map<string, number>();

  constructor(private readonly deps: ControllerDeps) {
    const { params, win } = deps;
    this.storage = scopedStorage(deps.storage, `${params.channel}|${params.hostOrigin}`);
    this.drafts = new Drafts(this.storage);
    const stored = this.storage.get(LOCALE_KEY);
    this.localeChosen = !!stored || !!params.locale;
    const locale = initialLocale(stored, params.locale, win.navigator?.languages ?? [win.navigator?.language ?? '']);
    this.store = new Store({ ...initialState(locale), visible: win.parent === win });
    this.bridge = new FrameBridge({ win, hostOrigin: params.hostOrigin, onMessage: (m) => this.onHost(m) });
    const wsUrl = deps.wsUrl ?? `${win.location.protocol === 'https:' ? 'wss' : 'ws'}://${win.location.host}/ws`;
    this.conn = new Connection({
      url: wsUrl,
      channel: params.channel,
      locale: () => this.store.get().locale,
      storage: this.storage,
      requestIdentity: (reason) => this.bridge.post({ type: 'frame.needIdentity', reason }),
      onFrame: (f) => this.onFrame(f),
      onStatus: (status) => this.store.set({ status }),
      onOutbox: (outbox) => this.store.set({ outbox }),
      ...(deps.createSocket ? { createSocket: deps.createSocket } : {}),
    });
    this.store.set({ outbox: this.conn.pendingMessages });
    this.store.subscribe(() => this.postUnread());
  }

  boot(): void {
    this.bridge.start();
    this.bridge.post({ type: 'frame.ready' });
    // Cost at scale: a frame loaded ahead of time (loadOn 'idle') opens no socket, so creates no
    // visitor, until the panel is shown (host.show), unless this browser has something to watch.
    if (!this.deps.params.preload || this.conn.hasSomethingToWatch) this.conn.start();
    this.deps.win.addEventListener('online', () => this.conn.nudge());
  }

  // ───────────── incoming ─────────────

  private onHost(m: HostToFrame): void {
    switch (m.type) {
      case 'host.init':
        // The URL pinned the origin; an init claiming another one is not from the page we were built for.
        if (m.hostOrigin !== this.deps.params.hostOrigin) return;
        if (m.locale && !this.storage.get(LOCALE_KEY)) this.store.set({ locale: m.locale });
        if (m.theme?.primary) this.store.set({ primaryColor: m.theme.primary });
        break;
      case 'host.identity':
        this.conn.setIdentityToken(m.identityToken);
        break;
      case 'host.article':
      case 'host.show':
        // Ajuda('showArticle', slug): that article (the help chunk fetches it, as this reader), in the panel shown.
        if (m.type === 'host.article') this.go({ name: 'article', slug: m.slug });
        this.store.set({ visible: true });
        this.conn.start();
        break;
      case 'host.hide':
        this.store.set({ visible: false });
        break;
      case 'host.update':
        if (m.locale) this.setLocale(m.locale);
        if (m.theme?.primary) this.store.set({ primaryColor: m.theme.primary });
        break;
      case 'host.shutdown': {
        this.conn.shutdown();
        this.tails.clear();
        this.storage.remove(LOCALE_KEY);
        this.drafts.clear();
        forgetAllEvidence();
        const s = this.store.get();
        this.store.set({ ...initialState(s.locale), status: 'offline', primaryColor: s.primaryColor, visible: s.visible });
        break;
      }
    }
  }

  private onFrame(f: ServerFrame): void {
    const before = this.store.get();
    this.store.set((s) => reduce(s, f));
    if (f.type === 'session.ready') {
      // The token's language wins over the browser's, never over an explicit choice (R11).
      if (!this.localeChosen && f.locale !== before.locale) this.store.set({ locale: f.locale });
      this.conn.send({ type: 'conversation.list' });
    }
    if (f.type === 'conversation.list.result') this.fetchUnread(f.conversations);
    if (f.type === 'conversation.started') this.bridge.post({ type: 'frame.conversationStarted', conversationId: f.conversation.id });
    if (f.type === 'session.ended' && f.reason === 'grant_revoked') this.loadGrants();
  }

  /**
   * After a reload no message is loaded until a conversation is opened, so the launcher badge would
   * miss what agents wrote since this requester last read (requesterReadSeq). Replays just that tail
   * (session.resume from the read position); the connection drops what it has already seen.
   */
  private fetchUnread(list: readonly RequesterConversationView[]): void {
    const s = this.store.get();
    for (const c of list) {
      const asked = this.tails.get(c.id) ?? 0;
      const from = Math.max(s.myRead[c.id] ?? 0, this.conn.lastSeq(c.id), asked);
      if (c.lastSeq <= from) continue;
      this.tails.set(c.id, c.lastSeq);
      // Offline or cut: ask again after the next conversation list. A refusal (e.g. too much to replay) is left alone.
      this.conn.request({ type: 'session.resume', conversationId: c.id, lastSeq: from }).catch(() => this.tails.set(c.id, asked));
    }
  }

  private postUnread(): void {
    const n = Math.min(9999, unreadCount(this.store.get()));
    if (n === this.lastUnread) return;
    this.lastUnread = n;
    this.bridge.post({ type: 'frame.unread', count: n });
  }

  // ───────────── actions ─────────────

  private async call(frame: ClientFrame, ok: ReadonlyArray<ServerFrame['type']>, options?: RequestOptions): Promise<ActionResult & { frame?: ServerFrame }> {
    let reply: ServerFrame;
    try {
      reply = await this.conn.request(frame, options);
    } catch (e) {
      return { ok: false, code: e instanceof Error && e.message === 'timeout' ? 'timeout' : 'offline' };
    }
    if (reply.type === 'error') {
      if (reply.code === 'rate_limited') this.store.set({ notice: { code: reply.code, ...(reply.retryAfter !== undefined ? { retryAfter: reply.retryAfter } : {}) } });
      return {
        ok: false,
        code: reply.code,
        ...(reply.i18nKey ? { i18nKey: reply.i18nKey } : {}),
        ...(reply.fields ? { fields: reply.fields } : {}),
        ...(reply.retryAfter !== undefined ? { retryAfter: reply.retryAfter } : {}),
        ...(reply.conversationId ? { conversationId: reply.conversationId } : {}),
      };
    }
    if (!ok.includes(reply.type)) return { ok: false, code: 'internal' };
    const conversation = reply.type === 'conversation.started' || reply.type === 'conversation.updated' ? reply.conversation : undefined;
    return { ok: true, frame: reply, ...(conversation ? { conversation } : {}) };
  }

  go(view: View): void {
    this.store.set({ view, notice: null });
    this.conn.openConversation(view.name === 'conversation' || view.name === 'escalate' ? view.id : null);
  }

  async startConversation(requestType: RequestType, answers: Record<string, unknown>, idempotencyKey: string): Promise<ActionResult> {
    const res = await this.call(
      { type: 'conversation.start', idempotencyKey, requestType, locale: this.store.get().locale, answers },
      ['conversation.started'],
      // Still in intake means the server is about to say why (error intake_invalid, same ref).
      { settle: (f) => f.type !== 'conversation.started' || f.conversation.status !== 'intake' },
    );
    // A retry with the same idempotency key finds the conversation still in intake and does not
    // re-check it: submit the answers to it explicitly.
    if (res.ok && res.conversation?.status === 'intake') return this.submitIntake(res.conversation.id, answers);
    return res;
  }

  submitIntake(conversationId: string, answers: Record<string, unknown>): Promise<ActionResult> {
    return this.call({ type: 'intake.submit', conversationId, answers }, ['conversation.updated']);
  }

  loadDirectory(): void {
    // R7: only realm users ever ask; visitors would get `forbidden` and the form never shows realm data to them.
    if (this.store.get().principal?.kind !== 'realm_user') return;
    this.conn.send({ type: 'realm.directory.get' });
  }

  sendMessage(conversationId: string, body: string, files?: AttachmentView[]): void {
    this.conn.sendMessage(conversationId, body, files);
  }

  auth(): string {
    return this.conn.auth;
  }

  discardMessage(clientMsgId: string): void {
    this.conn.discard(clientMsgId);
  }

  setTyping(conversationId: string, on: boolean): void {
    this.conn.send({ type: 'typing.set', conversationId, on });
  }

  markRead(conversationId: string, upToSeq: number): void {
    const s = this.store.get();
    const list = s.messages[conversationId] ?? [];
    // Never past what is loaded, nor past what the screen says was in view.
    const last = Math.min(list.length ? list[list.length - 1]!.seq : 0, Math.floor(upToSeq));
    if (last <= (s.myRead[conversationId] ?? 0)) return;
    this.store.set({ myRead: { ...s.myRead, [conversationId]: last } });
    this.conn.send({ type: 'read', conversationId, lastReadSeq: last });
  }

  escalate(input: EscalationInput): Promise<ActionResult> {
    return this.call({ type: 'escalation.create', ...input }, ['escalation.created']);
  }

  submitFeedback(conversationId: string, answered: boolean, comment?: string): Promise<ActionResult> {
    return this.call({ type: 'feedback.submit', conversationId, answered, ...(comment ? { comment } : {}) }, ['feedback.recorded']);
  }

  reopen(conversationId: string): Promise<ActionResult> {
    return this.call({ type: 'conversation.reopen', conversationId }, ['conversation.updated']);
  }

  loadGrants(): void {
    this.conn.send({ type: 'grant.list.get' });
  }

  createGrant(minutes: number): Promise<ActionResult> {
    return this.call({ type: 'grant.create', level: 'write', minutes }, ['grant.list']);
  }

  revokeGrant(grantId: string): Promise<ActionResult> {
    return this.call({ type: 'grant.revoke', grantId }, ['grant.list']);
  }

  setLocale(locale: Locale): void {
    this.storage.set(LOCALE_KEY, locale);
    this.store.set({ locale });
  }

  dismissNotice(): void {
    this.store.set({ notice: null });
  }

  close(): void {
    this.bridge.post({ type: 'frame.close' });
  }

  getDraft(name: string): string | null {
    return this.drafts.get(name);
  }

  setDraft(name: string, value: string | null): void {
    this.drafts.set(name, value);
  }

  /**
   * Copies `text` to the clipboard. Where the browser refuses (no clipboard-write permission, no
   * clipboard API outside a secure context), selects `select`'s text instead so the person can copy
   * it by hand, and resolves false.
   * @example await controller.copy(conv.id, codeElement)
   */
  async copy(text: string, select?: Node | null): Promise<boolean> {
    try {
      await this.deps.win.navigator.clipboard.writeText(text);
      return true;
    } catch {
      if (select) this.deps.win.getSelection?.()?.selectAllChildren(select);
      return false;
    }
  }
}
