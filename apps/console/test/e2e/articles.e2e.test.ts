// The help centre's side of the console, as people use it, in Chromium against a whole stack on
// loopback: a lead writes an article whose Markdown carries a <script>, raw HTML and a javascript:
// link — the preview shows it inert — publishes it (a visitor's search finds it only when it is
// public), unpublishes and deletes it, on a laptop (1366×768) and on a phone (390×844, touch); an agent
// does not get the editor and puts an article's link into a reply with the keyboard alone; Reports
// shows the deflection rate. pt, en and es; axe-core clean on the editor, the picker and Reports;
// screenshots in test-output/journeys/articles-*/.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import type { Locale } from '@ajuda/i18n';
import articlesEn from '@ajuda/i18n/console/articles-en';
import articlesEs from '@ajuda/i18n/console/articles-es';
import articlesPt from '@ajuda/i18n/console/articles-pt';
import insightsEn from '@ajuda/i18n/console/insights-en';
import insightsEs from '@ajuda/i18n/console/insights-es';
import insightsPt from '@ajuda/i18n/console/insights-pt';
import { idem, requester, type TestClient } from '../../../server/test/client.ts';
import { axeReport, axeSerious } from '../../../../test/e2e/axe.ts';
import { reachAndClick, expectFullyVisible, journeyDir, pressKey, tabTo, reachAndType } from '../../../../test/e2e/person.ts';
import { C, env, exact, journey, person, signInConsole, useStack } from '../../../demo/test/e2e/journeys/kit.ts';

useStack({ AJUDA_LOGIN_PER_MINUTE: '600', AJUDA_HELP_PER_MINUTE: '600', AJUDA_STARTS_PER_MINUTE: '600' });

const A: Record<Locale, Record<string, string>> = { pt: articlesPt, en: articlesEn, es: articlesEs };
const I: Record<Locale, Record<string, string>> = { pt: insightsPt, en: insightsEn, es: insightsEs };

/** The console in `lang`, chosen as a person does with the language menu (an agent's own first language wins otherwise). */
async function useLanguage(page: Page, lang: Locale): Promise<void> {
  const menu = page.locator('.locale select');
  await menu.scrollIntoViewIfNeeded();
  await menu.selectOption(lang);
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(lang);
}

async function axeClean(page: Page, where: string): Promise<void> {
  const findings = await axeSerious(page);
  expect(findings, axeReport(where, findings)).toEqual([]);
}

/** What a visitor (no identity token) finds in the help centre's search. */
async function visitorFinds(locale: Locale, q: string): Promise<string[]> {
  const r = await fetch(`${env.stack.url}/api/help/search?${new URLSearchParams({ channel: 'website', locale, q })}`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { articles: Array<{ slug: string }> }).articles.map((a) => a.slug);
}

/** Dialogs a page opened (none may: the trap below records them and dismisses each). */
function trapDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return seen;
}

const HOSTILE = (word: string) =>
  [
    `Our **support hours** are ${word}.`,
    '',
    `<script>alert('script ${word}')</script>`,
    '',
    `<img src="x" onerror="alert('img ${word}')"> <b onclick="alert('b')">raw html</b>`,
    '',
    `[click me](javascript:alert('link ${word}')) and [the site](https://ajuda.example/)`,
  ].join('\n');

