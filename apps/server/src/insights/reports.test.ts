import { describe, expect, it } from 'vitest';
import type { ConversationEvent, EventKind } from '@ajuda/db';
import { dayStart, isTimeZone, localTime, periodOf } from './period.ts';
import { computeDeflection, computeReport, csvCell, percentile, reportCsv } from './reports.ts';
import { conversationIdOf } from './search.ts';

/** Fixed histories: each figure's edge cases, a period across a daylight-saving change, and the CSV. */

let id = 0;
const ev = (conversationId: string, kind: EventKind, at: string, over: Partial<ConversationEvent> = {}): ConversationEvent => ({
  id: ++id, conversationId, at, kind, actor: kind === 'agent_reply' || kind === 'first_agent_reply' ? 'agent:ag_a' : kind === 'requester_message' ? 'requester' : 'system',
  priority: 'P2', language: 'pt', queue: 'support', team: null, requestType: 'general_question', detail: {}, ...over,
});
const utcDay = (from: string, to: string) => ({ from, to, timeZone: 'UTC', ...periodOf(from, to, 'UTC') });

describe('Reports figures on fixed histories', () => {
  it('first response: from queued to the first human agent text; notes, system lines and API system replies do not answer', () => {
    const r = computeReport(
      [
        ev('A', 'queued', '2026-03-02T10:00:00.000Z'),
        ev('A', 'requester_message', '2026-03-02T10:01:00.000Z'),
        ev('A', 'agent_reply', '2026-03-02T10:02:00.000Z', { actor: 'agent:system' }), // an API system token: no person
        ev('A', 'first_agent_reply', '2026-03-02T10:05:00.000Z'),
        ev('A', 'agent_reply', '2026-03-02T10:05:00.000Z'),
        ev('A', 'agent_reply', '2026-03-02T10:30:00.000Z'),
        // Notes only: no agent_reply event at all.
        ev('B', 'queued', '2026-03-02T11:00:00.000Z'),
        ev('B', 'resolved', '2026-03-02T12:00:00.000Z'),
        // Never replied, still open.
        ev('C', 'queued', '2026-03-02T13:00:00.000Z'),
        ev('C', 'requester_message', '2026-03-02T13:10:00.000Z'),
      ],
      utcDay('2026-03-02', '2026-03-02'),
    );
    expect(r.firstResponse).toEqual({ count: 1, medianSeconds: 300, p90Seconds: 300 });
    expect(r.escalated).toEqual({ of: 3, yes: 0, rate: 0 });
    expect(r.reopened).toEqual({ of: 1, yes: 0, rate: 0 });
    expect(r.volume).toEqual([{ priority: 'P2', language: 'pt', requestType: 'general_question', queue: 'support', count: 3 }]);
  });

  it('a reopen starts a new first-response wait; the resolve is counted as reopened', () => {
    const r = computeReport(
      [
        ev('A', 'queued', '2026-03-02T10:00:00.000Z'),
        ev('A', 'agent_reply', '2026-03-02T10:10:00.000Z'),
        ev('A', 'resolved', '2026-03-02T11:00:00.000Z'),
        ev('A', 'reopened', '2026-03-02T12:00:00.000Z'),
        ev('A', 'requester_message', '2026-03-02T12:01:00.000Z'),
        ev('A', 'agent_reply', '2026-03-02T12:30:00.000Z'),
        ev('A', 'resolved', '2026-03-02T13:00:00.000Z'),
        ev('A', 'feedback', '2026-03-02T13:05:00.000Z', { detail: { answered: true } }),
        // Resolved without a reply, reopened, then answered: only the second wait has a reply.
        ev('B', 'queued', '2026-03-02T10:00:00.000Z'),
        ev('B', 'resolved', '2026-03-02T10:20:00.000Z'),
        ev('B', 'reopened', '2026-03-02T10:40:00.000Z'),
        ev('B', 'agent_reply', '2026-03-02T10:45:00.000Z'),
        ev('B', 'feedback', '2026-03-02T10:50:00.000Z', { detail: { answered: false } }),
      ],
      utcDay('2026-03-02', '2026-03-02'),
    );
    // Waits: 600 s, 1800 s (A), 300 s (B).
    expect(r.firstResponse).toEqual({ count: 3, medianSeconds: 600, p90Seconds: 1800 });
    expect(r.reopened).toEqual({ of: 3, yes: 2, rate: 2 / 3 });
    expect(r.answeredYes).toEqual({ of: 2, yes: 1, rate: 0.5 });
  });

  it('SLA compliance per priority: a breach misses, a reply (or resolution) without one meets, a pending one is left out', () => {
    const r = computeReport(
      [
        ev('A', 'queued', '2026-03-02T10:00:00.000Z', { priority: 'P1' }),
        ev('A', 'sla_breach', '2026-03-02T10:15:00.000Z', { priority: 'P1', detail: { clock: 'first_response' } }),
        ev('A', 'first_agent_reply', '2026-03-02T10:20:00.000Z', { priority: 'P1' }),
        ev('A', 'resolved', '2026-03-02T11:00:00.000Z', { priority: 'P1' }),
        ev('B', 'queued', '2026-03-02T10:00:00.000Z', { priority: 'P1' }),
        ev('B', 'first_agent_reply', '2026-03-02T10:05:00.000Z', { priority: 'P1' }),
        ev('B', 'sla_breach', '2026-03-02T18:00:00.000Z', { priority: 'P1', detail: { clock: 'resolution' } }),
        ev('C', 'queued', '2026-03-02T10:00:00.000Z', { priority: 'P1' }), // pending on both clocks
      ],
      utcDay('2026-03-02', '2026-03-02'),
    );
    expect(r.sla[0]).toEqual({ priority: 'P1', firstResponse: { of: 2, yes: 1, rate: 0.5 }, resolution: { of: 2, yes: 1, rate: 0.5 } });
    expect(r.sla[1]!.firstResponse).toEqual({ of: 0, yes: 0, rate: null });
  });

  it('filters by team, priority and language on what the event recorded', () => {
    const events = [
      ev('A', 'queued', '2026-03-02T10:00:00.000Z', { team: 'red', priority: 'P1', language: 'es' }),
      ev('B', 'queued', '2026-03-02T10:00:00.000Z', { team: 'blue', priority: 'P2', language: 'pt' }),
      ev('C', 'queued', '2026-03-02T10:00:00.000Z', { team: null, priority: 'P1', language: 'pt' }),
    ];
    const n = (f: Parameters<typeof computeReport>[2]) => computeReport(events, utcDay('2026-03-02', '2026-03-02'), f).escalated.of;
    expect(n({})).toBe(3);
    expect(n({ teams: ['red'] })).toBe(1);
    expect(n({ teams: ['red', 'blue'] })).toBe(2);
    expect(n({ priorities: ['P1'] })).toBe(2);
    expect(n({ languages: ['pt'], priorities: ['P1'] })).toBe(1);
  });

  it('nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
  });
});

