import type { Translate } from '@ajuda/i18n';
import { alertPrefsOr, DEFAULT_ALERT_PREFS, type AlertPrefs } from '@ajuda/protocol';
import type { ConsoleState, Store } from '../store.ts';
import { setUnseen } from './badge.ts';
import { channel, lead } from './leader.ts';
import { detect, dueSoon, reminderDue, type Alert, type Me, type Reminder } from './rules.ts';

type Msg = { t: 'alert'; a: Alert } | { t: 'seen' } | { t: 'prefs'; p: AlertPrefs };

/**
 * Alerts that are never missed, driven by the console's own state (rules.ts says which change alerts
 * whom). The leader tab (leader.ts) raises the desktop notification and the sound and tells the other
 * tabs, which count it on their title/favicon badge while nobody looks at them and announce it in
 * their live region — so sound is never the only signal. An unassigned P1/P2 is reminded about on a
 * bounded schedule until someone takes it. Preferences come from the server (`/api/agent/alerts`).
 *
 * @example const e = new AlertEngine(store, me, t, (id) => navigate(id)); e.start(); … e.stop();
 */
export class AlertEngine {
  prefs: AlertPrefs = DEFAULT_ALERT_PREFS;
  leader = false;
  /** The newest announcement, for the live region. */
  live = '';
  audio: AudioContext | null = null;
  private fired = new Set<string>();
  private track = new Map<string, Reminder>();
  private unseen = 0;
  private listeners = new Set<() => void>();
  private stops: Array<() => void> = [];
  private bc: ReturnType<typeof channel> | null = null;

  constructor(
    private readonly store: Store,
    private readonly me: Me,
    public t: Translate,
    private readonly open: (conversationId: string) => void,
  ) {}

  start(): void {
    const name = `ajuda-alerts:${this.me.id}`;
    this.bc = channel(name, (m) => this.receive(m as Msg));
    this.stops.push(() => this.bc?.close());
    this.stops.push(lead(name, (on) => {
      this.leader = on;
      this.changed();
    }));
    let prev: ConsoleState = this.store.get();
    this.stops.push(this.store.subscribe(() => {
      const next = this.store.get();
      const before = prev;
      prev = next;
      for (const a of detect(before, next, this.me, this.prefs)) this.raise(a);
    }));
    const timer = setInterval(() => this.tick(), 1000);
    this.stops.push(() => clearInterval(timer));
    const look = () => this.looked();
    const unlock = () => this.unlockAudio();
    document.addEventListener('visibilitychange', look);
    window.addEventListener('focus', look);
    // Browsers start audio only in a gesture: the first one on the page unlocks it after a reload.
    document.addEventListener('pointerdown', unlock, true);
    document.addEventListener('keydown', unlock, true);
    this.stops.push(() => {
      document.removeEventListener('visibilitychange', look);
      window.removeEventListener('focus', look);
      document.removeEventListener('pointerdown', unlock, true);
      document.removeEventListener('keydown', unlock, true);
    });
    void fetch('/api/agent/alerts', { credentials: 'same-origin', cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null))
      .then((b: { prefs?: unknown } | null) => b && this.setPrefs(alertPrefsOr(b.prefs), false))
      .catch(() => undefined);
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
    setUnseen(0);
  }

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  setPrefs(p: AlertPrefs, share = true): void {
    this.prefs = p;
    if (share) this.bc?.post({ t: 'prefs', p } satisfies Msg);
    this.changed();
  }

  /** Do the browser's permissions and autoplay rules still need the person's "Enable alerts" click? */
  get needsEnable(): boolean {
    const perm = typeof Notification === 'undefined' ? 'granted' : Notification.permission;
    return perm === 'default' || this.audio?.state !== 'running';
  }

  /** "Enable alerts": ask for notification permission and unlock audio, both in the click's gesture. */
  enable(): void {
    this.unlockAudio();
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission().then(() => this.changed());
    this.changed();
  }

  /** A sound now, for the preferences panel's "Play it". */
  test(p: AlertPrefs): void {
    this.unlockAudio();
    this.play(p);
  }

  private unlockAudio(): void {
    const AC = window.AudioContext ?? (window as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!AC) return;
    this.audio ??= new AC();
    if (this.audio.state !== 'running') void this.audio.resume().then(() => this.changed(), () => undefined);
  }

  /** The synthesiser is fetched with the first sound (a chunk of its own: the entry bundle stays small). */
  private play(p: AlertPrefs): void {
    const ctx = this.audio;
    if (ctx) void import('./sound.ts').then((m) => m.playSound(ctx, p.sound, p.volume));
  }

  private tick(): void {
    const s = this.store.get();
    if (!s.inboxLoaded) return;
    const now = Date.now();
    for (const a of [...dueSoon(s.conversations, this.me, this.prefs, now), ...reminderDue(this.track, s.conversations, this.me, this.prefs, now)]) this.raise(a);
  }

  private raise(a: Alert): void {
    if (this.fired.has(a.key)) return;
    this.fired.add(a.key);
    if (!this.leader) return;
    this.bc?.post({ t: 'alert', a } satisfies Msg);
    this.deliver(a, true);
  }

  private receive(m: Msg): void {
    if (m.t === 'alert') {
      this.fired.add(m.a.key);
      this.deliver(m.a, false);
    } else if (m.t === 'seen') this.count(0);
    else if (m.t === 'prefs') this.setPrefs(alertPrefsOr(m.p), false);
  }

  private deliver(a: Alert, loud: boolean): void {
    const ch = this.prefs.events[a.kind];
    const params = { who: a.who, priority: a.priority ?? '', min: a.min ?? 0, n: a.n ?? 0, max: this.prefs.reminder.times };
    const text = this.t(a.n ? 'alerts.reminder' : `alerts.${a.kind}`, params);
    // The same text again is still announced: a no-break space tells the two apart.
    this.live = text === this.live ? `${text}\u00a0` : text;
    if (ch.badge && !looking()) this.count(this.unseen + 1);
    if (loud && ch.desktop && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      try {
        const n = new Notification(text, { body: this.t('app.title'), tag: a.key });
        n.onclick = () => {
          window.focus();
          this.open(a.conversationId);
          n.close();
        };
      } catch {
        /* a browser that allows notifications only from a service worker: the other signals remain */
      }
    }
    if (loud && ch.sound) this.play(this.prefs);
    this.changed();
  }

  private looked(): void {
    if (!looking()) return;
    this.count(0);
    this.bc?.post({ t: 'seen' } satisfies Msg);
  }

  private count(n: number): void {
    this.unseen = n;
    setUnseen(n);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** Is the person looking at this tab? */
const looking = (): boolean => document.visibilityState === 'visible' && document.hasFocus();
