// The journeys' shared kit: one Ajuda + demo stack and one Chromium per file, a browser context per
// person (requester on a demo page, agent on the console), every interaction through the perceptual
// helpers of test/e2e/person.ts, and screenshots into test-output/journeys/<journey>/ (and, when the
// tour script runs the suite, the curated ones into docs/tour/ as JPEG).
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Frame, type FrameLocator, type Locator, type Page } from 'playwright-core';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import consoleEn from '../../../../../packages/i18n/src/console/en.ts';
import consoleEs from '../../../../../packages/i18n/src/console/es.ts';
import consolePt from '../../../../../packages/i18n/src/console/pt.ts';
import widgetEn from '../../../../../packages/i18n/src/widget/en.ts';
import widgetEs from '../../../../../packages/i18n/src/widget/es.ts';
import widgetPt from '../../../../../packages/i18n/src/widget/pt.ts';
import { startTestStack, type TestStack } from '../../../../server/src/testing.ts';
import { clickAsPerson, journeyDir, recordFindings, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { TOUR, tourFile } from '../../../../../test/e2e/tour-list.ts';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The widget's texts per language (the catalogs the widget itself renders). */
export const W: Record<Locale, Record<string, string>> = { pt: widgetPt, en: widgetEn, es: widgetEs };
/** The console's texts per language. */
export const C: Record<Locale, Record<string, string>> = { pt: consolePt, en: consoleEn, es: consoleEs };

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A regular expression matching a key's text exactly, in any of the three languages (before the person's language is known). */
export const anyLang = (cat: Record<Locale, Record<string, string>>, key: string): RegExp => new RegExp(`^\\s*(${(['pt', 'en', 'es'] as const).map((l) => reEscape(cat[l][key]!)).join('|')})\\s*$`);
/** A regular expression matching one language's text exactly. */
export const exact = (text: string): RegExp => new RegExp(`^\\s*${reEscape(text)}\\s*$`);

/** The stack and the browser of the current file. */
export const env = {} as { stack: TestStack; browser: Browser };

/** One stack (with `vars` as its environment) and one browser for the whole file; everything closed after it. */
export function useStack(vars: Record<string, string> = {}): void {
  beforeAll(async () => {
    env.stack = await startTestStack(vars);
    env.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.stack?.close();
  });
}

/**
 * One journey: every perception problem along the way is recorded and the journey goes on as far as it
 * can; it fails with all of them at the end (or with the error that stopped it, plus what was seen before).
 * @example journey('keyboard only', async () => { … });
 */
export function journey(title: string, fn: () => Promise<void>, timeout = 180_000): void {
  it(
    title,
    async () => {
      const seen = recordFindings();
      try {
        await fn();
      } catch (e) {
        // What each person saw when the journey stopped.
        const shots: string[] = [];
        for (const [i, p] of living.entries()) {
          const file = join(journeyDir('failures'), `${Date.now()}-stopped-${i}.png`);
          if (await p.page.screenshot({ path: file }).then(() => true, () => false)) shots.push(file);
        }
        if (e instanceof Error) e.message += `${seen.length ? `\n\nSeen before it stopped:\n${seen.join('\n')}` : ''}\n\nScreens when it stopped: ${shots.join(', ')}`;
        throw e;
      } finally {
        living.splice(0);
      }
      expect(seen, `a person could not perceive:\n${seen.join('\n')}`).toEqual([]);
    },
    timeout,
  );
}

export const LAPTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** The pages of the running journey's people (for a screenshot of each when it stops). */
const living: Array<{ page: Page }> = [];

