import type { AgentConversationView, AgentRole, AlertEvent, AlertPrefs, EscalationView } from '@ajuda/protocol';
import { isOpenStatus, slaState } from '../sla.ts';

/**
 * Which event alerts whom (pure). The console already holds everything: its inbox rows
 * (`agent.conversation.updated`), leads' escalations (`agent.escalation`) and the SLA clocks. These
 * functions compare two states of it and name the alerts; the engine (engine.ts) decides how.
 */
export interface Me {
  id: string;
  role: AgentRole;
}

export interface Alert {
  kind: AlertEvent;
  conversationId: string;
  /** Names one alert once: the same key never alerts twice (across tabs too). */
  key: string;
  /** Who asked: the requester's name or e-mail, else the conversation id. */
  who: string;
  priority: string | null;
  /** sla_due: whole minutes left. */
  min?: number;
  /** A reminder of an unassigned P1/P2: its number (1…). */
  n?: number;
}

/** What the rules read from the console's state. */
export interface Seen {
  inboxLoaded: boolean;
  conversations: Readonly<Record<string, AgentConversationView>>;
  escalations: Readonly<Record<string, readonly EscalationView[]>>;
}

/** Most important first: one conversation raises one alert at a time, the first kind that is switched on. */
export const RANK: readonly AlertEvent[] = ['escalation', 'urgent', 'sla_due', 'new_conversation', 'message'];

/** SLA clocks due within this raise `sla_due`. */
export const DUE_SOON_MS = 10 * 60_000;

export const isUrgent = (c: AgentConversationView): boolean => (c.priority === 'P1' || c.priority === 'P2') && !c.assignee && isOpenStatus(c.status) && c.status !== 'intake';

/**
 * Does this event on this conversation concern this agent? Their inbox already holds only their
 * queues (R7), so: a message only when it is theirs; a new conversation and an SLA about to run out
 * when theirs or nobody's yet; a P1/P2 while nobody has it; an escalation for the leads and for the
 * agent who has it. Nothing about a conversation that is closed or still in intake.
 *
 * @example concerns('message', { id: 'emma', role: 'agent' }, row) // row.assignee?.id === 'emma'
 */
export function concerns(kind: AlertEvent, me: Me, c: AgentConversationView): boolean {
  if (!isOpenStatus(c.status) || c.status === 'intake') return false;
  const mine = c.assignee?.id === me.id;
  switch (kind) {
    case 'message':
      return mine;
    case 'new_conversation':
    case 'sla_due':
      return mine || !c.assignee;
    case 'urgent':
      return isUrgent(c);
    case 'escalation':
      return mine || me.role === 'lead';
  }
}

/** Is any channel of this event switched on? (An event with every channel off raises nothing, not even an announcement.) */
export const enabled = (prefs: AlertPrefs, kind: AlertEvent): boolean => {
  const ch = prefs.events[kind];
  return ch.desktop || ch.sound || ch.badge;
};

export const whoOf = (c: AgentConversationView): string => c.requester.name ?? c.requester.claims?.name ?? c.requester.email ?? c.requester.claims?.email ?? c.id;

const alert = (kind: AlertEvent, c: AgentConversationView, key: string, extra: Partial<Alert> = {}): Alert => ({ kind, conversationId: c.id, key, who: whoOf(c), priority: c.priority, ...extra });

/**
 * The alerts a change of state raises for `me`, at most one per conversation (the first of `RANK`
 * that `prefs` switches on). The first inbox after connecting is where the console starts: it raises
 * nothing (a P1 already waiting is reminded about, see `reminderDue`; a clock already close to its
 * due time, by `dueSoon`).
 *
 * @example detect(before, after, me, prefs) // [{ kind: 'message', conversationId: 'C1', … }]
 */
