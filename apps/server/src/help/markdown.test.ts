import { describe, expect, it } from 'vitest';
import { renderArticle, snippet } from './markdown.ts';

describe('help-centre Markdown', () => {
  it('renders no raw HTML: tags in the source are text', () => {
    const { html } = renderArticle('Hi <script>alert(1)</script> <img src=x onerror="alert(1)"> <a href="javascript:alert(1)">x</a>');
    expect(html).not.toMatch(/<script|<img|<a /);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('links only to http, https and mailto, each with rel="noopener noreferrer"; any other scheme stays text', () => {
    const { html } = renderArticle(
      '[a](https://example.com/x) [b](http://example.com) [c](mailto:help@example.com) [d](javascript:alert(1)) [e](JaVaScRiPt:alert(1)) [f](data:text/html,<b>x) [g](vbscript:x) [h](/relative) [i](//evil.example) [j](&#106;avascript:alert(1))',
    );
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['https://example.com/x', 'http://example.com', 'mailto:help@example.com']);
    expect((html.match(/rel="noopener noreferrer"/g) ?? []).length).toBe(3);
    expect(html).not.toMatch(/href="(?!https?:|mailto:)/i);
  });

  it('an image is its alt text (nothing loads from elsewhere)', () => {
    expect(renderArticle('![the screen](https://example.com/x.png)').html).toBe('<p>the screen</p>\n');
  });

  it('keeps the plain text for search, and cuts snippets at a word', () => {
    const r = renderArticle('# Title\n\nSome **bold** and `code`.\n\n- one\n- two');
    expect(r.plain).toBe('Title. Some bold and code . one, two.'.replace(' .', '.'));
    // List items read apart; what already ends in punctuation keeps it.
    expect(renderArticle('Three languages:\n\n- Português\n- Inglês\n- Espanhol\n\nPick one!').plain).toBe('Three languages: Português, Inglês, Espanhol. Pick one!');
    expect(renderArticle('1. First step;\n2. Second step?\n\nDone').plain).toBe('First step; Second step? Done.');
    expect(snippet('word '.repeat(60), 20)).toBe('word word word word…');
  });
});
