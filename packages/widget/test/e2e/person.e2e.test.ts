// The requester's conversation as a person perceives it, in real Chromium on the demo pages (issue 11,
// defects 6, 11, 12, 13): the newest item is in view after every event and never under the composer;
// what is read is what was on screen; their own question opens the thread; a reload lands back in the
// conversation with the draft; writing again after resolve; the offline banner; links; no priority codes.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { chromium, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { AgentSocket, CHROMIUM_ARGS, conversationId, env, journey, launcher, openWidget, person, widget } from '../../../../apps/demo/test/e2e/journeys/kit.ts';
import { clickAsPerson, expectFullyVisible, expectNewestInView, pressKey, typeAsPerson } from '../../../../test/e2e/person.ts';
import { startTestStack } from '../../../../apps/server/src/testing.ts';

beforeAll(async () => {
  // A short heartbeat: a silently dropped network is noticed within seconds.
  env.stack = await startTestStack({ AJUDA_HEARTBEAT_MS: '2000' });
  env.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await env.browser?.close();
  await env.stack?.close();
});

const log = (f: FrameLocator) => f.locator('ol.msg-list');

/** The newest item of the thread is inside the log's visible part, uncovered, and above the composer. */
async function newestInView(f: FrameLocator, text?: string | RegExp): Promise<void> {
  await expectNewestInView(log(f), text === undefined ? {} : { text });
  const composer = f.locator('form.composer');
  if (await composer.count()) {
    const [item, form] = await Promise.all([log(f).locator(':scope > li').last().boundingBox(), composer.boundingBox()]);
    expect(item!.y + item!.height).toBeLessThanOrEqual(form!.y + 1);
  }
}

/** What the requester has read, as the agent is told (read receipts: the agent's "Seen"). */
async function requesterRead(agent: AgentSocket, id: string): Promise<number> {
  let max = 0;
  for (const x of agent.frames) if (x.type === 'read.receipt' && x.by === 'requester' && x.conversationId === id) max = Math.max(max, x.lastReadSeq as number);
  return max;
}

async function lastSeq(agent: AgentSocket, id: string): Promise<number> {
  const snap = await agent.call({ type: 'conversation.open', conversationId: id });
  return Math.max(...(snap.messages as Array<{ seq: number }>).map((m) => m.seq));
}

/** The log's scroll position, from inside the widget frame. */
const scrollTopOf = (f: FrameLocator) => f.locator('.log').evaluate((el) => el.scrollTop);

async function startQuestion(page: Page, path: string, question: string): Promise<{ f: FrameLocator; id: string }> {
  const f = await openWidget(page, path);
  await f.locator('.lang select').selectOption('en');
  await clickAsPerson(f.getByRole('button', { name: /General question/ }));
  await typeAsPerson(f.getByLabel('Your question'), question);
  await clickAsPerson(f.getByRole('button', { name: 'Send to support' }));
  const id = await conversationId(f);
  return { f, id };
}

