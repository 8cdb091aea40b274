// The Admin area and /shortcut as a person perceives them, in Chromium against a whole stack on
// loopback: an admin adds a team, invites an agent (who sets a password from the link and signs in),
// keeps canned replies and SLA tiers, reads the realm directory; a lead sees their team only; an agent
// inserts a canned reply with the keyboard alone. At 390×844 (touch) and 1366×768; every control is
// visible in its scroll container and topmost at its centre before it is clicked or tapped; axe-core
// finds nothing serious on any new screen; screenshots in test-output/admin/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../server/src/crypto.ts';
import { startTestStack, type TestStack } from '../../../server/src/testing.ts';
import { idem, requester, type TestClient } from '../../../server/test/client.ts';
import { axeReport, axeSerious } from '../../../../test/e2e/axe.ts';
import { reachAndClick, pressKey, tabTo, reachAndType } from '../../../../test/e2e/person.ts';
import { launchBrowser, outputDir } from './browser.ts';
import { notClickable } from './perceive.ts';

let stack: TestStack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const sockets: TestClient[] = [];
const out = outputDir('admin');
const ADMIN = { email: 'ada@ajuda.local', password: 'admin-password-1' };

const SIZES = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  laptop: { viewport: { width: 1366, height: 768 } },
} as const;

beforeAll(async () => {
  stack = await startTestStack({ AJUDA_LOGIN_PER_MINUTE: '600', AJUDA_STARTS_PER_MINUTE: '600' }, { demo: false });
  await stack.app.ajuda.svc.store.admin.createAgent(
    { id: 'ag_ada', email: ADMIN.email, name: 'Ada Admin', passwordHash: hashPassword(ADMIN.password), role: 'admin', languages: ['en'], teams: [], available: true, disabled: false },
    new Date().toISOString(),
    { actor: 'test', action: 'agent.created' },
  );
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

async function page(size: keyof typeof SIZES): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale: 'en-US', ...SIZES[size] });
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

const tab = (p: Page, name: string) => p.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name });

