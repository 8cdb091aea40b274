// Journey 4, a laptop (1366×768): Bruno reports an incident through the widget's long intake form;
// Emma works it in the console with the incident open — the message log keeps at least 300 px and the
// assignment button is fully visible, in English and in Portuguese, at 1366 and 1440 px — and escalates
// it; the lead sees it in the leads' view. The realm panel and the leads' view are shot for the tour.
import { describe, expect } from 'vitest';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import { clickAsPerson, expectFullyVisible, expectNewestInView, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { C, W, consoleLog, conversationId, env, exact, journey, openWidget, person, signInConsole, switchPlatformUser, useStack, widgetLog, requestCard } from './kit.ts';

useStack();

/** How many pixels of the message log a person sees (its box, cut to the viewport). */
const visibleLogHeight = (page: import('playwright-core').Page) =>
  page.locator('[role="log"]').evaluate((el) => {
    const r = el.getBoundingClientRect();
    return Math.max(0, Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0));
  });

describe('journey: laptop console with an incident', () => {
  journey('R6, R9, R13, R15: 1366×768 — an incident open leaves ≥ 300 px of log and the assign button fully visible; escalation reaches the leads\' view', async () => {
    const emma = await person('laptop');
    const cp = emma.page;
    await signInConsole(cp, 'emma@ajuda.local');

    // Bruno (en) reports an incident from the platform.
    const req = await person('laptop');
    const page = req.page;
    await switchPlatformUser(page, 'u_bruno', 'Bruno Lima');
    const frame = await openWidget(page, '/platform');
    const w = W.en;
    await clickAsPerson(requestCard(frame, w, 'incident'));
    const picker = frame.locator('select#f-pipeline');
    await picker.locator('option', { hasText: 'ORD-SYNC-01' }).waitFor({ state: 'attached' });
    await expectFullyVisible(picker);
    await picker.selectOption({ label: (await picker.locator('option', { hasText: 'ORD-SYNC-01' }).textContent())! });
    await clickAsPerson(frame.getByRole('radio', { name: w['intake.option.impact.partial'] }));
    await clickAsPerson(frame.getByRole('group', { name: new RegExp(w['intake.field.workaround.label']!.replace('?', '\\?')) }).getByRole('radio', { name: w['intake.option.workaround.no'] }));
    await typeAsPerson(frame.locator('#f-errorMessage'), 'HTTP 503 from the ERP connector');
    await clickAsPerson(frame.locator('#f-errorAt'));
    await frame.locator('#f-errorAt').fill('2026-11-24T09:30');
    await typeAsPerson(frame.locator('#f-expected'), 'Orders copied every 5 minutes');
    await typeAsPerson(frame.locator('#f-observed'), 'Half of the runs fail since 09:30');
    await typeAsPerson(frame.locator('#f-analysis'), 'Re-ran in Test: works');
    await req.shot('widget-incident-form');
    await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
    const id = await conversationId(frame);
    await expectNewestInView(widgetLog(page));

    // Emma opens it from the inbox.
    const row = cp.locator(`li[data-conversation-id="${id}"]`);
    await clickAsPerson(row.getByRole('button').first());
    await cp.locator('section.intake').waitFor();
    const c = C[(await cp.evaluate(() => document.documentElement.lang)) as Locale];
    const assign = cp.locator('section[aria-labelledby="assign-title"] button[type="submit"]').first();
    for (const [lang, width] of [['en', 1366], ['pt', 1366], ['pt', 1440], ['en', 1366]] as const) {
      await cp.setViewportSize({ width, height: width === 1366 ? 768 : 900 });
      await cp.getByLabel(new RegExp(`^(${C.pt['locale.label']}|${C.en['locale.label']}|${C.es['locale.label']})`)).selectOption(lang);
      await cp.locator('html').and(cp.locator(`[lang="${lang}"]`)).waitFor();
      expect.soft(await visibleLogHeight(cp), `message log height at ${width} px in ${lang}`).toBeGreaterThanOrEqual(300);
      await expectFullyVisible(assign, { scroll: true });
    }
    await emma.shot('console-incident');

    // Emma replies; both sides see the newest message.
    await typeAsPerson(cp.getByPlaceholder(exact(c['composer.replyPlaceholder']!)), 'We are restarting the Orders sync consumer now.');
    await cp.keyboard.press('Enter');
    await expectNewestInView(consoleLog(cp), { text: 'restarting the Orders sync' });
    await expectNewestInView(widgetLog(page), { text: 'restarting the Orders sync' });
    expect.soft(await visibleLogHeight(cp), 'message log height after the reply').toBeGreaterThanOrEqual(300);
    await emma.shot('console-replied');

    // The realm panel (Bruno is verified): read-only until the customer grants access.
    const realm = cp.locator('section.realm');
    await realm.scrollIntoViewIfNeeded();
    await expectFullyVisible(realm.locator('h3'));
    await emma.shot('console-realm');

    // The lead first, then Bruno escalates; the escalation shows in the leads' view.
    const lea = await person('laptop');
    await signInConsole(lea.page, 'lea@ajuda.local');
    const lc = C[(await lea.page.evaluate(() => document.documentElement.lang)) as Locale];
    await clickAsPerson(lea.page.getByRole('link', { name: exact(lc['nav.leads']!) }));
    await clickAsPerson(frame.getByRole('button', { name: exact(w['escalate.open']!) }));
    await clickAsPerson(frame.getByLabel(w['escalate.reason.disagree']!));
    await typeAsPerson(frame.getByLabel(w['escalate.description'] ?? 'Describe the problem'), 'The restart did not help');
    await typeAsPerson(frame.getByLabel(w['escalate.justification'] ?? 'Justification'), 'Production orders are piling up');
    await clickAsPerson(frame.getByRole('button', { name: exact(w['escalate.submit']!) }));
    await expectNewestInView(widgetLog(page));
    await req.shot('widget-escalated');
    const card = lea.page.locator('li.card--esc', { hasText: id });
    await expectFullyVisible(card);
    await lea.shot('leads');
    expect([...req.errors, ...emma.errors, ...lea.errors]).toEqual([]);
    for (const p of [req, emma, lea]) await p.close();
  });
});
