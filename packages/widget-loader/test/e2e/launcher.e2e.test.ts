// The launcher and the panel's frame as a person meets them, in real Chromium, on the demo's
// marketing site (`/site`, loadOn: 'idle'), against a whole stack on loopback: keyboard only; a
// phone with touch; "Copy conversation ID"; and what an idle preload costs the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import en from '../../../i18n/src/widget/en.ts';
import { launchBrowser, outputDir } from '../../../../apps/console/test/e2e/browser.ts';
import { startTestStack, type TestStack } from '../../../../apps/server/src/testing.ts';

let stack: TestStack;
let browser: Browser;
let upgrades = 0;
const out = outputDir('launcher');

beforeAll(async () => {
  stack = await startTestStack();
  stack.app.server.on('upgrade', (req: { url?: string }) => {
    if ((req.url ?? '').startsWith('/ws')) upgrades++;
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The first row of a fixture query through the store's test seam (portable SQL, `?` placeholders). */
const sql = async <T>(query: string, ...args: unknown[]): Promise<T> =>
  (await (stack.app as unknown as { ajuda: { svc: { store: { testing: { sql(q: string, ...a: unknown[]): Promise<unknown[]> } } } } }).ajuda.svc.store.testing.sql(query, ...args))[0] as T;
/** A count as a number (some backends return COUNT(*) as a string). */
const count = async (query: string, ...args: unknown[]) => Number((await sql<{ n: number | string }>(query, ...args)).n);
const visitorRows = () => count('SELECT count(*) AS n FROM visitors');
const exact = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** The launcher button, in the loader's open shadow root (CSS locators pierce it). */
const launcher = (page: Page) => page.locator('button[aria-expanded]').first();
const panel = (page: Page): FrameLocator => page.frameLocator('iframe[src*="/widget/frame/"]');
const frameOf = (page: Page): Frame => page.frames().find((f) => f.url().includes('/widget/frame/'))!;

/** Where the keyboard focus is, from the host page down into the shadow root and the frame. */
async function focus(page: Page): Promise<'launcher' | 'panel' | 'page'> {
  const host = await page.evaluate(() => {
    const a = document.activeElement;
    const inner = a?.shadowRoot?.activeElement;
    return inner?.matches('button[aria-expanded]') ? 'launcher' : inner?.tagName === 'IFRAME' ? 'frame' : 'page';
  });
  if (host !== 'frame') return host as 'launcher' | 'page';
  // The frame element has the focus: the panel's document must hold it on one of its own elements.
  const inFrame = await frameOf(page).evaluate(() => document.hasFocus() && document.activeElement !== document.body && !!document.activeElement?.closest('.panel'));
  return inFrame ? 'panel' : 'page';
}

/** The panel as the person sees it: shown, and wholly inside the window. */
async function panelOnScreen(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    for (const el of document.querySelectorAll('body *')) {
      const f = el.shadowRoot?.querySelector('iframe');
      if (!f) continue;
      const r = f.getBoundingClientRect();
      return !f.hidden && r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
    }
    return false;
  });
}

/**
 * Before a tap or click on `target` in the panel: it is inside the frame's window, it is the topmost
 * element at its centre in the frame, and on the host page the topmost thing at that point is the
 * panel's frame, with no part of the launcher over the target's rectangle.
 */
async function expectReachable(page: Page, target: Locator) {
  const inFrame = await target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const top = document.elementFromPoint(x, y);
    return { x: r.left, y: r.top, w: r.width, h: r.height, inView: x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight, onTop: !!top && (top === el || el.contains(top)) };
  });
  expect(inFrame.inView, 'the target is inside the panel').toBe(true);
  expect(inFrame.onTop, 'the target is the topmost element at its centre in the panel').toBe(true);
  const onHost = await page.evaluate((t) => {
    for (const host of document.querySelectorAll('body *')) {
      const root = host.shadowRoot;
      const f = root?.querySelector('iframe');
      if (!root || !f) continue;
      const fr = f.getBoundingClientRect();
      const r = { left: fr.left + t.x, top: fr.top + t.y, right: fr.left + t.x + t.w, bottom: fr.top + t.y + t.h };
      const x = (r.left + r.right) / 2;
      const y = (r.top + r.bottom) / 2;
      const b = root.querySelector('button[aria-expanded]')!;
      const br = b.getBoundingClientRect();
      const shown = getComputedStyle(b).display !== 'none' && br.width > 0;
      const overlaps = shown && br.left < r.right && br.right > r.left && br.top < r.bottom && br.bottom > r.top;
      return { topIsWidget: document.elementFromPoint(x, y) === host, topInWidgetIsFrame: root.elementFromPoint(x, y) === f, launcherOverlaps: overlaps };
    }
    return null;
  }, inFrame);
  expect(onHost, 'the host page shows the panel').not.toBeNull();
  expect(onHost!.topIsWidget && onHost!.topInWidgetIsFrame, 'on the host, the panel is topmost over the target').toBe(true);
  expect(onHost!.launcherOverlaps, 'no part of the launcher lies over the target').toBe(false);
}

