/**
 * Calendar days in the organisation's time zone (AJUDA_TIMEZONE, an IANA name; default UTC), with
 * the platform's Intl data: a day is from its local midnight to the next, so a day on which the
 * clocks change lasts 23 or 25 hours.
 */

/** Whether `tz` is a time zone this runtime knows (AJUDA_TIMEZONE is checked at start). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();
function parts(tz: string, instant: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(tz, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(instant))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out as ReturnType<typeof parts>;
}

/** How far local time in `tz` is ahead of UTC at `instant`, in ms. */
function offset(tz: string, instant: number): number {
  const p = parts(tz, instant);
  const whole = Math.floor(instant / 1000) * 1000;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

/** The instant `date` (YYYY-MM-DD) begins in `tz`: its local midnight. */
export function dayStart(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - offset(tz, wall);
  // Near a change the offset at the guess may differ from the offset at the answer: settle on the latter.
  const o = offset(tz, t);
  if (wall - o !== t) t = wall - o;
  return t;
}

/** The day after `date` (YYYY-MM-DD). */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The local date (YYYY-MM-DD) and hour (0–23) of `instant` in `tz`. */
export function localTime(instant: number, tz: string): { date: string; hour: number } {
  const p = parts(tz, instant);
  return { date: `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`, hour: p.hour };
}

/** A period of whole local days, `from` to `to` inclusive, as UTC instants [start, end). */
export function periodOf(from: string, to: string, tz: string): { start: string; end: string } {
  return { start: new Date(dayStart(from, tz)).toISOString(), end: new Date(dayStart(nextDay(to), tz)).toISOString() };
}
