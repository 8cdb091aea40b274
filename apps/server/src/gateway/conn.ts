import type { WebSocket } from 'ws';
import type { z } from 'zod';
import { CLOSE, ErrorFrame, clientCode, errorInfo, type ErrorCode } from '@ajuda/protocol';
import type { ErrorExtra, HandlerIo, SessionState } from '../session/port.ts';
import type { Subscriber } from '../hub.ts';
import { TokenBucket } from './bucket.ts';

export type { AgentPrincipal, ConnPrincipal, RealmUserPrincipal, RequesterPrincipal, VisitorPrincipal } from '../session/principal.ts';
import type { ConnPrincipal } from '../session/principal.ts';

let nextId = 1;

/**
 * One WebSocket and who is on it. Outbound frames are validated against their schema
 * (the allow-list) before they are serialised.
 */
export class Conn implements Subscriber, HandlerIo, SessionState {
  readonly id = nextId++;
  principal: ConnPrincipal | null = null;
  /** A `session.hello` is being verified: until it settles, another hello is refused (one principal per socket). */
  helloPending = false;
  /** Agents: conversations currently shown in this socket's inbox. */
  readonly inbox = new Set<string>();
  /** Agents: conversations opened on this socket. */
  readonly opened = new Set<string>();
  readonly bucket: TokenBucket;
  alive = true;
  closed = false;
  timers: NodeJS.Timeout[] = [];

  constructor(
    readonly ws: WebSocket,
    readonly endpoint: 'requester' | 'agent',
    readonly origin: string,
    limits: { framesPerSecond: number; frameBurst: number },
    readonly cookieToken: string | null = null,
  ) {
    this.bucket = new TokenBucket(limits.framesPerSecond, limits.frameBurst);
  }

  /** Handlers see this socket only as its session state (HandlerIo). */
  get session(): SessionState {
    return this;
  }

  reply<S extends z.ZodType>(schema: S, frame: z.input<S>): void {
    this.send(schema, frame);
  }

  error(code: ErrorCode, extra: ErrorExtra = {}): void {
    const visible = clientCode(code);
    this.send(ErrorFrame, { type: 'error', code: visible, i18nKey: errorInfo(visible).i18nKey, ...extra });
  }

  send<S extends z.ZodType>(schema: S, frame: z.input<S>): void {
    this.sendRaw(JSON.stringify(schema.parse(frame)));
  }

  private corked = false;

  /**
   * Frames sent in the same tick leave in one write: a group commit acks many messages at once,
   * and without corking each frame would cost its own system call.
   */
  sendRaw(json: string): void {
    if (this.closed || this.ws.readyState !== 1) return;
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (socket && !this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.ws.send(json);
  }

  close(code: number = CLOSE.normal, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }
}
