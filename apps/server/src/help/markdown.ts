import MarkdownIt from 'markdown-it';

/**
 * Help-centre Markdown → sanitised HTML, on the server (the widget only shows the fragment).
 *
 * - No raw HTML: `html: false`, so `<script>`, `<img onerror>` and every other tag in the source is
 *   text, escaped.
 * - Links: only `http:`, `https:` and `mailto:` hrefs (a `javascript:`, `data:` or `vbscript:` link, a
 *   relative one or a protocol-relative one stays text); each opens in a new tab with
 *   `rel="noopener noreferrer"`.
 * - No images (they would load from anywhere into the widget): an image is its alt text.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
// An image is its alt text, escaped.
md.renderer.rules.image = (tokens, idx) => md.utils.escapeHtml(tokens[idx]!.content);

const SAFE_HREF = /^(https?:\/\/[^\s/]|mailto:[^\s])/i;
md.validateLink = (url: string) => SAFE_HREF.test(url.trim());

const linkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const t = tokens[idx]!;
  t.attrSet('rel', 'noopener noreferrer');
  t.attrSet('target', '_blank');
  return linkOpen(tokens, idx, options, env, self);
};

export interface RenderedArticle {
  html: string;
  /** The text a person reads, for search and snippets. */
  plain: string;
}

/**
 * @example renderArticle('See [the docs](https://example.com)').html
 *   // '<p>See <a href="https://example.com" rel="noopener noreferrer" target="_blank">the docs</a></p>\n'
 */
export function renderArticle(markdown: string): RenderedArticle {
  const env = {};
  const tokens = md.parse(markdown, env);
  const html = md.renderer.render(tokens, md.options, env);
  // Blocks stay apart in the plain text (a snippet reads "Português, Inglês, Espanhol." rather than
  // "Português Inglês Espanhol"): a list item ends with a comma, a list, heading or paragraph with a full stop,
  // unless it already ends with punctuation.
  let text = '';
  const close = (mark: string) => {
    text = text.trimEnd();
    if (!text) return;
    if (!/[.!?:;,…]$/.test(text)) text += mark;
    else if (mark === '.' && text.endsWith(',')) text = `${text.slice(0, -1)}.`;
    text += ' ';
  };
  let listDepth = 0;
  for (const t of tokens) {
    if (t.type === 'bullet_list_open' || t.type === 'ordered_list_open') listDepth++;
    else if (t.type === 'bullet_list_close' || t.type === 'ordered_list_close') {
      listDepth--;
      if (!listDepth) close('.');
    } else if (t.type === 'inline') {
      for (const c of t.children ?? []) if (c.type === 'text' || c.type === 'code_inline') text += c.content;
      else if (c.type === 'softbreak' || c.type === 'hardbreak') text += ' ';
      text += ' ';
    } else if (t.type === 'paragraph_close' || t.type === 'heading_close') close(listDepth ? ',' : '.');
    else if (t.type === 'code_block' || t.type === 'fence') text += `${t.content} `;
  }
  return { html, plain: text.replace(/\s+/g, ' ').trim() };
}

/** The first words of `plain`, cut at a word boundary (a snippet under a search result). */
export function snippet(plain: string, max = 140): string {
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max);
  const i = cut.lastIndexOf(' ');
  return `${(i > max / 2 ? cut.slice(0, i) : cut).replace(/[\s,.;:–-]+$/, '')}…`;
}
