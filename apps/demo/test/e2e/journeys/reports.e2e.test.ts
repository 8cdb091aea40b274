// Search, Reports and the team overview, as people use them: a lead opens Reports on a laptop
// (1366×768) and on a phone (390×844, touch), reads the figures, exports the CSV and looks at the team
// overview; an agent presses / anywhere, searches "configuracao" (without its accents) and opens the
// result by keyboard. axe-core finds nothing serious or critical on any of the new screens.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import insightsEn from '../../../../../packages/i18n/src/console/insights-en.ts';
import insightsEs from '../../../../../packages/i18n/src/console/insights-es.ts';
import insightsPt from '../../../../../packages/i18n/src/console/insights-pt.ts';
import { axeReport, axeSerious } from '../../../../../test/e2e/axe.ts';
import { clickAsPerson, expectFullyVisible, pressKey, tabTo, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { C, env, exact, journey, person, signInConsole, useStack } from './kit.ts';

useStack({ AJUDA_TIMEZONE: 'Europe/Lisbon' });

const I: Record<Locale, Record<string, string>> = { pt: insightsPt, en: insightsEn, es: insightsEs };
const texts = async (page: Page) => {
  const lang = (await page.evaluate(() => document.documentElement.lang)) as Locale;
  return { lang, c: C[lang], i: I[lang] };
};

/** Conversations the figures count and the search finds: written through the store's commands, one answered, one escalated. */
async function seed(): Promise<string> {
  const store = env.stack.app.ajuda.svc.store;
  const now = Date.now();
  const at = (min: number) => new Date(now - 120 * 60_000 + min * 60_000).toISOString();
  let found = '';
  for (const [i, body] of ['Preciso de ajuda com a configuração do acesso SSO', 'My printer is on fire', 'La exportación falla'].entries()) {
    const id = `AJ-E2ESEARCH00${i}`;
    await store.startConversation(
      { id, channel: 'website', requesterKind: 'visitor', ownerKey: `v:${id}`, visitorId: id, realmId: null, userId: null, requesterName: ['Mariana Simões', 'Tom Hale', 'Lucía Pérez'][i]!, requesterEmail: null, claims: null, contractMatch: 'unknown', requestType: 'general_question', language: (['pt', 'en', 'es'] as const)[i]!, idempotencyKey: id, at: at(i) },
      { actor: 'requester', action: 'conversation.started' },
    );
    await store.completeIntake(id, () => ({ at: at(i), patch: { status: 'queued', priority: i === 1 ? 'P2' : 'P3', queue: 'support', queuedAt: at(i), updatedAt: at(i) }, audit: [{ actor: 'system', action: 'intake.completed' }] }));
    await store.appendMessage({ conversationId: id, sender: 'requester', senderName: null, kind: 'text', body, clientMsgId: null, at: at(i + 1), who: 'requester' });
    if (i === 0) found = id;
    if (i === 1) {
      await store.appendMessage({ conversationId: id, sender: 'agent:ag_emma', senderName: 'Emma Clarke', kind: 'text', body: 'On it.', clientMsgId: null, at: at(20), who: 'agent' });
      await store.resolve(id, {}, () => ({ at: at(30), patch: { status: 'resolved', resolvedAt: at(30), updatedAt: at(30) }, audit: [{ actor: 'agent:ag_emma', action: 'conversation.resolved' }] }));
      await store.recordFeedback(id, {}, () => ({ at: at(31), patch: { feedback: { answered: true }, updatedAt: at(31) } }));
    }
    if (i === 2) await store.escalate(id, {}, () => ({ at: at(40), patch: { escalated: true, updatedAt: at(40) }, audit: [{ actor: 'requester', action: 'escalated' }] }));
  }
  return found;
}

async function axeClean(page: Page, where: string) {
  const findings = await axeSerious(page);
  expect(findings, axeReport(where, findings)).toEqual([]);
}

/** The lead opens Reports from the top bar, reads the figures, exports the CSV, then opens Team. */
async function leadJourney(name: string, opts: { locale: string; phone?: boolean }) {
  const lead = await person(name, { locale: opts.locale, ...(opts.phone ? { phone: true } : {}) });
  const page = lead.page;
  await signInConsole(page, 'lea@ajuda.local');
  const { c } = await texts(page);
  await clickAsPerson(page.getByRole('link', { name: exact(c['nav.reports']!) }));
  const { i } = await texts(page);
  await page.getByRole('heading', { level: 2, name: exact(i['reports.title']!) }).waitFor();
  // The figures: one of three conversations escalated, one answered "yes", one first response (20 min).
  const escalation = page.locator('[data-figure="escalation"]');
  await expect.poll(() => escalation.textContent()).toMatch(/33[.,]3\s?%/);
  await escalation.scrollIntoViewIfNeeded(); // a person scrolls down to the cards on a phone
  await expectFullyVisible(escalation);
  await expect.poll(() => page.locator('[data-figure="yes"]').textContent()).toMatch(/100\s?%/);
  await expect.poll(() => page.locator('[data-figure="frt-median"]').textContent()).toMatch(/19|20/);
  await page.getByRole('table').first().waitFor();
  await axeClean(page, `${name}: Reports`);
  await lead.shot('reports-1-figures');
  await page.locator('.insight-section').nth(1).scrollIntoViewIfNeeded();
  await lead.shot('reports-2-charts');

  // Back to the top, as a person scrolls to the export button.
  await page.evaluate(() => window.scrollTo(0, 0));
  const download = page.waitForEvent('download');
  await clickAsPerson(page.getByRole('link', { name: exact(i['reports.csv']!) }));
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8');
  expect(csv).toMatch(/^period_from,period_to,time_zone\r\n\d{4}-\d{2}-\d{2},\d{4}-\d{2}-\d{2},Europe\/Lisbon\r\n/);
  expect(csv).toContain('escalation_percent,3,33.3');
  for (const line of csv.split('\r\n')) for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+\-@\t\r]/);

  await clickAsPerson(page.getByRole('link', { name: exact(c['nav.team']!) }));
  await page.getByRole('heading', { level: 2, name: exact(i['team.title']!) }).waitFor();
  await page.locator('tr[data-agent-id="ag_lea"]').waitFor();
  await expect.poll(() => page.locator('tr[data-agent-id="ag_lea"]').textContent()).toContain(i['team.online']!);
  await axeClean(page, `${name}: Team`);
  await lead.shot('team-1-overview');
  expect(lead.errors).toEqual([]);
  await lead.close();
}