describe('the requester’s conversation, as perceived (Chromium)', () => {
  journey('6, 11, 12, 13: newest in view after every event; read only what was seen; own question first; reload resumes; write again after resolve', async () => {
    const ana = await person('conversation-view', { viewport: { width: 1366, height: 768 } });
    const { page } = ana;
    const question = 'How do I export my invoices?\nI looked under Settings.';
    const { f, id } = await startQuestion(page, '/login', question);

    // 11: the question they typed is the first item of their thread, as they typed it.
    const first = log(f).locator(':scope > li').first();
    await expect(first.locator('.bubble').innerText()).resolves.toBe(question);
    await expect(first.getAttribute('class')).resolves.toContain('msg-requester');
    await newestInView(f);

    // 13: no internal priority, and "waiting" said once.
    const head = (await f.locator('.conv-head').innerText()).replace(/\s+/g, ' ');
    expect(head).not.toMatch(/Priority|P[1-4]\b/);
    expect(head.match(/waiting/gi) ?? []).toHaveLength(1);

    const agent = await AgentSocket.signIn(env.stack, 'lea@ajuda.local');
    await agent.call({ type: 'conversation.open', conversationId: id });

    // 6: a few messages each way: the newest always in view, above the composer.
    for (let i = 1; i <= 6; i++) {
      await agent.say(id, `Answer ${i}: Reports > Invoices > Export, step ${i} of a long explanation that takes a line or two in the panel.`);
      await newestInView(f, `Answer ${i}:`);
      await typeAsPerson(f.getByLabel('Your message'), `Reply ${i}`);
      await pressKey(page, 'Enter');
      await newestInView(f, `Reply ${i}`);
    }
    await ana.shot('01-pinned-after-messages');
    // Everything was on screen at some point while pinned: read up to the last agent message.
    const seqAfterChat = await lastSeq(agent, id);
    await expect.poll(() => requesterRead(agent, id)).toBeGreaterThanOrEqual(seqAfterChat - 1);

    // 6: scrolled up, a new message does not yank the log; "new messages ↓" appears; it is not read.
    await f.locator('.log').evaluate((el) => (el.scrollTop = 0));
    await f.locator('.log').evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const readBefore = await requesterRead(agent, id);
    await agent.say(id, 'A new message while you were reading the top.');
    const affordance = f.getByRole('button', { name: /New messages/ });
    await expectFullyVisible(affordance, { timeout: 10_000 });
    await ana.shot('02-new-messages-affordance');
    expect(await scrollTopOf(f)).toBe(0);
    await page.waitForTimeout(600);
    const newSeq = await lastSeq(agent, id);
    const readWhileUp = await requesterRead(agent, id);
    expect(readWhileUp).toBe(readBefore);
    expect(readWhileUp).toBeLessThan(newSeq);
    await clickAsPerson(affordance);
    await newestInView(f, 'A new message while you were reading the top.');
    await expect.poll(() => requesterRead(agent, id)).toBe(newSeq);
    await expect(affordance.count()).resolves.toBe(0);

    // 12: links are links: http(s) only, a new tab, no opener.
    // (The "internet" is a stand-in page: the tab must open on it, without a way back to the widget.)
    await page.context().route('https://docs.example.com/**', (r) => r.fulfill({ contentType: 'text/html', body: '<title>Guide</title><p>Export guide</p>' }));
    await agent.say(id, 'https://docs.example.com/x?y=1. Not javascript:alert(1) though.');
    await newestInView(f, 'Not javascript');
    const link = log(f).locator(':scope > li').last().locator('a');
    await expect(link.count()).resolves.toBe(1);
    await expect(link.getAttribute('href')).resolves.toBe('https://docs.example.com/x?y=1');
    await expect(link.getAttribute('target')).resolves.toBe('_blank');
    await expect(link.getAttribute('rel')).resolves.toMatch(/noopener.*noreferrer|noreferrer.*noopener/);
    const popup = page.context().waitForEvent('page');
    await clickAsPerson(link);
    const tab = await popup;
    await tab.waitForLoadState();
    expect(tab.url()).toBe('https://docs.example.com/x?y=1');
    await expect(tab.evaluate(() => window.opener)).resolves.toBeNull();
    await tab.close();

    // 6: closed panel: messages that arrive are not read; reopening shows the newest and reads it then.
    await clickAsPerson(f.getByRole('button', { name: 'Close help' }));
    await agent.say(id, 'Arrived while the panel was closed (1).');
    await agent.say(id, 'Arrived while the panel was closed (2).');
    const whileClosed = await lastSeq(agent, id);
    await page.waitForTimeout(800);
    expect(await requesterRead(agent, id)).toBeLessThan(whileClosed);
    await clickAsPerson(launcher(page));
    await newestInView(f, 'Arrived while the panel was closed (2).');
    await ana.shot('03-reopened-with-unread');
    await expect.poll(() => requesterRead(agent, id)).toBe(whileClosed);

    // 6: after escalating, back in the conversation with its newest item in view.
    await clickAsPerson(f.getByRole('button', { name: 'Escalate this conversation' }));
    await clickAsPerson(f.getByLabel('I would like another engineer to look at it'));
    await typeAsPerson(f.getByLabel('Describe the problem'), 'The export button is missing');
    await clickAsPerson(f.getByLabel('Test'));
    await typeAsPerson(f.getByLabel('Justification'), 'The steps do not match my screen');
    await clickAsPerson(f.getByRole('button', { name: 'Escalate', exact: true }));
    await f.locator('.conv-head').getByText('Escalated to a support lead').waitFor();
    await agent.next((x) => x.type === 'agent.escalation');
    await expect.poll(async () => (await lastSeq(agent, id)) > whileClosed).toBe(true);
    await log(f).locator(':scope > li', { hasText: 'support lead' }).waitFor();
    await newestInView(f);
    // The screen starts at its top: the conversation's title and ID are in view, not scrolled away.
    await expectFullyVisible(f.locator('.conv-id code'));
    await ana.shot('04-after-escalation');

    // 6, 12: resolved: the feedback form is the newest thing and in view; the composer stays, saying what it does.
    await agent.call({ type: 'conversation.resolve', conversationId: id });
    const feedback = f.locator('form.callout', { hasText: 'Did this answer your question?' });
    await feedback.waitFor();
    await expectFullyVisible(feedback, { timeout: 5_000 });
    await expectFullyVisible(f.getByLabel('Your message'));
    await f.getByText('Write below and this conversation reopens.').waitFor();
    await ana.shot('05-resolved-feedback-and-composer');
    await clickAsPerson(f.getByLabel('Yes'));
    await clickAsPerson(f.getByRole('button', { name: 'Send feedback' }));
    await f.getByText('Thanks for your feedback.').waitFor();
    await typeAsPerson(f.getByLabel('Your message'), 'Actually it broke again');
    await pressKey(page, 'Enter');
    await newestInView(f, 'Actually it broke again');
    await agent.next((x) => x.type === 'message.created' && (x.message as { body?: string })?.body === 'Actually it broke again');
    await f.locator('.conv-status').getByText(/handling your request|Waiting for an agent/).waitFor();

    // 11: a draft, then a reload: back in the conversation (not home), the draft still there.
    await typeAsPerson(f.getByLabel('Your message'), 'a half-written th');
    await page.reload();
    await clickAsPerson(launcher(page));
    const g = widget(page);
    await g.locator('.conv-id code', { hasText: id }).waitFor();
    await expect(g.getByLabel('Your message').inputValue()).resolves.toBe('a half-written th');
    await newestInView(g, 'Actually it broke again');
    await ana.shot('06-after-reload');
    await clickAsPerson(g.getByLabel('Your message'));
    await pressKey(page, 'End');
    await page.keyboard.type('ought');
    await pressKey(page, 'Enter');
    await newestInView(g, 'a half-written thought');
    await expect(g.getByLabel('Your message').inputValue()).resolves.toBe('');
    await page.reload();
    await clickAsPerson(launcher(page));
    await widget(page).locator('.conv-id code', { hasText: id }).waitFor();
    await expect(widget(page).getByLabel('Your message').inputValue()).resolves.toBe('');

    expect(ana.errors).toEqual([]);
    agent.close();
    await ana.close();
  });

  journey('12: the network drops silently: an offline banner at once, then back to normal, the message typed meanwhile delivered', async () => {
    const bo = await person('offline', { viewport: { width: 1440, height: 900 } });
    const { page, context } = bo;
    const { f, id } = await startQuestion(page, '/site', 'Is there an API for reports?');
    const agent = await AgentSocket.signIn(env.stack, 'lea@ajuda.local');
    await agent.call({ type: 'conversation.open', conversationId: id });
    await expect(f.locator('.banner[role="status"]').count()).resolves.toBe(0);
    await context.setOffline(true);
    const banner = f.locator('.banner[role="status"]');
    await banner.getByText("You're offline").waitFor({ timeout: 3_000 });
    await expectFullyVisible(banner);
    await typeAndSend(f, page, 'Sent from the tunnel');
    await f.locator('.msg-pending', { hasText: 'Sent from the tunnel' }).getByText('Will be sent when you are back online').waitFor();
    await bo.shot('01-offline-banner');
    await context.setOffline(false);
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await agent.next((x) => x.type === 'message.created' && (x.message as { body?: string })?.body === 'Sent from the tunnel', 20_000);
    await newestInView(f, 'Sent from the tunnel');
    agent.close();
    await bo.close();
  });

  journey('11, 13: an unfinished intake form survives a reload; the grant shows who granted it by name', async () => {
    const ana = await person('intake-draft-grants', { viewport: { width: 1366, height: 768 } });
    const { page } = ana;
    const f = await openWidget(page, '/platform');
    await f.locator('.lang select').selectOption('en');
    await clickAsPerson(f.getByRole('button', { name: /General question/ }));
    await typeAsPerson(f.getByLabel('Your question'), 'Half of my question');
    await page.reload();
    await clickAsPerson(launcher(page));
    const g = widget(page);
    await expect(g.getByLabel('Your question').inputValue()).resolves.toBe('Half of my question');
    await ana.shot('01-intake-after-reload');

    await clickAsPerson(g.getByRole('button', { name: 'Back' }));
    await clickAsPerson(g.getByRole('button', { name: 'Access for support' }));
    await clickAsPerson(g.getByRole('button', { name: 'Grant write access' }));
    const row = g.locator('.list li').first();
    await row.getByText('Granted by Ana Souza').waitFor();
    await expect(row.innerText()).resolves.not.toMatch(/u_[a-z]/);
    await ana.shot('02-grant-by-name');
    await clickAsPerson(g.getByRole('button', { name: 'Revoke' }));
    await ana.close();
  });
});

async function typeAndSend(f: FrameLocator, page: Page, text: string): Promise<void> {
  await typeAsPerson(f.getByLabel('Your message') as Locator, text);
  await pressKey(page, 'Enter');
}
