// The agent's desk as a person sees it, in Chromium against a whole stack on loopback: an incident
// open on a laptop screen (room for the messages, assign buttons not cut off), and a conversation that
// stays live through an escalation and a transfer back. Requesters and the lead talk over plain sockets.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../../server/src/testing.ts';
import { agent, idem, requester, type TestClient } from '../../../server/test/client.ts';
import { launchBrowser, newActor, signInConsole, type Actor } from './browser.ts';
import { clickAsPerson, notClickable, visibleHeight } from './perceive.ts';

let stack: TestStack;
let browser: Browser;
const actors: Actor[] = [];
const sockets: TestClient[] = [];

beforeAll(async () => {
  stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '500', AJUDA_FRAME_BURST: '500', AJUDA_STARTS_PER_MINUTE: '600' }, { demo: false });
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const a of actors) await a.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

const BRUNO = { sub: 'u_bruno', realm: 'acme', name: 'Bruno Lima', email: 'bruno@acme.example', locale: 'en', perms: [] as string[] };
const INCIDENT = {
  pipeline: { name: 'Orders sync', key: 'ORD-SYNC-01' },
  project: { id: 'prj_core', name: 'Core flows' },
  environment: 'Prod',
  impact: 'partial',
  workaround: 'no',
  errorMessage: 'HTTP 503 from the ERP connector: upstream unavailable since the nightly deploy of the connector',
  errorAt: '2026-11-24T09:30:00Z',
  expected: 'Orders are copied to the ERP every 5 minutes, each run finishing in under a minute',
  observed: 'Half of the runs fail since 09:30 with a 503; the others take four minutes',
  analysis: 'Re-ran the pipeline in Test: works. Prod logs attached in the run history; the ERP status page is green.',
  other: 'The ERP team deployed a new gateway last night.',
};

async function bruno(): Promise<TestClient> {
  const c = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(BRUNO) });
  sockets.push(c);
  return c;
}

/** Every frame the console's socket received, by the page's own count (to wait on a reply, never sleep). */
const received = new WeakMap<Page, string[]>();

async function console_(name: string, email: string, viewport: { width: number; height: number }): Promise<Actor> {
  const a = await newActor(browser, 'desk', name, { viewport });
  actors.push(a);
  const frames: string[] = [];
  received.set(a.page, frames);
  a.page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await signInConsole(a.page, stack.url, email);
  return a;
}

async function openRow(page: Page, id: string): Promise<void> {
  const row = page.locator(`li[data-conversation-id="${id}"] button`);
  await row.waitFor();
  await clickAsPerson(row);
  await page.locator('.conv .msgs-scroll').waitFor();
}

describe('an incident on a laptop screen', () => {
  for (const viewport of [
    { width: 1366, height: 768 },
    { width: 1440, height: 900 },
  ]) {
    it(`${viewport.width}×${viewport.height}: at least 300 px of message log with the intake card, and both assign buttons fully visible and on top`, async () => {
      // Emma takes English incidents (online over a socket); João, in Portuguese, looks at hers.
      const emma = await agent(stack, 'emma@ajuda.local');
      sockets.push(emma);
      const joao = await console_(`joao-${viewport.width}`, 'joao@ajuda.local', viewport);
      await joao.page.locator('select').filter({ has: joao.page.locator('option[value="es"]') }).first().selectOption('pt');
      await joao.page.getByRole('heading', { name: 'Caixa de entrada' }).waitFor();
      const b = await bruno();
      const started = await b.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: INCIDENT }, 'conversation.started');
      const id = started.conversation.id;
      for (let i = 1; i <= 12; i++) await b.request({ type: 'message.send', conversationId: id, clientMsgId: `m${i}`, body: `Update ${i}: still failing` }, 'message.ack');
      await openRow(joao.page, id);
      await joao.page.locator('section.intake').waitFor();
      await joao.page.locator('.msgs').getByText('Update 12: still failing').waitFor();
      await joao.shot(`incident-${viewport.width}x${viewport.height}`);

      const log = await visibleHeight(joao.page, '.conv .msgs-scroll');
      expect(log, 'visible height of the message log').toBeGreaterThanOrEqual(300);
      // The newest message is in view.
      expect(await notClickable(joao.page.locator('.msgs li', { hasText: 'Update 12: still failing' }))).toBeNull();
      // The card's summary line still shows the pipeline; the full card opens from the keyboard.
      const card = joao.page.locator('section.intake');
      expect(await card.textContent()).toContain('Orders sync (ORD-SYNC-01)');
      const toggle = card.locator('.intake-toggle');
      expect(await toggle.textContent()).toBe('Mostrar todos os campos da triagem');
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      await toggle.focus();
      await joao.page.keyboard.press('Enter');
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      await card.locator('[data-field="analysis"]').waitFor();
      await joao.shot(`incident-${viewport.width}x${viewport.height}-card-open`);
      await joao.page.keyboard.press('Space');
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');

      // "Atribuir a mim" in the header and "Atribuir" in the side panel: fully inside the viewport, on top.
      const toMe = joao.page.getByRole('button', { name: 'Atribuir a mim' });
      expect(await notClickable(toMe)).toBeNull();
      await joao.page.getByLabel('Atribuir a uma pessoa').selectOption({ index: 1 });
      const assign = joao.page.getByRole('button', { name: 'Atribuir', exact: true });
      await assign.scrollIntoViewIfNeeded();
      expect(await notClickable(assign)).toBeNull();
      await joao.shot(`incident-${viewport.width}x${viewport.height}-assign`);
      await clickAsPerson(toMe);
      await joao.page.locator('.conv-meta').filter({ hasText: 'João Pereira' }).waitFor();
      await joao.close();
      emma.close();
    });
  }
});

