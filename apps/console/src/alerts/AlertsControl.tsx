import { useEffect, useMemo, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { AlertEngine } from './engine.ts';

type Panel = (p: { engine: AlertEngine; onClose(): void }) => preact.JSX.Element;

/**
 * The header's alerts: the engine of this tab, "Enable alerts" while the browser still needs the
 * person's gesture, the "Alerts" button opening the preferences (a lazy chunk) and the live region
 * that announces every alert.
 */
export function AlertsControl() {
  const { store, me, t, navigate } = useConsole();
  const engine = useMemo(() => new AlertEngine(store, me, t, (id) => navigate({ view: 'inbox', conversationId: id })), [store, me.id]);
  engine.t = t;
  const [, render] = useState(0);
  const [Prefs, setPrefs] = useState<Panel | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const off = engine.subscribe(() => render((n) => n + 1));
    engine.start();
    return () => {
      off();
      engine.stop();
    };
  }, [engine]);
  const show = () => {
    setOpen(true);
    if (!Prefs) void import('./Prefs.tsx').then((m) => setPrefs(() => m.AlertPrefsPanel));
  };
  return (
    <>
      {engine.needsEnable ? (
        <button type="button" class="btn btn--small" style={{ whiteSpace: 'nowrap' }} onClick={() => engine.enable()}>
          {t('alerts.enable')}
        </button>
      ) : null}
      <button type="button" class="btn btn--small" aria-haspopup="dialog" onClick={show}>
        {t('alerts.open')}
      </button>
      {open && Prefs ? <Prefs engine={engine} onClose={() => setOpen(false)} /> : null}
      <div class="visually-hidden" role="status" aria-live="polite" data-alerts-live>
        {engine.live}
      </div>
    </>
  );
}
