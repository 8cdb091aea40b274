// Journey: a Spanish visitor on the login page asks about their contract. The answer is in Spanish, fits an
// anonymous visitor (sign in, or ask whoever manages the company's account; never "your account manager"),
// says nothing about whether the email they typed has a contract (R5), and switching the widget's language
// afterwards re-renders that system message in the new language (R11: stored as key + params).
import { describe, expect } from 'vitest';
import systemEs from '../../../../../packages/i18n/src/system/es.ts';
import systemPt from '../../../../../packages/i18n/src/system/pt.ts';
import { clickAsPerson, expectFullyVisible, expectNewestInView, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { W, env, exact, journey, openWidget, person, useStack, widgetFrame, widgetLog, requestCard } from './kit.ts';

useStack();

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('journey: a contract question from the login page', () => {
  journey('R8a, R5, R11: an es browser on /login asks about billing: Spanish guidance for a visitor, re-rendered in pt when the person switches language', async () => {
    const p = await person('contract', { locale: 'es-ES' });
    const page = p.page;
    await page.goto(`${env.stack.demoUrl}/login`);
    const frame = await openWidget(page, '/login');
    // The demo's login page is in English: the person picks Español first.
    const select = frame.locator('.lang select');
    await expectFullyVisible(select);
    await select.selectOption('es');
    await expect.poll(() => widgetFrame(page).evaluate(() => document.documentElement.lang)).toBe('es');
    const card = requestCard(frame, W.es, 'contract_question');
    await clickAsPerson(card);
    await typeAsPerson(frame.locator('#f-question'), '¿Cuánto cuesta renovar nuestro contrato?');
    await clickAsPerson(frame.getByRole('button', { name: exact(W.es['intake.submit']!) }));

    const system = widgetLog(page).locator('.msg-system');
    await expect.poll(() => system.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await expectNewestInView(widgetLog(page));
    expect((await system.first().innerText()).trim()).toBe(systemEs['system.contract_question.login']);
    expect(await system.first().innerText()).not.toMatch(/gerente de cuenta/);
    await p.shot('es-login-contract');

    // Another language now: the same message, re-rendered, not a new one.
    const before = await system.count();
    await select.selectOption('pt');
    await expect.poll(() => system.first().innerText().then((t) => t.trim())).toBe(systemPt['system.contract_question.login']);
    expect(await system.count()).toBe(before);
    await p.shot('pt-login-contract');
    expect(p.errors).toEqual([]);
    await p.close();
  });
});
