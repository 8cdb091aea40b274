// The console's top bar as a lead sees it (the most links: Leads, Reports, Team, Articles, Admin), in
// each language at a laptop (1366×768) and a phone (390×844, touch): every control is on the screen —
// inside the viewport and the topmost element at its centre — and nothing scrolls sideways; at the laptop
// the bar is one row.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../../server/src/testing.ts';
import { launchBrowser, newActor, signInConsole, type Actor } from './browser.ts';
import { notClickable } from './perceive.ts';

let stack: TestStack;
let browser: Browser;
const actors: Actor[] = [];
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const a of actors) await a.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

const SIZES = { laptop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } } as const;

describe('the top bar fits', () => {
  for (const size of ['laptop', 'phone'] as const) {
    it(`a lead at ${size} size in pt, en and es: every link and control of the top bar on screen, no sideways scroll`, async () => {
      const a = await newActor(browser, 'topbar', `lea-${size}`, { viewport: SIZES[size] });
      actors.push(a);
      const page = a.page;
      await signInConsole(page, stack.url, 'lea@ajuda.local');
      for (const lang of ['pt', 'en', 'es']) {
        await page.locator('.topbar select').selectOption(lang);
        await page.locator(`html[lang="${lang}"]`).waitFor();
        const controls = page.locator('.topbar').locator('a.nav, button, select, input');
        const n = await controls.count();
        expect(n).toBeGreaterThanOrEqual(8);
        const problems: string[] = [];
        for (let i = 0; i < n; i++) {
          const c = controls.nth(i);
          if (!(await c.isVisible())) continue;
          const why = await notClickable(c);
          if (why) problems.push(`${lang}: ${(await c.innerText().catch(() => '')) || (await c.getAttribute('aria-label')) || i}: ${why}`);
        }
        expect(problems).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
        // At 1366 px the bar is one row in every language: the conversation keeps the height of a second one.
        if (size === 'laptop') expect(await page.locator('.topbar').evaluate((el) => el.getBoundingClientRect().height), `${lang}: the top bar's height`).toBeLessThan(56);
        await a.shot(`${size}-${lang}`);
      }
    });
  }
});
