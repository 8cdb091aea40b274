import { z } from 'zod';

/**
 * An agent's alert preferences, stored on the server (`GET`/`PUT /api/agent/alerts`) and read by the
 * console's alert engine: for each event, whether it raises a desktop notification, a sound and the
 * tab's title/favicon badge; which synthesised sound and how loud; and how a reminder repeats for an
 * unassigned P1/P2 until someone takes it.
 */
export const ALERT_EVENTS = ['new_conversation', 'message', 'urgent', 'sla_due', 'escalation'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];
export const ALERT_SOUNDS = ['chime', 'bell', 'pulse', 'soft'] as const;
export type AlertSound = (typeof ALERT_SOUNDS)[number];

const on = z.boolean();
export const AlertChannels = z.strictObject({ desktop: on, sound: on, badge: on });
export type AlertChannels = z.infer<typeof AlertChannels>;

export const AlertPrefs = z.strictObject({
  events: z.strictObject({
    new_conversation: AlertChannels,
    message: AlertChannels,
    urgent: AlertChannels,
    sla_due: AlertChannels,
    escalation: AlertChannels,
  }),
  sound: z.enum(ALERT_SOUNDS),
  /** 0–100. */
  volume: z.int().min(0).max(100),
  /** The reminder of an unassigned P1/P2: every `everySec` seconds, at most `times` times (0: none). */
  reminder: z.strictObject({ everySec: z.int().min(5).max(3600), times: z.int().min(0).max(20) }),
});
export type AlertPrefs = z.infer<typeof AlertPrefs>;

const all = { desktop: true, sound: true, badge: true };
export const DEFAULT_ALERT_PREFS: AlertPrefs = {
  events: { new_conversation: all, message: all, urgent: all, sla_due: all, escalation: all },
  sound: 'chime',
  volume: 60,
  reminder: { everySec: 60, times: 5 },
};

/**
 * Stored or received preferences laid over the defaults, one field at a time: a field that is missing
 * or not valid keeps its default (preferences saved by an older release still load).
 *
 * @example alertPrefsOr({ volume: 20 }).volume // 20
 */
export function alertPrefsOr(stored: unknown): AlertPrefs {
  const s = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
  const d = DEFAULT_ALERT_PREFS;
  const pick = <T>(schema: z.ZodType<T>, v: unknown, fallback: T): T => {
    const r = schema.safeParse(v);
    return r.success ? r.data : fallback;
  };
  const ev = (s.events && typeof s.events === 'object' ? s.events : {}) as Record<string, unknown>;
  const events = {} as AlertPrefs['events'];
  for (const e of ALERT_EVENTS) events[e] = pick(AlertChannels, ev[e], d.events[e]);
  return {
    events,
    sound: pick(AlertPrefs.shape.sound, s.sound, d.sound),
    volume: pick(AlertPrefs.shape.volume, s.volume, d.volume),
    reminder: pick(AlertPrefs.shape.reminder, s.reminder, d.reminder),
  };
}
