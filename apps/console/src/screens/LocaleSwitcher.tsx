import { LOCALES, type Locale, type Translate } from '@ajuda/i18n';
import { LOCALE_NAMES } from '../i18n.ts';

/** Interface language switcher (R11); each option is named in its own language. */
export function LocaleSwitcher({ t, locale, setLocale }: { t: Translate; locale: Locale; setLocale(l: Locale): void }) {
  return (
    <label class="locale">
      <span class="visually-hidden">{t('locale.label')}</span>
      <select value={locale} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
