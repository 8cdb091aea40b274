import en from '@ajuda/i18n/console/alerts-en';
import es from '@ajuda/i18n/console/alerts-es';
import pt from '@ajuda/i18n/console/alerts-pt';
import { ALERT_EVENTS, ALERT_SOUNDS, AlertPrefs, type AlertChannels, type AlertEvent } from '@ajuda/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { addTexts } from '../i18n.ts';
import type { AlertEngine } from './engine.ts';
import './alerts.css';

addTexts({ pt, en, es });

const CHANNELS: ReadonlyArray<keyof AlertChannels> = ['desktop', 'sound', 'badge'];

/**
 * The alert preferences (a modal dialog, in its own lazy chunk): per event the desktop notification,
 * the sound and the tab badge; the sound, its volume and "Play it"; the reminder of an unassigned
 * P1/P2. Saved on the server (`PUT /api/agent/alerts`); the engine and the agent's other tabs take
 * them at once.
 */
export function AlertPrefsPanel({ engine, onClose }: { engine: AlertEngine; onClose(): void }) {
  const { t } = useConsole();
  const [p, setP] = useState<AlertPrefs>(engine.prefs);
  const [status, setStatus] = useState<{ kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; detail: string }>({ kind: 'idle' });
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    return () => d?.close?.();
  }, []);
  const perm = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  const edit = (next: AlertPrefs) => {
    setP(next);
    if (status.kind !== 'saving') setStatus({ kind: 'idle' });
  };
  const setCh = (e: AlertEvent, c: keyof AlertChannels, on: boolean) => edit({ ...p, events: { ...p.events, [e]: { ...p.events[e], [c]: on } } });
  const num = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));

  const save = async (ev: Event) => {
    ev.preventDefault();
    const local = AlertPrefs.safeParse(p);
    if (!local.success) {
      // Name the fields a person sees, in their language (the only numbers one can type are the reminder's).
      const fields = new Set(local.error.issues.map((i) => (i.path.includes('times') ? t('alerts.reminder.times') : t('alerts.reminder.every'))));
      setStatus({ kind: 'error', detail: [...fields].join('; ') });
      return;
    }
    setStatus({ kind: 'saving' });
    try {
      const res = await fetch('/api/agent/alerts', {
        method: 'PUT',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(local.data),
      });
      const body = (await res.json().catch(() => null)) as { prefs?: AlertPrefs; detail?: string; code?: string } | null;
      if (!res.ok || !body?.prefs) {
        setStatus({ kind: 'error', detail: body?.detail ?? body?.code ?? String(res.status) });
        return;
      }
      engine.setPrefs(body.prefs);
      setStatus({ kind: 'saved' });
    } catch {
      setStatus({ kind: 'error', detail: t('error.offline') });
    }
  };

  return (
    <dialog
      ref={ref}
      class="alerts-dialog"
      aria-labelledby="alerts-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form class="alerts-form" noValidate onSubmit={save}>
        <h2 id="alerts-title">{t('alerts.title')}</h2>
        <p class="muted small">{t('alerts.intro')}</p>
        <p class="small alerts-perm">{t(`alerts.perm.${perm}`)}</p>
        <div class="alerts-events" role="group" aria-label={t('alerts.events')}>
          {ALERT_EVENTS.map((e) => (
            <fieldset key={e} class="alerts-event">
              <legend>{t(`alerts.ev.${e}`)}</legend>
              {CHANNELS.map((c) => (
                <label key={c} class="alerts-check">
                  <input type="checkbox" name={`${e}.${c}`} checked={p.events[e][c]} onChange={(x) => setCh(e, c, x.currentTarget.checked)} />
                  {t(`alerts.ch.${c}`)}
                </label>
              ))}
            </fieldset>
          ))}
        </div>
        <fieldset class="alerts-event">
          <legend>{t('alerts.sound')}</legend>
          <div class="alerts-row">
            <label class="alerts-field">
              {t('alerts.sound.which')}
              <select name="sound" value={p.sound} onChange={(x) => edit({ ...p, sound: x.currentTarget.value as AlertPrefs['sound'] })}>
                {ALERT_SOUNDS.map((s) => (
                  <option key={s} value={s}>
                    {t(`alerts.sound.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            <label class="alerts-field">
              {t('alerts.volume')} ({p.volume})
              <input type="range" name="volume" min={0} max={100} step={5} value={p.volume} onInput={(x) => edit({ ...p, volume: Number(x.currentTarget.value) })} />
            </label>
            <button type="button" class="btn btn--small" onClick={() => engine.test(p)}>
              {t('alerts.test')}
            </button>
          </div>
        </fieldset>
        <fieldset class="alerts-event">
          <legend>{t('alerts.reminder.title')}</legend>
          <div class="alerts-row">
            <label class="alerts-field">
              {t('alerts.reminder.every')}
              <input type="number" name="everySec" inputMode="numeric" min={5} max={3600} required aria-invalid={!AlertPrefs.shape.reminder.shape.everySec.safeParse(p.reminder.everySec).success} value={Number.isNaN(p.reminder.everySec) ? '' : p.reminder.everySec} onInput={(x) => edit({ ...p, reminder: { ...p.reminder, everySec: num(x.currentTarget.value) } })} />
            </label>
            <label class="alerts-field">
              {t('alerts.reminder.times')}
              <input type="number" name="times" inputMode="numeric" min={0} max={20} required aria-invalid={!AlertPrefs.shape.reminder.shape.times.safeParse(p.reminder.times).success} value={Number.isNaN(p.reminder.times) ? '' : p.reminder.times} onInput={(x) => edit({ ...p, reminder: { ...p.reminder, times: num(x.currentTarget.value) } })} />
            </label>
          </div>
        </fieldset>
        <div class="alerts-actions">
          <button type="submit" class="btn btn--primary" disabled={status.kind === 'saving'}>
            {status.kind === 'saving' ? t('alerts.saving') : t('alerts.save')}
          </button>
          <button type="button" class="btn" onClick={onClose}>
            {t('alerts.close')}
          </button>
          <span role="status" class="small">
            {status.kind === 'saved' ? t('alerts.saved') : ''}
          </span>
          {status.kind === 'error' ? (
            <p role="alert" class="alerts-error">
              {t('alerts.error', { detail: status.detail })}
            </p>
          ) : null}
        </div>
      </form>
    </dialog>
  );
}
