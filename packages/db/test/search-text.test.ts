import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fold, fts5Match, pgTsQuery, queryTerms } from '../src/search-text.ts';

describe('search text folding', () => {
  it('folds diacritics and case the same way for text and query', () => {
    expect(fold('Configuração')).toBe('configuracao');
    expect(fold('ÁRVORE Ñandú')).toBe('arvore nandu');
    expect(queryTerms('  configuracao  DO acesso? ')).toEqual(['configuracao', 'do', 'acesso']);
  });

  it('drops every FTS operator a person might type', () => {
    expect(queryTerms('"a" OR b* NEAR(c) ^d:e -f')).toEqual(['a', 'or', 'b', 'near', 'c', 'd', 'e', 'f']);
    expect(fts5Match(queryTerms('abc "x'))).toBe('"abc" "x"*');
    expect(pgTsQuery(queryTerms('abc x'))).toBe('abc & x:*');
    expect(fts5Match([])).toBeNull();
    expect(pgTsQuery([])).toBeNull();
  });

  it('terms hold only letters and digits for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
        for (const t of queryTerms(s)) expect(t).toMatch(/^[\p{L}\p{N}]{1,64}$/u);
        expect(queryTerms(s).length).toBeLessThanOrEqual(12);
      }),
    );
  });
});
