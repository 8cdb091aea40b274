import type { ArticleStatsRow, ConversationEvent } from '@ajuda/db';
import { localTime } from './period.ts';

/**
 * The Reports figures, computed from the conversation events log (`Store.conversationEvents`).
 * docs/reports.md defines each figure in words; this file is that definition in code. Pure: the
 * events, the period (UTC instants of its local days) and the filters in, the figures out.
 */

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface ReportFilters {
  teams?: readonly string[];
  priorities?: readonly string[];
  languages?: readonly string[];
}

export interface Rate {
  /** How many count towards the rate (its denominator). */
  of: number;
  /** How many of them have the property (its numerator). */
  yes: number;
  /** yes / of, or null when `of` is 0. */
  rate: number | null;
}

export interface Report {
  period: { from: string; to: string; timeZone: string; start: string; end: string };
  firstResponse: { count: number; medianSeconds: number | null; p90Seconds: number | null };
  sla: Array<{ priority: Priority; firstResponse: Rate; resolution: Rate }>;
  answeredYes: Rate;
  reopened: Rate;
  escalated: Rate;
  volume: Array<{ priority: string | null; language: string; requestType: string; queue: string; count: number }>;
  /** Conversations queued per local hour of the day (0–23). */
  hours: number[];
  /** The help centre's deflection rate, from its daily counters (`computeDeflection`). */
  deflection: Deflection;
}

/** The help centre's counters over a period, summed. */
export interface HelpCounts {
  searches: number;
  suggested: number;
  opened: number;
  answered: number;
  continued: number;
}

/**
 * Deflection: of the requesters who, after reading the help centre, said whether an article answered
 * their question ("Yes, this answered it" → `answered`) or went on to write to support (`continued`),
 * the share answered — `rate` is answered ÷ (answered + continued). Per language as well.
 */
export interface Deflection extends HelpCounts {
  rate: Rate;
  byLanguage: Array<HelpCounts & { language: string; rate: Rate }>;
}

const rate = (yes: number, of: number): Rate => ({ of, yes, rate: of ? yes / of : null });

/** The nearest-rank percentile of sorted values (p in (0, 1]): the smallest value with at least p of them at or below it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Whether an event passes the filters (on the dimensions it recorded). */
export function passes(e: Pick<ConversationEvent, 'team' | 'priority' | 'language'>, f: ReportFilters): boolean {
  if (f.teams?.length && (e.team === null || !f.teams.includes(e.team))) return false;
  if (f.priorities?.length && (e.priority === null || !f.priorities.includes(e.priority))) return false;
  if (f.languages?.length && !f.languages.includes(e.language)) return false;
  return true;
}

/** A human agent's text: an agent reply by an agent (the API's system tokens are no person). */
export const humanReply = (e: ConversationEvent) => e.kind === 'agent_reply' && e.actor !== null && e.actor.startsWith('agent:') && e.actor !== 'agent:system';

/** `help`: the help centre's daily counters (from `Store.articles.articleStats`), for the deflection rate. */
export function computeReport(events: readonly ConversationEvent[], period: Report['period'], filters: ReportFilters = {}, help: readonly ArticleStatsRow[] = []): Report {
  const start = period.start;
  const end = period.end;
  const inPeriod = (e: ConversationEvent) => e.at >= start && e.at < end && passes(e, filters);
  const byConv = new Map<string, ConversationEvent[]>();
  for (const e of events) {
    let list = byConv.get(e.conversationId);
    if (!list) byConv.set(e.conversationId, (list = []));
    list.push(e);
  }
  const frt: number[] = [];
  const sla = new Map<Priority, { fm: number; fmiss: number; rm: number; rmiss: number }>(PRIORITIES.map((p) => [p, { fm: 0, fmiss: 0, rm: 0, rmiss: 0 }]));
  let feedback = 0;
  let yes = 0;
  let resolved = 0;
  let reopened = 0;
  let queued = 0;
  let escalated = 0;
  const volume = new Map<string, Report['volume'][number]>();
  const hours = Array.from({ length: 24 }, () => 0);

  for (const list of byConv.values()) {
    list.sort((a, b) => a.id - b.id);
    list.forEach((e, i) => {
      const later = list.slice(i + 1);
      if ((e.kind === 'queued' || e.kind === 'reopened') && inPeriod(e)) {
        // First response: from the cycle's start to the first human agent text, before the cycle ends.
        for (const x of later) {
          if (x.kind === 'queued' || x.kind === 'reopened' || x.kind === 'resolved') break;
          if (humanReply(x)) {
            frt.push((Date.parse(x.at) - Date.parse(e.at)) / 1000);
            break;
          }
        }
      }
      if (!inPeriod(e)) return;
      switch (e.kind) {
        case 'queued': {
          queued++;
          if (later.some((x) => x.kind === 'escalated')) escalated++;
          const s = e.priority ? sla.get(e.priority) : undefined;
          if (s) {
            const breached = (clock: string) => later.some((x) => x.kind === 'sla_breach' && x.detail.clock === clock);
            if (breached('first_response')) s.fmiss++;
            else if (later.some((x) => x.kind === 'first_agent_reply')) s.fm++;
            if (breached('resolution')) s.rmiss++;
            else if (later.some((x) => x.kind === 'resolved')) s.rm++;
          }
          const key = JSON.stringify([e.priority, e.language, e.requestType, e.queue]);
          const v = volume.get(key) ?? { priority: e.priority, language: e.language, requestType: e.requestType, queue: e.queue, count: 0 };
          v.count++;
          volume.set(key, v);
          hours[localTime(Date.parse(e.at), period.timeZone).hour]!++;
          break;
        }
        case 'resolved':
          resolved++;
          if (later.some((x) => x.kind === 'reopened')) reopened++;
          break;
        case 'feedback':
          feedback++;
          if (e.detail.answered === true) yes++;
          break;
        default:
      }
    });
  }
  frt.sort((a, b) => a - b);
  return {
    period,
    firstResponse: { count: frt.length, medianSeconds: percentile(frt, 0.5), p90Seconds: percentile(frt, 0.9) },
    sla: PRIORITIES.map((priority) => {
      const s = sla.get(priority)!;
      return { priority, firstResponse: rate(s.fm, s.fm + s.fmiss), resolution: rate(s.rm, s.rm + s.rmiss) };
    }),
    answeredYes: rate(yes, feedback),
    reopened: rate(reopened, resolved),
    escalated: rate(escalated, queued),
    volume: [...volume.values()].sort((a, b) => b.count - a.count || JSON.stringify(a).localeCompare(JSON.stringify(b))),
    hours,
    deflection: computeDeflection(help, period, filters),
  };
}

