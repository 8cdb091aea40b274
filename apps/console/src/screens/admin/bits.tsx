import './texts.ts';
import type { Translate } from '@ajuda/i18n';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Link, Result } from './api.ts';
import { SecretBox } from './Secret.tsx';

/** A list loaded from the admin API, reloaded after each change. */
export function useLoad<T>(load: () => Promise<Result<T>>): { data: T | null; error: { code: string; detail: string } | null; reload(): Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<{ code: string; detail: string } | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    const r = await loadRef.current();
    if (r.ok) {
      setData(r.body);
      setError(null);
    } else setError({ code: r.code, detail: r.detail });
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

/** A refusal from the server, in the interface's language (the server's own detail kept beside it). */
export function problemText(t: Translate, e: { code: string; detail: string }): string {
  const known = ['bad_request', 'invalid_state', 'forbidden', 'not_found', 'auth_failed', 'network'];
  return known.includes(e.code) ? t(`admin.error.${e.code}`, { detail: e.detail }) : t('admin.error.other', { code: e.code });
}

export function Problem({ t, error, id }: { t: Translate; error: { code: string; detail: string } | null; id?: string }) {
  if (!error) return null;
  return (
    <p class="error" role="alert" id={id}>
      {problemText(t, error)}
    </p>
  );
}

/** Runs one change at a time: busy while it runs, its refusal kept for display. */
export function useChange() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; detail: string } | null>(null);
  /** The answer's body wrapped (`{ body }`, even when empty), or null when refused (the refusal is in `error`). */
  const run = useCallback(async <T,>(fn: () => Promise<Result<T>>): Promise<{ body: T } | null> => {
    setBusy(true);
    setError(null);
    try {
      const r = await fn();
      if (r.ok) return { body: r.body };
      setError({ code: r.code, detail: r.detail });
      return null;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** A one-time set-password link, shown once to the administrator, with a copy button. */
export function LinkBox({ t, text, link, onDone }: { t: Translate; text: string; link: Link; onDone(): void }) {
  return <SecretBox t={t} text={text} label={t('admin.agents.link.label')} secret={link.link} copyLabel={t('admin.copy')} onDone={onDone} />;
}
