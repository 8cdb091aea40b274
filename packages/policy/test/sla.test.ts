import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA, msUntil, nextSlaCheckAt, slaState, type SlaClockInput, type SlaPolicy } from '../src/index.ts';
import { at, plusMin } from './fixtures.ts';

const t0 = at('2025-03-08T03:00:00Z'); // a Saturday, 03:00 UTC: outside any business hours
const base = (over: Partial<SlaClockInput> = {}): SlaClockInput => ({
  priority: 'P1',
  queuedAt: t0,
  firstAgentReplyAt: null,
  lastRequesterMsgAt: null,
  lastAgentReplyAt: null,
  resolvedAt: null,
  ...over,
});

describe('SLA clocks', () => {
  for (const p of ['P1', 'P2', 'P3', 'P4'] as const) {
    it(`R10: a ${p} queued on a Saturday night is due ${DEFAULT_SLA[p].firstResponseMin} wall-clock minutes later (24h support)`, () => {
      const s = slaState(base({ priority: p }), t0);
      expect(s.firstResponseDueAt).toEqual(plusMin(t0, DEFAULT_SLA[p].firstResponseMin));
      expect(s.resolutionDueAt).toEqual(plusMin(t0, DEFAULT_SLA[p].resolutionMin));
      expect(s.nextResponseDueAt).toBeNull();
      expect(s.breached).toEqual([]);
    });
  }
  it('R10: the default targets tighten with priority', () => {
    const order = ['P1', 'P2', 'P3', 'P4'] as const;
    for (let i = 1; i < order.length; i++) {
      const hi = DEFAULT_SLA[order[i - 1]!];
      const lo = DEFAULT_SLA[order[i]!];
      expect(hi.firstResponseMin).toBeLessThan(lo.firstResponseMin);
      expect(hi.nextResponseMin).toBeLessThan(lo.nextResponseMin);
      expect(hi.resolutionMin).toBeLessThan(lo.resolutionMin);
    }
  });
  it('R10: the SLA policy is configurable', () => {
    const custom: SlaPolicy = { ...DEFAULT_SLA, P1: { firstResponseMin: 5, nextResponseMin: 10, resolutionMin: 60 } };
    expect(slaState(base(), t0, custom).firstResponseDueAt).toEqual(plusMin(t0, 5));
  });

  type Case = [what: string, input: Partial<SlaClockInput>, nowMin: number, want: { first: number | null; next: number | null; resolution: number | null; breached: string[] }];
  const cases: Case[] = [
    ['exactly at the due instant is not yet a breach', {}, 15, { first: 15, next: null, resolution: 240, breached: [] }],
    ['one minute late the first response is breached', {}, 16, { first: 15, next: null, resolution: 240, breached: ['first_response'] }],
    ['a first reply in time stops the first-response clock', { firstAgentReplyAt: plusMin(t0, 10) }, 20, { first: null, next: null, resolution: 240, breached: [] }],
    ['a late first reply stays recorded as a breach', { firstAgentReplyAt: plusMin(t0, 20) }, 25, { first: null, next: null, resolution: 240, breached: ['first_response'] }],
    [
      'a requester message after the agent reply starts the next-response clock',
      { firstAgentReplyAt: plusMin(t0, 5), lastAgentReplyAt: plusMin(t0, 5), lastRequesterMsgAt: plusMin(t0, 40) },
      50,
      { first: null, next: 70, resolution: 240, breached: [] },
    ],
    [
      'an overdue next response is breached',
      { firstAgentReplyAt: plusMin(t0, 5), lastAgentReplyAt: plusMin(t0, 5), lastRequesterMsgAt: plusMin(t0, 40) },
      71,
      { first: null, next: 70, resolution: 240, breached: ['next_response'] },
    ],
    [
      'an agent reply after the requester stops the next-response clock',
      { firstAgentReplyAt: plusMin(t0, 5), lastAgentReplyAt: plusMin(t0, 60), lastRequesterMsgAt: plusMin(t0, 40) },
      200,
      { first: null, next: null, resolution: 240, breached: [] },
    ],
    ['before any agent reply, requester messages run only the first-response clock', { lastRequesterMsgAt: plusMin(t0, 1) }, 10, { first: 15, next: null, resolution: 240, breached: [] }],
    ['an unresolved conversation past its resolution target is breached', { firstAgentReplyAt: plusMin(t0, 5), lastAgentReplyAt: plusMin(t0, 5) }, 241, { first: null, next: null, resolution: 240, breached: ['resolution'] }],
    ['resolving stops every clock', { firstAgentReplyAt: plusMin(t0, 5), lastRequesterMsgAt: plusMin(t0, 30), resolvedAt: plusMin(t0, 100) }, 5000, { first: null, next: null, resolution: null, breached: [] }],
    ['a late resolution stays recorded as a breach', { firstAgentReplyAt: plusMin(t0, 5), resolvedAt: plusMin(t0, 300) }, 5000, { first: null, next: null, resolution: null, breached: ['resolution'] }],
    ['resolving without any reply after the target breaches the first response', { resolvedAt: plusMin(t0, 30) }, 60, { first: null, next: null, resolution: null, breached: ['first_response'] }],
  ];
  for (const [what, input, nowMin, want] of cases) {
    it(`R10: P1, ${what}`, () => {
      const s = slaState(base(input), plusMin(t0, nowMin));
      const due = (m: number | null) => (m === null ? null : plusMin(t0, m));
      expect(s.firstResponseDueAt).toEqual(due(want.first));
      expect(s.nextResponseDueAt).toEqual(due(want.next));
      expect(s.resolutionDueAt).toEqual(due(want.resolution));
      expect(s.breached).toEqual(want.breached);
    });
  }
  it('R10: msUntil shows the time left, negative when overdue, null without a running clock', () => {
    expect(msUntil(plusMin(t0, 15), t0)).toBe(15 * 60_000);
    expect(msUntil(plusMin(t0, 15), plusMin(t0, 20))).toBe(-5 * 60_000);
    expect(msUntil(null, t0)).toBeNull();
  });
  it('R10: nextSlaCheckAt is just after the earliest running due date that has not passed', () => {
    const now = plusMin(t0, 1);
    expect(nextSlaCheckAt(slaState(base(), now), now)).toEqual(new Date(plusMin(t0, 15).getTime() + 1));
    const late = plusMin(t0, 20);
    expect(nextSlaCheckAt(slaState(base(), late), late)).toEqual(new Date(plusMin(t0, 240).getTime() + 1));
    const done = plusMin(t0, 300);
    expect(nextSlaCheckAt(slaState(base({ resolvedAt: plusMin(t0, 30) }), done), done)).toBeNull();
  });
});
