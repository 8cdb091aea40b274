// axe-core on every widget screen (home, intake, conversation, grants, resolved with the feedback form)
// and every console screen (sign-in, inbox, conversation with the realm panel, leads' view), at phone
// and laptop sizes: no serious or critical violation.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import { axeReport, axeSerious } from '../../../../../test/e2e/axe.ts';
import { clickAsPerson, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { AgentSocket, C, W, anyLang, conversationId, env, exact, journey, openWidget, person, signInConsole, useStack, widgetFrame, widgetLog, requestCard } from './kit.ts';

useStack();
let lead: AgentSocket;
beforeAll(async () => {
  lead = await AgentSocket.signIn(env.stack, 'lea@ajuda.local');
});
afterAll(() => lead?.close());

describe('axe-core: widget and console screens', () => {
  for (const size of ['phone', 'laptop'] as const) {
    journey(`widget screens on /platform at ${size} size: 0 serious/critical`, async () => {
      const p = await person('axe', { phone: size === 'phone' });
      const page = p.page;
      const found: string[] = [];
      const check = async (screen: string) => {
        const f = await axeSerious(widgetFrame(page));
        if (f.length) found.push(axeReport(`widget ${screen} (${size})`, f));
      };
      const frame = await openWidget(page, '/platform');
      const w = W[(await widgetFrame(page).evaluate(() => document.documentElement.lang)) as Locale];
      await check('home');
      await clickAsPerson(requestCard(frame, w, 'incident'));
      await frame.locator('select#f-pipeline').waitFor();
      await check('intake (incident)');
      await clickAsPerson(frame.getByRole('button', { name: exact(w['common.back']!) }));
      await clickAsPerson(frame.getByRole('button', { name: exact(w['grants.open']!) }));
      await frame.locator('[data-screen-title]').first().waitFor();
      await check('grants');
      await clickAsPerson(frame.getByRole('button', { name: exact(w['common.back']!) }));
      await clickAsPerson(requestCard(frame, w, 'general_question'));
      await typeAsPerson(frame.locator('#f-question'), 'Is there an audit log of support actions?');
      await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
      const id = await conversationId(frame);
      await lead.call({ type: 'conversation.open', conversationId: id });
      await lead.say(id, 'Yes: every action under a grant is recorded.');
      await widgetLog(page).getByText('every action under a grant').waitFor();
      await check('conversation');
      lead.send({ type: 'conversation.resolve', conversationId: id });
      await frame.getByText(w['feedback.question']!).waitFor();
      await check('resolved (feedback)');
      await p.shot(`widget-${size}`);
      expect(found, found.join('\n')).toEqual([]);
      await p.close();
    });

    journey(`console screens at ${size} size: 0 serious/critical`, async () => {
      // A conversation from a verified platform user, so the realm panel shows.
      const ana = await person('axe');
      const frame = await openWidget(ana.page, '/platform');
      const w = W[(await widgetFrame(ana.page).evaluate(() => document.documentElement.lang)) as Locale];
      await clickAsPerson(requestCard(frame, w, 'general_question'));
      await typeAsPerson(frame.locator('#f-question'), 'Can support see my pipelines?');
      await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
      const id = await conversationId(frame);

      const p = await person('axe', { phone: size === 'phone' });
      const page = p.page;
      const found: string[] = [];
      const check = async (screen: string) => {
        const f = await axeSerious(page);
        if (f.length) found.push(axeReport(`console ${screen} (${size})`, f));
      };
      await page.goto(`${env.stack.url}/console/`);
      await page.getByLabel(anyLang(C, 'signin.email')).waitFor();
      await check('sign-in');
      await signInConsole(page, 'lea@ajuda.local');
      const c = C[(await page.evaluate(() => document.documentElement.lang)) as Locale];
      const row = page.locator(`li[data-conversation-id="${id}"]`);
      await row.waitFor();
      await check('inbox');
      await clickAsPerson(row.getByRole('button').first());
      await page.locator('section.realm').waitFor();
      await check('conversation and realm panel');
      await p.shot(`console-${size}`);
      await clickAsPerson(page.getByRole('link', { name: exact(c['nav.leads']!) }));
      await page.getByRole('heading', { name: exact(c['leads.title']!), level: 2 }).waitFor();
      await check('leads');
      expect(found, found.join('\n')).toEqual([]);
      await p.close();
      await ana.close();
    });
  }
});
