// The Admin area's API tokens and Webhooks tabs on a phone (390×844, touch) as a person perceives
// them, against a whole stack on loopback: a token acting for one agent with an expiry, shown once
// and then revoked; a webhook URL the server refuses (loopback, without AJUDA_WEBHOOK_ALLOW_PRIVATE)
// explained on screen; an endpoint edited to two events, disabled, enabled and deleted; a lead sees
// neither tab. Every control is visible in its scroll container and topmost at its centre before it
// is tapped; axe-core finds nothing serious; screenshots in test-output/integrations/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/src/crypto.ts';
import { startTestStack, type TestStack } from '../../../server/src/testing.ts';
import { axeReport, axeSerious } from '../../../../test/e2e/axe.ts';
import { reachAndClick, reachAndType } from '../../../../test/e2e/person.ts';
import { launchBrowser, outputDir } from './browser.ts';

let stack: TestStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const out = outputDir('integrations');
const ADMIN = { email: 'ada@ajuda.local', password: 'admin-password-1' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

beforeAll(async () => {
  stack = await startTestStack({ AJUDA_LOGIN_PER_MINUTE: '600' }, { demo: false });
  await stack.app.ajuda.svc.store.admin.createAgent(
    { id: 'ag_ada', email: ADMIN.email, name: 'Ada Admin', passwordHash: hashPassword(ADMIN.password), role: 'admin', languages: ['en'], teams: [], available: true, disabled: false },
    new Date().toISOString(),
    { actor: 'test', action: 'agent.created' },
  );
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

async function phone(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale: 'en-US', ...PHONE });
  contexts.push(context);
  const p = await context.newPage();
  p.setDefaultTimeout(15_000);
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  return { page: p, errors };
}

async function signIn(p: Page, email: string, password: string): Promise<void> {
  await p.goto(`${stack.url}/console/`);
  await reachAndType(p.getByLabel('Email'), email);
  await reachAndType(p.getByLabel('Password'), password);
  await reachAndClick(p.getByRole('button', { name: 'Sign in' }));
  await p.locator('.conn--ready').waitFor();
  const lang = p.locator('select').filter({ has: p.locator('option[value="pt"]') }).filter({ has: p.locator('option[value="es"]') }).first();
  if ((await lang.inputValue()) !== 'en') await lang.selectOption('en');
  await p.getByRole('heading', { name: 'Inbox' }).waitFor();
}

async function axeClean(p: Page, screen: string, found: string[]): Promise<void> {
  const f = await axeSerious(p);
  if (f.length) found.push(axeReport(screen, f));
}

const tabLink = (p: Page, name: string) => p.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name });
/** The tabs are at the top of the page: on a phone, under the sticky bar once scrolled, a person scrolls back up to them. */
async function openTab(p: Page, name: string): Promise<void> {
  await p.evaluate(() => window.scrollTo(0, 0));
  await reachAndClick(tabLink(p, name));
}

