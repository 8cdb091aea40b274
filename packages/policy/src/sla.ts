import type { Priority } from '@ajuda/protocol';

export interface SlaTargets {
  firstResponseMin: number;
  nextResponseMin: number;
  resolutionMin: number;
}
export type SlaPolicy = Record<Priority, SlaTargets>;

/**
 * R10: default targets in minutes, standing in for the customer's MSA (which gives no numbers).
 * Clocks run 24 hours a day, 7 days a week: there is no business-hours gate.
 */
export const DEFAULT_SLA: SlaPolicy = {
  P1: { firstResponseMin: 15, nextResponseMin: 30, resolutionMin: 240 },
  P2: { firstResponseMin: 30, nextResponseMin: 60, resolutionMin: 480 },
  P3: { firstResponseMin: 120, nextResponseMin: 240, resolutionMin: 2880 },
  P4: { firstResponseMin: 480, nextResponseMin: 1440, resolutionMin: 7200 },
};

export type SlaClock = 'first_response' | 'next_response' | 'resolution';

export interface SlaClockInput {
  priority: Priority;
  queuedAt: Date;
  firstAgentReplyAt: Date | null;
  lastRequesterMsgAt: Date | null;
  lastAgentReplyAt: Date | null;
  resolvedAt: Date | null;
}

export interface SlaState {
  /** Due time of a clock that is still running; null once it stopped (met, resolved) or never started. */
  firstResponseDueAt: Date | null;
  nextResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  breached: SlaClock[];
}

const addMin = (d: Date, min: number): Date => new Date(d.getTime() + min * 60_000);

/**
 * R10: SLA clocks at `now`. A due date is non-null only while its clock runs:
 * first response from queuedAt until the first agent reply; next response from the requester's
 * latest message when it is newer than the latest agent reply (after a first reply exists);
 * resolution from queuedAt until resolvedAt. Resolving stops every clock.
 * `breached` lists first-response and resolution targets missed (late or still overdue) and the
 * next-response target while it is overdue; the server records each breach when it first appears.
 * A target is breached strictly after its due instant. Wall-clock minutes, no business hours.
 *
 * @example slaState({ priority: 'P1', queuedAt: t0, firstAgentReplyAt: null, lastRequesterMsgAt: null, lastAgentReplyAt: null, resolvedAt: null }, t0).firstResponseDueAt // t0 + 15 min
 */
export function slaState(input: SlaClockInput, now: Date, policy: SlaPolicy = DEFAULT_SLA): SlaState {
  const t = policy[input.priority];
  const breached: SlaClock[] = [];
  const stop = input.resolvedAt; // resolving stops all clocks
  const firstDue = addMin(input.queuedAt, t.firstResponseMin);
  const resolutionDue = addMin(input.queuedAt, t.resolutionMin);

  // First response: stops at the first agent reply, or at resolution without a reply.
  const firstEnd = input.firstAgentReplyAt ?? stop;
  if ((firstEnd ?? now).getTime() > firstDue.getTime()) breached.push('first_response');

  // Next response: only once a first reply exists, while the requester has the last word.
  let nextDue: Date | null = null;
  if (
    !stop &&
    input.firstAgentReplyAt &&
    input.lastRequesterMsgAt &&
    (!input.lastAgentReplyAt || input.lastRequesterMsgAt.getTime() > input.lastAgentReplyAt.getTime())
  ) {
    nextDue = addMin(input.lastRequesterMsgAt, t.nextResponseMin);
    if (now.getTime() > nextDue.getTime()) breached.push('next_response');
  }

  if ((stop ?? now).getTime() > resolutionDue.getTime()) breached.push('resolution');

  return {
    firstResponseDueAt: firstEnd ? null : firstDue,
    nextResponseDueAt: nextDue,
    resolutionDueAt: stop ? null : resolutionDue,
    breached,
  };
}

/**
 * R10: milliseconds left until `due` (negative when overdue), or null when no clock runs.
 *
 * @example msUntil(new Date(60_000), new Date(0)) // 60000
 */
export function msUntil(due: Date | null, now: Date): number | null {
  return due ? due.getTime() - now.getTime() : null;
}

/**
 * R10: the next instant at which a running clock would become breached (for the server's timer),
 * or null when every running clock is already breached or none runs.
 *
 * @example nextSlaCheckAt(slaState(input, now), now) // earliest future due date
 */
export function nextSlaCheckAt(state: SlaState, now: Date): Date | null {
  const dues = [state.firstResponseDueAt, state.nextResponseDueAt, state.resolutionDueAt].filter(
    (d): d is Date => d !== null && d.getTime() >= now.getTime(),
  );
  if (!dues.length) return null;
  // Breach is strictly after the due instant: check 1 ms later.
  return new Date(Math.min(...dues.map((d) => d.getTime())) + 1);
}

/**
 * R10: the customer's agreement decides the targets. The contract's tier picks its targets among
 * `tiers`; the default tier (no contract, or a tier that does not exist) gets `defaultPolicy`.
 *
 * @example slaPolicyFor('gold', new Map([['gold', GOLD]]), DEFAULT_SLA) // GOLD
 */
export function slaPolicyFor(tier: string | null, tiers: ReadonlyMap<string, SlaPolicy>, defaultPolicy: SlaPolicy, defaultTier = 'default'): SlaPolicy {
  if (!tier || tier === defaultTier) return defaultPolicy;
  return tiers.get(tier) ?? defaultPolicy;
}