/** Whether any part of the launcher shows over the open panel (the topmost thing at its centre, over the frame). */
async function launcherOverPanel(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    for (const host of document.querySelectorAll('body *')) {
      const root = host.shadowRoot;
      const f = root?.querySelector('iframe');
      if (!root || !f) continue;
      const b = root.querySelector('button[aria-expanded]')!;
      const br = b.getBoundingClientRect();
      const fr = f.getBoundingClientRect();
      if (getComputedStyle(b).display === 'none' || !br.width) return false;
      const overlaps = br.left < fr.right && br.right > fr.left && br.top < fr.bottom && br.bottom > fr.top;
      const top = root.elementFromPoint(br.left + br.width / 2, br.top + br.height / 2);
      return overlaps && (top === b || b.contains(top));
    }
    return false;
  });
}

/** From the panel's home: a general question, sent; resolves with the conversation ID. */
async function startConversation(page: Page, frame: FrameLocator, tap: boolean): Promise<string> {
  const act = (l: Locator) => (tap ? l.tap() : l.click());
  const card = frame.getByRole('button', { name: new RegExp(`^${en['requestType.general_question.label']}`) });
  await card.waitFor();
  await expectReachable(page, card);
  await act(card);
  await frame.locator('#f-question').fill('How do I export my invoices?');
  const submit = frame.getByRole('button', { name: exact(en['intake.submit']!) });
  await expectReachable(page, submit);
  await act(submit);
  const id = frame.locator('.conv-id code');
  await id.waitFor();
  return (await id.textContent())!.trim();
}

