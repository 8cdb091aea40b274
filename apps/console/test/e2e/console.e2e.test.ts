// Browser end-to-end: the built console in Chromium against a whole stack on loopback. An agent
// signs in, a requester opens a conversation over a plain `ws` client, the agent sees it arrive
// live, reads the intake card, replies, and the reply reaches the requester's socket.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestStack, type TestStack } from '../../../server/src/testing.ts';

const OUT = fileURLToPath(new URL('../../../../test-output/console/', import.meta.url));

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  stack = await startTestStack({}, { demo: false });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

type Frame = { type: string; [k: string]: unknown };

/** A requester over a plain WebSocket, as the widget would be; waits on frames, never sleeps. */
async function requester(origin: string): Promise<{ send(f: object): void; next(pred: (f: Frame) => boolean, ms?: number): Promise<Frame>; close(): void }> {
  const ws = new WebSocket(stack.wsUrl, { origin });
  const frames: Frame[] = [];
  const waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as Frame;
    frames.push(f);
    for (const w of [...waiters]) {
      if (w.pred(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    send: (f) => ws.send(JSON.stringify(f)),
    next(pred, ms = 15_000) {
      const seen = frames.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame; got ${frames.map((f) => f.type).join(', ')}`)), ms);
        waiters.push({ pred, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      });
    },
    close: () => ws.close(),
  };
}

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return problems;
}

describe('the console in a real browser', () => {
  it('an agent signs in, sees a new conversation arrive live, replies, and the requester receives it', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
    const problems = watch(page);
    await page.goto(`${stack.url}/console/`);

    // Sign-in: a wrong password is refused clearly.
    await page.getByLabel('Email').fill('emma@ajuda.local');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/incorrect/);
    await page.screenshot({ path: `${OUT}signin.png` });

    await page.getByLabel('Password').fill('ajuda-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await expect.poll(() => page.locator('.conn').textContent()).toBe('Live');
    // The session is an HttpOnly cookie: nothing readable by script, nothing in storage.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => !k.startsWith('ajuda.console.locale')))).toEqual([]);

    // A visitor on the marketing site opens a general question (the server's own origin is allowed).
    const req = await requester(stack.url);
    req.send({ type: 'session.hello', v: 1, channel: 'website', locale: 'en' });
    await req.next((f) => f.type === 'session.ready');
    req.send({
      type: 'conversation.start',
      ref: 'start-1',
      idempotencyKey: 'e2e-console-0001',
      requestType: 'general_question',
      locale: 'en',
      answers: { question: 'Does the platform support SFTP sources?' },
      claims: { name: 'Visiting Vera', email: 'vera@example.org' },
    });
    const started = await req.next((f) => f.type === 'conversation.started');
    const conversationId = (started.conversation as { id: string }).id;

    // It appears in the inbox without a reload, with the visitor's claim marked as unverified.
    const row = page.locator(`li[data-conversation-id="${conversationId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('General question');
    expect(await row.textContent()).toContain('unverified claim');
    await page.screenshot({ path: `${OUT}inbox.png` });

    await row.getByRole('button').click();
    const card = page.locator('section.intake');
    await card.waitFor();
    expect(await card.textContent()).toContain('Does the platform support SFTP sources?');

    // An internal note stays internal; then the reply goes out.
    await page.getByRole('radio', { name: 'Internal note' }).check();
    await page.getByPlaceholder('Write an internal note (agents only)').fill('Check the SFTP connector docs');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.msg--note:not(.msg--pending)').first().waitFor();

    await page.getByRole('radio', { name: 'Reply' }).check();
    const box = page.getByPlaceholder('Write a reply to the requester');
    await box.fill('Yes: SFTP sources are supported. Which server do you use?');
    await box.press('Enter');
    const got = await req.next((f) => f.type === 'message.created' && (f.message as { body: string }).body.startsWith('Yes: SFTP'));
    expect(got.message).toMatchObject({ conversationId, sender: { role: 'agent' }, kind: 'text' });
    // The note never reached the requester.
    await expect(req.next((f) => f.type === 'message.created' && (f.message as { body: string }).body.includes('SFTP connector docs'), 1_000)).rejects.toThrow();

    // The requester answers; it shows up live in the agent's log.
    req.send({ type: 'message.send', conversationId, clientMsgId: 'vera-1', body: 'We use OpenSSH on Linux.' });
    await page.getByRole('log').getByText('We use OpenSSH on Linux.').waitFor();
    await page.screenshot({ path: `${OUT}conversation.png` });

    // The language switcher re-renders everything in Portuguese.
    await page.getByLabel('Interface language').selectOption('pt');
    await page.getByRole('heading', { name: 'Caixa de entrada' }).waitFor();
    await page.screenshot({ path: `${OUT}conversation-pt.png` });

    // The only failed loads are the two expected 401s: GET /api/agent/me signed out, and the wrong password.
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    expect(problems.filter((p) => /status of 401/.test(p))).toHaveLength(2);
    req.close();
    await page.close();
  });
});
