import './texts.ts';
import type { Translate } from '@ajuda/i18n';
import { useEffect, useRef, useState } from 'preact/hooks';

/** A secret (an API token, a webhook signing secret, a set-password link) shown once to the administrator, with a copy button. */
export function SecretBox({ t, text, label, secret, copyLabel, onDone }: { t: Translate; text: string; label: string; secret: string; copyLabel?: string; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setCopied(false);
    input.current?.focus();
    input.current?.select();
  }, [secret]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      input.current?.select();
    }
  };
  return (
    <div class="admin-link" role="status">
      <p>{text}</p>
      <label class="field">
        <span>{label}</span>
        <input ref={input} readOnly spellcheck={false} autocomplete="off" value={secret} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div class="row-actions">
        <button type="button" class="btn btn--primary btn--small" onClick={copy}>
          {copied ? t('admin.copied') : (copyLabel ?? t('admin.copySecret'))}
        </button>
        <button type="button" class="btn btn--small" onClick={onDone}>
          {t('common.dismiss')}
        </button>
      </div>
    </div>
  );
}

export const toggle = (list: string[], x: string, on: boolean) => (on ? [...new Set([...list, x])] : list.filter((y) => y !== x));
