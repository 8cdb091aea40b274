import type * as P from '@ajuda/protocol';

// Structural guards for what the widget receives: server frames and host (bridge) messages.
//
// Why not the protocol's zod schemas: zod plus every schema weighs ~29 KB gzip, more than the whole
// first screen, and a server frame must be validated before anything from the server can show
// (session.ready carries the request types of the home screen). These guards are a few hundred
// bytes. The protocol stays the one definition:
// - every guard's accepted type is checked at compile time to be EXACTLY the protocol's type
//   (see `Same` below: a field added, removed or retyped in packages/protocol breaks `pnpm typecheck`);
// - test/guards.test.ts fuzzes guards against the zod schemas and requires the same verdict.
// Defence in depth (DESIGN habit 9): a frame that is malformed, of a type the widget does not
// consume (agent frames) or with an agent principal is dropped, never rendered.

/** A type guard. */
export type Guard<T> = (v: unknown) => v is T;
type Of<G> = G extends Guard<infer T> ? T : never;
/** An optional object member: absent or undefined, else what `g` accepts. */
interface Opt<T> extends Guard<T | undefined> {
  opt: 1;
}
type Shape = Record<string, Guard<unknown>>;
type ObjOf<S extends Shape> = { [K in keyof S as S[K] extends Opt<unknown> ? never : K]: Of<S[K]> } & {
  [K in keyof S as S[K] extends Opt<unknown> ? K : never]?: Of<S[K]>;
} extends infer O
  ? { [K in keyof O]: O[K] }
  : never;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A string of min..max UTF-16 units (as zod's min/max count). */
const str =
  (min = 0, max = Infinity): Guard<string> =>
  (v): v is string =>
    typeof v === 'string' && v.length >= min && v.length <= max;
const text = str();
/** A finite number (zod's number refuses NaN and ±Infinity). */
const num: Guard<number> = (v): v is number => typeof v === 'number' && Number.isFinite(v);
/** A safe integer ≥ min (zod's .int(), .nonnegative(), .positive()). */
const int =
  (min = -Infinity): Guard<number> =>
  (v): v is number =>
    Number.isSafeInteger(v) && (v as number) >= min;
const bool: Guard<boolean> = (v): v is boolean => typeof v === 'boolean';
const lit =
  <const T extends string | number>(...values: readonly T[]): Guard<T> =>
  (v): v is T =>
    values.includes(v as T);
const nul =
  <T>(g: Guard<T>): Guard<T | null> =>
  (v): v is T | null =>
    v === null || g(v);
const opt = <T>(g: Guard<T>): Opt<T> => Object.assign((v: unknown): v is T | undefined => v === undefined || g(v), { opt: 1 as const });
const arr =
  <T>(g: Guard<T>): Guard<T[]> =>
  (v): v is T[] =>
    Array.isArray(v) && v.every(g);
/** A record of `g`s. Like zod, an own `__proto__` key is not checked (zod strips it; nothing here reads it). */
const rec =
  <T>(g: Guard<T>): Guard<Record<string, T>> =>
  (v): v is Record<string, T> =>
    isObj(v) && Object.entries(v).every(([k, x]) => k === '__proto__' || g(x));
const obj =
  <S extends Shape>(shape: S): Guard<ObjOf<S>> =>
  (v): v is ObjOf<S> =>
    isObj(v) && Object.keys(shape).every((k) => shape[k]!(v[k]));
const any = (_: unknown): _ is unknown => true;

/**
 * Every member of a protocol union, listed once at runtime; a member missing from the list is a
 * compile error, so the protocol stays the one definition.
 * @example const LOCALES = all<Locale>()(['pt', 'en', 'es']);
 */
const all =
  <T extends string>() =>
  <const A extends readonly T[]>(values: A & ([T] extends [A[number]] ? unknown : ['missing', Exclude<T, A[number]>])): A =>
    values;

/** `session.hello.v`; tied to the protocol's constant by its type. */
export const PROTOCOL_VERSION: typeof P.PROTOCOL_VERSION = 1;
/** The bridge's namespace marker (`ajuda: 1`). */
export const BRIDGE_NS: typeof P.BRIDGE_NS = 1;
export const CHANNELS = all<P.Channel>()(['platform', 'login', 'website']);
export const LOCALES = all<P.Locale>()(['pt', 'en', 'es']);
const REQUEST_TYPES = all<P.RequestType>()(['general_question', 'technical_question', 'dev_question', 'incident', 'auth_incident', 'contract_question']);
const STATUSES = all<P.ConversationStatus>()(['intake', 'queued', 'assigned', 'resolved', 'closed']);
const PRIORITIES = all<P.Priority>()(['P1', 'P2', 'P3', 'P4']);
const ENVIRONMENTS = all<P.Environment>()(['Prod', 'Test']);
const REASONS = all<P.EscalationReason>()(['disagree', 'scenario_changed', 'other_engineer']);
const SIDES = ['requester', 'agent'] as const;

// Same patterns as the protocol's WebOrigin and CssColor (bridge.ts); the fuzz test holds them equal.
/** scheme://host[:port], nothing else. */
export const WEB_ORIGIN = /^https?:\/\/[^/\s?#]+$/;
const CSS_COLOR = /^(#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,24}|(?:rgba?|hsla?)\([0-9.,%\s/deg]+\))$/;
const matches =
  (re: RegExp, max: number): Guard<string> =>
  (v): v is string =>
    typeof v === 'string' && v.length <= max && re.test(v);

// ───────────── server → widget ─────────────

const id = str(1, 64);
const conversationId = { conversationId: id };
const feedback = nul(obj({ answered: bool, comment: opt(text) }));
const conversation = obj({
  id,
  channel: lit(...CHANNELS),
  requestType: lit(...REQUEST_TYPES),
  status: lit(...STATUSES),
  priority: nul(lit(...PRIORITIES)),
  language: lit(...LOCALES),
  answers: rec(any),
  createdAt: text,
  lastSeq: int(0),
  firstResponseDueAt: nul(text),
  assignee: nul(obj({ name: text })),
  escalated: bool,
  feedback,
  agentReadSeq: int(0),
  requesterReadSeq: int(0),
});
const message = obj({
  conversationId: id,
  seq: int(1),
  sender: obj({ role: lit('requester', 'agent', 'system'), name: opt(str(0, 200)) }),
  kind: lit('text', 'system', 'note'),
  body: text,
  key: opt(str(0, 100)),
  params: opt(rec((v): v is string | number => text(v) || num(v))),
  clientMsgId: opt(str(0, 64)),
  at: text,
});
// A requester is a visitor or a realm user; an agent principal on this socket is not for us.
const principal: Guard<RequesterPrincipal> = (v): v is RequesterPrincipal =>
  isObj(v) &&
  (v.kind === 'visitor' || (v.kind === 'realm_user' && nul(text)(v.name) && nul(text)(v.realmName) && bool(v.canGrant)));
const pipeline = obj({
  id: text,
  name: text,
  key: text,
  environment: lit(...ENVIRONMENTS),
  status: text,
  projectId: nul(text),
  inProjectPhase: bool,
});
const grantUse = obj({ at: text, action: text, target: text, by: text });
const grant = obj({ id: text, level: lit('write'), grantedBy: text, grantedByName: opt(nul(text)), createdAt: text, expiresAt: text, revokedAt: nul(text), uses: opt(arr(grantUse)) });

/** Server frame members after `type`, per frame type the widget consumes. */
const SERVER = {
  error: {
    code: text,
    message: opt(text),
    i18nKey: opt(text),
    conversationId: opt(id),
    fields: opt(rec(obj({ code: text, i18nKey: text }))),
    retryAfter: opt(num),
    incident: opt(text),
  },
  'session.ready': {
    v: int(),
    principal,
    visitorToken: opt(text),
    locale: lit(...LOCALES),
    heartbeatMs: int(),
    requestTypes: opt(arr(lit(...REQUEST_TYPES))),
    expiresAt: opt(text),
    uploadMaxBytes: opt(int(1)),
  },
  pong: { at: text },
  'session.ended': { reason: lit('logout', 'disabled', 'token_expired', 'grant_revoked', 'shutdown') },
  'conversation.started': { conversation },
  'conversation.updated': { conversation },
  'conversation.list.result': { conversations: arr(conversation) },
  'message.ack': { ...conversationId, clientMsgId: id, seq: int(1), at: text },
  'message.created': { message },
  typing: { ...conversationId, from: lit(...SIDES), on: bool },
  'read.receipt': { ...conversationId, by: lit(...SIDES), lastReadSeq: int(0) },
  'resume.done': { ...conversationId, lastSeq: int(0), replayed: int(0) },
  'realm.directory': { pipelines: arr(pipeline), projects: arr(obj({ id: text, name: text, ongoing: bool })) },
  'escalation.created': {
    escalation: obj({
      id: text,
      conversationId: id,
      reason: lit(...REASONS),
      description: text,
      environment: lit(...ENVIRONMENTS),
      justification: text,
      source: lit('widget', 'email', 'api'),
      createdAt: text,
    }),
  },
  'feedback.requested': conversationId,
  'feedback.recorded': { ...conversationId, answered: bool, comment: opt(text) },
  'grant.list': { grants: arr(grant) },
} satisfies { [T in P.ServerFrameType]?: Shape };

const ref = { ref: opt(str(1, 64)) };
const SERVER_GUARDS = Object.fromEntries(Object.entries(SERVER).map(([t, shape]) => [t, obj({ ...ref, ...shape })])) as Record<string, Guard<unknown>>;

type SessionReady = P.FrameOf<P.ServerFrame, 'session.ready'>;
export type RequesterPrincipal = Exclude<SessionReady['principal'], { kind: 'agent' }>;
/** The server frames the widget consumes, as it accepts them (session.ready without agent principals). */
export type WidgetServerFrame =
  | Exclude<P.FrameOf<P.ServerFrame, keyof typeof SERVER>, SessionReady>
  | (Omit<SessionReady, 'principal'> & { principal: RequesterPrincipal });

/**
 * The frame when `data` (parsed JSON) is a well-formed server frame the widget consumes, else null.
 * @example const f = parseServerFrame(JSON.parse(ev.data)); if (f) store.apply(f);
 */
export function parseServerFrame(data: unknown): WidgetServerFrame | null {
  const g = isObj(data) && typeof data.type === 'string' && Object.hasOwn(SERVER_GUARDS, data.type) ? SERVER_GUARDS[data.type]! : null;
  return g?.(data) ? (data as WidgetServerFrame) : null;
}

// ───────────── host → widget (bridge) ─────────────

const theme = opt(obj({ primary: opt(matches(CSS_COLOR, 64)), position: opt(lit('right', 'left')) }));
const HOST = {
  'host.init': { channel: lit(...CHANNELS), locale: opt(lit(...LOCALES)), theme, hostOrigin: matches(WEB_ORIGIN, 300) },
  'host.identity': { identityToken: str(1, 8192) },
  'host.show': {},
  'host.hide': {},
  'host.update': { locale: opt(lit(...LOCALES)), theme },
  'host.shutdown': {},
  'host.article': { slug: str(1, 200) },
} satisfies { [T in P.HostToFrame['type']]: Shape };
const HOST_GUARDS = Object.fromEntries(Object.entries(HOST).map(([t, shape]) => [t, obj({ ajuda: lit(BRIDGE_NS), ...shape })])) as Record<string, Guard<unknown>>;

/**
 * The message when `data` is a well-formed host → frame bridge message, else null. Check the
 * event's origin and source window first; this only checks the shape.
 * @example const m = parseHostMessage(event.data); if (m?.type === 'host.identity') conn.setIdentityToken(m.identityToken);
 */
export function parseHostMessage(data: unknown): P.HostToFrame | null {
  const g = isObj(data) && typeof data.type === 'string' && Object.hasOwn(HOST_GUARDS, data.type) ? HOST_GUARDS[data.type]! : null;
  return g?.(data) ? (data as P.HostToFrame) : null;
}

// ───────────── compile-time proof that the guards accept exactly the protocol's types ─────────────

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Accepts<S> = S extends Shape ? ObjOf<S> : never;
type ServerChecks = { [T in keyof typeof SERVER]: Same<Accepts<typeof ref & (typeof SERVER)[T]>, Omit<P.FrameOf<WidgetServerFrame, T>, 'type'>> };
type HostChecks = { [T in keyof typeof HOST]: Same<Accepts<(typeof HOST)[T]>, Omit<P.FrameOf<P.HostToFrame, T>, 'type' | 'ajuda'>> };
type AllTrue<C> = { [K in keyof C]: C[K] extends true ? never : K }[keyof C];
/** Names the frames whose guard drifted from the protocol (never when all agree). */
export type GuardDrift = AllTrue<ServerChecks> | AllTrue<HostChecks>;
const noDrift: [GuardDrift] extends [never] ? true : GuardDrift = true;
void noDrift;
