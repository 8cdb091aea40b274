import type { z } from 'zod';
import type { ErrorCode } from '@ajuda/protocol';
import type { Subscriber } from '../hub.ts';
import type { ConnPrincipal } from './principal.ts';

/** What an error frame may carry besides its code (see the error table in @ajuda/protocol). */
export interface ErrorExtra {
  ref?: string | undefined;
  message?: string | undefined;
  fields?: Record<string, { code: string; i18nKey: string }>;
  retryAfter?: number;
  conversationId?: string;
  incident?: string;
}

/**
 * The small port a handler answers through — never the socket. Every frame is validated
 * against its schema (the allow-list) before it leaves. A test passes a fake that records frames.
 *
 * @example io.reply(MessageAck, { type: 'message.ack', ref: f.ref, … })
 */
export interface ReplyPort {
  /** The answer to the frame being handled (it carries the frame's `ref`). */
  reply<S extends z.ZodType>(schema: S, frame: z.input<S>): void;
  /** Any other frame to this socket (replayed messages, pushes). */
  send<S extends z.ZodType>(schema: S, frame: z.input<S>): void;
  /** A frame already validated and serialised (sent to many). */
  sendRaw(json: string): void;
  /** An error frame from the error table; the socket stays open. */
  error(code: ErrorCode, extra?: ErrorExtra): void;
}

/**
 * Per-socket session state a handler may read and update. It is also the fan-out's subscriber
 * handle: `svc.fanout.follow(io.session, conversation)` subscribes this socket to a conversation.
 */
export interface SessionState extends Subscriber {
  readonly principal: ConnPrincipal | null;
  /** Agents: conversations currently shown in this socket's inbox. */
  readonly inbox: Set<string>;
  /** Agents: conversations opened on this socket (subscribed to their topic). */
  readonly opened: Set<string>;
}

/** What every handler gets besides the services, its principal and its frame. */
export interface HandlerIo extends ReplyPort {
  readonly session: SessionState;
}
