import type { AttachmentView, Channel, ClientFrame, Locale } from '@ajuda/protocol';
import { PROTOCOL_VERSION, parseServerFrame, type WidgetServerFrame as ServerFrame } from './guards.ts';
import { randomId, type ScopedStorage } from './storage.ts';

/**
 * The widget's one WebSocket to the Ajuda server.
 *
 * - first frame `session.hello` with the credentials (never in the URL, R1);
 * - the minted visitor token is kept in (scoped) localStorage, dropped on host.shutdown;
 * - on the platform channel the identity token is asked from the host (`frame.needIdentity`), at boot
 *   and again when the server reports `token_expired` / `auth_failed`;
 * - ping/pong heartbeat; reconnect with capped exponential backoff + jitter;
 * - `session.resume {conversationId, lastSeq}` for the open conversation after every (re)connect;
 * - an OUTBOX persisted in localStorage: a message typed offline or right before a reload is sent once
 *   per socket with the same clientMsgId (the server dedupes on it) until `message.ack` removes it;
 * - incoming `message.created` deduped by seq; `ref` correlation for request/response;
 * - every incoming frame checked by `parseServerFrame` (guards.ts): malformed or unexpected frames are
 *   dropped before anything sees them.
 *
 * @example
 *   const conn = new Connection({ url: 'wss://ajuda.example/ws', channel: 'website', locale: () => 'en',
 *     storage, requestIdentity: () => {}, onFrame: (f) => store.apply(f), onStatus: (s) => store.setStatus(s) });
 *   conn.start();
 *   conn.sendMessage('c_1', 'Hello');
 */

export type ConnStatus = 'connecting' | 'online' | 'offline';

export interface OutboxEntry {
  conversationId: string;
  clientMsgId: string;
  body: string;
  /** When it was typed (ISO). */
  at: string;
  /** Set when the server refused it for good (e.g. conversation closed): shown as "not sent". */
  failed?: string;
  /** Files already uploaded that the message takes (their views, for the preview while it waits). */
  files?: AttachmentView[];
}

/** The subset of the WebSocket API we use, so tests can pass a fake. */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface ConnectionOptions {
  url: string;
  channel: Channel;
  locale: () => Locale;
  storage: ScopedStorage;
  /** Post `frame.needIdentity` to the host (platform channel). */
  requestIdentity: (reason: 'boot' | 'expired') => void;
  onFrame: (frame: ServerFrame) => void;
  onStatus: (status: ConnStatus) => void;
  onOutbox?: (entries: readonly OutboxEntry[]) => void;
  createSocket?: (url: string) => SocketLike;
  /** How long to wait for the host's identity token before connecting without one. */
  identityWaitMs?: number;
  requestTimeoutMs?: number;
  random?: () => number;
}

const OPEN = 1;
const OUTBOX_KEY = 'outbox';
const VISITOR_KEY = 'visitorToken';
/**
 * '1' while this browser has a conversation that is not closed (worth a socket before anyone opens the
 * panel), '0' when it has none; missing: not known yet.
 */
const WATCH_KEY = 'watch';
/** Errors after which resending the same message can never succeed. */
const PERMANENT_SEND_ERRORS = new Set([
  'body_too_long',
  'conversation_closed',
  'not_found',
  'forbidden',
  'bad_frame',
  'payload_too_large',
  'intake_pending',
  'invalid_state',
]);

/**
 * Capped exponential backoff with "equal jitter": half fixed, half random, so a server restart
 * is not followed by every widget reconnecting in the same millisecond.
 * @example backoffDelay(3, Math.random) // between 2000 and 4000 ms
 */