describe('a conversation open through an escalation and a transfer back', () => {
  it('R13: the agent keeps reading it while escalated, then sees every new message after the transfer back — no reload', async () => {
    const emma = await console_('emma-stale', 'emma@ajuda.local', { width: 1366, height: 768 });
    const b = await bruno();
    const started = await b.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'incident', answers: INCIDENT }, 'conversation.started');
    const id = started.conversation.id;
    await b.request({ type: 'message.send', conversationId: id, clientMsgId: 's1', body: 'Before the escalation' }, 'message.ack');
    await openRow(emma.page, id);
    const log = emma.page.locator('.msgs');
    await log.getByText('Before the escalation').waitFor();
    await emma.page.getByRole('button', { name: 'Send' }).waitFor();

    // The lead is online; Bruno escalates: the conversation leaves Emma's queues.
    const lea = await agent(stack, 'lea@ajuda.local');
    sockets.push(lea);
    await b.request({ type: 'escalation.create', conversationId: id, reason: 'other_engineer', description: 'Still failing', environment: 'Prod', justification: 'Need another look' }, 'escalation.created');
    const banner = emma.page.getByText('Escalated to the support leads — you can still read it, but no longer reply.');
    await banner.waitFor();
    expect(await notClickable(banner)).toBeNull();
    // No red "not found" anywhere: not in the pane, not as a notice in the header.
    expect(await emma.page.locator('.conv [role="alert"], .conv .error, .notice-inline').count()).toBe(0);
    expect(await emma.page.getByRole('button', { name: 'Send' }).count()).toBe(0);
    await b.request({ type: 'message.send', conversationId: id, clientMsgId: 's2', body: 'While the lead looks' }, 'message.ack');
    await log.getByText('While the lead looks').waitFor();
    await emma.shot('stale-1-escalated-read-only');

    // The lead sends it back to Emma; Bruno writes twice more.
    await lea.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    await lea.request({ type: 'conversation.transfer', conversationId: id, queue: 'support', agentId: 'ag_emma', reason: 'Back to Emma with the ERP details' }, 'agent.conversation.updated');
    await emma.page.getByRole('button', { name: 'Send' }).waitFor();
    expect(await banner.count()).toBe(0);
    await b.request({ type: 'message.send', conversationId: id, clientMsgId: 's3', body: 'After the transfer back, one' }, 'message.ack');
    await b.request({ type: 'message.send', conversationId: id, clientMsgId: 's4', body: 'After the transfer back, two' }, 'message.ack');
    const newest = log.getByText('After the transfer back, two');
    await newest.waitFor();
    await log.getByText('After the transfer back, one').waitFor();
    expect(await notClickable(newest)).toBeNull(); // the newest message is in view
    await emma.shot('stale-2-transferred-back');
    // Emma can answer again, and Bruno gets it.
    const box = emma.page.getByPlaceholder('Write a reply to the requester');
    await box.fill('Back on it, Bruno');
    await clickAsPerson(emma.page.getByRole('button', { name: 'Send' }));
    await b.wait('message.created', (f) => f.message.conversationId === id && f.message.body === 'Back on it, Bruno');
    // Clicking its row again resyncs by seq and shows nothing twice.
    const frames = received.get(emma.page)!;
    const before = frames.filter((f) => f.includes('"resume.done"')).length;
    await clickAsPerson(emma.page.locator(`li[data-conversation-id="${id}"] button`));
    await expect.poll(() => frames.filter((f) => f.includes('"resume.done"')).length).toBeGreaterThan(before);
    expect(await log.getByText('After the transfer back, two').count()).toBe(1);
  });
});
