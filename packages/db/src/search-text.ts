/**
 * Text folding shared by every full-text search in Ajuda (conversations, help-centre articles).
 *
 * A search for "configuracao" must find "configuração" and "ACESSO" must find "acesso", on both
 * backends. SQLite's FTS5 folds with its `unicode61 remove_diacritics 2` tokenizer; PostgreSQL has
 * no diacritic folding without the `unaccent` extension (which needs a superuser to install), so
 * the adapters store and query text passed through `fold()` and let PostgreSQL's `simple`
 * configuration only split words. The same function folds both sides, so they always agree.
 */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .toLowerCase();
}

/**
 * The words of a person's query, folded, without FTS operators: quotes, stars, colons, carets,
 * parentheses and the words AND/OR/NOT/NEAR can never change the meaning of a search.
 * At most `max` words of at most 64 characters each.
 */
export function queryTerms(query: string, max = 12): string[] {
  const words = fold(query).match(/[\p{L}\p{N}]+/gu) ?? [];
  const out: string[] = [];
  for (const w of words) {
    if (out.length >= max) break;
    out.push(w.slice(0, 64));
  }
  return out;
}

/**
 * An FTS5 MATCH expression for `terms`: every word must occur, the last one as a prefix (people
 * type the end of a word last). Each word is quoted, so nothing in it is an operator.
 * Returns null when there is nothing to search for.
 */
export function fts5Match(terms: string[], { prefixLast = true }: { prefixLast?: boolean } = {}): string | null {
  if (terms.length === 0) return null;
  return terms
    .map((t, i) => `"${t.replace(/"/g, '""')}"${prefixLast && i === terms.length - 1 ? '*' : ''}`)
    .join(' ');
}

/**
 * A PostgreSQL `to_tsquery('simple', …)` expression for `terms` (already folded, letters and
 * digits only, so no escaping is needed): every word, the last as a prefix.
 */
export function pgTsQuery(terms: string[], { prefixLast = true }: { prefixLast?: boolean } = {}): string | null {
  if (terms.length === 0) return null;
  return terms.map((t, i) => `${t}${prefixLast && i === terms.length - 1 ? ':*' : ''}`).join(' & ');
}
