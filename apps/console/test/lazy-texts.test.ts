import { missingKeys, type Catalog } from '@ajuda/i18n';
import adminEn from '@ajuda/i18n/console/admin-area-en';
import adminEs from '@ajuda/i18n/console/admin-area-es';
import adminPt from '@ajuda/i18n/console/admin-area-pt';
import alertsEn from '@ajuda/i18n/console/alerts-en';
import alertsEs from '@ajuda/i18n/console/alerts-es';
import alertsPt from '@ajuda/i18n/console/alerts-pt';
import attachEn from '@ajuda/i18n/console/attach-en';
import attachEs from '@ajuda/i18n/console/attach-es';
import attachPt from '@ajuda/i18n/console/attach-pt';
import articlesEn from '@ajuda/i18n/console/articles-en';
import articlesEs from '@ajuda/i18n/console/articles-es';
import articlesPt from '@ajuda/i18n/console/articles-pt';
import { describe, expect, it } from 'vitest';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('texts of the lazy chunks (the Admin area, the alert preferences, attachments) in pt, en and es (R11)', () => {
  for (const [name, set] of [
    ['admin area', { pt: adminPt, en: adminEn, es: adminEs }],
    ['alert preferences', { pt: alertsPt, en: alertsEn, es: alertsEs }],
    ['attachments', { pt: attachPt, en: attachEn, es: attachEs }],
    ['help-centre articles and the article picker', { pt: articlesPt, en: articlesEn, es: articlesEs }],
  ] as Array<[string, Record<'pt' | 'en' | 'es', Catalog>]>) {
    it(`${name}: the same keys, none empty, the same placeholders`, () => {
      for (const l of ['pt', 'es'] as const) {
        expect(missingKeys(set.en, set[l])).toEqual([]);
        expect(missingKeys(set[l], set.en)).toEqual([]);
        for (const k of Object.keys(set.en)) expect(placeholders(set[l][k]!), `${l} ${k}`).toEqual(placeholders(set.en[k]!));
      }
    });
  }
});