export function detect(prev: Seen, next: Seen, me: Me, prefs: AlertPrefs): Alert[] {
  if (!prev.inboxLoaded || !next.inboxLoaded) return [];
  const out: Alert[] = [];
  for (const c of Object.values(next.conversations)) {
    const was = prev.conversations[c.id];
    if (was === c) continue;
    const found: Alert[] = [];
    const arrived = !was || (was.status === 'intake' && c.status !== 'intake') || (!!was.assignee && !c.assignee && c.status === 'queued');
    if (arrived) found.push(alert('new_conversation', c, `new:${c.id}:${c.updatedAt}`));
    if (isUrgent(c) && (arrived || !was || !isUrgent(was))) found.push(alert('urgent', c, `urgent:${c.id}:${c.updatedAt}`));
    if (was && c.unread > was.unread && c.lastSeq > was.lastSeq) found.push(alert('message', c, `msg:${c.id}:${c.lastSeq}`));
    const escalatedNow = c.escalated && !was?.escalated;
    const newEsc = (next.escalations[c.id] ?? []).find((e) => !(prev.escalations[c.id] ?? []).some((x) => x.id === e.id));
    if (escalatedNow || newEsc) found.push(alert('escalation', c, `esc:${c.id}:${newEsc?.id ?? c.updatedAt}`));
    const pick = RANK.map((k) => found.find((a) => a.kind === k)).find((a) => a && enabled(prefs, a.kind) && concerns(a.kind, me, c));
    if (pick) out.push(pick);
  }
  return out;
}

/**
 * SLA clocks of conversations that concern `me` due within 10 minutes and not yet past (one alert per
 * clock and due time: a new due time is a new alert).
 *
 * @example dueSoon(state.conversations, me, prefs, Date.now())
 */
export function dueSoon(conversations: Readonly<Record<string, AgentConversationView>>, me: Me, prefs: AlertPrefs, now: number): Alert[] {
  if (!enabled(prefs, 'sla_due')) return [];
  const out: Alert[] = [];
  for (const c of Object.values(conversations)) {
    if (!concerns('sla_due', me, c)) continue;
    const s = slaState(c.sla, c.status, now);
    if (s.msLeft === null || s.msLeft <= 0 || s.msLeft > DUE_SOON_MS || s.breached) continue;
    out.push(alert('sla_due', c, `sla:${c.id}:${s.clock}:${s.dueAt}`, { min: Math.max(1, Math.ceil(s.msLeft / 60_000)) }));
  }
  return out;
}

/** Where one unassigned P1/P2's reminders stand: when it was first seen and how many were raised. */
export interface Reminder {
  since: number;
  sent: number;
}

/**
 * The bounded reminder: each unassigned P1/P2 alerts again every `everySec` seconds after it was
 * first seen, at most `times` times; a conversation someone took (or that left the inbox) is dropped
 * from `track` at once, so its reminders stop. Mutates `track`; returns the reminders due now.
 *
 * @example reminderDue(track, state.conversations, me, prefs, Date.now())
 */
export function reminderDue(track: Map<string, Reminder>, conversations: Readonly<Record<string, AgentConversationView>>, me: Me, prefs: AlertPrefs, now: number): Alert[] {
  const out: Alert[] = [];
  for (const id of [...track.keys()]) {
    const c = conversations[id];
    if (!c || !concerns('urgent', me, c)) track.delete(id);
  }
  if (!enabled(prefs, 'urgent')) return out;
  const { everySec, times } = prefs.reminder;
  for (const c of Object.values(conversations)) {
    if (!concerns('urgent', me, c)) continue;
    let r = track.get(c.id);
    if (!r) track.set(c.id, (r = { since: now, sent: 0 }));
    if (r.sent >= times || now < r.since + (r.sent + 1) * everySec * 1000) continue;
    r.sent = Math.min(times, Math.floor((now - r.since) / (everySec * 1000)));
    out.push(alert('urgent', c, `remind:${c.id}:${r.sent}`, { n: r.sent }));
  }
  return out;
}
