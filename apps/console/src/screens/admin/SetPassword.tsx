import type { Locale, Translate } from '@ajuda/i18n';
import { useEffect, useState } from 'preact/hooks';
import { LocaleSwitcher } from '../LocaleSwitcher.tsx';
import { call } from './api.ts';

type Phase = { kind: 'checking' } | { kind: 'invalid' } | { kind: 'ready'; name: string; email: string; purpose: 'invite' | 'reset' } | { kind: 'done' };

/** Choose a password from a one-time link (an invitation or a reset), then go to sign in. */
export function SetPassword({ token, t, locale, setLocale, onDone }: { token: string; t: Translate; locale: Locale; setLocale(l: Locale): void; onDone(): void }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });
  const [pw, setPw] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    call<{ name: string; email: string; purpose: 'invite' | 'reset' }>('POST', '/api/agent/invite', { token }).then((r) => {
      if (live) setPhase(r.ok ? { kind: 'ready', ...r.body } : { kind: 'invalid' });
    });
    return () => {
      live = false;
    };
  }, [token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if ([...pw].length < 12) return setError(t('setpw.short'));
    if (pw !== again) return setError(t('setpw.mismatch'));
    setBusy(true);
    setError(null);
    const r = await call('POST', '/api/agent/password', { token, password: pw });
    setBusy(false);
    if (r.ok) {
      setPw('');
      setAgain('');
      setPhase({ kind: 'done' });
    } else if (r.code === 'not_found') setPhase({ kind: 'invalid' });
    else setError(r.code === 'bad_request' ? `${t('setpw.short')} ${r.detail}` : t('admin.error.other', { code: r.code }));
  };

  return (
    <main class="signin" id="main">
      <div class="signin-card">
        <div class="signin-head">
          <h1 class="brand">
            <span class="brand-mark" aria-hidden="true">?</span> {t('setpw.title')}
          </h1>
          <LocaleSwitcher t={t} locale={locale} setLocale={setLocale} />
        </div>
        {phase.kind === 'checking' ? (
          <p class="muted" role="status">
            {t('setpw.checking')}
          </p>
        ) : phase.kind === 'invalid' ? (
          <>
            <p class="error" role="alert">
              {t('setpw.invalid')}
            </p>
            <button type="button" class="btn btn--block" onClick={onDone}>
              {t('setpw.signIn')}
            </button>
          </>
        ) : phase.kind === 'done' ? (
          <>
            <p class="notice" role="status">
              {t('setpw.done')}
            </p>
            <button type="button" class="btn btn--primary btn--block" onClick={onDone}>
              {t('setpw.signIn')}
            </button>
          </>
        ) : (
          <form onSubmit={submit} aria-describedby="setpw-intro">
            <p id="setpw-intro" class="muted">
              {phase.purpose === 'invite' ? t('setpw.invite', { name: phase.name, email: phase.email }) : t('setpw.reset', { email: phase.email })}
            </p>
            {/* For password managers: the account this password belongs to. */}
            <input type="email" name="username" autocomplete="username" value={phase.email} readOnly hidden />
            <label class="field">
              <span>{t('setpw.password')}</span>
              <input type="password" autocomplete="new-password" required minLength={12} maxLength={200} value={pw} onInput={(e) => setPw(e.currentTarget.value)} aria-describedby="setpw-hint" aria-invalid={error ? 'true' : undefined} />
            </label>
            <p id="setpw-hint" class="muted small">
              {t('setpw.hint')}
            </p>
            <label class="field">
              <span>{t('setpw.again')}</span>
              <input type="password" autocomplete="new-password" required maxLength={200} value={again} onInput={(e) => setAgain(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} />
            </label>
            {error ? (
              <p class="error" role="alert">
                {error}
              </p>
            ) : null}
            <button type="submit" class="btn btn--primary btn--block" disabled={busy}>
              {busy ? t('setpw.saving') : t('setpw.submit')}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
