// Browser end-to-end: the demo host pages in Chromium, embedding the real built loader and widget
// from the Ajuda server on another origin, under the pages' strict CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { startTestStack, type TestStack } from '../../../server/src/testing.ts';

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

/** Opens a page, collecting CSP violations and page errors. */
async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(stack.demoUrl + path);
  return { page, problems };
}

describe('the demo pages in a real browser', () => {
  it.each(['/site', '/login', '/platform'])('R1: %s shows the launcher, opens the chat iframe from the Ajuda origin, no CSP violation', async (path) => {
    const { page, problems } = await open(path);
    // "?" while closed, "×" (named "Close help" in English) while open.
    const button = page.getByRole('button', { name: /^(Help|Ajuda|Ayuda|Close help|Fechar ajuda|Cerrar ayuda)\b/ });
    await button.waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await button.click();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    const frameEl = page.locator('iframe');
    await frameEl.waitFor();
    const src = (await frameEl.getAttribute('src'))!;
    expect(new URL(src).origin).toBe(stack.url);
    expect(src).not.toMatch(/token|eyJ/i);
    // The widget app inside the frame renders (it got host.init over the bridge).
    const frame = page.frameLocator('iframe');
    await frame.locator('body *').first().waitFor({ timeout: 15_000 });
    // Escape on the launcher closes the panel (inside the frame, the widget asks with frame.close).
    await button.focus();
    await page.keyboard.press('Escape');
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    expect(problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
    await page.close();
  });
});