async function newPage(opts: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US', ...opts });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

describe('launcher and panel in Chromium', () => {
  it('keyboard only: Tab reaches the launcher, Enter opens the panel with the focus in it, Escape closes it back onto the launcher, Space opens it', async () => {
    const { context, page } = await newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${stack.demoUrl}/site`);
    await launcher(page).waitFor();
    let tabs = 0;
    while ((await focus(page)) !== 'launcher') {
      expect(++tabs, 'Tab reaches the launcher').toBeLessThan(40);
      await page.keyboard.press('Tab');
    }
    expect(await launcher(page).getAttribute('aria-label')).toBe('Help');
    await page.screenshot({ path: `${out}keyboard-1-launcher-focused.png` });

    await page.keyboard.press('Enter');
    await expect.poll(() => launcher(page).getAttribute('aria-expanded')).toBe('true');
    await panel(page).locator('[data-screen-title]').first().waitFor();
    await expect.poll(() => panelOnScreen(page)).toBe(true);
    await expect.poll(() => focus(page)).toBe('panel');
    // Open, the launcher is the panel's close button.
    expect(await launcher(page).getAttribute('aria-label')).toBe('Close help');
    expect(await launcher(page).evaluate((b) => b.firstChild?.textContent)).toBe('×');
    await page.screenshot({ path: `${out}keyboard-2-open.png` });

    // Tab goes on through the panel, never stuck on the launcher.
    await page.keyboard.press('Tab');
    expect(await focus(page)).toBe('panel');

    await page.keyboard.press('Escape');
    await expect.poll(() => launcher(page).getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => panelOnScreen(page)).toBe(false);
    await expect.poll(() => focus(page)).toBe('launcher');

    await page.keyboard.press('Space');
    await expect.poll(() => launcher(page).getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => panelOnScreen(page)).toBe(true);
    await expect.poll(() => focus(page)).toBe('panel');

    // Shift+Tab from the panel's first control goes back to the launcher (×); Enter there closes.
    for (let i = 0; i < 20 && (await focus(page)) !== 'launcher'; i++) await page.keyboard.press('Shift+Tab');
    expect(await focus(page)).toBe('launcher');
    await page.keyboard.press('Enter');
    await expect.poll(() => launcher(page).getAttribute('aria-expanded')).toBe('false');
    expect(await focus(page)).toBe('launcher');
    await context.close();
  });

  it('phone (390×844, touch): the open panel fills the screen, the launcher is not over it, Send is on top and sends; the header closes it', async () => {
    const { context, page } = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
    await page.goto(`${stack.demoUrl}/site`);
    await launcher(page).tap();
    const frame = panel(page);
    await frame.locator('[data-screen-title]').first().waitFor();
    const box = await page.locator('iframe[src*="/widget/frame/"]').boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    expect(await launcherOverPanel(page), 'the launcher is not on top of the open panel').toBe(false);
    await startConversation(page, frame, true);

    const body = 'Sent from my phone';
    const composer = frame.getByLabel(exact(en['conversation.compose.label']!));
    await composer.tap();
    await composer.fill(body);
    const send = frame.getByRole('button', { name: exact(en['conversation.send']!) });
    await expectReachable(page, send);
    await page.screenshot({ path: `${out}phone-1-before-send.png` });
    await send.tap();
    await expect.poll(() => count('SELECT count(*) AS n FROM messages WHERE body = ?', body)).toBe(1);
    expect(await launcher(page).getAttribute('aria-expanded')).toBe('true');
    await frame.locator('.bubble', { hasText: body }).waitFor();
    await page.screenshot({ path: `${out}phone-2-sent.png` });

    // The launcher stepped aside: the panel's own header closes it, and the launcher is back.
    const close = frame.locator('header.bar').getByRole('button', { name: exact(en['common.close']!) });
    await expectReachable(page, close);
    await close.tap();
    await expect.poll(() => launcher(page).getAttribute('aria-expanded')).toBe('false');
    expect(await launcher(page).isVisible()).toBe(true);
    await context.close();
  });

  it('R13: "Copy conversation ID" puts the ID on the clipboard where the browser allows it', async () => {
    const { context, page } = await newPage({ viewport: { width: 1366, height: 768 } });
    for (const origin of [stack.url, stack.demoUrl]) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await page.goto(`${stack.demoUrl}/site`);
    await launcher(page).click();
    const frame = panel(page);
    const id = await startConversation(page, frame, false);
    const copy = frame.getByRole('button', { name: en['conversation.copyId.label']!.replace('{id}', id) });
    await expectReachable(page, copy);
    await copy.click();
    await expect.poll(() => copy.textContent()).toBe(en['conversation.copied']);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(id);
    // The notice does not stay.
    await expect.poll(() => copy.textContent(), { timeout: 8_000 }).toBe(en['conversation.copyId']);
    await context.close();
  });

  it('R13: where the clipboard is refused, the ID is selected for a copy by hand and the notice clears', async () => {
    const { context, page } = await newPage({ viewport: { width: 1366, height: 768 } });
    // A browser (or its settings) that refuses clipboard writes, in the Ajuda frame only.
    await context.addInitScript(() => {
      if (!location.pathname.startsWith('/widget/frame/') || !navigator.clipboard) return;
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
    });
    await page.goto(`${stack.demoUrl}/site`);
    await launcher(page).click();
    const frame = panel(page);
    const id = await startConversation(page, frame, false);
    const copy = frame.getByRole('button', { name: en['conversation.copyId.label']!.replace('{id}', id) });
    await copy.click();
    await expect.poll(() => copy.textContent()).toBe(en['conversation.copyFailed']);
    expect(await frameOf(page).evaluate(() => getSelection()?.toString())).toBe(id);
    await page.screenshot({ path: `${out}copy-refused.png` });
    await expect.poll(() => copy.textContent(), { timeout: 8_000 }).toBe(en['conversation.copyId']);
    await context.close();
  });

  it("cost at scale: /site with loadOn 'idle' preloads the panel but opens no socket and creates no visitor until the person opens it", async () => {
    const rows = await visitorRows();
    const sockets = upgrades;
    const { context, page } = await newPage();
    for (let i = 0; i < 3; i++) {
      await page.goto(`${stack.demoUrl}/site`);
      // The idle preload: the frame is there, hidden, its first screen rendered.
      await panel(page).locator('[data-screen-title]').first().waitFor({ state: 'attached' });
      expect(await panelOnScreen(page)).toBe(false);
      await page.waitForTimeout(500);
    }
    expect(upgrades - sockets).toBe(0);
    expect((await visitorRows()) - rows).toBe(0);
    await launcher(page).click();
    await panel(page).locator('.cards .card').first().waitFor();
    expect(upgrades - sockets).toBe(1);
    await expect.poll(async () => (await visitorRows()) - rows).toBe(1);
    await context.close();
  });
});
