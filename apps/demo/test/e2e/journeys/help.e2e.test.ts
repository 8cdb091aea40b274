// The help centre in the widget, as people use it: a question typed into the intake description brings
// suggestions (in view, on each demo page, phone and laptop, pt/en/es); "This answered it" ends without a
// conversation and is counted as answered; "I still need help" returns to the form with the text kept and
// the conversation starts with it. Home search folds accents; an article with <script>, raw HTML and a
// javascript: link is inert; Ajuda('showArticle', slug) from the host page opens it, and a contract-only
// article on the login page is "not found". axe-core on home with results and on the article view; one
// run by keyboard only.
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import helpEn from '../../../../../packages/i18n/src/widget/help-en.ts';
import helpEs from '../../../../../packages/i18n/src/widget/help-es.ts';
import helpPt from '../../../../../packages/i18n/src/widget/help-pt.ts';
import { axeReport, axeSerious } from '../../../../../test/e2e/axe.ts';
import { clickAsPerson, expectFullyVisible, pressKey, tabTo, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { W, env, exact, journey, launcher, openWidget, person, requestCard, useStack, widget, widgetFrame, widgetLog } from './kit.ts';

useStack();

const H: Record<Locale, Record<string, string>> = { pt: helpPt, en: helpEn, es: helpEs };

/** A lead's console session (cookie) for the articles' API. */
async function leadCookie(): Promise<string> {
  const r = await fetch(`${env.stack.url}/api/agent/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'lea@ajuda.local', password: 'ajuda-demo' }),
  });
  expect(r.status).toBe(200);
  return r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

type Totals = { searches: number; suggested: number; opened: number; answered: number; continued: number };
async function stats(cookie: string): Promise<Totals> {
  const r = await fetch(`${env.stack.url}/api/agent/articles/stats?days=1`, { headers: { cookie } });
  expect(r.status).toBe(200);
  return ((await r.json()) as { total: Totals }).total;
}

/** How many conversations there are (the console's search with no words, as a lead; the journeys of this file run one after another). */
async function conversationCount(cookie: string): Promise<number> {
  const r = await fetch(`${env.stack.url}/api/agent/search?limit=100`, { headers: { cookie } });
  expect(r.status).toBe(200);
  return ((await r.json()) as { results: unknown[] }).results.length;
}

/** The widget in `locale`, picked in its language menu as a person does. */
async function useLanguage(page: Page, locale: Locale) {
  const frame = widget(page);
  const select = frame.locator('.lang select');
  await select.selectOption(locale);
  await expect.poll(() => widgetFrame(page).evaluate(() => document.documentElement.lang)).toBe(locale);
}

/** A question about opening hours, in each language, with a word of its own to find the conversation by. */
const QUESTION: Record<Locale, (marker: string) => string> = {
  pt: (m) => `Qual o horario de atendimento do suporte? ${m}`,
  en: (m) => `When is support available at night? ${m}`,
  es: (m) => `Cual es el horario de atencion del soporte? ${m}`,
};

const PAGES = [
  { path: '/platform', name: 'platform' },
  { path: '/login', name: 'login' },
  { path: '/site', name: 'site' },
] as const;

const RUNS: Array<{ page: (typeof PAGES)[number]; size: 'phone' | 'laptop'; locale: Locale; ends: 'answered' | 'continued' }> = [
  { page: PAGES[0], size: 'laptop', locale: 'pt', ends: 'answered' },
  { page: PAGES[0], size: 'phone', locale: 'en', ends: 'continued' },
  { page: PAGES[1], size: 'phone', locale: 'es', ends: 'answered' },
  { page: PAGES[1], size: 'laptop', locale: 'pt', ends: 'continued' },
  { page: PAGES[2], size: 'phone', locale: 'en', ends: 'answered' },
  { page: PAGES[2], size: 'laptop', locale: 'es', ends: 'continued' },
];

describe('journey: the help centre in the widget', () => {
  for (const run of RUNS) {
    journey(`${run.page.name}, ${run.size}, ${run.locale}: a suggestion under the description → "${run.ends === 'answered' ? 'This answered it' : 'I still need help'}"`, async () => {
      const cookie = await leadCookie();
      const w = W[run.locale];
      const h = H[run.locale];
      const p = await person('help', { phone: run.size === 'phone', locale: run.locale });
      const page = p.page;
      // What the help centre answered, said if a suggestion never comes.
      const calls: string[] = [];
      page.on('response', (res) => void (res.url().includes('/api/help/') && calls.push(`${res.status()} ${res.url().replace(/^.*\/api\/help\//, '')}`)));
      const frame = await openWidget(page, run.page.path);
      await useLanguage(page, run.locale);
      const before = await stats(cookie);
      const conversations = await conversationCount(cookie);
      const marker = `zq${Date.now().toString(36)}`;
      const question = QUESTION[run.locale](marker);

      await clickAsPerson(requestCard(frame, w, 'general_question'));
      await typeAsPerson(frame.locator('#f-question'), question);
      // A few words and a pause: the top suggestions appear under the description, in view.
      const suggestion = frame.locator('.help-suggest button[data-article="support-hours"]');
      await suggestion.waitFor().catch((e: Error) => {
        throw new Error(`${e.message}\nthe help centre answered: ${calls.join(' | ')}`);
      });
      await expectFullyVisible(suggestion);
      expect(await frame.locator('.help-suggest [aria-live="polite"]').textContent()).toMatch(/\d/);
      await p.shot(`${run.page.name}-${run.size}-${run.locale}-suggested`);
      await clickAsPerson(suggestion);
      const answered = frame.getByRole('button', { name: exact(h['help.answered']!) });
      await answered.waitFor();
      await expect.poll(() => frame.locator('.help-body').innerText()).toMatch(/24/);

      if (run.ends === 'answered') {
        await clickAsPerson(answered);
        await frame.getByText(h['help.thanks']!).waitFor();
        await p.shot(`${run.page.name}-${run.size}-${run.locale}-answered`);
        await expect.poll(() => stats(cookie).then((s) => s.answered - before.answered)).toBe(1);
        expect(await conversationCount(cookie)).toBe(conversations);
        // Back home: still no conversation of this person's.
        await clickAsPerson(frame.getByRole('button', { name: exact(h['help.home']!) }));
        await frame.getByText(exact(w['home.noConversations']!)).waitFor();
        expect(await conversationCount(cookie)).toBe(conversations);
      } else {
        await clickAsPerson(frame.getByRole('button', { name: exact(h['help.needHelp']!) }));
        // Back in the form, the question as it was typed.
        await expect.poll(() => frame.locator('#f-question').inputValue()).toBe(question);
        await expect.poll(() => stats(cookie).then((s) => s.continued - before.continued)).toBe(1);
        await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
        await frame.locator('.conv-id code').first().waitFor();
        await expect.poll(() => conversationCount(cookie)).toBe(conversations + 1);
        // It starts with the question as it was typed.
        await widgetLog(page).getByText(marker).waitFor();
        expect((await widgetLog(page).locator('.msg-requester').first().innerText()).replace(/\s+/g, ' ')).toContain(question);
        await p.shot(`${run.page.name}-${run.size}-${run.locale}-continued`);
      }
      expect(p.errors).toEqual([]);
      await p.close();
    });
  }

  journey('home search folds accents ("horario" finds "horário"), by keyboard only; axe clean on the results and the article', async () => {
    const p = await person('help', { locale: 'pt-BR' });
    const page = p.page;
    const found: string[] = [];
    const check = async (screen: string) => {
      const f = await axeSerious(widgetFrame(page));
      if (f.length) found.push(axeReport(`widget ${screen}`, f));
    };
    await page.goto(`${env.stack.demoUrl}/site`);
    await tabTo(page, launcher(page));
    await pressKey(page, 'Enter', launcher(page));
    const frame = widget(page);
    await frame.locator('[data-screen-title]').first().waitFor();
    await useLanguage(page, 'pt');
    // Below what a visitor may ask: the answers most useful on this channel (a person scrolls down to them).
    const popular = frame.locator('.help-popular');
    await popular.locator('button[data-article="support-hours"]').waitFor();
    await popular.locator('h3').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await p.shot('home-articles');
    const search = frame.getByLabel(exact(H.pt['help.search']!));
    await tabTo(page, search);
    await typeAsPerson(search, 'horario', { keyboard: true });
    await pressKey(page, 'Enter', search);
    const result = frame.locator('.help-results button[data-article="support-hours"]');
    await result.waitFor();
    expect(await result.innerText()).toContain('horário');
    await check('home with results');
    await p.shot('search-results');
    await tabTo(page, result);
    await pressKey(page, 'Enter', result);
    const answered = frame.getByRole('button', { name: exact(H.pt['help.answered']!) });
    await answered.waitFor();
    await check('article');
    await p.shot('article');
    await tabTo(page, answered);
    await pressKey(page, 'Enter', answered);
    await frame.getByText(H.pt['help.thanks']!).waitFor();
    expect(found, found.join('\n')).toEqual([]);
    expect(p.errors).toEqual([]);
    await p.close();
  });

  journey('Markdown with <script>, raw HTML and a javascript: link renders inert; Ajuda("showArticle") opens it from the host page', async () => {
    const cookie = await leadCookie();
    const r = await fetch(`${env.stack.url}/api/agent/articles`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        slug: 'inert-check',
        language: 'en',
        title: 'Inert check',
        status: 'published',
        body: [
          'Before <script>window.parent.__pwned = 1; alert(1)</script> after.',
          '',
          '<img src=x onerror="alert(2)"> <b onclick="alert(3)">bold</b>',
          '',
          '[click me](javascript:alert(4)) and [the docs](https://example.com/docs)',
        ].join('\n'),
      }),
    });
    expect(r.status).toBe(201);

    const p = await person('help', { phone: true, locale: 'en-US' });
    const page = p.page;
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${env.stack.demoUrl}/site`);
    await page.waitForFunction(() => typeof (window as unknown as { Ajuda?: unknown }).Ajuda === 'function');
    await page.evaluate(() => (window as unknown as { Ajuda: (c: string, a: string) => void }).Ajuda('showArticle', 'inert-check'));
    const frame = widget(page);
    const body = frame.locator('.help-body');
    await expect.poll(() => body.innerText()).toContain('the docs');
    const title = frame.locator('[data-screen-title]').first();
    await expectFullyVisible(title);
    expect((await title.innerText()).trim()).toBe('Inert check');
    const f = widgetFrame(page);
    const seen = await f.evaluate(() => {
      const b = document.querySelector('.help-body')!;
      return {
        scripts: b.querySelectorAll('script, img, iframe, object, embed, [onclick], [onerror]').length,
        hrefs: [...b.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.getAttribute('rel'), a.getAttribute('target')]),
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      };
    });
    expect(seen.scripts).toBe(0);
    expect(seen.hrefs).toEqual([['https://example.com/docs', 'noopener noreferrer', '_blank']]);
    expect(seen.pwned).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null)).toBeNull();
    // The source shows as text, never as a live element.
    expect(await body.innerText()).toContain('<script>');
    expect(dialogs).toEqual([]);
    await p.shot('inert-article');
    expect(p.errors).toEqual([]);
    await p.close();
  });

  journey('Ajuda("showArticle") of a contract-only article on the login page says "not found", as a missing one does; on the platform an article for signed-in users opens', async () => {
    const p = await person('help', { locale: 'en-US' });
    const page = p.page;
    await page.goto(`${env.stack.demoUrl}/login`);
    await page.waitForFunction(() => typeof (window as unknown as { Ajuda?: unknown }).Ajuda === 'function');
    const show = (slug: string) => page.evaluate((s) => (window as unknown as { Ajuda: (c: string, a: string) => void }).Ajuda('showArticle', s), slug);
    const frame = widget(page);
    const title = frame.locator('[data-screen-title]').first();
    await show('support-access');
    await expect.poll(() => title.innerText().then((t) => t.trim()), { timeout: 15_000 }).toBe(helpEn['help.notFound']);
    await expectFullyVisible(title);
    await p.shot('not-found');
    await show('no-such-article');
    await expect.poll(() => title.innerText().then((t) => t.trim())).toBe(helpEn['help.notFound']);
    // A public one from the same page opens.
    await show('support-hours');
    await expect.poll(() => title.innerText().then((t) => t.trim())).toBe('When is Support available?');
    expect(p.errors).toEqual([]);
    await p.close();

    // Signed in on the platform, the identity token goes with the request: an article for signed-in users opens.
    const ana = await person('help', { locale: 'en-US' });
    await openWidget(ana.page, '/platform');
    await useLanguage(ana.page, 'en');
    await ana.page.evaluate(() => (window as unknown as { Ajuda: (c: string, a: string) => void }).Ajuda('showArticle', 'incident-information'));
    const anaTitle = widget(ana.page).locator('[data-screen-title]').first();
    await expect.poll(() => anaTitle.innerText().then((t) => t.trim()), { timeout: 15_000 }).toBe('What to send for an incident or a development question');
    await ana.shot('platform-authenticated-article');
    expect(ana.errors).toEqual([]);
    await ana.close();
  });
});