/** A lead writes, previews, publishes, unpublishes (and on the phone deletes) an article. */
async function authorJourney(name: string, opts: { lang: Locale; phone: boolean; audience: 'public' | 'authenticated' }) {
  const { lang } = opts;
  const a = A[lang];
  const lead = await person(name, { locale: lang === 'pt' ? 'pt-BR' : 'en-US', phone: opts.phone });
  const page = lead.page;
  const dialogs = trapDialogs(page);
  await signInConsole(page, 'lea@ajuda.local');
  await useLanguage(page, lang);
  await reachAndClick(page.getByRole('link', { name: exact(C[lang]['nav.articles']!) }));
  await page.getByRole('heading', { level: 2, name: exact(a['articles.title']!) }).waitFor();
  // The demo's FAQ is there, in the three languages.
  await page.locator('.articles-list a', { hasText: 'support-hours' }).first().waitFor();
  await axeClean(page, `${name}: the list`);
  await lead.shot('1-list');

  await reachAndClick(page.getByRole('link', { name: exact(a['articles.new']!) }));
  await page.getByRole('heading', { level: 2, name: exact(a['articles.create']!) }).waitFor();
  const word = `zebra${opts.phone ? 'phone' : 'laptop'}${lang}`;
  const slug = page.getByLabel(a['articles.f.slug']!);
  await reachAndType(slug, 'Bad Slug!');
  await page.locator('#article-language').selectOption(lang);
  await reachAndType(page.getByLabel(a['articles.f.title']!, { exact: true }), `Hours ${word}`);
  await reachAndClick(page.getByLabel(a['articles.f.body']!));
  await page.getByLabel(a['articles.f.body']!).fill(HOSTILE(word));
  await page.locator('#article-audience').selectOption(opts.audience);
  await reachAndClick(page.getByRole('button', { name: exact(a['articles.save']!) }));
  // The server's refusal, next to the slug, in the person's language; the field says it is invalid.
  const slugErr = page.locator('#article-slug-err');
  await expect.poll(() => slugErr.textContent()).toBe(a['articles.err.slug']);
  expect(await slug.getAttribute('aria-invalid')).toBe('true');
  expect(await slug.getAttribute('aria-describedby')).toBe('article-slug-err');
  await expectFullyVisible(slugErr, { scroll: true });
  await lead.shot('2-slug-refused');

  await slug.fill('');
  await reachAndType(slug, `hours-${word}`);
  // The preview: what the server renders, inert — the script is not there, the raw HTML is text, the javascript: link is no link.
  const preview = page.locator('[data-preview]');
  await expect.poll(() => preview.innerHTML()).toContain('<strong>support hours</strong>');
  expect(await preview.evaluate((el) => (el as HTMLElement).inert)).toBe(true);
  expect(await preview.locator('script, img, [onerror], [onclick]').count()).toBe(0);
  const hrefs = await preview.locator('a').evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
  expect(hrefs).toEqual(['https://ajuda.example/']);
  expect(await preview.textContent()).toContain('<script>');
  await preview.scrollIntoViewIfNeeded();
  await lead.shot('3-preview-inert');

  await reachAndClick(page.getByRole('button', { name: exact(a['articles.save']!) }));
  await page.getByRole('heading', { level: 2, name: exact(a['articles.edit']!.replace('{title}', `Hours ${word}`)) }).waitFor();
  expect(await visitorFinds(lang, word)).toEqual([]); // a draft
  await axeClean(page, `${name}: the editor`);

  await reachAndClick(page.getByRole('button', { name: exact(a['articles.publish']!) }));
  await expect.poll(() => page.locator('.article-form [role="status"]').textContent()).toBe(a['articles.published']);
  // A visitor finds it only when it is public.
  expect(await visitorFinds(lang, word)).toEqual(opts.audience === 'public' ? [`hours-${word}`] : []);
  const link = page.locator('[data-public-link]');
  if (opts.audience === 'public') {
    expect(await link.getAttribute('href')).toBe(`${env.stack.url}/help/${lang}/hours-${word}`);
    // The public page, as anyone opens it: the same inert text, no script, no image, no javascript: link.
    const pub = await lead.context.newPage();
    const pubDialogs = trapDialogs(pub);
    await pub.goto(`${env.stack.url}/help/${lang}/hours-${word}`);
    await pub.getByRole('heading', { level: 1, name: `Hours ${word}` }).waitFor();
    expect(await pub.locator('main script, main img, main [onerror], main [onclick]').count()).toBe(0);
    expect(await pub.locator('main a').evaluateAll((els) => els.map((e) => e.getAttribute('href')))).toEqual(['https://ajuda.example/']);
    expect(await pub.locator('main').textContent()).toContain(`<script>alert('script ${word}')</script>`);
    await pub.screenshot({ path: join(journeyDir(name), "4-public-page.png") });
    expect(pubDialogs).toEqual([]);
    await pub.close();
  } else {
    expect(await link.count()).toBe(0);
    expect((await fetch(`${env.stack.url}/help/${lang}/hours-${word}`)).status).toBe(404);
  }
  // The translations: the other two languages, each to be started from here.
  for (const other of (['pt', 'en', 'es'] as const).filter((l) => l !== lang))
    await page.getByRole('button', { name: exact(a['articles.translate']!.replace('{language}', a[`articles.lang.${other}`]!)) }).waitFor();
  await lead.shot('5-published');

  await reachAndClick(page.getByRole('button', { name: exact(a['articles.unpublish']!) }));
  await expect.poll(() => page.locator('.article-form [role="status"]').textContent()).toBe(a['articles.unpublished']);
  expect(await visitorFinds(lang, word)).toEqual([]);

  if (opts.phone) {
    // Delete asks first; Cancel keeps it, the second time it goes.
    await reachAndClick(page.getByRole('button', { name: exact(a['articles.delete']!) }));
    const cancel = page.getByRole('button', { name: exact(a['articles.cancel']!) });
    await expect.poll(() => cancel.evaluate((el) => el.matches(':focus'))).toBe(true);
    await expectFullyVisible(cancel, { scroll: true });
    await lead.shot('6-confirm-delete');
    await reachAndClick(page.getByRole('button', { name: exact(a['articles.confirmYes']!) }));
    await page.getByRole('heading', { level: 2, name: exact(a['articles.title']!) }).waitFor();
    await expect.poll(() => page.locator('main [role="status"]').first().textContent()).toBe(a['articles.deleted']);
    expect(await page.locator('.articles-list a', { hasText: `hours-${word}` }).count()).toBe(0);
    await lead.shot('7-deleted');
  }
  if (!opts.phone) {
    // Translations are one click away: the demo's "support-hours" in this language, then its Spanish version.
    await reachAndClick(page.getByRole('link', { name: exact(a['articles.back']!) }));
    await reachAndClick(page.locator('.articles-list a', { hasText: 'support-hours' }).filter({ has: page.locator(`.tag[lang="${lang}"]`) }));
    await page.locator('section[aria-labelledby="article-tr-h"]').waitFor();
    await reachAndClick(page.locator('section[aria-labelledby="article-tr-h"] a', { hasText: a['articles.lang.es']! }));
    await page.getByRole('heading', { level: 2, name: exact(a['articles.edit']!.replace('{title}', '¿Cuál es el horario de atención del Soporte?')) }).waitFor();
    expect(await page.locator('#article-slug').inputValue()).toBe('support-hours');
    expect(await page.locator('#article-language').inputValue()).toBe('es');
    await expect.poll(() => page.locator('[data-preview]').textContent()).toContain('El Soporte atiende');
    await lead.shot('6-translation');
  }
  expect(dialogs).toEqual([]);
  expect(lead.errors).toEqual([]);
  await lead.close();
}

