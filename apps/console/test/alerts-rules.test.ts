import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALERT_EVENTS, DEFAULT_ALERT_PREFS, type AgentConversationView, type AlertPrefs } from '@ajuda/protocol';
import { concerns, detect, dueSoon, enabled, RANK, reminderDue, type Me, type Reminder, type Seen } from '../src/alerts/rules.ts';

const NOW = Date.UTC(2026, 11, 6, 9, 0, 0);
const iso = (ms: number) => new Date(NOW + ms).toISOString();

function row(over: Partial<AgentConversationView> = {}): AgentConversationView {
  return {
    id: 'C1', channel: 'platform', requestType: 'incident', status: 'queued', priority: 'P3', priorityTrace: [], language: 'en', answers: {}, realmId: null,
    requester: { kind: 'realm_user', verified: true, name: 'Ana', email: null, userId: 'u1', claims: null },
    queue: 'support', team: null, assignee: null, createdAt: iso(0), updatedAt: iso(0), lastSeq: 1, unread: 0,
    sla: { firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null, breached: [] } as unknown as AgentConversationView['sla'],
    routingLog: [], escalated: false, feedback: null, ...over,
  } as AgentConversationView;
}
const seen = (rows: AgentConversationView[], escalations: Seen['escalations'] = {}): Seen => ({ inboxLoaded: true, conversations: Object.fromEntries(rows.map((r) => [r.id, r])), escalations });

const me = fc.record({ id: fc.constantFrom('emma', 'joao', 'lea'), role: fc.constantFrom('agent', 'lead', 'project-team', 'admin') }) as fc.Arbitrary<Me>;
const assignee = fc.option(fc.constantFrom({ id: 'emma', name: 'Emma' }, { id: 'joao', name: 'João' }, { id: 'lea', name: 'Lea' }), { nil: null });
const convRow = fc
  .record({
    id: fc.constantFrom('C1', 'C2', 'C3'),
    status: fc.constantFrom('intake', 'queued', 'assigned', 'resolved', 'closed'),
    priority: fc.constantFrom('P1', 'P2', 'P3', 'P4', null),
    assignee,
    lastSeq: fc.integer({ min: 0, max: 5 }),
    unread: fc.integer({ min: 0, max: 3 }),
    escalated: fc.boolean(),
    updatedAt: fc.integer({ min: 0, max: 3 }).map(iso),
  })
  .map((r) => row(r as Partial<AgentConversationView>));
const channels = fc.record({ desktop: fc.boolean(), sound: fc.boolean(), badge: fc.boolean() });
const prefs = fc.record({ new_conversation: channels, message: channels, urgent: channels, sla_due: channels, escalation: channels }).map((events): AlertPrefs => ({ ...DEFAULT_ALERT_PREFS, events }));
const state = fc.uniqueArray(convRow, { selector: (r) => r.id, maxLength: 3 }).map((rows) => seen(rows));

