import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALERT_EVENTS, ALERT_SOUNDS, AlertPrefs, alertPrefsOr, DEFAULT_ALERT_PREFS } from '../src/index.ts';

const channels = fc.record({ desktop: fc.boolean(), sound: fc.boolean(), badge: fc.boolean() });
const validPrefs = fc.record({
  events: fc.record({ new_conversation: channels, message: channels, urgent: channels, sla_due: channels, escalation: channels }),
  sound: fc.constantFrom(...ALERT_SOUNDS),
  volume: fc.integer({ min: 0, max: 100 }),
  reminder: fc.record({ everySec: fc.integer({ min: 5, max: 3600 }), times: fc.integer({ min: 0, max: 20 }) }),
});

describe('alert preferences schema', () => {
  it('the defaults are valid and every event has its channels', () => {
    expect(AlertPrefs.parse(DEFAULT_ALERT_PREFS)).toEqual(DEFAULT_ALERT_PREFS);
    expect(Object.keys(DEFAULT_ALERT_PREFS.events).sort()).toEqual([...ALERT_EVENTS].sort());
  });

  it('accepts every valid object as it is, and alertPrefsOr keeps it unchanged', () => {
    fc.assert(
      fc.property(validPrefs, (p) => {
        expect(AlertPrefs.parse(p)).toEqual(p);
        expect(alertPrefsOr(p)).toEqual(p);
      }),
    );
  });

  it('refuses out-of-range numbers, unknown sounds, missing events and unknown keys', () => {
    const bad = [
      { ...DEFAULT_ALERT_PREFS, volume: -1 },
      { ...DEFAULT_ALERT_PREFS, volume: 100.5 },
      { ...DEFAULT_ALERT_PREFS, sound: 'siren' },
      { ...DEFAULT_ALERT_PREFS, reminder: { everySec: 4, times: 1 } },
      { ...DEFAULT_ALERT_PREFS, reminder: { everySec: 60, times: 21 } },
      { ...DEFAULT_ALERT_PREFS, events: { ...DEFAULT_ALERT_PREFS.events, urgent: undefined } },
      { ...DEFAULT_ALERT_PREFS, events: { ...DEFAULT_ALERT_PREFS.events, typing: { desktop: true, sound: true, badge: true } } },
      { ...DEFAULT_ALERT_PREFS, theme: 'dark' },
    ];
    for (const b of bad) expect(AlertPrefs.safeParse(b).success).toBe(false);
  });

  it('alertPrefsOr turns anything stored into valid preferences, keeping each valid field', () => {
    fc.assert(
      fc.property(validPrefs, fc.anything(), fc.anything(), (p, junk1, junk2) => {
        const stored = { ...p, volume: junk1, events: { ...p.events, sla_due: junk2 } };
        const out = alertPrefsOr(stored);
        expect(AlertPrefs.safeParse(out).success).toBe(true);
        expect(out.sound).toBe(p.sound);
        expect(out.reminder).toEqual(p.reminder);
        expect(out.events.message).toEqual(p.events.message);
        const volumeValid = AlertPrefs.shape.volume.safeParse(junk1).success;
        expect(out.volume).toBe(volumeValid ? junk1 : DEFAULT_ALERT_PREFS.volume);
      }),
    );
    expect(alertPrefsOr(null)).toEqual(DEFAULT_ALERT_PREFS);
    expect(alertPrefsOr('x')).toEqual(DEFAULT_ALERT_PREFS);
  });
});
