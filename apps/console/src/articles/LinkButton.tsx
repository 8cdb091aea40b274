import type { Locale } from '@ajuda/i18n';
import { useState } from 'preact/hooks';
import { useConsole } from '../context.ts';

type PickerMod = typeof import('./Picker.tsx');

/**
 * The composer's "Insert article link" button: the article picker (Picker.tsx, with its texts) is a
 * lazy chunk fetched on the first press. The chosen article's link goes into the reply at the caret.
 */
export function ArticleLinkButton(p: { language: Locale; area: { current: HTMLTextAreaElement | null }; setValue(v: string): void; disabled: boolean }) {
  const { t } = useConsole();
  const [mod, setMod] = useState<PickerMod | null>(null);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        class="btn btn--small"
        aria-haspopup="dialog"
        disabled={p.disabled}
        onClick={() => void import('./Picker.tsx').then((m) => (setMod(() => m), setOpen(true)))}
      >
        {t('composer.articleLink')}
      </button>
      {mod && open ? <mod.ArticlePicker {...p} onClose={() => setOpen(false)} /> : null}
    </>
  );
}
