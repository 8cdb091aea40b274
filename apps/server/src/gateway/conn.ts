import type { WebSocket } from 'ws';
import type { z } from 'zod';
import { CLOSE, type Channel, type Locale } from '@ajuda/protocol';
import type { Subscriber } from '../hub.ts';
import { TokenBucket } from './bucket.ts';

export interface VisitorPrincipal {
  kind: 'visitor';
  visitorId: string;
  ownerKey: string;
  channel: Channel;
  locale: Locale | null;
}
export interface RealmUserPrincipal {
  kind: 'realm_user';
  realmId: string;
  userId: string;
  perms: readonly string[];
  name: string | null;
  email: string | null;
  ownerKey: string;
  channel: Channel;
  tokenLocale: string | null;
  locale: Locale | null;
  expiresAt: Date;
}
export interface AgentPrincipal {
  kind: 'agent';
  agentId: string;
  name: string;
  role: 'agent' | 'lead' | 'project-team';
  languages: Locale[];
  teams: string[];
  sessionHash: string;
}
export type RequesterPrincipal = VisitorPrincipal | RealmUserPrincipal;
export type ConnPrincipal = RequesterPrincipal | AgentPrincipal;

let nextId = 1;

/**
 * One WebSocket and who is on it. Outbound frames are validated against their schema
 * (the allow-list) before they are serialised.
 */
export class Conn implements Subscriber {
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
