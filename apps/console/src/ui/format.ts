import type { Locale } from '@ajuda/i18n';
import { INTL_TAG } from '../i18n.ts';

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: Locale, style: 'datetime' | 'time'): Intl.DateTimeFormat {
  const k = `${locale}:${style}`;
  let f = cache.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(INTL_TAG[locale], style === 'datetime' ? { dateStyle: 'short', timeStyle: 'short' } : { timeStyle: 'short' });
    cache.set(k, f);
  }
  return f;
}

/** A date-time in the interface language; unparsable input is shown as given. */
export function fmtDateTime(locale: Locale, iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : fmt(locale, 'datetime').format(t);
}

export function fmtTime(locale: Locale, iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : fmt(locale, 'time').format(t);
}

/** Short, readable form of an opaque id for headers ("#a1b2c3d4"). */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 10)}…` : id;
}
