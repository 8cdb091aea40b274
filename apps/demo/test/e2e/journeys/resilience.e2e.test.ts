// Journeys 5 and 6: a reload in the middle of a conversation (back in it, the draft kept, the newest
// message in view), and the network cut and back — the browser offline, then a socket that silently
// stops carrying frames: an offline indicator shows, and what was typed meanwhile is sent after,
// nothing lost and nothing twice.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { WebSocketRoute } from 'playwright-core';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import { clickAsPerson, expectNewestInView, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { AgentSocket, W, conversationId, env, exact, journey, launcher, openWidget, person, useStack, widget, widgetFrame, widgetLog, requestCard } from './kit.ts';

// A short heartbeat: a socket that falls silent is noticed within seconds (two periods), not a minute.
const HEARTBEAT_MS = 4_000;
useStack({ AJUDA_HEARTBEAT_MS: String(HEARTBEAT_MS) });
let lead: AgentSocket;
beforeAll(async () => {
  lead = await AgentSocket.signIn(env.stack, 'lea@ajuda.local');
});
afterAll(() => lead?.close());

/** The bodies of the conversation's messages as the server has them. */
async function serverBodies(id: string): Promise<string[]> {
  const snap = await lead.call({ type: 'conversation.open', conversationId: id });
  return (snap.messages as Array<{ body: string }>).map((m) => m.body);
}

/** Start a general question on a page; returns the widget's texts and the conversation ID. */
async function startConversation(page: import('playwright-core').Page, path: string, question: string) {
  const frame = await openWidget(page, path);
  const w = W[(await widgetFrame(page).evaluate(() => document.documentElement.lang)) as Locale];
  await clickAsPerson(requestCard(frame, w, 'general_question'));
  await typeAsPerson(frame.locator('#f-question'), question);
  await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
  const id = await conversationId(frame);
  await expectNewestInView(widgetLog(page));
  return { frame, w, id };
}

describe('journeys: reload and network', () => {
  journey('R13: reload mid-conversation — back in the conversation, the draft kept, the newest message in view', async () => {
    const p = await person('reload');
    const page = p.page;
    const { frame, w, id } = await startConversation(page, '/login', 'Where do I find the API keys?');
    await serverBodies(id);
    for (let i = 1; i <= 4; i++) {
      await lead.say(id, `Step ${i} of 4: open Settings, then the API section (part ${i}).`);
      await expectNewestInView(widgetLog(page), { text: `Step ${i} of 4` });
    }
    const composer = frame.getByLabel(exact(w['conversation.compose.label']!));
    await typeAsPerson(composer, 'A draft I have not sent yet');
    await p.shot('1-before-reload');

    await page.reload();
    await clickAsPerson(launcher(page));
    await widget(page).locator('[data-screen-title]').first().waitFor();
    // Back in the conversation (not on the home screen), with the draft.
    const back = await frame.locator('.conv-id code', { hasText: id }).waitFor({ timeout: 8_000 }).then(() => true, () => false);
    expect.soft(back, 'after a reload the widget shows the ongoing conversation').toBe(true);
    if (!back) await clickAsPerson(frame.getByRole('button', { name: new RegExp(id) }));
    await expectNewestInView(widgetLog(page), { text: 'Step 4 of 4' });
    const draft = 'A draft I have not sent yet';
    const kept = await expect
      .poll(() => composer.inputValue(), { timeout: 3_000 })
      .toBe(draft)
      .then(
        () => draft,
        () => composer.inputValue(),
      );
    expect.soft(kept, 'the draft survives the reload').toBe(draft);
    await p.shot('2-after-reload');
    expect(p.errors).toEqual([]);
    await p.close();
  });

  journey('R13: network cut and back — offline shown, messages typed meanwhile sent once, none lost', async () => {
    const p = await person('network');
    const page = p.page;
    // Every widget socket goes through the test, so one can be made to fall silent (no close, no frames).
    // While `dropped`, every socket (old and newly opened) carries nothing; once back, new sockets work
    // and the ones that fell silent stay dead, as after a real network drop.
    const routes: Array<{ route: WebSocketRoute; silent: boolean }> = [];
    let dropped = false;
    await p.context.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      const entry = { route: ws, silent: dropped };
      routes.push(entry);
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        if (!entry.silent) server.send(m);
      });
      server.onMessage((m) => {
        if (!entry.silent) ws.send(m);
      });
    });
    const { frame, w, id } = await startConversation(page, '/site', 'Can I change the plan later?');
    const composer = frame.getByLabel(exact(w['conversation.compose.label']!));
    const offline = frame.getByText(w['status.offline']!);
    const send = async (text: string) => {
      await typeAsPerson(composer, text);
      await page.keyboard.press('Enter');
      await expectNewestInView(widgetLog(page), { text });
    };

    // 1. The browser goes offline.
    await p.context.setOffline(true);
    await offline.waitFor({ timeout: 30_000 }).catch(() => undefined);
    expect.soft(await offline.isVisible(), 'an offline indicator while the browser is offline').toBe(true);
    await send('typed while offline 1');
    await send('typed while offline 2');
    await p.shot('1-offline');
    await p.context.setOffline(false);
    await expect.poll(() => serverBodies(id), { timeout: 30_000 }).toEqual(expect.arrayContaining(['typed while offline 1', 'typed while offline 2']));

    // 2. The socket falls silent: nothing closes, nothing arrives.
    await expect.poll(() => routes.length).toBeGreaterThan(0);
    dropped = true;
    for (const r of routes) r.silent = true;
    // Within two heartbeats and a margin the person must be told the chat is not connected.
    // Any of the three "not connected" lines counts: offline, connecting, or (having been online) reconnecting.
    const notConnectedText = ['status.offline', 'status.connecting', 'status.reconnecting'].map((k) => w[k]!.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const notConnected = frame.getByRole('status').filter({ hasText: new RegExp(notConnectedText) });
    await notConnected.first().waitFor({ timeout: HEARTBEAT_MS * 2 + 10_000 }).catch(() => undefined);
    expect.soft(await notConnected.first().isVisible(), 'an offline or reconnecting indicator when the socket silently stops').toBe(true);
    await send('typed while the socket was silent');
    expect(await serverBodies(id)).not.toContain('typed while the socket was silent');
    await p.shot('2-silent');
    dropped = false;
    // The network comes back: the widget reconnects (a new socket) and sends it.
    await expect.poll(() => serverBodies(id), { timeout: 60_000 }).toContain('typed while the socket was silent');
    await expect.poll(() => offline.isVisible(), { timeout: 15_000 }).toBe(false);

    // Nothing lost, nothing twice: on the server and on the screen.
    const bodies = await serverBodies(id);
    for (const text of ['typed while offline 1', 'typed while offline 2', 'typed while the socket was silent']) {
      expect(bodies.filter((b) => b === text), `on the server: "${text}"`).toHaveLength(1);
      await expect.poll(() => widgetLog(page).locator(':scope > li', { hasText: text }).count()).toBe(1);
    }
    await expect.poll(() => widgetLog(page).locator(':scope > li.msg-pending').count(), { timeout: 10_000 }).toBe(0);
    await lead.say(id, 'Got all three, thanks.');
    await expectNewestInView(widgetLog(page), { text: 'Got all three' });
    await p.shot('3-back');
    expect(p.errors).toEqual([]);
    await p.close();
  });
});
