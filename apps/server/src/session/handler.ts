import { AjudaError, type ClientFrame, type ClientFrameType, type FrameOf } from '@ajuda/protocol';
import type { Services } from '../context.ts';
import type { HandlerIo } from './port.ts';
import type { ConnPrincipal, PrincipalKind, PrincipalOf } from './principal.ts';

/** Frames the session layer answers itself; every other client frame has one handler table entry. */
export type SessionFrameType = 'session.hello' | 'ping';
export type HandledFrameType = Exclude<ClientFrameType, SessionFrameType>;

/** Limits a handler may draw on that span sockets (kept by the gateway). */
export interface HandlerLimits {
  /** Take a conversation-start token for a requester; the seconds to wait, or 0. */
  takeStart(ownerKey: string): number | Promise<number>;
}

/** A handler: the services, a reply port and session state, its principal (typed by the entry) and its frame. */
export type Handler<T extends HandledFrameType, K extends PrincipalKind> = (
  svc: Services,
  io: HandlerIo,
  p: PrincipalOf<K>,
  f: FrameOf<ClientFrame, T>,
  limits: HandlerLimits,
) => void | Promise<void>;

/** One row of a handler table, its types erased for the dispatcher (the narrowing is checked, not cast). */
export interface HandlerEntry {
  readonly type: HandledFrameType;
  /** The principal kinds that may send this frame; any other kind is refused before the handler runs. */
  readonly who: readonly PrincipalKind[];
  run(svc: Services, io: HandlerIo, p: ConnPrincipal, f: ClientFrame, limits: HandlerLimits): void | Promise<void>;
}

export const ANYONE = ['visitor', 'realm_user', 'agent'] as const;
export const REQUESTERS = ['visitor', 'realm_user'] as const;
export const AGENTS = ['agent'] as const;
export const REALM_USERS = ['realm_user'] as const;

/**
 * A handler table entry. The handler's principal type follows `who`, its frame type follows `type`.
 *
 * @example on('conversation.assign', AGENTS, assign) // assign(svc, io, p: AgentPrincipal, f: F<'conversation.assign'>)
 */
export function on<T extends HandledFrameType, K extends PrincipalKind>(type: T, who: readonly K[], handle: Handler<T, K>): HandlerEntry {
  const kinds: readonly PrincipalKind[] = who;
  const mayCall = (p: ConnPrincipal): p is PrincipalOf<K> => kinds.includes(p.kind);
  const isFrame = (f: ClientFrame): f is FrameOf<ClientFrame, T> => f.type === type;
  return {
    type,
    who: kinds,
    run(svc, io, p, f, limits) {
      if (!isFrame(f)) throw new AjudaError('internal', `handler for ${type} got ${f.type}`);
      // The requester of another kind (a visitor asking for realm data) gets the same answer as before: forbidden.
      if (!mayCall(p)) throw new AjudaError('forbidden');
      return handle(svc, io, p, f, limits);
    },
  };
}

/** Index feature tables by frame type; a frame type handled twice is a boot error. */
export function handlerTable(...tables: ReadonlyArray<readonly HandlerEntry[]>): ReadonlyMap<HandledFrameType, HandlerEntry> {
  const map = new Map<HandledFrameType, HandlerEntry>();
  for (const t of tables)
    for (const e of t) {
      if (map.has(e.type)) throw new Error(`two handlers for ${e.type}`);
      map.set(e.type, e);
    }
  return map;
}
