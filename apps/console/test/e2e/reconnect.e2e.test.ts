// A server restart as the agent lives it, in Chromium: the Ajuda process stops (every socket is told
// `session.ended: shutdown`), stays down a few seconds, and starts again on the same port and database.
// The console must be live again soon after the server is healthy, without a reload or a new sign-in.
import { writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/src/app.ts';
import { startTestStack, type TestStack } from '../../../server/src/testing.ts';
import { launchBrowser, newActor, outputDir, signInConsole, type Actor } from './browser.ts';

let stack: TestStack;
let browser: Browser;
let restarted: Awaited<ReturnType<typeof buildApp>> | null = null;
const actors: Actor[] = [];

beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const a of actors) await a.close().catch(() => undefined);
  await browser?.close();
  await restarted?.close();
  await stack?.close().catch(() => undefined); // its first app is already closed; this removes the temp dir
});

/** Resolves with the time `GET /healthz` first answered 200 (polled every 25 ms). */
async function healthyAt(url: string, timeoutMs = 30_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return Date.now();
    if (Date.now() > until) throw new Error('the server never became healthy');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the console through a server restart', () => {
  it('is live again within a few seconds of the server being healthy, with "Retry now" while it waits', async () => {
    const a = await newActor(browser, 'reconnect', 'agent-emma', { viewport: { width: 1366, height: 768 } });
    actors.push(a);
    await signInConsole(a.page, stack.url, 'emma@ajuda.local');
    const status = a.page.locator('.conn');

    // Stop the server (graceful: the console is told `shutdown`), keep it down a while, as a restart does.
    await stack.app.close();
    await status.filter({ hasText: 'Reconnecting…' }).waitFor();
    // Never sent back to the sign-in screen: the session survives a restart.
    expect(await a.page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    const retry = a.page.getByRole('button', { name: 'Retry now' });
    await retry.waitFor();
    // Down long enough for an unbounded backoff to have grown to tens of seconds.
    await new Promise((r) => setTimeout(r, 8_000));
    await a.shot('01-reconnecting');

    const port = Number(new URL(stack.url).port);
    restarted = await buildApp(stack.config, { seed: true, logger: false });
    await restarted.listen({ host: '127.0.0.1', port });
    const healthy = await healthyAt(stack.url);
    await a.page.locator('.conn--ready').waitFor({ timeout: 30_000 });
    const live = Date.now();
    const ms = live - healthy;
    writeFileSync(`${outputDir('reconnect')}measure.json`, JSON.stringify({ downForMs: 8_000, healthyToLiveMs: ms }, null, 2));
    await a.shot('02-live-again');
    // The figure to meet is 2 s (backoff capped at 2 s, /healthz probed every second); the bound here
    // is generous because the machine is shared.
    expect(ms).toBeLessThan(5_000);
    expect(await retry.count()).toBe(0);
    // Still signed in and working: the inbox loads over the new socket.
    await a.page.getByRole('heading', { name: 'Inbox' }).waitFor();
  });
});