describe('journey: help-centre articles in the console', () => {
  journey('a lead on a laptop (en) writes a public article with hostile Markdown: the preview is inert, a visitor finds it only while published', async () => {
    await authorJourney('articles-laptop', { lang: 'en', phone: false, audience: 'public' });
  });

  journey('a lead on a phone (pt, touch) writes an article for signed-in customers: a visitor never finds it; deleting asks first', async () => {
    await authorJourney('articles-phone', { lang: 'pt', phone: true, audience: 'authenticated' });
  });

  journey('an agent (es, keyboard only) has no editor and puts a help-centre link into a reply', async () => {
    const sockets: TestClient[] = [];
    const u = await requester(env.stack, { channel: 'platform', identityToken: await env.stack.signIdentity({ sub: 'u_es_articles', realm: 'acme', name: 'Lucía Pérez', email: 'lucia@acme.example', locale: 'es' }) }, env.stack.demoUrl);
    sockets.push(u);
    const started = await u.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: { question: '¿Atienden de noche?' } }, 'conversation.started');
    const id = started.conversation.id;
    const agent = await person('articles-agent', { locale: 'es-ES' });
    const page = agent.page;
    await signInConsole(page, 'joao@ajuda.local');
    await useLanguage(page, 'es');
    const a = A.es;
    // No editor for an agent: no link in the top bar, and the address itself says so.
    expect(await page.getByRole('link', { name: exact(C.es['nav.articles']!) }).count()).toBe(0);
    await page.goto(`${env.stack.url}/console/#/articles/new`);
    await page.getByText(a['articles.notForYou']!).waitFor();
    expect(await page.locator('form.article-form').count()).toBe(0);
    await page.goto(`${env.stack.url}/console/#/inbox`);
    await page.locator('.conn--ready').waitFor();

    // Opening the conversation is a click; from here on the keyboard alone.
    await reachAndClick(page.locator(`li[data-conversation-id="${id}"] button`));
    const box = page.locator(`#composer-${id}`);
    await tabTo(page, box, { max: 80 });
    await page.keyboard.type('Mira: ');
    const button = page.getByRole('button', { name: exact(C.es['composer.articleLink']!) });
    await tabTo(page, button, { max: 20, back: true });
    await pressKey(page, 'Enter', button);
    const combo = page.getByRole('combobox', { name: exact(a['picker.search']!) });
    await expect.poll(() => combo.evaluate((el) => el.matches(':focus'))).toBe(true);
    await page.keyboard.type('horario');
    const options = page.getByRole('listbox', { name: exact(a['picker.results']!) }).getByRole('option');
    await page.getByRole('option', { name: /ES · support-hours/ }).waitFor();
    // The conversation's language first: every Spanish article before any other.
    const langs = (await options.allTextContents()).map((t) => /(PT|EN|ES) · /.exec(t)?.[1]);
    expect(langs.indexOf('ES')).toBe(0);
    expect(langs.lastIndexOf('ES')).toBeLessThan(langs.findIndex((l) => l !== 'ES') === -1 ? langs.length : langs.findIndex((l) => l !== 'ES'));
    const active = async () => page.locator(`#${await combo.getAttribute('aria-activedescendant')}`).textContent();
    expect(await combo.getAttribute('aria-activedescendant')).toBe('picker-opt-0');
    // The arrows move the active option (announced through aria-activedescendant) to the one wanted.
    for (let n = 0; n < langs.length && !(await active())!.includes('ES · support-hours'); n++) await pressKey(page, 'ArrowDown', combo);
    const chosen = page.locator(`#${await combo.getAttribute('aria-activedescendant')}`);
    expect(await chosen.getAttribute('aria-selected')).toBe('true');
    await expectFullyVisible(chosen);
    await axeClean(page, 'the article picker');
    await agent.shot('1-picker');
    await pressKey(page, 'Enter', combo);
    // Back in the reply, the link where the caret was.
    const url = `${env.stack.url}/help/es/support-hours`;
    await expect.poll(() => box.inputValue()).toBe(`Mira: ¿Cuál es el horario de atención del Soporte? — ${url}`);
    await expect.poll(() => box.evaluate((el) => el.matches(':focus'))).toBe(true);
    await agent.shot('2-inserted');
    await pressKey(page, 'Enter', box);
    const got = await u.wait('message.created', (f) => f.message.kind === 'text' && f.message.sender.role === 'agent');
    expect(got.message.body).toContain(url);
    // The link opens for anyone.
    expect((await fetch(url)).status).toBe(200);
    expect(agent.errors).toEqual([]);
    await agent.close();
    for (const s of sockets) s.close();
  });

  journey('a lead (es) reads the deflection rate in Reports: answered ÷ (answered + continued)', async () => {
    for (const [event, n] of [['answered', 3], ['continued', 1]] as const)
      for (let i = 0; i < n; i++) {
        const r = await fetch(`${env.stack.url}/api/help/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'website', locale: 'es', event }) });
        expect(r.status).toBe(204);
      }
    await env.stack.app.ajuda.svc.store.drain();
    const lead = await person('articles-reports', { locale: 'es-ES' });
    const page = lead.page;
    await signInConsole(page, 'lea@ajuda.local');
    await useLanguage(page, 'es');
    await reachAndClick(page.getByRole('link', { name: exact(C.es['nav.reports']!) }));
    const i = I.es;
    await page.getByRole('heading', { level: 2, name: exact(i['reports.title']!) }).waitFor();
    const figure = page.locator('[data-figure="deflection"]');
    await expect.poll(() => figure.textContent()).toMatch(/^75\s?%$/);
    await figure.scrollIntoViewIfNeeded();
    await expectFullyVisible(figure);
    const row = page.locator('[data-table="deflection"] tbody tr', { has: page.getByRole('rowheader', { name: exact(i['insights.lang.es']!) }) });
    await expect.poll(() => row.locator('td').allTextContents()).toEqual([expect.any(String), expect.any(String), expect.any(String), '3', '1', expect.stringMatching(/^75\s?%$/)]);
    await row.scrollIntoViewIfNeeded();
    await axeClean(page, 'Reports with the deflection rate');
    await lead.shot('1-deflection');
    expect(lead.errors).toEqual([]);
    await lead.close();
  });
});