/** A person with their own browser context. */
export interface Person {
  context: BrowserContext;
  page: Page;
  /** Page errors seen so far (uncaught exceptions). */
  errors: string[];
  /** Screenshot of what the person sees now: test-output/journeys/<journey>/<name>.png, and docs/tour/ when curated. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A new person: a context with their own storage, viewport, language and input device.
 * @example const ana = await person('keyboard', { locale: 'pt-BR' });
 */
export async function person(journey: string, opts: { locale?: string; viewport?: { width: number; height: number }; phone?: boolean } = {}): Promise<Person> {
  const dir = journeyDir(journey);
  const context = await env.browser.newContext({
    locale: opts.locale ?? 'en-US',
    viewport: opts.phone ? PHONE : (opts.viewport ?? LAPTOP),
    ...(opts.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  living.push({ page });
  return {
    context,
    page,
    errors,
    async shot(name) {
      await page.screenshot({ path: join(dir, `${name}.png`) });
      const tourDir = process.env.AJUDA_TOUR_DIR;
      const entry = TOUR.find((t) => t.journey === journey && t.shot === name);
      if (tourDir && entry) {
        // Phones are shot at device scale 2: the gallery shows them at CSS size, JPEG keeps the files small.
        await page.screenshot({ path: join(tourDir, tourFile(entry)), type: 'jpeg', quality: 72, scale: 'css' });
      }
    },
    close: () => context.close(),
  };
}

/** The loader's launcher on a host page (inside its open shadow root, which locators pierce). */
export const launcher = (page: Page): Locator => page.locator('button[aria-expanded]').first();

/** The widget iframe's content. */
export const widget = (page: Page): FrameLocator => page.frameLocator('iframe[src*="/widget/frame/"]');

/** The widget iframe as a Frame (for axe and evaluate). */
export function widgetFrame(page: Page): Frame {
  const f = page.frames().find((x) => x !== page.mainFrame() && x.url().includes('/widget/frame/'));
  if (!f) throw new Error(`no widget frame among ${page.frames().map((x) => x.url()).join(', ')}`);
  return f;
}

/** The conversation's message list in the widget. */
export const widgetLog = (page: Page): Locator => widget(page).locator('ol.msg-list');

/**
 * Sign in as another platform user through the demo's top-bar form, and wait for the page that form
 * posts to (the URL is /platform before and after, so only the new user's name shows the switch is done;
 * navigating before it would abort the form's navigation).
 * @example await switchPlatformUser(page, 'u_bruno', 'Bruno Lima');
 */
export async function switchPlatformUser(page: Page, user: string, name: string): Promise<void> {
  await page.goto(`${env.stack.demoUrl}/platform`);
  await page.locator('#user').selectOption(user);
  await clickAsPerson(page.getByRole('button', { name: 'Switch' }));
  await page.locator('#who').filter({ hasText: exact(name) }).waitFor();
  await page.waitForLoadState('load');
}

/** Open a demo page and the widget by clicking (tapping) the launcher; resolves when a screen is shown. */
export async function openWidget(page: Page, path: string): Promise<FrameLocator> {
  await page.goto(`${env.stack.demoUrl}${path}`);
  await clickAsPerson(launcher(page));
  const frame = widget(page);
  await frame.locator('[data-screen-title]').first().waitFor();
  return frame;
}

/**
 * A request-type card on the widget's home, by its label in `w` (not a conversation row below it, whose
 * name also starts with the request type).
 * @example await clickAsPerson(requestCard(frame, w, 'incident'));
 */
export const requestCard = (frame: FrameLocator, w: Record<string, string>, type: string): Locator =>
  frame.locator('ul.cards button.card').filter({ has: frame.locator('.card-title').getByText(exact(w[`requestType.${type}.label`]!)) });

/** The widget's conversation ID, once a conversation screen shows it. */
export async function conversationId(frame: FrameLocator): Promise<string> {
  const code = frame.locator('.conv-id code').first();
  await code.waitFor();
  return (await code.textContent())!.trim();
}

/** Sign in to the console as a person does (email, password, the Sign-in button), whatever the interface language. */
export async function signInConsole(page: Page, email: string): Promise<void> {
  await page.goto(`${env.stack.url}/console/`);
  await typeAsPerson(page.getByLabel(anyLang(C, 'signin.email')), email);
  await typeAsPerson(page.getByLabel(anyLang(C, 'signin.password')), 'ajuda-demo');
  await clickAsPerson(page.getByRole('button', { name: anyLang(C, 'signin.submit') }));
  await page.locator('.conn--ready').waitFor();
}

/** The console's message log of the open conversation. */
export const consoleLog = (page: Page): Locator => page.locator('[role="log"] ol.msgs');

/** An agent over the agents' WebSocket (presence for routing, or a scripted counterpart): `AgentSocket.signIn(env.stack, email)`. */
export { AgentSocket } from '../../../../../test/e2e/agent.ts';
