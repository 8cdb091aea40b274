import type { AgentConversationView, ConversationStatus, Priority, SlaView } from '@ajuda/protocol';

/**
 * SLA clocks as the console shows them (R10). Local helpers: packages/policy had no SLA
 * functions exported when the console was written; these only read what the server sent.
 */
export type SlaClock = 'first_response' | 'next_response' | 'resolution';

export interface SlaState {
  /** The clock that runs out first, or null when none runs (resolved, or no targets). */
  clock: SlaClock | null;
  dueAt: number | null;
  /** Milliseconds left (negative once breached), or null when no clock runs. */
  msLeft: number | null;
  /** True when the server recorded a breach or the running clock is past due. */
  breached: boolean;
}

const CLOSED: ReadonlySet<ConversationStatus> = new Set(['resolved', 'closed']);

export function isOpenStatus(status: ConversationStatus): boolean {
  return !CLOSED.has(status);
}

/**
 * The running SLA clock of a conversation at `now`.
 *
 * @example slaState(c.sla, c.status, Date.now()).msLeft // 93000
 */
export function slaState(sla: SlaView, status: ConversationStatus, now: number): SlaState {
  if (!isOpenStatus(status)) return { clock: null, dueAt: null, msLeft: null, breached: false };
  const candidates: Array<[SlaClock, string | null]> = [
    ['first_response', sla.firstResponseDueAt],
    ['next_response', sla.nextResponseDueAt],
    ['resolution', sla.resolutionDueAt],
  ];
  let clock: SlaClock | null = null;
  let dueAt: number | null = null;
  for (const [name, iso] of candidates) {
    if (!iso) continue;
    const t = Date.parse(iso);
    if (Number.isNaN(t)) continue;
    if (dueAt === null || t < dueAt) {
      dueAt = t;
      clock = name;
    }
  }
  const msLeft = dueAt === null ? null : dueAt - now;
  return { clock, dueAt, msLeft, breached: sla.breached.length > 0 || (msLeft !== null && msLeft <= 0) };
}

const PRIORITY_RANK: Record<Priority, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };

/**
 * Inbox order (R9, R10): open before resolved; breached first; then least time left;
 * then priority (P1 first); then age (oldest first).
 *
 * @example conversations.sort((a, b) => compareUrgency(a, b, Date.now()))
 */
export function compareUrgency(
  a: Pick<AgentConversationView, 'status' | 'sla' | 'priority' | 'createdAt' | 'id'>,
  b: Pick<AgentConversationView, 'status' | 'sla' | 'priority' | 'createdAt' | 'id'>,
  now: number,
): number {
  const openA = isOpenStatus(a.status) ? 0 : 1;
  const openB = isOpenStatus(b.status) ? 0 : 1;
  if (openA !== openB) return openA - openB;
  const sa = slaState(a.sla, a.status, now);
  const sb = slaState(b.sla, b.status, now);
  if (sa.breached !== sb.breached) return sa.breached ? -1 : 1;
  const la = sa.msLeft ?? Number.POSITIVE_INFINITY;
  const lb = sb.msLeft ?? Number.POSITIVE_INFINITY;
  if (la !== lb) return la < lb ? -1 : 1;
  const pa = a.priority ? PRIORITY_RANK[a.priority] : 5;
  const pb = b.priority ? PRIORITY_RANK[b.priority] : 5;
  if (pa !== pb) return pa - pb;
  const ca = Date.parse(a.createdAt);
  const cb = Date.parse(b.createdAt);
  if (ca !== cb) return ca - cb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * A compact, language-neutral duration: `2d 03h`, `1h 05m`, `4m 09s`, `12s`.
 *
 * @example formatDuration(65_000) // "1m 05s"
 */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${pad(h)}h`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}
