// Journey 3, one per language: from the host's locale (the browser's language and the page) to the
// widget's labels, the system messages in the thread, the console's language tag on the conversation
// and the agent who speaks that language being the assignee. João (pt, en), Emma (en) and Sofía (es, en)
// are signed in to the real console, each in their own browser, before any requester arrives.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import serverEn from '../../../../../packages/i18n/src/server/en.ts';
import serverEs from '../../../../../packages/i18n/src/server/es.ts';
import serverPt from '../../../../../packages/i18n/src/server/pt.ts';
import { clickAsPerson, expectFullyVisible, expectNewestInView, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { C, W, consoleLog, conversationId, env, exact, journey, launcher, openWidget, person, signInConsole, useStack, widget, widgetFrame, widgetLog, type Person, requestCard } from './kit.ts';

useStack();

const AGENTS = {
  joao: { email: 'joao@ajuda.local', name: 'João Pereira', languages: ['pt', 'en'] },
  emma: { email: 'emma@ajuda.local', name: 'Emma Clarke', languages: ['en'] },
  sofia: { email: 'sofia@ajuda.local', name: 'Sofía Romero', languages: ['es', 'en'] },
} as const;
type AgentKey = keyof typeof AGENTS;
const consoles = {} as Record<AgentKey, Person>;

beforeAll(async () => {
  for (const key of Object.keys(AGENTS) as AgentKey[]) {
    consoles[key] = await person('languages');
    await signInConsole(consoles[key].page, AGENTS[key].email);
  }
}, 120_000);
afterAll(async () => {
  for (const p of Object.values(consoles)) await p.close().catch(() => undefined);
});

const SERVER: Record<Locale, Record<string, string>> = { pt: serverPt, en: serverEn, es: serverEs };
const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Every system text of a language (the server's and the widget's), as patterns with their {params} open. */
function systemPatterns(lang: Locale): RegExp[] {
  const texts = [...Object.entries(SERVER[lang]), ...Object.entries(W[lang])].filter(([k]) => k.startsWith('system.')).map(([, v]) => v);
  return texts.map((t) => new RegExp(`^${t.split(/\{\w+\}/).map(reEscape).join('.+')}$`, 's'));
}

// The demo's login page is in English and boots the widget with its own lang="en": the Spanish visitor
// there picks Español in the widget, and from then on everything must be Spanish (the issue's defect 8).
const CASES: Array<{ lang: Locale; browser: string; path: string; pageLang?: Locale; question: string; expect: AgentKey[]; reply: string }> = [
  { lang: 'pt', browser: 'pt-BR', path: '/platform', question: 'Como vejo o histórico de execuções?', expect: ['joao'], reply: 'Olá! Abra o pipeline e veja Execuções.' },
  { lang: 'en', browser: 'en-GB', path: '/site', question: 'Do you offer a free trial?', expect: ['joao', 'emma', 'sofia'], reply: 'Yes, 30 days, no card needed.' },
  { lang: 'es', browser: 'es-ES', path: '/login', pageLang: 'en', question: '¿Cómo recupero el acceso a mi cuenta?', expect: ['sofia'], reply: 'Hola, te ayudamos a recuperar el acceso.' },
];

describe('journey: languages', () => {
  for (const c of CASES) {
    journey(`R11: a ${c.browser} browser on ${c.path}${c.pageLang ? ` (page in ${c.pageLang}, Español picked in the widget)` : ''}: widget, system messages, console tag and the assignee all in ${c.lang}`, async () => {
      const p = await person('languages', { locale: c.browser });
      const page = p.page;
      const w = W[c.lang];
      await page.goto(`${env.stack.demoUrl}${c.path}`);
      // The launcher speaks the page's language before anything opens.
      await expect.poll(() => launcher(page).getAttribute('aria-label')).toMatch(new RegExp(`^${reEscape(W[c.pageLang ?? c.lang]['app.title']!)}`));
      const frame = await openWidget(page, c.path);
      if (c.pageLang) {
        const select = frame.locator('.lang select');
        await expectFullyVisible(select);
        await select.selectOption(c.lang);
      }
      // The pick re-renders the panel in the next frame: wait for it as a person would.
      await expect.poll(() => widgetFrame(page).evaluate(() => document.documentElement.lang)).toBe(c.lang);
      await frame.getByRole('heading', { level: 1, name: exact(w['app.title']!) }).waitFor();
      const card = requestCard(frame, w, 'general_question');
      await card.waitFor();
      await p.shot(`${c.lang}-1-home`);

      await clickAsPerson(card);
      await typeAsPerson(frame.locator('#f-question'), c.question);
      await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
      const id = await conversationId(frame);
      await expectNewestInView(widgetLog(page));

      // The conversation was routed to an agent who speaks the language, and told so in that language.
      const system = widgetLog(page).locator('.msg-system');
      await expect.poll(() => system.count()).toBeGreaterThanOrEqual(2);
      const patterns = systemPatterns(c.lang);
      for (const text of await system.allInnerTexts()) {
        expect(patterns.some((re) => re.test(text.trim())), `system message not in ${c.lang}: "${text}"`).toBe(true);
      }

      // The console: the row in the inbox of an agent who speaks it, tagged with the language.
      const rows = (Object.keys(AGENTS) as AgentKey[]).map((k) => ({ k, row: consoles[k].page.locator(`li[data-conversation-id="${id}"]`) }));
      let assignee: AgentKey | null = null;
      await expect
        .poll(async () => {
          for (const { k, row } of rows) {
            if (!(await row.count())) continue;
            const name = (await row.locator('.row-assignee').textContent().catch(() => null))?.trim();
            const who = (Object.keys(AGENTS) as AgentKey[]).find((a) => AGENTS[a].name === name);
            if (who) assignee = who;
          }
          return assignee;
        }, { timeout: 15_000 })
        .not.toBeNull();
      expect(c.expect, `assigned to ${assignee}`).toContain(assignee);
      const agent = consoles[assignee!];
      const cp = agent.page;
      const row = cp.locator(`li[data-conversation-id="${id}"]`);
      expect((await row.locator('.tag').allInnerTexts()).map((t) => t.trim())).toContain(c.lang.toUpperCase());
      await clickAsPerson(row.getByRole('button').first());
      await expect.poll(() => cp.locator('.conv-meta .tag[lang]').textContent()).toBe(c.lang.toUpperCase());
      expect(await cp.locator('.conv-meta').textContent()).toContain(AGENTS[assignee!].name);
      const ct = C[(await cp.evaluate(() => document.documentElement.lang)) as Locale];
      await typeAsPerson(cp.getByPlaceholder(exact(ct['composer.replyPlaceholder']!)), c.reply);
      await cp.keyboard.press('Enter');
      await expectNewestInView(consoleLog(cp), { text: c.reply });
      // Sent: the row carries no draft mark (the composer is empty).
      await expect.poll(() => row.locator('.tag--draft').count()).toBe(0);
      await agent.shot(`${c.lang}-3-console`);

      await expectNewestInView(widgetLog(page), { text: c.reply });
      await p.shot(`${c.lang}-2-conversation`);
      // Every system message, old and new, is still in the language (nothing arrived in another one).
      for (const text of await widget(page).locator('ol.msg-list .msg-system').allInnerTexts()) {
        expect(patterns.some((re) => re.test(text.trim())), `system message not in ${c.lang}: "${text}"`).toBe(true);
      }
      expect(p.errors).toEqual([]);
      await p.close();
    });
  }
});
