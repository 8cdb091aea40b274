import { CLOSE, PROTOCOL_VERSION, ServerFrame, type ClientFrame, type Locale } from '@ajuda/protocol';

/** The part of the browser WebSocket the console uses; tests pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export type ConnectionStatus = 'connecting' | 'ready' | 'reconnecting' | 'signed_out' | 'ended';

/** An `error` frame answering a request, thrown by `request()`. */
export class FrameError extends Error {
  constructor(readonly frame: { code: string; i18nKey?: string; retryAfter?: number }) {
    super(frame.code);
    this.name = 'FrameError';
  }
}

type Outbound = ClientFrame extends infer F ? (F extends { type: string } ? Omit<F, 'ref'> : never) : never;

export interface ConnectionOptions {
  url: string;
  factory?: SocketFactory;
  locale?: Locale;
  onFrame(frame: ServerFrame): void;
  onStatus(status: ConnectionStatus, detail?: string): void;
  requestTimeoutMs?: number;
  /** Upper bound of the reconnect backoff (default 2 s: a restarted server is back within that). */
  maxBackoffMs?: number;
  /**
   * Asked every `probeMs` while waiting to reconnect (e.g. `GET /healthz`); `true` reconnects at
   * once instead of waiting out the backoff.
   */
  probe?: () => Promise<boolean>;
  probeMs?: number;
}

/** Default upper bound of the reconnect delay. */
export const MAX_BACKOFF_MS = 2_000;
/** Default interval of the health probe while reconnecting. */
export const PROBE_MS = 1_000;

const OPEN = 1;

/**
 * The agent WebSocket: hello first (the cookie rides on the upgrade, never a token in the
 * URL), refs to match replies, heartbeat pings, and capped exponential backoff on drops.
 *
 * @example
 *   const c = new AgentConnection({ url: agentSocketUrl(location), onFrame, onStatus });
 *   c.start();
 *   const snap = await c.request({ type: 'conversation.open', conversationId: 'c1' });
 */
export class AgentConnection {
  private socket: SocketLike | null = null;
  private ready = false;
  private stopped = false;
  private attempt = 0;
  private seq = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private probeTimer: ReturnType<typeof setInterval> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private readonly pending = new Map<
    string,
    { resolve: (f: ServerFrame) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout>; conversationId?: string }
  >();

  constructor(private readonly opts: ConnectionOptions) {}

  get isReady(): boolean {
    return this.ready;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /**
   * Reconnect now instead of waiting out the backoff (the "retry now" button, the browser coming
   * back online or the tab becoming visible). Does nothing while connected or connecting.
   */
  retryNow(): void {
    if (this.stopped || this.socket) return;
    this.clearTimers();
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.failPending('closed');
    const s = this.socket;
    this.socket = null;
    this.ready = false;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      s.close(CLOSE.normal, 'bye');
    }
  }

  /**
   * Fire and forget; returns the ref used, or null when not connected. An error answering a
   * background signal (read position, typing) is not the person's business: it is dropped instead of
   * becoming a notice (the conversation may have moved on, e.g. escalated away a moment ago).
   */
  send(frame: Outbound): string | null {
    if (!this.ready || !this.socket || this.socket.readyState !== OPEN) return null;
    const ref = `c${++this.seq}`;
    this.socket.send(JSON.stringify({ ...frame, ref }));
    if (frame.type === 'read' || frame.type === 'typing.set') {
      this.quiet.add(ref);
      if (this.quiet.size > 1000) this.quiet.delete(this.quiet.values().next().value!);
    }
    return ref;
  }
  private readonly quiet = new Set<string>();

