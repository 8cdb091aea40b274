// The widget in real Chromium, embedded by the demo host pages exactly as customers do, against a
// whole Ajuda stack on loopback. An agent on the other side is played over the agents' WebSocket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { AgentSocket } from '../../../../test/e2e/agent.ts';
import { startTestStack, type TestStack } from '../../../../apps/server/src/testing.ts';

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});


/** The loader's launcher, "?" or, while open, "×" (in an open shadow root, which Playwright's locators pierce). */
const launcher = (page: Page) => page.getByRole('button', { name: /^(Help|Ajuda|Ayuda|Close help|Fechar ajuda|Cerrar ayuda)\b/ });

async function openWidget(page: Page, path: string): Promise<{ frame: FrameLocator; cspErrors: string[] }> {
  const cspErrors: string[] = [];
  // Fail with a locator message well before the test's own timeout.
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
  });
  await page.goto(`${stack.demoUrl}${path}`);
  await launcher(page).click();
  const frame = page.frameLocator('iframe');
  await frame.locator('[data-screen-title]').first().waitFor();
  return { frame, cspErrors };
}

describe('widget end to end (Chromium)', () => {
  // The same visitor journey on both unauthenticated embeds: the login page and the marketing site.
  it.each(['/login', '/site'])('R2, R6, R13, R14: a visitor on %s asks a question, chats with an agent, sees "Seen", escalates, then gives feedback', async (path) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { frame, cspErrors } = await openWidget(page, path);
    await frame.locator('.lang select').selectOption('en');
    await frame.getByRole('heading', { name: /Hi there/ }).waitFor();

    // R2: a visitor may ask general things, never development help or pipeline incidents.
    await expect(frame.getByRole('button', { name: /General question/ }).count()).resolves.toBe(1);
    await expect(frame.getByRole('button', { name: /Something is broken/ }).count()).resolves.toBe(0);

    await frame.getByRole('button', { name: /General question/ }).click();
    // R6: the form checks the required field before anything is sent.
    await frame.getByRole('button', { name: 'Send to support' }).click();
    await frame.locator('#f-question-error').waitFor();
    await frame.getByLabel('Your question').fill('How do I export my invoices?');
    await frame.getByRole('button', { name: 'Send to support' }).click();

    // R13: the conversation ID is visible in the conversation.
    const idText = frame.locator('.conv-id code');
    await idText.waitFor();
    const conversationId = (await idText.textContent())!.trim();
    expect(conversationId.length).toBeGreaterThan(3);
    // System messages from the server arrive in the conversation.
    await frame.locator('.msg-system').first().waitFor();

    await frame.getByLabel('Your message').fill('Hello from the visitor');
    await frame.getByLabel('Your message').press('Enter');
    await frame.locator('.msg-list li:not(.msg-pending) .bubble', { hasText: 'Hello from the visitor' }).waitFor();

    const agent = await AgentSocket.signIn(stack, 'lea@ajuda.local');
    const snap = await agent.call({ type: 'conversation.open', conversationId });
    const messages = snap.messages as Array<{ seq: number; body: string }>;
    expect(messages.some((m) => m.body === 'Hello from the visitor')).toBe(true);
    const lastSeq = Math.max(...messages.map((m) => m.seq));

    await agent.call({ type: 'message.send', conversationId, clientMsgId: 'agent-1', body: 'Hi! Reports > Invoices > Export.' });
    await frame.locator('.msg-agent .bubble', { hasText: 'Reports > Invoices > Export.' }).waitFor();

    agent.send({ type: 'read', conversationId, lastReadSeq: lastSeq + 1 });
    await frame.locator('.seen').waitFor();

    // R13: escalate the open conversation; the lead gets it with the same conversation ID.
    await frame.getByRole('button', { name: 'Escalate this conversation' }).click();
    await frame.getByLabel('I would like another engineer to look at it').check();
    await frame.getByLabel('Describe the problem').fill('The export button is missing');
    await frame.getByLabel('Test').check();
    await frame.getByLabel('Justification').fill('The steps given do not match my screen');
    await frame.getByRole('button', { name: 'Escalate', exact: true }).click();
    await frame.getByText('Escalated to a support lead').waitFor();
    const esc = await agent.next((f) => f.type === 'agent.escalation');
    expect(esc.escalation).toMatchObject({ conversationId, reason: 'other_engineer', environment: 'Test', source: 'widget' });

    agent.send({ type: 'conversation.resolve', conversationId });
    // R14
    await frame.getByText('Did this answer your question?').waitFor();
    await frame.getByLabel('Yes').check();
    await frame.getByRole('button', { name: 'Send feedback' }).click();
    await frame.getByText('Thanks for your feedback.').waitFor();

    // Coming back later (a reload): the same visitor, the conversation listed, history replayed in order.
    await page.reload();
    await launcher(page).click();
    await frame.getByRole('button', { name: new RegExp(conversationId) }).click();
    await frame.locator('.msg-agent .bubble', { hasText: 'Reports > Invoices > Export.' }).waitFor();
    const seqs = await frame.locator('.msg-list li[data-seq]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // "Seen" survives the reload: it comes from the server's agentReadSeq, not from a receipt seen live.
    await frame.locator('.seen').waitFor();

    expect(cspErrors).toEqual([]);
    agent.close();
    await context.close();
  });

  it('R4, R7: a signed-in platform user sees only their own realm in the pipeline picker, which fills name and key', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { frame, cspErrors } = await openWidget(page, '/platform');
    await frame.locator('.lang select').selectOption('en');
    await frame.getByRole('heading', { name: /Ana Souza/ }).waitFor();
    await frame.getByRole('button', { name: /Something is broken/ }).click();
    const picker = frame.locator('select#f-pipeline');
    await picker.waitFor();
    const options = await picker.locator('option').allTextContents();
    expect(options.some((o) => o.includes('Orders sync') && o.includes('ORD-SYNC-01'))).toBe(true);
    // R7a: another realm's pipelines never appear.
    expect(options).toHaveLength(1 + 4);
    await picker.selectOption({ label: options.find((o) => o.includes('ORD-SYNC-01'))! });
    await frame.getByText('Pipeline key: ORD-SYNC-01').waitFor();
    // Ana holds support.grant (R12b): the grants panel is offered.
    await frame.getByRole('button', { name: 'Back' }).click();
    await frame.getByRole('button', { name: 'Access for support' }).click();
    await frame.getByRole('button', { name: 'Grant write access' }).click();
    await frame.getByRole('button', { name: 'Revoke' }).waitFor();
    await frame.getByRole('button', { name: 'Revoke' }).click();
    await frame.getByText('Support has read-only access.').waitFor();
    // Escape inside the frame never reaches the host page: the frame asks it to close (frame.close).
    await expect(launcher(page).getAttribute('aria-expanded')).resolves.toBe('true');
    await frame.getByRole('heading', { name: 'Access for support' }).press('Escape');
    await page.waitForFunction(() => {
      for (const el of document.querySelectorAll('body *')) {
        const b = el.shadowRoot?.querySelector('button[aria-expanded]');
        if (b) return b.getAttribute('aria-expanded') === 'false';
      }
      return false;
    });
    expect(cspErrors).toEqual([]);
    await context.close();
  });
});