describe('journey: search, Reports and the team overview', () => {
  let id = '';
  beforeAll(async () => {
    id = await seed();
  });
  journey('a lead on a laptop (en): Reports, CSV export, Team', async () => {
    await leadJourney('reports-laptop', { locale: 'en-US' });
  });

  journey('a lead on a phone (pt, touch): Reports, CSV export, Team', async () => {
    await leadJourney('reports-phone', { locale: 'pt-BR', phone: true });
  });

  journey('an agent (es, keyboard only): / focuses the search, "configuracao" finds "configuração", Enter opens it', async () => {
    const agent = await person('search-keyboard', { locale: 'es-ES' });
    const page = agent.page;
    await signInConsole(page, 'joao@ajuda.local'); // João speaks pt and en: the console follows the browser where it can
    const { c } = await texts(page);
    const box = page.getByRole('searchbox', { name: exact(c['search.label']!) });
    await pressKey(page, '/');
    await expect.poll(() => box.evaluate((el) => el.matches(':focus'))).toBe(true);
    await typeAsPerson(box, 'configuracao', { keyboard: true });
    await pressKey(page, 'Enter', box);
    const { i } = await texts(page);
    await page.getByRole('heading', { level: 2, name: exact(i['search.title']!) }).waitFor();
    const result = page.locator(`li[data-conversation-id="${id}"] a`);
    await result.waitFor();
    expect(await page.locator('.insight-result').count()).toBe(1);
    await axeClean(page, 'Search');
    await agent.shot('search-1-results');
    await tabTo(page, result, { max: 40 });
    await pressKey(page, 'Enter', result);
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/inbox/${id}`);
    await page.locator('[role="log"]').getByText('configuração do acesso SSO').waitFor();
    await agent.shot('search-2-opened');
    expect(agent.errors).toEqual([]);
    await agent.close();
  });

  journey('an agent on a phone (pt, touch) searches by ID without the prefix, in lower case', async () => {
    const agent = await person('search-phone', { locale: 'pt-BR', phone: true });
    const page = agent.page;
    await signInConsole(page, 'joao@ajuda.local');
    const { c } = await texts(page);
    const box = page.getByRole('searchbox', { name: exact(c['search.label']!) });
    await typeAsPerson(box, id.slice(3).toLowerCase());
    await page.keyboard.press('Enter');
    const result = page.locator(`li[data-conversation-id="${id}"] a`);
    await result.waitFor();
    await axeClean(page, 'Search (phone)');
    await agent.shot('search-3-phone');
    await clickAsPerson(result);
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/inbox/${id}`);
    expect(agent.errors).toEqual([]);
    await agent.close();
  });
});
