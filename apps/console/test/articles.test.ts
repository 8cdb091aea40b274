import { describe, expect, it } from 'vitest';
import { fieldsOf } from '../src/articles/Articles.tsx';
import { insertAt, insertion } from '../src/articles/Picker.tsx';

describe('the article picker', () => {
  it('puts the text at the caret (or over the selection), spaced from the words around it, and says where the caret goes', () => {
    expect(insertAt('', 0, 0, 'LINK')).toEqual({ value: 'LINK', caret: 4 });
    expect(insertAt('See: ', 5, 5, 'LINK')).toEqual({ value: 'See: LINK', caret: 9 });
    expect(insertAt('Seethis', 3, 3, 'LINK')).toEqual({ value: 'See LINK this', caret: 9 });
    expect(insertAt('a OLD b', 2, 5, 'NEW')).toEqual({ value: 'a NEW b', caret: 5 });
  });

  it('a public article is its public link; another is named, in the conversation’s language, without a link', () => {
    const pub = { audience: 'public' as const, title: 'Horário', url: 'https://x.example/help/pt/horario' };
    expect(insertion('pt', pub)).toBe('Horário — https://x.example/help/pt/horario');
    for (const l of ['pt', 'en', 'es'] as const) {
      const text = insertion(l, { audience: 'contract', title: 'Acesso', url: 'https://x.example/help/pt/acesso' });
      expect(text).toContain('Acesso');
      expect(text).not.toContain('https://');
    }
    expect(insertion('es', { audience: 'authenticated', title: 'T', url: '' })).toContain('centro de ayuda');
  });
});

describe('the editor', () => {
  it('reads which fields a bad_request names from the server’s zod report', () => {
    expect(fieldsOf('✖ lowercase letters, digits and single hyphens (e.g. support-hours)\n  → at slug')).toEqual(['slug']);
    expect(fieldsOf('✖ Too small\n  → at title\n✖ Too big\n  → at tags[0]')).toEqual(['title', 'tags']);
    expect(fieldsOf('✖ Unrecognized key: "x"')).toEqual([]);
    expect(fieldsOf('✖ bad\n  → at position')).toEqual([]);
  });
});
