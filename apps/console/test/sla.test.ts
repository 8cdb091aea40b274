import { describe, expect, it } from 'vitest';
import { compareUrgency, formatDuration, slaState } from '../src/sla.ts';
import { conversation, iso, NOW } from './helpers.tsx';

const due = (ms: number | null, breached: Array<'first_response' | 'next_response' | 'resolution'> = []) => ({
  firstResponseDueAt: ms === null ? null : iso(ms),
  nextResponseDueAt: null,
  resolutionDueAt: null,
  breached,
});

describe('SLA clocks (R10)', () => {
  it('R10: the running clock is the one that runs out first', () => {
    const s = slaState({ firstResponseDueAt: iso(30_000), nextResponseDueAt: null, resolutionDueAt: iso(10_000), breached: [] }, 'assigned', NOW);
    expect(s).toMatchObject({ clock: 'resolution', msLeft: 10_000, breached: false });
  });

  it('R10: past due counts as breached even before the server says so', () => {
    expect(slaState(due(-1), 'queued', NOW).breached).toBe(true);
    expect(slaState(due(1), 'queued', NOW).breached).toBe(false);
    expect(slaState(due(1, ['first_response']), 'queued', NOW).breached).toBe(true);
  });

  it('R10: resolved conversations run no clock', () => {
    expect(slaState(due(-1000), 'resolved', NOW)).toEqual({ clock: null, dueAt: null, msLeft: null, breached: false });
  });

  it('formats durations compactly', () => {
    expect(formatDuration(9_000)).toBe('9s');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(3_600_000 + 5 * 60_000)).toBe('1h 05m');
    expect(formatDuration(-(2 * 86_400_000 + 3 * 3_600_000))).toBe('2d 03h');
  });
});

describe('inbox order by SLA urgency (R9, R10)', () => {
  it('R10: breached first, then least time left, then priority, then age; resolved last', () => {
    const list = [
      conversation({ id: 'resolved', status: 'resolved', priority: 'P1', sla: due(-999_000, ['first_response']) }),
      conversation({ id: 'p4-soon', priority: 'P4', sla: due(60_000) }),
      conversation({ id: 'p1-later', priority: 'P1', sla: due(3_600_000) }),
      conversation({ id: 'breached-flag', priority: 'P3', sla: due(600_000, ['first_response']) }),
      conversation({ id: 'breached-time', priority: 'P4', sla: due(-5_000) }),
      conversation({ id: 'tie-p2-young', priority: 'P2', sla: due(300_000), createdAt: iso(-1_000) }),
      conversation({ id: 'tie-p2-old', priority: 'P2', sla: due(300_000), createdAt: iso(-9_000) }),
      conversation({ id: 'tie-p1', priority: 'P1', sla: due(300_000), createdAt: iso(-1_000) }),
      conversation({ id: 'no-clock', priority: 'P1', sla: due(null) }),
    ];
    const ids = [...list].sort((a, b) => compareUrgency(a, b, NOW)).map((c) => c.id);
    expect(ids).toEqual(['breached-time', 'breached-flag', 'p4-soon', 'tie-p1', 'tie-p2-old', 'tie-p2-young', 'p1-later', 'no-clock', 'resolved']);
  });
});
