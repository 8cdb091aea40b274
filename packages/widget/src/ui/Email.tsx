import { useEffect, useState } from 'preact/hooks';
import { translator, type Catalog, type Locale, type Translate } from '@ajuda/i18n';
import { useApp } from './context.ts';
import { ScreenTitle, errorText } from './common.tsx';
import type { FrameOf, ServerFrame } from '@ajuda/protocol';
import './screens.css';

// This screen's texts come with it (its own chunk), in the language shown.
const TEXTS: Record<Locale, () => Promise<{ default: Catalog }>> = {
  pt: () => import('@ajuda/i18n/widget/email-pt'),
  en: () => import('@ajuda/i18n/widget/email-en'),
  es: () => import('@ajuda/i18n/widget/email-es'),
};

/** A conversation's email state (GET /api/email): the same fields as the protocol's `email.status`. */
type Status = Omit<FrameOf<ServerFrame, 'email.status'>, 'type' | 'ref'>;
type Result<T> = { ok: true; data: T } | { ok: false; code: string; retryAfter?: number };

/** One call to the email routes on this session's credential; a problem+json answer becomes its code. */
async function api<T>(auth: string, method: 'GET' | 'POST', path: string, body?: object): Promise<Result<T>> {
  try {
    const r = await fetch(path, {
      method,
      headers: { Authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (r.ok) return { ok: true, data: (r.headers.get('content-type')?.startsWith('text/plain') ? await r.text() : await r.json()) as T };
    const p = (await r.json().catch(() => ({}))) as { code?: unknown; retryAfter?: unknown };
    return { ok: false, code: typeof p.code === 'string' ? p.code : 'internal', ...(typeof p.retryAfter === 'number' ? { retryAfter: p.retryAfter } : {}) };
  } catch {
    return { ok: false, code: 'offline' };
  }
}

/**
 * "Email me the answer": the requester types an address, gets a code by email and types it back;
 * from then on agents' messages they have not read are emailed to them (an identity token's email
 * needs no code). Also the transcript, by email or as a `.txt` download.
 */
export function EmailScreen({ id, onBack }: { id: string; onBack: () => void }) {
  const { state, actions, t: base } = useApp();
  const [own, setOwn] = useState<Translate | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [address, setAddress] = useState('');
  const [code, setCode] = useState('');
  const [changing, setChanging] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void TEXTS[state.locale]().then((m) => live && setOwn(() => translator({ ...m.default }, state.locale)));
    return () => void (live = false);
  }, [state.locale]);
  const t: Translate = (key, params) => (own && own(key, params) !== key ? own(key, params) : base(key, params));

  const q = `conversationId=${encodeURIComponent(id)}`;
  const run = async <T,>(method: 'GET' | 'POST', path: string, body?: object): Promise<T | null> => {
    setBusy(true);
    setError(null);
    const res = await api<T>(actions.auth(), method, path, body);
    setBusy(false);
    if (!res.ok) {
      setError(errorText(t, res));
      return null;
    }
    return res.data;
  };
  const load = async (method: 'GET' | 'POST', path: string, body?: object) => {
    const st = await run<Status>(method, path, body);
    if (st) setStatus(st);
    return st;
  };
  useEffect(() => {
    void load('GET', `/api/email?${q}`);
  }, [id]);

  if (!own || (!status && !error)) {
    return (
      <p class="muted" role="status">
        {base('common.loading')}
      </p>
    );
  }

  const sendCode = async (e: Event) => {
    e.preventDefault();
    const a = address.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(a)) return setError(t('email.invalidAddress'));
    setCode('');
    setNote(null);
    if (await load('POST', '/api/email/address', { conversationId: id, address: a })) setChanging(false);
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) return setError(t('email.invalidCode'));
    const st = await load('POST', '/api/email/confirm', { conversationId: id, code: code.trim() });
    if (st?.problem) setError(t(`email.problem.${st.problem}`));
  };
  const mailTranscript = async () => {
    setNote(null);
    const r = await run<{ emailedTo: string }>('POST', '/api/email/transcript', { conversationId: id });
    if (r) setNote(t('email.transcript.sent', { address: r.emailedTo }));
  };
  const download = async () => {
    const text = await run<string>('GET', `/api/email/transcript?${q}`);
    if (text === null) return;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${id}.txt`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const s = status;
  const showAddressForm = s?.enabled && (s.state === 'none' || changing);
  const errorLine = error && (
    <p class="form-error" role="alert">
      {error}
    </p>
  );
  return (
    <section class="email-screen">
      <p>
        <button type="button" class="link-btn" onClick={onBack}>
          {t('email.back')}
        </button>
      </p>
      <ScreenTitle>{t('email.title')}</ScreenTitle>
      {s && !s.enabled ? (
        <p>{t('email.unavailable')}</p>
      ) : (
        <>
          <p class="muted">{t('email.intro')}</p>
          {s?.state === 'confirmed' && !changing && (
            <p role="status" class="email-confirmed">
              {t('email.confirmed', { address: s.address ?? '' })}
            </p>
          )}
          {showAddressForm && (
            <form class="form" noValidate onSubmit={sendCode}>
              <div class="field">
                <label for="email-address">{t('email.address')}</label>
                <input id="email-address" type="email" autoComplete="email" inputMode="email" value={address} onInput={(e) => (setAddress((e.currentTarget as HTMLInputElement).value), setError(null))} />
              </div>
              {errorLine}
              <button type="submit" class="primary" disabled={busy}>
                {t('email.sendCode')}
              </button>
            </form>
          )}
          {s?.state === 'pending' && !changing && (
            <form class="form" noValidate onSubmit={confirm}>
              <p role="status">{t('email.codeSent', { address: s.address ?? '' })}</p>
              <div class="field">
                <label for="email-code">{t('email.code')}</label>
                <input
                  id="email-code"
                  type="text"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={6}
                  value={code}
                  onInput={(e) => (setCode((e.currentTarget as HTMLInputElement).value), setError(null))}
                />
              </div>
              {errorLine}
              <div class="actions">
                <button type="submit" class="primary" disabled={busy}>
                  {t('email.confirm')}
                </button>
                <button type="button" class="secondary" onClick={() => (setChanging(true), setError(null))}>
                  {t('email.other')}
                </button>
              </div>
            </form>
          )}
          {s?.state === 'confirmed' && !changing && (
            <p>
              <button type="button" class="link-btn" onClick={() => (setChanging(true), setAddress(''), setError(null))}>
                {t('email.other')}
              </button>
            </p>
          )}
          {!showAddressForm && s?.state !== 'pending' && errorLine}
        </>
      )}
      <h3 class="section-title">{t('email.transcript')}</h3>
      {s?.state !== 'confirmed' && s?.enabled && <p class="muted">{t('email.transcript.needAddress')}</p>}
      <div class="actions">
        {s?.state === 'confirmed' && (
          <button type="button" class="secondary" disabled={busy} onClick={mailTranscript}>
            {t('email.transcript.mail')}
          </button>
        )}
        <button type="button" class="secondary" disabled={busy} onClick={download}>
          {t('email.transcript.download')}
        </button>
      </div>
      {note && <p role="status">{note}</p>}
      {!s && errorLine}
    </section>
  );
}