export function backoffDelay(attempt: number, random: () => number, baseMs = 500, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

interface Pending {
  resolve: (f: ServerFrame) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  settle?: ((f: ServerFrame) => boolean) | undefined;
  /** A non-settling reply seen so far, used if nothing else follows within the grace period. */
  interim?: ServerFrame;
  grace?: ReturnType<typeof setTimeout>;
}

export interface RequestOptions {
  /**
   * Whether a reply ends the request. A reply that does not (e.g. `conversation.started` still in
   * intake, which the server follows with `error intake_invalid` under the same ref) is delivered
   * to onFrame, and resolves the request only if no settling reply follows within `graceMs`.
   */
  settle?: (f: ServerFrame) => boolean;
  graceMs?: number;
}

export class Connection {
  private ws: SocketLike | null = null;
  private ready = false;
  private stopped = true;
  private attempt = 0;
  private identityToken: string | null = null;
  private awaitingIdentity: ReturnType<typeof setTimeout> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFrameAt = 0;
  private authProblem = false;
  /** The server said this channel needs an identity: never connect without one again. */
  private identityRequired = false;
  /** The token sent in the current socket's hello. */
  private helloToken: string | null = null;
  private identityAsks = 0;
  private refSeq = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly graceMs = new Map<string, number>();
  /** clientMsgIds already sent on the current socket: each outbox entry goes out once per socket. */
  private readonly inflight = new Set<string>();
  /** Seqs seen per conversation (dedupe) and the highest gapless one (resume point). */
  private readonly seen = new Map<string, Set<number>>();
  private readonly contiguous = new Map<string, number>();
  private outbox: OutboxEntry[];
  private openConversationId: string | null = null;
  private status: ConnStatus = 'offline';

  constructor(private readonly opts: ConnectionOptions) {
    this.outbox = readOutbox(opts.storage);
  }

  /**
   * Whether this browser has something to keep up with before the person opens the panel: a
   * conversation started here that is not closed (its replies and unread badge), or messages typed
   * but not sent yet. A frame preloaded on idle connects at boot only then (cost at scale: no socket
   * and no visitor per page view).
   */
  get hasSomethingToWatch(): boolean {
    const watch = this.opts.storage.get(WATCH_KEY);
    // A visitor known from before this was kept (a token, nothing known): look once, then it is known.
    return this.outbox.length > 0 || watch === '1' || (watch === null && !!this.opts.storage.get(VISITOR_KEY));
  }

  /** Opens the socket (after asking the host for an identity token on the platform channel); again: no-op. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.opts.channel === 'platform' && !this.identityToken) this.waitForIdentity('boot');
    else this.connect();
  }

  /** A token from `host.identity`: kept in memory only; used now if we were waiting, else on the next hello. */
  setIdentityToken(token: string): void {
    this.identityToken = token;
    if (this.awaitingIdentity) {
      clearTimeout(this.awaitingIdentity);
      this.awaitingIdentity = null;
      if (!this.stopped) this.connect();
    }
  }

  /** The conversation on screen: resumed now and after every reconnect. */
  openConversation(conversationId: string | null): void {
    this.openConversationId = conversationId;
    if (conversationId) this.resume(conversationId);
  }

  /** Highest seq such that 1..seq were all received for this conversation. */
  lastSeq(conversationId: string): number {
    return this.contiguous.get(conversationId) ?? 0;
  }

  get currentStatus(): ConnStatus {
    return this.status;
  }

  /** Fire-and-forget. Returns false when not connected (the frame is dropped). */
  send(frame: ClientFrame): boolean {
    if (!this.ready || !this.ws || this.ws.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Sends a frame with a fresh `ref` and resolves with the first frame echoing it (a reply or an
   * `error`). Rejects when offline or on timeout.
   * @example const reply = await conn.request({ type: 'conversation.list' });
   */
  request(frame: ClientFrame, options: RequestOptions = {}): Promise<ServerFrame> {
    const ref = `r${++this.refSeq}`;
    this.graceMs.set(ref, options.graceMs ?? 1500);
    return new Promise((resolve, reject) => {
      if (!this.send({ ...frame, ref } as ClientFrame)) {
        this.graceMs.delete(ref);
        reject(new Error('offline'));
        return;
      }
      const timer = setTimeout(() => {
        this.settlePending(ref, null);
        reject(new Error('timeout'));
      }, this.opts.requestTimeoutMs ?? 15_000);
      this.pending.set(ref, { resolve, reject, timer, settle: options.settle });
    });
  }

  /**
   * Queues a message in the persisted outbox and sends it if connected. Returns its clientMsgId.
   * @example conn.sendMessage('c_1', 'My pipeline stopped')
   */
  sendMessage(conversationId: string, body: string, files?: AttachmentView[]): string {
    const entry: OutboxEntry = { conversationId, clientMsgId: randomId('m'), body, at: new Date().toISOString(), files };
    this.outbox = [...this.outbox, entry];
    this.persistOutbox();
    this.flushOutbox();
    return entry.clientMsgId;
  }

  /** Drops a failed message from the outbox (the user dismissed it). */
  discard(clientMsgId: string): void {
    this.outbox = this.outbox.filter((e) => e.clientMsgId !== clientMsgId);
    this.persistOutbox();
  }

  /** The session's credential for HTTP (uploads, downloads): the identity token, else the visitor token. */
  get auth(): string {
    return `Bearer ${this.identityToken ?? this.opts.storage.get(VISITOR_KEY)}`;
  }

  get pendingMessages(): readonly OutboxEntry[] {
    return this.outbox;
  }

  /** host.shutdown: forget this browser's visitor and its unsent messages, close the socket. */
  shutdown(): void {
    this.opts.storage.remove(VISITOR_KEY);
    this.opts.storage.remove(OUTBOX_KEY);
    this.opts.storage.remove(WATCH_KEY);
    this.outbox = [];
    this.opts.onOutbox?.(this.outbox);
    this.identityToken = null;
    this.identityRequired = false;
    this.seen.clear();
    this.contiguous.clear();
    this.openConversationId = null;
    this.stop();
  }

  /** Closes the socket and stops reconnecting. */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.close(1000);
    }
    this.failPending('closed');
    this.setStatus('offline');
  }

  /** The browser says the network is back: skip the remaining backoff. */
  nudge(): void {
    if (this.stopped || this.ws || this.awaitingIdentity) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  // ───────────── internals ─────────────

  private waitForIdentity(reason: 'boot' | 'expired'): void {
    this.setStatus(this.identityRequired ? 'offline' : 'connecting');
    this.opts.requestIdentity(reason);
    if (this.awaitingIdentity) clearTimeout(this.awaitingIdentity);
    const wait = this.identityRequired
      ? backoffDelay(this.identityAsks++, this.opts.random ?? Math.random, 2000)
      : (this.opts.identityWaitMs ?? 4000);
    this.awaitingIdentity = setTimeout(() => {
      this.awaitingIdentity = null;
      if (this.stopped) return;
      // The server refused us without a token: ask the host again (backing off), never loop on hellos.
      if (this.identityRequired) this.waitForIdentity('expired');
      // At boot the loader stays silent when the page gave no token: try once without (R1).
      else this.connect();
    }, wait);
  }

  private connect(): void {
    if (this.stopped) return;
    this.setStatus('connecting');
    const make = this.opts.createSocket ?? ((u: string) => new WebSocket(u) as unknown as SocketLike);
    let ws: SocketLike;
    try {
      ws = make(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.ready = false;
    this.authProblem = false;
    this.inflight.clear();
    ws.onopen = () => {
      if (this.ws === ws && ws.readyState === OPEN) ws.send(JSON.stringify(this.hello()));
    };
    ws.onmessage = (ev) => {
      const data = ev.data;
      if (this.ws !== ws || typeof data !== 'string') return;
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        return;
      }
      const frame = parseServerFrame(json);
      if (frame) this.handle(frame);
    };
    ws.onerror = () => {
      /* onclose follows */
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      this.clearTimers();
      this.failPending('closed');
      this.setStatus('offline');
      if (this.stopped) return;
      // R1: a refused or expired identity token → ask the host for a fresh one, then reconnect.
      if (this.authProblem && this.opts.channel === 'platform') {
        if (this.identityToken && this.identityToken !== this.helloToken) this.scheduleReconnect(); // a fresher one already came
        else {
          this.identityToken = null;
          this.identityRequired = true;
          this.waitForIdentity('expired');
        }
      } else this.scheduleReconnect();
    };
  }

  private hello(): ClientFrame {
    const visitorToken = this.opts.storage.get(VISITOR_KEY);
    this.helloToken = this.identityToken;
    return {
      type: 'session.hello',
      v: PROTOCOL_VERSION,
      channel: this.opts.channel,
      locale: this.opts.locale(),
      ...(this.identityToken ? { identityToken: this.identityToken } : visitorToken ? { visitorToken } : {}),
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = backoffDelay(this.attempt++, this.opts.random ?? Math.random);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private handle(frame: ServerFrame): void {
    this.lastFrameAt = Date.now();
    const pending = frame.ref ? this.pending.get(frame.ref) : undefined;
    let after: (() => void) | null = null;
    switch (frame.type) {
      case 'session.ready':
        this.onReady(frame);
        break;
      case 'pong':
        return;
      case 'conversation.list.result':
        this.watch(frame.conversations.some((c) => c.status !== 'closed'));
        break;
      case 'conversation.started':
        this.watch(true);
        break;
      case 'message.ack':
        this.markSeen(frame.conversationId, frame.seq);
        // Listeners see the ack while the entry (its body) is still in the outbox.
        after = () => this.removeFromOutbox(frame.clientMsgId);
        break;
      case 'message.created': {
        const m = frame.message;
        if (!this.markSeen(m.conversationId, m.seq)) return; // duplicate (resume replay, reconnect)
        // Our own message replayed from the DB after a lost ack: it is committed, stop resending it.
        if (m.clientMsgId && m.sender.role === 'requester') after = () => this.removeFromOutbox(m.clientMsgId!);
        break;
      }
      case 'session.ended':
        if (frame.reason === 'token_expired') this.authProblem = true;
        break;
      case 'error':
        if (frame.code === 'token_expired' || frame.code === 'auth_failed' || frame.code === 'identity_required') this.authProblem = true;
        if (frame.ref?.startsWith('m:')) {
          this.onSendError(frame.ref.slice(2), frame.code, frame.retryAfter);
          break; // still shown (e.g. rate_limited with its retryAfter)
        }
        if (!frame.ref && frame.code === 'rate_limited') {
          // Refused before the server read the frame, so without its ref: resend whatever is in
          // flight later (same clientMsgIds, the server dedupes).
          this.inflight.clear();
          this.scheduleFlush(frame.retryAfter);
        }
        break;
    }
    if (pending && frame.ref) {
      if (frame.type !== 'error' && pending.settle && !pending.settle(frame)) {
        // Not the final answer yet: show it, and wait a moment for the one that settles.
        const ref = frame.ref;
        pending.interim = frame;
        if (pending.grace) clearTimeout(pending.grace);
        pending.grace = setTimeout(() => {
          const p = this.pending.get(ref);
          if (p?.interim) {
            this.settlePending(ref, p);
            p.resolve(p.interim);
          }
        }, this.graceMs.get(ref) ?? 1500);
      } else {
        this.settlePending(frame.ref, pending);
        pending.resolve(frame);
        // The caller handles its own errors (e.g. intake_invalid beside the fields).
        if (frame.type === 'error') return;
      }
    }
    this.opts.onFrame(frame);
    after?.();
  }

  private settlePending(ref: string, p: Pending | null | undefined): void {
    const entry = p ?? this.pending.get(ref);
    if (entry) {
      clearTimeout(entry.timer);
      if (entry.grace) clearTimeout(entry.grace);
    }
    this.pending.delete(ref);
    this.graceMs.delete(ref);
  }

  private onReady(frame: Extract<ServerFrame, { type: 'session.ready' }>): void {
    this.ready = true;
    this.attempt = 0;
    this.identityAsks = 0;
    this.identityRequired = false;
    if (frame.visitorToken) this.opts.storage.set(VISITOR_KEY, frame.visitorToken);
    this.setStatus('online');
    this.startHeartbeat(frame.heartbeatMs);
    if (frame.expiresAt && this.opts.channel === 'platform') {
      // Ask for a fresh token a minute before this one stops being accepted.
      const ms = Date.parse(frame.expiresAt) - Date.now() - 60_000;
      if (Number.isFinite(ms)) this.refreshTimer = setTimeout(() => this.opts.requestIdentity('expired'), Math.max(0, ms));
    }
    // Deliver session.ready first so the store knows the principal before replays arrive.
    queueMicrotask(() => {
      if (this.openConversationId) this.resume(this.openConversationId);
      this.flushOutbox();
    });
  }

  private resume(conversationId: string): void {
    this.send({ type: 'session.resume', conversationId, lastSeq: this.lastSeq(conversationId) });
  }

  private watch(on: boolean): void {
    this.opts.storage.set(WATCH_KEY, on ? '1' : '0');
  }

  /** Returns false when this seq was already seen. */
  private markSeen(conversationId: string, seq: number): boolean {
    let set = this.seen.get(conversationId);
    if (!set) this.seen.set(conversationId, (set = new Set()));
    if (set.has(seq)) return false;
    set.add(seq);
    let c = this.contiguous.get(conversationId) ?? 0;
    while (set.has(c + 1)) c++;
    this.contiguous.set(conversationId, c);
    return true;
  }

  private flushOutbox(): void {
    if (!this.ready) return;
    for (const e of this.outbox) {
      if (e.failed || this.inflight.has(e.clientMsgId)) continue;
      const sent = this.send({
        type: 'message.send',
        ref: `m:${e.clientMsgId}`,
        conversationId: e.conversationId,
        clientMsgId: e.clientMsgId,
        body: e.body,
        attachments: e.files?.map((f) => f.id),
      });
      if (!sent) return;
      this.inflight.add(e.clientMsgId);
    }
  }

  private onSendError(clientMsgId: string, code: string, retryAfter?: number): void {
    this.inflight.delete(clientMsgId);
    if (PERMANENT_SEND_ERRORS.has(code)) {
      this.outbox = this.outbox.map((e) => (e.clientMsgId === clientMsgId ? { ...e, failed: code } : e));
      this.persistOutbox();
      return;
    }
    // rate_limited / unavailable / internal: keep it and try again later with the same clientMsgId.
    this.scheduleFlush(retryAfter);
  }

  private scheduleFlush(retryAfter?: number): void {
    if (this.retryTimer) return;
    const ms = retryAfter ? retryAfter * 1000 : backoffDelay(2, this.opts.random ?? Math.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flushOutbox();
    }, ms);
  }

  private removeFromOutbox(clientMsgId: string): void {
    this.inflight.delete(clientMsgId);
    if (!this.outbox.some((e) => e.clientMsgId === clientMsgId)) return;
    this.outbox = this.outbox.filter((e) => e.clientMsgId !== clientMsgId);
    this.persistOutbox();
  }

  private persistOutbox(): void {
    if (this.outbox.length) this.opts.storage.set(OUTBOX_KEY, JSON.stringify(this.outbox));
    else this.opts.storage.remove(OUTBOX_KEY);
    this.opts.onOutbox?.(this.outbox);
  }

  private startHeartbeat(heartbeatMs: number): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    const every = Math.max(1000, heartbeatMs);
    this.lastFrameAt = Date.now();
    this.heartbeat = setInterval(() => {
      const ws = this.ws;
      if (!ws) return;
      // Nothing heard for two periods: the socket is dead even if the browser has not noticed.
      if (Date.now() - this.lastFrameAt > every * 2 + 1000) {
        ws.close(4000, 'heartbeat timeout');
        ws.onclose?.({ code: 4000 });
        return;
      }
      this.send({ type: 'ping' });
    }, every);
  }

  private clearTimers(): void {
    for (const t of [this.heartbeat]) if (t) clearInterval(t);
    for (const t of [this.reconnectTimer, this.refreshTimer, this.retryTimer, this.awaitingIdentity]) if (t) clearTimeout(t);
    this.heartbeat = this.reconnectTimer = this.refreshTimer = this.retryTimer = this.awaitingIdentity = null;
  }

  private failPending(reason: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      if (p.grace) clearTimeout(p.grace);
      p.reject(new Error(reason));
    }
    this.pending.clear();
    this.graceMs.clear();
  }

  private setStatus(s: ConnStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.opts.onStatus(s);
  }
}

function readOutbox(storage: ScopedStorage): OutboxEntry[] {
  const raw = storage.get(OUTBOX_KEY);
  if (!raw) return [];
  try {
    const list: unknown = JSON.parse(raw);
    if (!Array.isArray(list)) return [];
    // Stored by us, but still checked: localStorage is shared with anything on this origin.
    return list.filter(
      (e): e is OutboxEntry =>
        !!e &&
        typeof e === 'object' &&
        typeof e.conversationId === 'string' &&
        typeof e.clientMsgId === 'string' &&
        typeof e.body === 'string' &&
        typeof e.at === 'string',
    );
  } catch {
    return [];
  }
}