describe('which event alerts whom (rules.ts)', () => {
  it('every alert raised is switched on in the preferences and concerns the agent; one per conversation, the most important', () => {
    fc.assert(
      fc.property(state, state, me, prefs, (before, after, who, p) => {
        const out = detect(before, after, who, p);
        expect(new Set(out.map((a) => a.conversationId)).size).toBe(out.length);
        for (const a of out) {
          expect(enabled(p, a.kind)).toBe(true);
          expect(concerns(a.kind, who, after.conversations[a.conversationId]!)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('an event with every channel off raises nothing', () => {
    const off = { desktop: false, sound: false, badge: false };
    fc.assert(
      fc.property(state, state, me, fc.constantFrom(...ALERT_EVENTS), (before, after, who, kind) => {
        const p: AlertPrefs = { ...DEFAULT_ALERT_PREFS, events: { ...DEFAULT_ALERT_PREFS.events, [kind]: off } };
        expect(detect(before, after, who, p).filter((a) => a.kind === kind)).toEqual([]);
        expect(dueSoon(after.conversations, who, p, NOW).filter((a) => a.kind === kind)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('a message alerts exactly the agent it is assigned to', () => {
    fc.assert(
      fc.property(me, assignee, fc.constantFrom('queued', 'assigned'), (who, a, status) => {
        const was = row({ status: status as 'queued', assignee: a, lastSeq: 3, unread: 0 });
        const now = { ...was, lastSeq: 4, unread: 1, updatedAt: iso(1) };
        const out = detect(seen([was]), seen([now]), who, DEFAULT_ALERT_PREFS);
        expect(out.map((x) => x.kind)).toEqual(a?.id === who.id ? ['message'] : []);
      }),
    );
  });

  it('the first inbox raises nothing; a P1 arriving unassigned alerts as urgent (before "new conversation"), and a lead hears of escalations', () => {
    const p1 = row({ id: 'C9', priority: 'P1' });
    const empty: Seen = { inboxLoaded: false, conversations: {}, escalations: {} };
    expect(detect(empty, seen([p1]), { id: 'emma', role: 'agent' }, DEFAULT_ALERT_PREFS)).toEqual([]);
    expect(detect(seen([]), seen([p1]), { id: 'emma', role: 'agent' }, DEFAULT_ALERT_PREFS).map((a) => a.kind)).toEqual(['urgent']);
    const onlyNew: AlertPrefs = { ...DEFAULT_ALERT_PREFS, events: { ...DEFAULT_ALERT_PREFS.events, urgent: { desktop: false, sound: false, badge: false } } };
    expect(detect(seen([]), seen([p1]), { id: 'emma', role: 'agent' }, onlyNew).map((a) => a.kind)).toEqual(['new_conversation']);
    const mine = row({ id: 'C5', status: 'assigned', assignee: { id: 'emma', name: 'Emma' } });
    const esc = { ...mine, escalated: true, updatedAt: iso(2) };
    expect(detect(seen([mine]), seen([esc]), { id: 'lea', role: 'lead' }, DEFAULT_ALERT_PREFS).map((a) => a.kind)).toEqual(['escalation']);
    expect(detect(seen([mine]), seen([esc]), { id: 'emma', role: 'agent' }, DEFAULT_ALERT_PREFS).map((a) => a.kind)).toEqual(['escalation']);
    expect(detect(seen([mine]), seen([esc]), { id: 'joao', role: 'agent' }, DEFAULT_ALERT_PREFS)).toEqual([]);
    expect(RANK[0]).toBe('escalation');
  });

  it('SLA due within 10 minutes alerts once per clock, not when further or past', () => {
    const who: Me = { id: 'emma', role: 'agent' };
    const at = (min: number) => row({ id: `S${min}`, status: 'assigned', assignee: { id: 'emma', name: 'Emma' }, sla: { firstResponseDueAt: iso(min * 60_000), nextResponseDueAt: null, resolutionDueAt: null, breached: [] } as unknown as AgentConversationView['sla'] });
    const out = dueSoon(seen([at(3), at(10), at(11), at(-1)]).conversations, who, DEFAULT_ALERT_PREFS, NOW);
    expect(out.map((a) => [a.conversationId, a.min])).toEqual([['S3', 3], ['S10', 10]]);
    expect(dueSoon(seen([at(3)]).conversations, { id: 'joao', role: 'agent' }, DEFAULT_ALERT_PREFS, NOW)).toEqual([]);
  });

  it('the reminder repeats every everySec, at most `times` times, and stops at once when someone takes it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 120 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 20 }), (everySec, times, takenAfter) => {
        const p: AlertPrefs = { ...DEFAULT_ALERT_PREFS, reminder: { everySec, times } };
        const who: Me = { id: 'lea', role: 'lead' };
        const track = new Map<string, Reminder>();
        const free = row({ id: 'P', priority: 'P2' });
        const taken = { ...free, status: 'assigned' as const, assignee: { id: 'emma', name: 'Emma' } };
        const fired: number[] = [];
        for (let s = 0; s <= 30 * 130; s++) {
          const convs = seen([s < takenAfter * everySec ? free : taken]).conversations;
          for (const a of reminderDue(track, convs, who, p, NOW + s * 1000)) {
            expect(a.kind).toBe('urgent');
            fired.push(s);
          }
        }
        expect(fired.length).toBe(Math.min(times, Math.max(0, takenAfter - 1)));
        fired.forEach((s, i) => expect(s).toBe((i + 1) * everySec));
        expect(track.size).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
