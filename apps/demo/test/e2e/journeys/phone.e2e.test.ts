// Journey 2, a phone (390×844, touch) on each of the three demo pages: tap the launcher, fill the
// intake, send a message with the Send button, and see the agent's reply in view.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import { clickAsPerson, expectNewestInView, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { AgentSocket, env, W, conversationId, exact, journey, openWidget, person, useStack, widgetFrame, widgetLog, requestCard } from './kit.ts';

useStack();
let lead: AgentSocket;
beforeAll(async () => {
  lead = await AgentSocket.signIn(env.stack, 'lea@ajuda.local');
});
afterAll(() => lead?.close());

describe('journey: phone', () => {
  for (const path of ['/platform', '/login', '/site'] as const) {
    const name = path.slice(1);
    journey(`on ${path}: open, intake, send with the Send button, the agent's reply in view`, async () => {
      const p = await person('phone', { phone: true });
      const page = p.page;
      const frame = await openWidget(page, path);
      const w = W[(await widgetFrame(page).evaluate(() => document.documentElement.lang)) as Locale];
      await p.shot(`${name}-1-home`);

      await clickAsPerson(requestCard(frame, w, 'general_question'));
      await typeAsPerson(frame.locator('#f-question'), `Phone question from ${path}: how do I change my password?`);
      await p.shot(`${name}-2-intake`);
      await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
      const id = await conversationId(frame);
      await expectNewestInView(widgetLog(page));

      await typeAsPerson(frame.getByLabel(exact(w['conversation.compose.label']!)), 'Sent from my phone');
      await clickAsPerson(frame.getByRole('button', { name: exact(w['conversation.send']!) }));
      await expectNewestInView(widgetLog(page), { text: 'Sent from my phone' });
      // The message reached the server (not only the screen).
      await lead.call({ type: 'conversation.open', conversationId: id });
      await expect.poll(async () => ((await lead.call({ type: 'conversation.open', conversationId: id })).messages as Array<{ body: string }>).some((m) => m.body === 'Sent from my phone')).toBe(true);

      await lead.say(id, `Hello from support, answering on ${path}.`);
      await expectNewestInView(widgetLog(page), { text: `answering on ${path}` });
      await p.shot(`${name}-3-reply`);
      expect(p.errors).toEqual([]);
      await p.close();
    });
  }
});
