import { missingKeys, type Catalog } from '@ajuda/i18n';
import { ERRORS, IMPACT_OPTIONS, REQUEST_TYPES } from '@ajuda/protocol';
import { describe, expect, it } from 'vitest';
import { CATALOGS, missingSeen } from '../src/i18n.ts';
import { renderScreen, SCREENS } from './screens.tsx';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console texts in pt, en and es (R11)', () => {
  it('R11: the three catalogs have the same keys, none empty, with the same placeholders', () => {
    const pairs: Array<[Catalog, Catalog]> = [
      [CATALOGS.en, CATALOGS.pt],
      [CATALOGS.en, CATALOGS.es],
      [CATALOGS.pt, CATALOGS.en],
      [CATALOGS.es, CATALOGS.en],
    ];
    for (const [a, b] of pairs) expect(missingKeys(a, b)).toEqual([]);
    for (const key of Object.keys(CATALOGS.en)) {
      const ref = placeholders(CATALOGS.en[key]!);
      expect(placeholders(CATALOGS.pt[key]!), `pt ${key}`).toEqual(ref);
      expect(placeholders(CATALOGS.es[key]!), `es ${key}`).toEqual(ref);
    }
  });

  it('R11: every error code, request type, intake field and option of the protocol has a text', () => {
    const needed = new Set<string>(Object.values(ERRORS).map((e) => e.i18nKey));
    for (const rt of REQUEST_TYPES) {
      needed.add(`requestType.${rt.id}`);
      for (const f of rt.fields) {
        needed.add(f.labelKey);
        for (const o of f.options ?? []) needed.add(`intake.option.${f.id}.${o}`);
      }
    }
    for (const o of IMPACT_OPTIONS) needed.add(`intake.option.impact.${o}`);
    for (const loc of ['pt', 'en', 'es'] as const) expect([...needed].filter((k) => !(k in CATALOGS[loc])), loc).toEqual([]);
  });

  for (const locale of ['pt', 'en', 'es'] as const) {
    for (const screen of SCREENS) {
      it(`R11: the ${screen} screen renders in ${locale} with no missing key`, () => {
        missingSeen.clear();
        const { container, unmount } = renderScreen(screen, locale);
        try {
          expect(container.textContent!.length).toBeGreaterThan(20);
          expect([...missingSeen]).toEqual([]);
        } finally {
          unmount();
        }
      });
    }
  }

  it('the conversation screen really shows its localized texts', () => {
    const { container, unmount } = renderScreen('conversation', 'es');
    try {
      expect(container.textContent).toContain('Nota interna — no visible para el solicitante');
      expect(container.textContent).toContain('El cliente concedió acceso de escritura');
      expect(container.textContent).toContain('Respondió a la pregunta: sí');
    } finally {
      unmount();
    }
  });
});