describe('the Admin area', () => {
  for (const size of ['phone', 'laptop'] as const) {
    it(`${size}: an admin adds a team, invites an agent who sets a password from the link and signs in, keeps canned replies and SLA tiers, reads the realms`, async () => {
      const found: string[] = [];
      const { page: p, errors } = await page(size);
      await signIn(p, ADMIN.email, ADMIN.password);
      await reachAndClick(p.getByRole('link', { name: 'Admin', exact: true }));
      await p.getByRole('heading', { name: 'Administration' }).waitFor();
      await p.getByText('joao@ajuda.local').waitFor();
      await axeClean(p, `agents (${size})`, found);
      await p.screenshot({ path: `${out}${size}-01-agents.png` });

      // Teams: a new one.
      await reachAndClick(tab(p, 'Teams'));
      const teamName = `Billing ${size}`;
      await reachAndType(p.getByLabel('Team name'), teamName);
      await reachAndClick(p.getByRole('form', { name: 'Add a team' }).getByRole('button', { name: 'Add' }));
      await p.getByText(teamName, { exact: true }).waitFor();
      await axeClean(p, `teams (${size})`, found);
      await p.screenshot({ path: `${out}${size}-02-teams.png` });

      // Agents: invite one into that team.
      await reachAndClick(tab(p, 'Agents'));
      await reachAndClick(p.getByText('Add an agent', { exact: true }));
      const form = p.getByRole('form', { name: 'Add an agent' });
      const email = `nina.${size}@example.com`;
      await reachAndType(form.getByLabel('Email'), email);
      await reachAndType(form.getByLabel('Name'), `Nina ${size}`);
      await reachAndClick(form.getByLabel('Português'));
      await reachAndClick(form.getByLabel(teamName));
      await reachAndClick(form.getByRole('button', { name: 'Add' }));
      const link = await p.getByRole('textbox', { name: 'Set-password link' }).inputValue();
      expect(link).toMatch(/\/console\/#\/set-password\/pw_/);
      await p.getByText(`Nina ${size}`, { exact: true }).waitFor();
      await axeClean(p, `agents with an invitation link (${size})`, found);
      await p.screenshot({ path: `${out}${size}-03-invited.png` });

      // The invited agent, on their own browser: sets a password from the link, then signs in.
      const { page: nina } = await page(size);
      await nina.goto(link);
      await nina.getByText(`Welcome, Nina ${size}.`, { exact: false }).waitFor();
      await axeClean(nina, `set password (${size})`, found);
      await nina.screenshot({ path: `${out}${size}-04-set-password.png` });
      await reachAndType(nina.getByLabel('New password'), 'nina-own-password');
      await reachAndType(nina.getByLabel('The same password again'), 'nina-own-password');
      await reachAndClick(nina.getByRole('button', { name: 'Save password' }));
      await nina.getByText('Your password is set.').waitFor();
      await reachAndClick(nina.getByRole('button', { name: 'Go to sign in' }));
      expect(nina.url()).not.toContain('set-password');
      await signIn(nina, email, 'nina-own-password');
      // The link was used: it does not work twice.
      await nina.goto(link);
      await nina.getByText('This link is unknown, already used or expired.').waitFor();

      // Canned replies in Spanish.
      await reachAndClick(tab(p, 'Canned replies'));
      await reachAndClick(p.getByRole('radio', { name: 'Español' }));
      const add = p.getByRole('form', { name: 'Add a canned reply' });
      await reachAndType(add.getByLabel(/Shortcut/), `gracias-${size}`);
      await reachAndType(add.getByLabel('Title'), 'Agradecimiento');
      await reachAndType(add.getByLabel('Text'), '¡Gracias por tu paciencia!');
      await reachAndClick(add.getByRole('button', { name: 'Add' }));
      await p.getByText(`/gracias-${size}`).waitFor();
      await axeClean(p, `canned replies (${size})`, found);
      await p.screenshot({ path: `${out}${size}-05-canned.png` });

      // SLA tiers: a gold tier, then its P1 first response tightened.
      await reachAndClick(tab(p, 'SLA tiers'));
      const tierId = `gold-${size}`;
      await reachAndType(p.getByLabel('Tier id'), tierId);
      await reachAndType(p.getByRole('form', { name: 'Add a tier' }).getByLabel('Tier name'), `Gold ${size}`);
      await reachAndClick(p.getByRole('form', { name: 'Add a tier' }).getByRole('button', { name: 'Add' }));
      const tierForm = p.getByRole('form', { name: new RegExp(`^Gold ${size} ${tierId}`) });
      await tierForm.waitFor();
      const p1 = tierForm.getByLabel('First response for P1, in minutes');
      await reachAndClick(p1);
      await p1.fill('5');
      await reachAndClick(tierForm.getByRole('button', { name: 'Save' }));
      await expect.poll(async () => (await stack.app.ajuda.svc.store.admin.listSlaTiers()).find((x) => x.id === tierId)?.targets.P1.firstResponseMin).toBe(5);
      await axeClean(p, `SLA tiers (${size})`, found);
      await p.screenshot({ path: `${out}${size}-06-sla.png` });

      await reachAndClick(tab(p, 'Realm directory'));
      await p.getByText('Acme Integrations').waitFor();
      await axeClean(p, `realm directory (${size})`, found);
      await p.screenshot({ path: `${out}${size}-07-realms.png` });

      expect(found, found.join('\n')).toEqual([]);
      expect(errors).toEqual([]);
    });
  }

  it('a lead sees and manages the members of their own team only', async () => {
    const store = stack.app.ajuda.svc.store;
    await store.admin.updateAgent('ag_lea', { teams: ['acme-migration'] }, new Date().toISOString(), { actor: 'test', action: 'agent.updated' });
    const { page: p } = await page('phone');
    await signIn(p, 'lea@ajuda.local', 'ajuda-demo');
    await reachAndClick(p.getByRole('link', { name: 'Admin', exact: true }));
    await p.getByText('pedro@ajuda.local').waitFor();
    expect(await p.getByText('joao@ajuda.local').count()).toBe(0);
    expect(await p.getByRole('navigation', { name: 'Administration sections' }).count()).toBe(0);
    const found: string[] = [];
    await axeClean(p, 'lead agents (phone)', found);
    await reachAndClick(p.getByRole('button', { name: 'Reset password: Pedro Alves' }));
    expect(await p.getByRole('textbox', { name: 'Set-password link' }).inputValue()).toContain('#/set-password/');
    await p.screenshot({ path: `${out}phone-08-lead.png` });
    expect(found, found.join('\n')).toEqual([]);
  });
});

describe('/shortcut in the composer, keyboard only', () => {
  for (const [lang, name, q, shortcut] of [
    ['en', 'Bruno Lima', '', 'logs'],
    ['pt', 'Ana Souza', 'lo', 'logs'],
  ] as const) {
    it(`${lang}: / and a shortcut list the ${lang} canned replies; arrows move, Enter inserts the body in the conversation's language, Escape closes`, async () => {
      const bodies = (await stack.app.ajuda.svc.store.admin.listCanned(lang)).filter((c) => c.shortcut.startsWith(q));
      const want = bodies.find((c) => c.shortcut === shortcut)!;
      const u = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity({ sub: `u_${lang}`, realm: 'acme', name, email: `${lang}@acme.example`, locale: lang }) });
      sockets.push(u);
      const started = await u.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: { question: `A question in ${lang}` } }, 'conversation.started');
      const id = started.conversation.id;
      const { page: p } = await page('laptop');
      await signIn(p, 'lea@ajuda.local', 'ajuda-demo');
      // Opening it is a click; the composer from here on is the keyboard alone.
      const row = p.locator(`li[data-conversation-id="${id}"] button`);
      await reachAndClick(row);
      const box = p.locator(`#composer-${id}`);
      await tabTo(p, box, { max: 80 });
      await p.keyboard.type(`Thanks! /${q}`);
      const list = p.getByRole('listbox');
      await list.waitFor();
      const options = list.getByRole('option');
      expect(await options.count()).toBe(bodies.length);
      expect(bodies.length).toBeGreaterThan(0);
      // Every option the person can read: inside the list's visible part and on top.
      for (let i = 0; i < (await options.count()); i++) expect(await notClickable(options.nth(i)), `option ${i}`).toBeNull();
      await p.screenshot({ path: `${out}composer-${lang}-list.png` });
      const found: string[] = [];
      await axeClean(p, `composer with the shortcut list (${lang})`, found);
      expect(found, found.join('\n')).toEqual([]);
      // The arrows move the active option (announced through aria-activedescendant).
      const active = async () => p.locator(`#${await box.getAttribute('aria-activedescendant')}`).innerText();
      expect(await active()).toContain(`/${bodies[0]!.shortcut}`);
      if (bodies.length > 1) {
        await pressKey(p, 'ArrowDown', box);
        expect(await active()).toContain(`/${bodies[1]!.shortcut}`);
        await pressKey(p, 'ArrowUp', box);
      }
      while (!(await active()).includes(`/${shortcut}`)) await pressKey(p, 'ArrowDown', box);
      await pressKey(p, 'Enter', box);
      await expect.poll(() => box.inputValue()).toBe(`Thanks! ${want.body}`);
      expect(await list.count()).toBe(0);
      // Escape closes a list without inserting anything.
      await p.keyboard.type(' /');
      await list.waitFor();
      await pressKey(p, 'Escape', box);
      expect(await list.count()).toBe(0);
      expect(await box.inputValue()).toBe(`Thanks! ${want.body} /`);
      await pressKey(p, 'Backspace', box);
      await pressKey(p, 'Backspace', box);
      // Enter now sends: the requester reads the canned text in their language.
      await pressKey(p, 'Enter', box);
      const got = await u.wait('message.created', (f) => f.message.kind === 'text' && f.message.sender.role === 'agent');
      expect(got.message.body).toBe(`Thanks! ${want.body}`);
      await p.screenshot({ path: `${out}composer-${lang}-sent.png` });
    });
  }
});
