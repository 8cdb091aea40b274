import { useCallback, useState } from 'preact/hooks';
import { FrameError } from '../connection.ts';
import { useConsole } from '../context.ts';

/**
 * Run a socket request from a control and keep its busy flag and translated error.
 *
 * @example const [run, busy, error] = useAction(); run(() => conn.request({ type: 'conversation.resolve', conversationId }))
 */
export function useAction(): [(fn: () => Promise<unknown>, onDone?: () => void) => void, boolean, string | null] {
  const { t } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    (fn: () => Promise<unknown>, onDone?: () => void) => {
      setBusy(true);
      setError(null);
      fn().then(
        () => {
          setBusy(false);
          onDone?.();
        },
        (e: unknown) => {
          setBusy(false);
          setError(errorText(t, e));
        },
      );
    },
    [t],
  );
  return [run, busy, error];
}

export function errorText(t: (k: string, p?: Record<string, string | number>) => string, e: unknown): string {
  if (e instanceof FrameError) {
    const key = e.frame.i18nKey ?? `error.${e.frame.code}`;
    const text = t(key, e.frame.retryAfter ? { seconds: e.frame.retryAfter } : undefined);
    return text === key ? t('error.generic', { code: e.frame.code }) : text;
  }
  return t('error.generic', { code: 'client' });
}
