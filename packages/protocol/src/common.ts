import { z } from 'zod';

/** Wire protocol version, sent in `session.hello.v`. Bumped on any breaking frame change. */
export const PROTOCOL_VERSION = 1 as const;

/** Where the widget is embedded (R1). */
export const Channel = z.enum(['platform', 'login', 'website']);
export type Channel = z.infer<typeof Channel>;

/** Languages of the widget, the console and routing (R11). */
export const Locale = z.enum(['pt', 'en', 'es']);
export type Locale = z.infer<typeof Locale>;
export const LOCALES = Locale.options;

export const Environment = z.enum(['Prod', 'Test']);
export type Environment = z.infer<typeof Environment>;

export const Priority = z.enum(['P1', 'P2', 'P3', 'P4']);
export type Priority = z.infer<typeof Priority>;

export const ConversationStatus = z.enum(['intake', 'queued', 'assigned', 'resolved', 'closed']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

/** Queues a conversation can wait in (R4a, R8b, R8c, R13). */
export const QueueKind = z.enum(['support', 'project', 'leads']);
export type QueueKind = z.infer<typeof QueueKind>;

/** `admin`: manages agents, teams, canned replies, SLA tiers and the realm directory; sees every queue, is never auto-assigned. */
export const AgentRole = z.enum(['agent', 'lead', 'project-team', 'admin']);
export type AgentRole = z.infer<typeof AgentRole>;

/** Ids are opaque strings; bounded so a hostile client cannot make us store megabytes of key. */
export const Id = z.string().min(1).max(64);
/** A client-chosen correlation string, echoed back in the reply (`ref`). */
export const Ref = z.string().min(1).max(64).optional();
/** Longest message body (characters). */
export const MAX_BODY_CHARS = 8000;
/** At most this many files in one message (and in one upload request). */
export const MAX_ATTACHMENTS = 10;
/** Largest WebSocket frame the server accepts (bytes). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export const IsoDateTime = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'invalid_datetime');

/**
 * Text on the wire never holds U+0000 (NUL): no person types it, and PostgreSQL cannot store it
 * in a text column. A frame, identity token or HTTP body carrying one is refused as malformed
 * (`bad_frame` / `bad_request` / an invalid identity), on every store alike.
 *
 * @example containsNul({ body: 'a\u0000b' }) // true
 */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  for (const [k, v] of Object.entries(value)) if (k.includes('\u0000') || containsNul(v, depth + 1)) return true;
  return false;
}
