import { translator, type Locale, type Translate } from '@ajuda/i18n';
import en from '@ajuda/i18n/email/en';
import es from '@ajuda/i18n/email/es';
import pt from '@ajuda/i18n/email/pt';
import type { ConversationRow, MessageRow } from '@ajuda/db';

/** The email catalogs (pt, en, es): what a requester reads in a mail. */
export const EMAIL_T: Record<Locale, Translate> = { pt: translator(pt, 'pt'), en: translator(en, 'en'), es: translator(es, 'es') };
export const EMAIL_CATALOGS = { pt, en, es };

export function langOf(l: string | null | undefined): Locale {
  return l === 'pt' || l === 'es' ? l : 'en';
}

/** A mail's content: plain text and the same as escaped HTML (never anything a person wrote as markup). */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text as HTML: every markup character escaped, line breaks kept. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}
const para = (s: string) => `<p>${escapeHtml(s).replace(/\r?\n/g, '<br>')}</p>`;

function when(iso: string, lang: Locale): string {
  const d = new Date(iso);
  return `${new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' }).format(d)} UTC`;
}

function who(m: MessageRow, t: Translate): string {
  if (m.sender === 'requester') return t('email.you');
  if (m.sender === 'system') return t('email.support');
  return m.senderName ? `${m.senderName} (${t('email.support')})` : t('email.support');
}

/** Where the email's link goes: the page with the widget, naming the conversation. */
export function conversationLink(base: string, id: string): string {
  const u = new URL(base);
  u.searchParams.set('ajuda_conversation', id);
  return u.toString();
}

/** Agents' messages the requester has not read, in one mail. */
export function notifyMail(c: ConversationRow, messages: readonly MessageRow[], link: string): MailContent {
  const lang = langOf(c.language);
  const t = EMAIL_T[lang];
  const intro = messages.length === 1 ? t('email.notify.intro.one', { id: c.id }) : t('email.notify.intro.many', { n: messages.length, id: c.id });
  const blocks = messages.map((m) => ({ head: `${who(m, t)} — ${when(m.createdAt, lang)}`, body: m.body }));
  const text = [
    intro,
    '',
    ...blocks.flatMap((b) => [b.head, b.body, '']),
    t('email.notify.reply'),
    t('email.notify.link', { url: link }),
    '',
    t('email.footer', { id: c.id }),
  ].join('\n');
  const html = [
    para(intro),
    ...blocks.map((b) => `<blockquote><p><strong>${escapeHtml(b.head)}</strong></p>${para(b.body)}</blockquote>`),
    para(t('email.notify.reply')),
    `<p><a href="${escapeHtml(link)}">${escapeHtml(t('email.link'))}</a></p>`,
    `<p><small>${escapeHtml(t('email.footer', { id: c.id }))}</small></p>`,
  ].join('\n');
  return { subject: t('email.notify.subject', { id: c.id }), text, html };
}

export function codeMail(code: string, lang: Locale, minutes: number): MailContent {
  const t = EMAIL_T[lang];
  const body = t('email.code.body', { code, minutes });
  return { subject: t('email.code.subject', { code }), text: body, html: para(body) };
}

/** The transcript as plain text (the `.txt` download and the transcript mail): notes never. */
export function transcriptText(c: ConversationRow, messages: readonly MessageRow[], at: string): string {
  const lang = langOf(c.language);
  const t = EMAIL_T[lang];
  const lines = [t('email.transcript.intro', { id: c.id, at: when(at, lang) }), ''];
  for (const m of messages) {
    if (m.kind === 'note') continue;
    lines.push(`[${when(m.createdAt, lang)}] ${who(m, t)}:`, m.body, '');
  }
  lines.push(t('email.footer', { id: c.id }));
  return lines.join('\n');
}

export function transcriptMail(c: ConversationRow, messages: readonly MessageRow[], at: string): MailContent {
  const t = EMAIL_T[langOf(c.language)];
  const text = transcriptText(c, messages, at);
  return { subject: t('email.transcript.subject', { id: c.id }), text, html: `<pre style="white-space:pre-wrap;font-family:inherit">${escapeHtml(text)}</pre>` };
}

/** A prepared answer (escalation by email, a reply to a closed conversation): text in, both parts out. */
export function answerMail(subject: string, text: string): MailContent {
  return { subject, text, html: text.split(/\n{2,}/).map(para).join('\n') };
}