  /** Send and wait for the frame that echoes our ref; an `error` frame rejects with FrameError. */
  request(frame: Outbound): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const ref = this.send(frame);
      if (!ref) {
        reject(new FrameError({ code: 'offline', i18nKey: 'error.offline' }));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new FrameError({ code: 'timeout', i18nKey: 'error.timeout' }));
      }, this.opts.requestTimeoutMs ?? 15_000);
      this.pending.set(ref, { resolve, reject, timer });
    });
  }

  /**
   * Send a conversation command the server answers only by publishing the change (assign,
   * transfer, priority.set, resolve, reopen): resolves on our ref's reply or on the next
   * update of that conversation; an `error` carrying our ref rejects.
   */
  command(frame: Outbound & { conversationId: string }): Promise<void> {
    return new Promise((resolve, reject) => {
      const ref = this.send(frame);
      if (!ref) {
        reject(new FrameError({ code: 'offline', i18nKey: 'error.offline' }));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new FrameError({ code: 'timeout', i18nKey: 'error.timeout' }));
      }, this.opts.requestTimeoutMs ?? 15_000);
      this.pending.set(ref, { resolve: () => resolve(), reject, timer, conversationId: frame.conversationId });
    });
  }

  private open(): void {
    const factory = this.opts.factory ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    this.opts.onStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let s: SocketLike;
    try {
      s = factory(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = s;
    s.onopen = () => {
      const hello: Record<string, unknown> = { type: 'session.hello', v: PROTOCOL_VERSION };
      if (this.opts.locale) hello.locale = this.opts.locale;
      s.send(JSON.stringify(hello));
    };
    s.onmessage = (ev) => this.receive(ev.data);
    s.onerror = () => undefined; // onclose follows and decides
    s.onclose = (ev) => this.closed(ev.code);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      return;
    }
    // Outbound frames are validated by the server; we validate inbound ones too so the UI
    // never renders a shape it does not understand.
    const parsed = ServerFrame.safeParse(raw);
    if (!parsed.success) return;
    const frame = parsed.data;
    if (frame.type === 'session.ready') {
      this.ready = true;
      this.attempt = 0;
      this.startHeartbeat(frame.heartbeatMs);
      this.opts.onStatus('ready');
    }
    if (frame.type === 'session.ended' && frame.reason === 'shutdown') {
      // The server is restarting: the session (cookie) stays valid, so reconnect when it is back.
      this.opts.onFrame(frame);
      return;
    }
    if (frame.type === 'session.ended') {
      this.stopped = true;
      this.opts.onStatus(frame.reason === 'logout' || frame.reason === 'disabled' ? 'signed_out' : 'ended', frame.reason);
    }
    const ref = frame.ref;
    if (ref) {
      const waiter = this.pending.get(ref);
      if (waiter) {
        this.pending.delete(ref);
        clearTimeout(waiter.timer);
        if (frame.type === 'error') waiter.reject(new FrameError(frame));
        else waiter.resolve(frame);
      } else if (frame.type === 'error' && this.quiet.delete(ref)) {
        return;
      } else if (frame.type === 'error') {
        // Nobody waits for it any more (a command already settled): show it as a notice.
        const { ref: _late, ...rest } = frame;
        this.opts.onFrame(rest);
        return;
      }
    }
    const changed =
      frame.type === 'agent.conversation.updated' || frame.type === 'conversation.snapshot'
        ? frame.conversation.id
        : frame.type === 'agent.conversation.removed'
          ? frame.conversationId
          : null;
    if (changed) {
      for (const [r, w] of this.pending) {
        if (w.conversationId !== changed) continue;
        this.pending.delete(r);
        clearTimeout(w.timer);
        w.resolve(frame);
      }
    }
    this.opts.onFrame(frame);
  }

  private closed(code: number): void {
    this.ready = false;
    this.socket = null;
    this.clearTimers();
    this.failPending('offline');
    if (this.stopped) return;
    if (code === CLOSE.authFailed || code === CLOSE.sessionEnded) {
      this.stopped = true;
      this.opts.onStatus('signed_out');
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.attempt += 1;
    this.opts.onStatus('reconnecting');
    const cap = this.opts.maxBackoffMs ?? MAX_BACKOFF_MS;
    const base = Math.min(cap, 250 * 2 ** Math.min(this.attempt - 1, 10));
    const delay = base / 2 + Math.random() * (base / 2); // jitter so a server restart is not stampeded
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.retryNow();
    }, delay);
    const probe = this.opts.probe;
    if (probe && !this.probeTimer) {
      this.probeTimer = setInterval(() => {
        probe().then(
          (ok) => {
            if (ok) this.retryNow();
          },
          () => undefined,
        );
      }, this.opts.probeMs ?? PROBE_MS);
    }
  }

  private startHeartbeat(ms: number): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (ms > 0) this.heartbeat = setInterval(() => this.send({ type: 'ping' }), ms);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.retryTimer = null;
    this.heartbeat = null;
    this.probeTimer = null;
  }

  private failPending(code: string): void {
    for (const [ref, w] of this.pending) {
      clearTimeout(w.timer);
      w.reject(new FrameError({ code, i18nKey: `error.${code}` }));
      this.pending.delete(ref);
    }
  }
}

/** `ws(s)://<host>/ws/agent` for the page's own origin. */
export function agentSocketUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws/agent`;
}
