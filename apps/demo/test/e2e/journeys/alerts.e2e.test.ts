// Alerts that are never missed (issue 17): a lead with two console tabs, notifications granted. Exactly one
// tab notifies and sounds; the tab in the background counts on its title and favicon; an unassigned P1 is
// reminded about until someone takes it; the live region says the same; preferences are the server's
// (they survive a reload) and an event switched off raises nothing. The preferences dialog at phone size
// in pt, en and es, keyboard-usable and axe-clean.
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import alertsEn from '../../../../../packages/i18n/src/console/alerts-en.ts';
import alertsEs from '../../../../../packages/i18n/src/console/alerts-es.ts';
import alertsPt from '../../../../../packages/i18n/src/console/alerts-pt.ts';
import { requester } from '../../../../server/test/client.ts';
import { axeReport, axeSerious } from '../../../../../test/e2e/axe.ts';
import { clickAsPerson, expectFullyVisible, journeyDir, pressKey, tabTo, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { AgentSocket, C, env, exact, journey, person, signInConsole, useStack } from './kit.ts';

useStack();

const A: Record<Locale, Record<string, string>> = { pt: alertsPt, en: alertsEn, es: alertsEs };

/** Before any page script: record Notification constructions and oscillator starts; let the test put the tab in the background. */
const RECORDER = `(() => {
  window.__alerts = { notes: [], osc: 0 };
  const Real = window.Notification;
  if (Real) {
    class Recorded extends Real {
      constructor(title, opts) { window.__alerts.notes.push({ title, body: opts && opts.body }); super(title, opts); }
    }
    window.Notification = Recorded;
  }
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...a) { window.__alerts.osc++; return start.apply(this, a); };
  let hidden = false;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  const hasFocus = Document.prototype.hasFocus;
  document.hasFocus = () => !hidden && hasFocus.call(document);
  window.__background = (h) => { hidden = h; document.dispatchEvent(new Event('visibilitychange')); if (!h) window.dispatchEvent(new Event('focus')); };
})();`;

type Rec = { notes: Array<{ title: string }>; osc: number };
const rec = (p: Page): Promise<Rec> => p.evaluate(() => (window as unknown as { __alerts: Rec }).__alerts);
const live = (p: Page) => p.locator('[data-alerts-live]');
const lang = async (p: Page) => (await p.evaluate(() => document.documentElement.lang)) as Locale;
const poll = async (fn: () => Promise<boolean>, what: string, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

const INCIDENT = {
  pipeline: { name: 'x', key: 'INV-EXP-02' },
  environment: 'Prod',
  impact: 'total',
  workaround: 'no',
  errorMessage: 'Timeout',
  errorAt: '2026-11-24T10:15:00Z',
  expected: 'Exports run',
  observed: 'Nothing runs',
  analysis: 'Checked credentials',
};
let n = 0;
async function p1(name: string) {
  const u = await requester(env.stack, { channel: 'platform', identityToken: await env.stack.signIdentity({ sub: `u_alert_${++n}`, realm: 'acme', name, locale: 'en' }) });
  const started = await u.request({ type: 'conversation.start', idempotencyKey: `alerts-${Date.now()}-${n}`, requestType: 'incident', answers: INCIDENT }, 'conversation.started');
  expect(started.conversation.priority).toBe('P1');
  return { u, id: started.conversation.id };
}

/** Open the preferences dialog from the header and wait for it. */
async function openPrefs(page: Page, l: Locale) {
  await clickAsPerson(page.getByRole('button', { name: exact(C[l]['alerts.open']!) }));
  const dialog = page.getByRole('dialog', { name: A[l]['alerts.title'] });
  await dialog.waitFor();
  return dialog;
}

journey('alerts: two tabs of one lead — one alerts, the background tab counts, the P1 reminder stops on assignment, preferences persist', async () => {
  // Nobody available to take conversations: a P1 waits unassigned in the lead's inbox.
  const leaSocket = await AgentSocket.signIn(env.stack, 'lea@ajuda.local');
  leaSocket.send({ type: 'agent.availability', available: false });
  const lea = await person('alerts');
  await lea.context.grantPermissions(['notifications'], { origin: env.stack.url });
  await lea.context.addInitScript(RECORDER);
  const a = lea.page;
  await signInConsole(a, 'lea@ajuda.local');
  const l = await lang(a);
  const t = { ...C[l], ...A[l] };

  // One click enables alerts: notification permission (granted here) and audio, in the same gesture.
  await clickAsPerson(a.getByRole('button', { name: exact(t['alerts.enable']!) }));
  await a.getByRole('button', { name: exact(t['alerts.enable']!) }).waitFor({ state: 'detached' });

  // Preferences: a quick reminder (every 5 s, at most 3 times), saved on the server.
  let dialog = await openPrefs(a, l);
  await lea.shot('01-preferences-laptop');
  const found = await axeSerious(a);
  expect(found, axeReport('alert preferences (laptop)', found)).toEqual([]);
  const every = dialog.getByLabel(t['alerts.reminder.every']!);
  await every.fill('');
  await typeAsPerson(every, '5');
  const times = dialog.getByLabel(t['alerts.reminder.times']!);
  await times.fill('');
  await typeAsPerson(times, '3');
  await clickAsPerson(dialog.getByRole('button', { name: exact(t['alerts.save']!) }));
  await dialog.getByRole('status').filter({ hasText: t['alerts.saved']! }).waitFor();
  await clickAsPerson(dialog.getByRole('button', { name: exact(t['alerts.close']!) }));
  await dialog.waitFor({ state: 'detached' });

  // A second tab of the same agent, in the background.
  const b = await lea.context.newPage();
  await b.goto(`${env.stack.url}/console/`);
  await b.locator('.conn--ready').waitFor();
  await b.evaluate(() => (window as unknown as { __background(h: boolean): void }).__background(true));
  const plainTitle = await b.title();

  // A P1 arrives, unassigned.
  const first = await p1('Carla Dias');
  const urgentText = t['alerts.urgent']!.replace('{priority}', 'P1').replace('{who}', 'Carla Dias');
  await live(a).filter({ hasText: urgentText }).waitFor();
  await live(b).filter({ hasText: urgentText }).waitFor();
  await poll(async () => (await rec(a)).notes.length + (await rec(b)).notes.length >= 1, 'a notification');
  const [ra, rb] = [await rec(a), await rec(b)];
  // Exactly one tab alerted: the leader (the first tab) notified and sounded, the other did neither.
  expect(ra.notes.map((x) => x.title)).toEqual([urgentText]);
  expect(ra.osc).toBeGreaterThan(0);
  expect(rb).toEqual({ notes: [], osc: 0 });
  // The background tab counts it on its title and favicon; the one the person looks at does not.
  await poll(async () => /^\(1\) /.test(await b.title()), 'the title badge');
  expect(await b.title()).toBe(`(1) ${t['app.title']}`);
  expect(await b.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/png/);
  expect(await a.locator('link[rel="icon"]').getAttribute('href')).toBe('data:,');
  await b.screenshot({ path: join(journeyDir('alerts'), '02-background-tab.png') });

  // The reminder: again after 5 s, announced too; then someone takes it and the reminders stop at once.
  const reminder1 = t['alerts.reminder']!.replace('{n}', '1').replace('{max}', '3').replace('{priority}', 'P1').replace('{who}', 'Carla Dias');
  await live(a).filter({ hasText: reminder1 }).waitFor({ timeout: 12_000 });
  await poll(async () => (await rec(a)).notes.length === 2, 'the first reminder');
  expect((await rec(a)).notes[1]!.title).toBe(reminder1);
  expect((await rec(b)).notes).toEqual([]);
  await poll(async () => (await b.title()) === `(2) ${t['app.title']}`, 'the title badge at 2');
  leaSocket.send({ type: 'conversation.assign', conversationId: first.id });
  await leaSocket.next((f) => f.type === 'agent.conversation.updated' && (f.conversation as { id: string; assignee: unknown }).id === first.id && !!(f.conversation as { assignee: unknown }).assignee);
  await new Promise((r) => setTimeout(r, 12_000)); // two more reminder periods: none may come
  expect((await rec(a)).notes.length).toBe(2);

  // The person looks at the background tab: its badge clears.
  await b.bringToFront();
  await b.evaluate(() => (window as unknown as { __background(h: boolean): void }).__background(false));
  await poll(async () => (await b.locator('link[rel="icon"]').getAttribute('href')) === 'data:,', `the badge cleared (${await b.title()}, ${await b.evaluate(() => [document.visibilityState, document.hasFocus()].join())})`);
  expect(await b.locator('link[rel="icon"]').getAttribute('href')).toBe('data:,');
  expect(plainTitle).toMatch(new RegExp(`${t['app.title']}$`));
  await b.close();

  // Messages in my conversations: switched off, saved, and still off after a reload (the server keeps it).
  dialog = await openPrefs(a, l);
  for (const ch of ['desktop', 'sound', 'badge']) {
    const box = dialog.getByRole('group', { name: t['alerts.ev.message'] }).getByLabel(t[`alerts.ch.${ch}`]!);
    await clickAsPerson(box);
    expect(await box.isChecked()).toBe(false);
  }
  await clickAsPerson(dialog.getByRole('button', { name: exact(t['alerts.save']!) }));
  await dialog.getByRole('status').filter({ hasText: t['alerts.saved']! }).waitFor();
  await a.reload();
  await a.locator('.conn--ready').waitFor();
  dialog = await openPrefs(a, l);
  const msgGroup = dialog.getByRole('group', { name: t['alerts.ev.message'] });
  for (const ch of ['desktop', 'sound', 'badge']) expect(await msgGroup.getByLabel(t[`alerts.ch.${ch}`]!).isChecked()).toBe(false);
  expect(await dialog.getByLabel(t['alerts.reminder.every']!).inputValue()).toBe('5');
  expect(await dialog.getByLabel(t['alerts.reminder.times']!).inputValue()).toBe('3');
  await pressKey(a, 'Escape');
  await dialog.waitFor({ state: 'detached' });
  // After the reload the first gesture on the page (here the dialog's) unlocked audio again: no button left.
  await a.getByRole('button', { name: exact(t['alerts.enable']!) }).waitFor({ state: 'detached' });

  // The requester writes in the conversation Léa now has: nothing. Then a new P1: alerted as before.
  const before = await rec(a);
  const liveBefore = await live(a).textContent();
  await first.u.request({ type: 'message.send', conversationId: first.id, clientMsgId: `m-${Date.now()}`, body: 'Any news?' }, 'message.ack');
  const second = await p1('Davi Rocha');
  const urgent2 = t['alerts.urgent']!.replace('{priority}', 'P1').replace('{who}', 'Davi Rocha');
  await live(a).filter({ hasText: urgent2 }).waitFor();
  await poll(async () => (await rec(a)).notes.length === 1, 'the second P1 notified');
  const after = await rec(a);
  expect(after.notes.map((x) => x.title)).toEqual([urgent2]);
  expect(before).toEqual({ notes: [], osc: 0 });
  expect(liveBefore).not.toContain('Carla Dias');
  await lea.shot('03-after-reload');
  expect(lea.errors).toEqual([]);
  first.u.close();
  second.u.close();
  await lea.close();
}, 240_000);

for (const want of ['pt', 'en', 'es'] as const) {
  journey(`alerts: the preferences dialog on a phone, keyboard and axe-clean (${want})`, async () => {
    const emma = await person('alerts', { phone: true });
    await emma.context.addInitScript(`localStorage.setItem('ajuda.console.locale', '${want}')`);
    const page = emma.page;
    await signInConsole(page, 'emma@ajuda.local');
    expect(await lang(page)).toBe(want);
    const t = { ...C[want], ...A[want] };
    const dialog = await openPrefs(page, want);
    await emma.shot(`04-preferences-phone-${want}`);
    const found = await axeSerious(page);
    expect(found, axeReport(`alert preferences (phone, ${want})`, found)).toEqual([]);
    // Keyboard: the first box takes the focus from Tab, Space toggles it, a bad number is refused with the reason.
    const firstBox = dialog.getByRole('group', { name: t['alerts.ev.new_conversation'] }).getByLabel(t['alerts.ch.desktop']!);
    await tabTo(page, firstBox);
    await pressKey(page, ' ', firstBox);
    expect(await firstBox.isChecked()).toBe(false);
    const every = dialog.getByLabel(t['alerts.reminder.every']!);
    await every.fill('2');
    await clickAsPerson(dialog.getByRole('button', { name: exact(t['alerts.save']!) }));
    await dialog.getByRole('alert').waitFor();
    await expectFullyVisible(dialog.getByRole('alert'));
    expect(await every.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByRole('alert').textContent()).toContain(t['alerts.reminder.every']);
    await emma.shot(`05-preferences-refused-${want}`);
    await pressKey(page, 'Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(emma.errors).toEqual([]);
    await emma.close();
  });
}