const COUNTS = ['searches', 'suggested', 'opened', 'answered', 'continued'] as const;
const zero = (): HelpCounts => ({ searches: 0, suggested: 0, opened: 0, answered: 0, continued: 0 });

/**
 * The deflection rate from the help centre's daily counters (`Store.articles.articleStats`): the rows
 * whose day is within from–to (the counters' days are UTC calendar days) and, when the filters name
 * languages, whose language is one of them, summed over every channel — in all and per language.
 * Team and priority filters do not apply: nothing was queued yet, so counters have neither.
 */
export function computeDeflection(rows: readonly ArticleStatsRow[], period: Pick<Report['period'], 'from' | 'to'>, filters: ReportFilters = {}): Deflection {
  const total = zero();
  const langs = new Map<string, HelpCounts>();
  for (const r of rows) {
    if (r.day < period.from || r.day > period.to) continue;
    if (filters.languages?.length && !filters.languages.includes(r.language)) continue;
    let l = langs.get(r.language);
    if (!l) langs.set(r.language, (l = zero()));
    for (const k of COUNTS) {
      total[k] += r[k];
      l[k] += r[k];
    }
  }
  const ratio = (c: HelpCounts) => rate(c.answered, c.answered + c.continued);
  return {
    ...total,
    rate: ratio(total),
    byLanguage: [...langs].sort(([a], [b]) => a.localeCompare(b)).map(([language, c]) => ({ language, ...c, rate: ratio(c) })),
  };
}

// ── CSV ──

/**
 * One CSV cell. Text a spreadsheet would read as a formula (starting with = + - @, a tab or a
 * carriage return) is prefixed with ' so it stays text (OWASP CSV injection); quotes, commas and
 * line breaks are quoted.
 */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  let s = typeof v === 'number' ? String(v) : v;
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const pct = (r: Rate) => (r.rate === null ? null : Math.round(r.rate * 1000) / 10);

/** The report as CSV (RFC 4180, CRLF): one section after another, each with its header row. */
export function reportCsv(r: Report): string {
  const rows: Array<Array<string | number | null>> = [];
  rows.push(['period_from', 'period_to', 'time_zone'], [r.period.from, r.period.to, r.period.timeZone], []);
  rows.push(['figure', 'count', 'value']);
  rows.push(['first_response_median_seconds', r.firstResponse.count, r.firstResponse.medianSeconds]);
  rows.push(['first_response_p90_seconds', r.firstResponse.count, r.firstResponse.p90Seconds]);
  rows.push(['answered_yes_percent', r.answeredYes.of, pct(r.answeredYes)]);
  rows.push(['reopen_percent', r.reopened.of, pct(r.reopened)]);
  rows.push(['escalation_percent', r.escalated.of, pct(r.escalated)]);
  rows.push(['deflection_percent', r.deflection.rate.of, pct(r.deflection.rate)], []);
  rows.push(['priority', 'first_response_met', 'first_response_missed', 'first_response_percent', 'resolution_met', 'resolution_missed', 'resolution_percent']);
  for (const s of r.sla)
    rows.push([s.priority, s.firstResponse.yes, s.firstResponse.of - s.firstResponse.yes, pct(s.firstResponse), s.resolution.yes, s.resolution.of - s.resolution.yes, pct(s.resolution)]);
  rows.push([], ['priority', 'language', 'request_type', 'queue', 'conversations']);
  for (const v of r.volume) rows.push([v.priority, v.language, v.requestType, v.queue, v.count]);
  rows.push([], ['hour', 'conversations']);
  r.hours.forEach((n, h) => rows.push([h, n]));
  rows.push([], ['language', 'help_searches', 'help_suggestions_shown', 'help_articles_opened', 'help_answered', 'help_continued', 'deflection_percent']);
  for (const d of r.deflection.byLanguage) rows.push([d.language, d.searches, d.suggested, d.opened, d.answered, d.continued, pct(d.rate)]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