describe('periods in the organisation’s time zone', () => {
  it('knows IANA zones and refuses others', () => {
    expect(isTimeZone('Europe/Lisbon')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('a day across a daylight-saving change lasts 23 or 25 hours (Europe/Lisbon, America/New_York)', () => {
    // Lisbon springs forward on 2026-03-29 (01:00 → 02:00) and falls back on 2026-10-25.
    expect(new Date(dayStart('2026-03-29', 'Europe/Lisbon')).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(new Date(dayStart('2026-03-30', 'Europe/Lisbon')).toISOString()).toBe('2026-03-29T23:00:00.000Z');
    const spring = periodOf('2026-03-29', '2026-03-29', 'Europe/Lisbon');
    expect(Date.parse(spring.end) - Date.parse(spring.start)).toBe(23 * 3_600_000);
    const fall = periodOf('2026-10-25', '2026-10-25', 'Europe/Lisbon');
    expect(Date.parse(fall.end) - Date.parse(fall.start)).toBe(25 * 3_600_000);
    // New York: 2026-03-08 02:00 EST → 03:00 EDT.
    const ny = periodOf('2026-03-07', '2026-03-08', 'America/New_York');
    expect(ny).toEqual({ start: '2026-03-07T05:00:00.000Z', end: '2026-03-09T04:00:00.000Z' });
    expect(localTime(Date.parse('2026-03-08T06:59:59Z'), 'America/New_York')).toEqual({ date: '2026-03-08', hour: 1 });
    expect(localTime(Date.parse('2026-03-08T07:00:00Z'), 'America/New_York')).toEqual({ date: '2026-03-08', hour: 3 });
  });

  it('a report over a period crossing the change counts each conversation in its local day and hour', () => {
    const tz = 'America/New_York';
    const period = { from: '2026-03-08', to: '2026-03-08', timeZone: tz, ...periodOf('2026-03-08', '2026-03-08', tz) };
    const r = computeReport(
      [
        ev('before', 'queued', '2026-03-08T04:59:00.000Z'), // 23:59 on the 7th, local: outside
        ev('one', 'queued', '2026-03-08T05:00:00.000Z'), // 00:00 EST
        ev('two', 'queued', '2026-03-08T07:30:00.000Z'), // 03:30 EDT (2 am never happened)
        ev('late', 'queued', '2026-03-09T03:59:00.000Z'), // 23:59 EDT: inside
        ev('after', 'queued', '2026-03-09T04:00:00.000Z'), // the 9th: outside
      ],
      period,
    );
    expect(r.escalated.of).toBe(3);
    expect(r.hours[0]).toBe(1);
    expect(r.hours[2]).toBe(0);
    expect(r.hours[3]).toBe(1);
    expect(r.hours[23]).toBe(1);
  });
});

describe('CSV export', () => {
  it('cells a spreadsheet would run as a formula come out as text; quotes and commas are quoted', () => {
    for (const s of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx', "=HYPERLINK(\"http://x\",\"y\")"]) {
      const cell = csvCell(s);
      expect(cell.replace(/^"/, '').startsWith("'"), s).toBe(true);
    }
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('a report whose request type or team is a formula exports it inert', () => {
    const r = computeReport([ev('A', 'queued', '2026-03-02T10:00:00.000Z', { requestType: '=cmd|"/c calc"!A1', team: '@evil' })], utcDay('2026-03-02', '2026-03-02'));
    const csv = reportCsv(r);
    expect(csv).toContain(`"'=cmd|""/c calc""!A1"`);
    for (const line of csv.split('\r\n')) for (const cell of line.split(',')) expect(cell, line).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('deflection rate', () => {
  const row = (day: string, language: string, answered: number, continued: number, channel = 'website') => ({ day, channel, language, searches: 2, suggested: 3, opened: 1, answered, continued });
  it('answered ÷ (answered + continued) over the period’s days, every channel, per language; the language filter applies', () => {
    const rows = [row('2026-03-01', 'pt', 9, 9), row('2026-03-02', 'pt', 3, 1), row('2026-03-02', 'pt', 1, 0, 'login'), row('2026-03-03', 'en', 0, 2), row('2026-03-04', 'es', 5, 5)];
    const d = computeDeflection(rows, { from: '2026-03-02', to: '2026-03-03' });
    expect(d.rate).toEqual({ of: 7, yes: 4, rate: 4 / 7 });
    expect([d.searches, d.suggested, d.opened]).toEqual([6, 9, 3]);
    expect(d.byLanguage.map((b) => [b.language, b.rate.rate])).toEqual([['en', 0], ['pt', 0.8]]);
    expect(computeDeflection(rows, { from: '2026-03-02', to: '2026-03-04' }, { languages: ['es'] }).rate).toEqual({ of: 10, yes: 5, rate: 0.5 });
    // Nobody said either way: no figure, not zero.
    expect(computeDeflection([row('2026-03-02', 'pt', 0, 0)], { from: '2026-03-02', to: '2026-03-02' }).rate).toEqual({ of: 0, yes: 0, rate: null });
    expect(computeDeflection(rows, { from: '2026-02-01', to: '2026-02-28' }).byLanguage).toEqual([]);
  });
  it('is in the CSV: the figure and a row per language', () => {
    const csv = reportCsv(computeReport([], utcDay('2026-03-02', '2026-03-02'), {}, [row('2026-03-02', 'pt', 3, 1)]));
    expect(csv).toContain('\r\ndeflection_percent,4,75\r\n');
    expect(csv).toContain('\r\npt,2,3,1,3,1,75\r\n');
  });
});

describe('conversation ids as people type them', () => {
  it('any case, with or without AJ-, Crockford O/I/L read as digits', () => {
    expect(conversationIdOf('AJ-7K3F9QX2M4TB')).toBe('AJ-7K3F9QX2M4TB');
    expect(conversationIdOf('aj-7k3f9qx2m4tb')).toBe('AJ-7K3F9QX2M4TB');
    expect(conversationIdOf('  7k3f9qx2m4tb ')).toBe('AJ-7K3F9QX2M4TB');
    expect(conversationIdOf('AJ 7K3F9QX2M4TB')).toBe('AJ-7K3F9QX2M4TB');
    expect(conversationIdOf('AJ-7K3F9QX2M4TO')).toBe('AJ-7K3F9QX2M4T0');
    expect(conversationIdOf('AJ-7K3F9QX2M4TU')).toBeNull(); // U is not in the alphabet
    expect(conversationIdOf('AJ-7K3F9QX2M4')).toBeNull();
    expect(conversationIdOf('configuração')).toBeNull();
  });
});
