// Journey 1, keyboard only: no mouse at all. A requester on /platform opens the launcher, fills the
// intake, sends a message and closes the panel with Tab/Enter/Space/Escape; an agent signs in to the
// console, opens the conversation from the inbox, replies and resolves it the same way.
import { describe, expect } from 'vitest';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import { expectFullyVisible, expectNewestInView, pressKey, tabTo, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { C, W, consoleLog, conversationId, env, exact, journey, launcher, person, useStack, widget, widgetFrame, widgetLog, requestCard } from './kit.ts';

useStack();

describe('journey: keyboard only', () => {
  journey('R11, R13: Tab/Enter/Space/Escape through the widget on /platform and through the console', async () => {
    // The agent first (routing assigns only to agents online): João, who speaks Portuguese like Ana.
    const agent = await person('keyboard');
    const cp = agent.page;
    await cp.goto(`${env.stack.url}/console/`);
    const emailField = cp.locator('input[type="email"], input[autocomplete="username"]').first();
    await tabTo(cp, emailField);
    await typeAsPerson(emailField, 'joao@ajuda.local', { keyboard: true });
    const password = cp.locator('input[type="password"]');
    await tabTo(cp, password);
    await typeAsPerson(password, 'ajuda-demo', { keyboard: true });
    await pressKey(cp, 'Enter', password);
    await cp.locator('.conn--ready').waitFor();
    await agent.shot('console-1-inbox');

    // The requester, Ana (pt), on the platform.
    const req = await person('keyboard', { locale: 'pt-BR' });
    const page = req.page;
    await page.goto(`${env.stack.demoUrl}/platform`);
    await tabTo(page, launcher(page));
    await pressKey(page, 'Enter', launcher(page));
    const frame = widget(page);
    await frame.locator('[data-screen-title]').first().waitFor();
    await expect.poll(() => launcher(page).getAttribute('aria-expanded')).toBe('true');
    const lang = (await widgetFrame(page).evaluate(() => document.documentElement.lang)) as Locale;
    expect(lang).toBe('pt');
    const w = W[lang];
    await req.shot('widget-1-home');

    const card = requestCard(frame, w, 'general_question');
    await tabTo(page, card);
    await pressKey(page, 'Enter', card);
    const question = frame.locator('#f-question');
    await tabTo(page, question);
    await typeAsPerson(question, 'Como exporto as faturas do mês passado?', { keyboard: true });
    const submit = frame.getByRole('button', { name: exact(w['intake.submit']!) });
    await tabTo(page, submit);
    await req.shot('widget-2-intake');
    await pressKey(page, 'Space', submit);
    const id = await conversationId(frame);
    await expectNewestInView(widgetLog(page));

    const composer = frame.getByLabel(exact(w['conversation.compose.label']!));
    await tabTo(page, composer);
    await typeAsPerson(composer, 'Olá, alguém pode ajudar?', { keyboard: true });
    await pressKey(page, 'Enter', composer);
    await expectNewestInView(widgetLog(page), { text: 'Olá, alguém pode ajudar?' });
    await req.shot('widget-3-sent');

    // Escape closes the panel and gives the focus back to the launcher; Space opens it again.
    await pressKey(page, 'Escape');
    await expect.poll(() => launcher(page).getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => launcher(page).evaluate((el) => el.matches(':focus'))).toBe(true);
    await pressKey(page, 'Space', launcher(page));
    await expect.poll(() => launcher(page).getAttribute('aria-expanded')).toBe('true');
    await expectNewestInView(widgetLog(page), { text: 'Olá, alguém pode ajudar?' });

    // The console, keyboard only: the row in the inbox, the reply, resolve.
    const c = C[(await cp.evaluate(() => document.documentElement.lang)) as Locale];
    const row = cp.locator(`li[data-conversation-id="${id}"] button`).first();
    await tabTo(cp, row, { max: 60 });
    await pressKey(cp, 'Enter', row);
    const reply = cp.getByPlaceholder(exact(c['composer.replyPlaceholder']!));
    await tabTo(cp, reply, { max: 60 });
    await typeAsPerson(reply, 'Olá Ana! Em Relatórios › Faturas › Exportar.', { keyboard: true });
    await pressKey(cp, 'Enter', reply);
    await expectNewestInView(consoleLog(cp), { text: 'Exportar' });
    await agent.shot('console-2-conversation');
    await expectNewestInView(widgetLog(page), { text: 'Exportar' });
    await req.shot('widget-4-reply');

    const resolve = cp.getByRole('button', { name: exact(c['conv.resolve']!) });
    await tabTo(cp, resolve, { max: 60, back: true });
    await pressKey(cp, 'Enter', resolve);
    await cp.getByRole('button', { name: exact(c['conv.reopen']!) }).waitFor();
    await agent.shot('console-3-resolved');

    // The requester sees the question about the answer, in view.
    await expectFullyVisible(frame.getByText(w['feedback.question']!));
    await req.shot('widget-5-resolved');
    expect([...req.errors, ...agent.errors]).toEqual([]);
    await req.close();
    await agent.close();
  });
});
