import type { Locale, Translate } from '@ajuda/i18n';
import type { AgentView } from '@ajuda/protocol';
import { useState } from 'preact/hooks';
import type { AgentApi } from '../api.ts';
import { LocaleSwitcher } from './LocaleSwitcher.tsx';

export interface SignInProps {
  api: AgentApi;
  t: Translate;
  locale: Locale;
  setLocale(l: Locale): void;
  onSignedIn(agent: AgentView): void;
  /** Why the previous session ended, if it did. */
  endedReason?: string | null;
}

/** Email and password sign-in; the session cookie is set by the server (HttpOnly). */
export function SignIn({ api, t, locale, setLocale, onSignedIn, endedReason }: SignInProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await api.login(email.trim(), password);
    setBusy(false);
    if (r.ok) {
      setPassword('');
      onSignedIn(r.agent);
      return;
    }
    if (r.reason === 'rate_limited') {
      setError(r.retryAfter ? t('signin.error.rateLimitedFor', { seconds: r.retryAfter }) : t('signin.error.rateLimited'));
    } else setError(t(`signin.error.${r.reason}`));
  };

  return (
    <main class="signin" id="main">
      <div class="signin-card">
        <div class="signin-head">
          <h1 class="brand">
            <span class="brand-mark" aria-hidden="true">?</span> {t('app.name')}
          </h1>
          <LocaleSwitcher t={t} locale={locale} setLocale={setLocale} />
        </div>
        <p class="muted">{t('signin.intro')}</p>
        {endedReason ? (
          <p class="notice" role="status">
            {t(`signin.ended.${endedReason}`)}
          </p>
        ) : null}
        <form onSubmit={submit} noValidate={false} aria-describedby={error ? 'signin-error' : undefined}>
          <label class="field">
            <span>{t('signin.email')}</span>
            <input
              type="email"
              name="email"
              autocomplete="username"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              aria-invalid={error ? 'true' : undefined}
            />
          </label>
          <label class="field">
            <span>{t('signin.password')}</span>
            <input
              type="password"
              name="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              aria-invalid={error ? 'true' : undefined}
            />
          </label>
          {error ? (
            <p id="signin-error" class="error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" class="btn btn--primary btn--block" disabled={busy}>
            {busy ? t('signin.submitting') : t('signin.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
