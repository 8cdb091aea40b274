import type { ComponentChildren, ComponentType, FunctionComponent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Translate } from '@ajuda/i18n';
import { useApp } from './context.ts';

/**
 * A screen's heading. It takes focus when the screen appears while the panel is visible, so keyboard
 * and screen-reader users land inside the new screen.
 * @example <ScreenTitle>{t('home.title')}</ScreenTitle>
 */
export function ScreenTitle({ children, id }: { children: ComponentChildren; id?: string }) {
  const { state } = useApp();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (state.visible) ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h2 class="screen-title" id={id} tabIndex={-1} ref={ref} data-screen-title>
      {children}
    </h2>
  );
}

/**
 * Whether the browser says it has a network (`navigator.onLine`, `online`/`offline` events). A silent
 * drop is caught by the connection's heartbeat; this shows the loss at once when the browser knows.
 */
export function useNetworkOnline(): boolean {
  const [online, setOnline] = useState(() => typeof navigator === 'undefined' || navigator.onLine !== false);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine !== false);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    update();
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

/**
 * Loads a screen's chunk on first render (keeps the first screen small), and shows the screen once
 * both its code and the rest of the texts are there (they download in parallel).
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): FunctionComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let promise: Promise<ComponentType<P>> | null = null;
  return function Lazy(props: P) {
    const { t, texts } = useApp();
    const [, setTick] = useState(0);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      (promise ??= load()).then(
        (c) => {
          loaded = c;
          setTick((n) => n + 1);
        },
        () => {
          promise = null;
          setFailed(true);
        },
      );
    }, []);
    if (loaded && !texts) {
      const C = loaded;
      return <C {...props} />;
    }
    return (
      <p class="muted" role="status">
        {failed || texts === 'failed' ? t('error.unavailable') : t('common.loading')}
      </p>
    );
  };
}

/** The text of a field error: the server's or our own i18n key, falling back to a generic one. */
export function fieldErrorText(t: Translate, err: { code: string; i18nKey?: string }): string {
  for (const key of [err.i18nKey, `intake.error.${err.code}`]) {
    if (key && t(key) !== key) return t(key);
  }
  return t('intake.error.invalid');
}

/** The friendly text of any server error code (R7: never more detail than the code). */
export function errorText(t: Translate, err: { code: string; i18nKey?: string; retryAfter?: number }): string {
  if (err.code === 'rate_limited') return t('error.rate_limited.retry', { seconds: Math.max(1, Math.ceil(err.retryAfter ?? 5)) });
  for (const key of [err.i18nKey, `error.${err.code}`]) {
    if (key && t(key) !== key) return t(key);
  }
  return t('error.internal');
}

/**
 * A duration in words in the user's language, e.g. "15 minutes", "2 hours" (Intl does the grammar).
 * @example durationText('en', 15 * 60_000) // "15 minutes"
 */
export function durationText(locale: string, ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const [value, unit] =
    minutes < 60 ? [minutes, 'minute'] : minutes < 48 * 60 ? [Math.round(minutes / 60), 'hour'] : [Math.round(minutes / 1440), 'day'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

export function timeText(locale: string, iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = new Date().toDateString() === d.toDateString();
  return new Intl.DateTimeFormat(locale, sameDay ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}