describe('API tokens and webhooks in the Admin area (phone)', () => {
  it('a token for one agent with an expiry, shown once, revoked; a refused URL explained; an endpoint edited, disabled, enabled, deleted', async () => {
    const found: string[] = [];
    const { page: p, errors } = await phone();
    await signIn(p, ADMIN.email, ADMIN.password);
    await reachAndClick(p.getByRole('link', { name: 'Admin', exact: true }));
    await openTab(p, 'API tokens');
    await p.getByText('No API tokens yet.').waitFor();
    await axeClean(p, 'API tokens, none', found);

    const form = p.getByRole('form', { name: 'Create a token' });
    await reachAndType(form.getByLabel('Name'), 'CRM for Emma');
    const actsAs = form.getByLabel('Acts as');
    await actsAs.scrollIntoViewIfNeeded();
    await actsAs.selectOption('ag_emma');
    const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('Expires at the end of (optional)').fill(expiry);
    await reachAndClick(form.getByLabel('Act on conversations'));
    await reachAndClick(form.getByRole('button', { name: 'Create token' }));
    const token = await p.getByRole('textbox', { name: 'Token' }).inputValue();
    expect(token).toMatch(/^ajt_/);
    const stored = (await stack.app.ajuda.svc.store.api.listTokens()).find((t) => t.name === 'CRM for Emma')!;
    expect(stored).toMatchObject({ agentId: 'ag_emma', scopes: ['conversations:read', 'conversations:write'], createdBy: 'agent:ag_ada' });
    // The end of that day where the browser is (within any time zone's offset of the day's end in UTC).
    expect(Math.abs(Date.parse(stored.expiresAt!) - Date.parse(`${expiry}T23:59:59Z`))).toBeLessThanOrEqual(14 * 3_600_000);
    const item = p.getByRole('list', { name: 'API tokens' }).getByRole('listitem').filter({ hasText: 'CRM for Emma' });
    await item.getByText('Emma Clarke').waitFor();
    await axeClean(p, 'API tokens, one shown once', found);
    await p.screenshot({ path: `${out}phone-01-token.png` });
    expect((await fetch(`${stack.url}/api/v1/conversations`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await reachAndClick(p.getByRole('button', { name: 'Dismiss' }));
    await reachAndClick(p.getByRole('button', { name: 'Revoke: CRM for Emma' }));
    await item.getByText('Revoked', { exact: true }).waitFor();
    expect(await p.getByRole('button', { name: 'Revoke: CRM for Emma' }).count()).toBe(0);
    expect((await fetch(`${stack.url}/api/v1/conversations`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    // Webhooks: a loopback URL is refused by the server (no AJUDA_WEBHOOK_ALLOW_PRIVATE), and the page says why.
    await openTab(p, 'Webhooks');
    await p.getByText('No webhook endpoints yet.').waitFor();
    const add = p.getByRole('form', { name: 'Add an endpoint' });
    await reachAndType(add.getByLabel('URL'), 'http://127.0.0.1:9/hook');
    await reachAndClick(add.getByRole('button', { name: 'Add' }));
    await p.getByRole('alert').filter({ hasText: /Check the fields: .*url refused/ }).waitFor();
    await axeClean(p, 'webhooks, a refused URL', found);
    await p.screenshot({ path: `${out}phone-02-refused.png` });
    expect(await stack.app.ajuda.svc.store.webhooks.listEndpoints()).toEqual([]);

    // A public URL (saved, never delivered here: no event happens).
    await add.getByLabel('URL').fill('');
    await reachAndType(add.getByLabel('URL'), 'https://93.184.215.14/ajuda');
    await reachAndClick(add.getByRole('button', { name: 'Add' }));
    expect(await p.getByRole('textbox', { name: 'Signing secret' }).inputValue()).toMatch(/^whsec_/);
    await reachAndClick(p.getByRole('button', { name: 'Dismiss' }));
    const url = 'https://93.184.215.14/ajuda';
    await reachAndClick(p.getByRole('button', { name: `Edit: ${url}` }));
    const edit = p.getByRole('form', { name: `Edit: ${url}` });
    await reachAndClick(edit.getByLabel('message.created'));
    await reachAndClick(edit.getByLabel('escalation.created'));
    await reachAndClick(edit.getByRole('button', { name: 'Save' }));
    await p.getByText('message.created, escalation.created').waitFor();
    expect((await stack.app.ajuda.svc.store.webhooks.listEndpoints())[0]!.events).toEqual(['message.created', 'escalation.created']);
    await reachAndClick(p.getByRole('button', { name: `Disable: ${url}` }));
    await p.getByRole('list', { name: 'Webhook endpoints' }).getByText('Disabled', { exact: true }).waitFor();
    await axeClean(p, 'webhooks, a disabled endpoint', found);
    await p.screenshot({ path: `${out}phone-03-disabled.png` });
    await reachAndClick(p.getByRole('button', { name: `Enable: ${url}` }));
    await p.getByRole('list', { name: 'Webhook endpoints' }).getByText('Enabled', { exact: true }).waitFor();
    await reachAndClick(p.getByRole('button', { name: `Deliveries: ${url}` }));
    await p.getByText('No deliveries yet.').waitFor();
    await reachAndClick(p.getByRole('button', { name: `Delete: ${url}` }));
    await p.getByText('No webhook endpoints yet.').waitFor();
    expect(await stack.app.ajuda.svc.store.webhooks.listEndpoints()).toEqual([]);

    expect(found, found.join('\n')).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a lead sees neither tab, and the routes refuse their session', async () => {
    const { page: p } = await phone();
    await signIn(p, 'lea@ajuda.local', 'ajuda-demo');
    await p.goto(`${stack.url}/console/#/admin/tokens`);
    await p.getByRole('heading', { name: 'Administration' }).waitFor();
    expect(await p.getByRole('heading', { name: 'API tokens' }).count()).toBe(0);
    expect(await p.getByRole('link', { name: 'Webhooks' }).count()).toBe(0);
    const status = await p.evaluate(async () => (await fetch('/api/v1/tokens', { credentials: 'same-origin' })).status);
    expect(status).toBe(403);
  });
});
