import { describe, expect, it } from 'vitest';
import { matchCanned, shortcutAt } from '../src/screens/admin/shortcuts.tsx';

const C = (language: 'pt' | 'en' | 'es', shortcut: string, title = shortcut) => ({ id: `${language}-${shortcut}`, language, shortcut, title, body: `${shortcut} body` });

describe('/shortcut in the composer', () => {
  it('finds the /query at the caret: at the start or after a space, shortcut characters only', () => {
    expect(shortcutAt('/he', 3)).toEqual({ start: 0, query: 'he' });
    expect(shortcutAt('Thanks! /lo', 11)).toEqual({ start: 8, query: 'lo' });
    expect(shortcutAt('Thanks! /', 9)).toEqual({ start: 8, query: '' });
    expect(shortcutAt('a\n/x', 4)).toEqual({ start: 2, query: 'x' });
    expect(shortcutAt('see http://x', 12)).toBeNull();
    expect(shortcutAt('and/or', 6)).toBeNull();
    expect(shortcutAt('/he llo', 7)).toBeNull();
    // Only what is before the caret counts.
    expect(shortcutAt('/hello world', 3)).toEqual({ start: 0, query: 'he' });
  });

  it("lists the conversation's language only: shortcuts starting with the query first, then titles containing it", () => {
    const list = [C('en', 'hello', 'Greeting'), C('en', 'logs', 'Ask for logs'), C('pt', 'hello', 'Saudação'), C('en', 'bye', 'Say hello-bye')];
    expect(matchCanned(list, 'en', 'he').map((c) => c.id)).toEqual(['en-hello', 'en-bye']);
    expect(matchCanned(list, 'pt', 'he').map((c) => c.id)).toEqual(['pt-hello']);
    expect(matchCanned(list, 'en', '').map((c) => c.id)).toEqual(['en-hello', 'en-logs', 'en-bye']);
    expect(matchCanned(list, 'es', '')).toEqual([]);
    expect(matchCanned(Array.from({ length: 20 }, (_, i) => C('en', `s${i}`)), 'en', 's')).toHaveLength(8);
  });
});
