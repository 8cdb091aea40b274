// Journey: an agent's unfinished work stays where they left it. Half an internal note with a file in one
// conversation; another conversation answered meanwhile; back to the first, the note is still a note with
// its file; a reload keeps the text, the mode and the file; sent, it reaches the agents, never the requester.
// Requesters talk over plain sockets (what matters here is the agent's desk), the agent in Chromium:
// en at a laptop by keyboard, pt on a phone by touch, es at a laptop.
import type { Locator } from 'playwright-core';
import { afterAll, describe, expect } from 'vitest';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import attachEn from '../../../../../packages/i18n/src/console/attach-en.ts';
import attachEs from '../../../../../packages/i18n/src/console/attach-es.ts';
import attachPt from '../../../../../packages/i18n/src/console/attach-pt.ts';
import { agent as agentSocket, idem, requester, type TestClient } from '../../../../server/test/client.ts';
import { clickAsPerson, expectFullyVisible, expectNewestInView, pressKey, tabTo, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { C, consoleLog, env, exact, journey, person, signInConsole, useStack } from './kit.ts';

useStack();
const A: Record<Locale, Record<string, string>> = { pt: attachPt, en: attachEn, es: attachEs };
const sockets: TestClient[] = [];
afterAll(() => {
  for (const s of sockets) s.close();
});

/** A visitor on the website asking a general question in `lang`; resolves with the socket and the conversation ID. */
async function visitor(lang: Locale, question: string): Promise<{ c: TestClient; id: string }> {
  const c = await requester(env.stack, { channel: 'website', locale: lang });
  sockets.push(c);
  const started = await c.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: { question } }, 'conversation.started');
  return { c, id: started.conversation.id };
}

describe('journey: the agent\'s drafts', () => {
  for (const [locale, size] of [
    ['en-US', 'laptop'],
    ['pt-BR', 'phone'],
    ['es-ES', 'laptop'],
  ] as const) {
    journey(`${locale} on a ${size}: half a note with a file survives another conversation and a reload, and is sent as a note with it`, async () => {
      const tag = `${locale}-${size}`;
      const lang = locale.slice(0, 2) as Locale;
      const phone = size === 'phone';
      const keyboard = locale === 'en-US';
      const c = { ...C[lang], ...A[lang] };
      const first = await visitor(lang, `Export fails (${tag})`);
      const second = await visitor(lang, `Where is the invoice? (${tag})`);

      const p = await person('drafts', { locale, phone });
      const cp = p.page;
      await signInConsole(cp, 'lea@ajuda.local');
      await cp.getByLabel(new RegExp(`^(${C.pt['locale.label']}|${C.en['locale.label']}|${C.es['locale.label']})`)).selectOption(lang);
      await cp.locator(`html[lang="${lang}"]`).waitFor();
      // On a phone the conversation sits under the inbox and the page scrolls: the agent scrolls to what they use.
      const reach = async (l: Locator) => {
        if (phone) await l.scrollIntoViewIfNeeded();
      };
      const openRow = async (id: string) => {
        const row = cp.locator(`li[data-conversation-id="${id}"]`).getByRole('button').first();
        await row.scrollIntoViewIfNeeded();
        await clickAsPerson(row);
        await cp.locator('.conv .msgs-scroll').waitFor();
      };
      const noteBox = cp.getByPlaceholder(exact(c['composer.notePlaceholder']!));
      const replyBox = cp.getByPlaceholder(exact(c['composer.replyPlaceholder']!));
      const noteMode = cp.getByRole('radio', { name: exact(c['composer.note']!) });

      // 1. The first conversation: an internal note, half written, and a log attached to it.
      await openRow(first.id);
      await reach(noteMode);
      await clickAsPerson(noteMode);
      const note = `Vendor ticket 4411 opened (${tag})`;
      await reach(noteBox);
      await typeAsPerson(noteBox, note);
      const clip = cp.getByRole('button', { name: exact(c['composer.attach']!) });
      const logName = `worker-${tag}.log`;
      const [chooser] = await Promise.all([
        cp.waitForEvent('filechooser'),
        keyboard ? tabTo(cp, clip, { max: 3 }).then(() => pressKey(cp, 'Enter', clip)) : reach(clip).then(() => clickAsPerson(clip)),
      ]);
      await chooser.setFiles({ name: logName, mimeType: 'text/plain', buffer: Buffer.from(`09:30 export worker timeout (${tag})\n`) });
      const item = cp.getByRole('list', { name: exact(c['attach.tray']!) }).locator('li').filter({ hasText: logName });
      await item.and(cp.locator('[data-upload="done"]')).waitFor();
      await p.shot(`${tag}-1-half-a-note`);

      // 2. Another conversation meanwhile: the inbox marks the first as a draft; its own reply box is empty; answered.
      await openRow(second.id);
      const mark = cp.locator(`li[data-conversation-id="${first.id}"] .tag--draft`);
      await mark.scrollIntoViewIfNeeded();
      await expectFullyVisible(mark);
      expect(await mark.textContent()).toBe(c['inbox.draft']);
      await reach(replyBox);
      expect(await replyBox.inputValue()).toBe('');
      expect(await cp.getByRole('list', { name: exact(c['attach.tray']!) }).count()).toBe(0);
      const answer = `The invoice is under Billing (${tag})`;
      await typeAsPerson(replyBox, answer);
      await pressKey(cp, 'Enter', replyBox);
      await second.c.wait('message.created', (f) => f.message.body === answer);
      if (!phone) await expectNewestInView(consoleLog(cp), { text: answer });

      // 3. Back: still a note, with its text and its file, on screen.
      await openRow(first.id);
      await reach(noteBox);
      expect(await noteMode.isChecked()).toBe(true);
      expect(await noteBox.inputValue()).toBe(note);
      await reach(item);
      await expectFullyVisible(item);
      expect(await item.getAttribute('data-upload')).toBe('done');
      await p.shot(`${tag}-2-back-to-the-note`);

      // 4. A reload: the text, the mode and the uploaded file are all back.
      await cp.reload();
      await cp.locator('.conn--ready').waitFor();
      await cp.locator('.conv .msgs-scroll').waitFor();
      await reach(noteBox);
      await expectFullyVisible(noteBox);
      expect(await noteMode.isChecked()).toBe(true);
      expect(await noteBox.inputValue()).toBe(note);
      await item.and(cp.locator('[data-upload="done"]')).waitFor();
      await reach(item);
      await expectFullyVisible(item);
      await p.shot(`${tag}-3-after-reload`);

      // 5. Sent: a note with its file in the log, the composer and tray empty; the requester never receives it.
      await clickAsPerson(noteBox);
      await pressKey(cp, 'Enter', noteBox);
      // The stored note (the pending one is replaced by it when the server acknowledges).
      const sent = consoleLog(cp).locator(':scope > li.msg--note:not(.msg--pending)', { hasText: note });
      await sent.waitFor();
      await reach(sent);
      await expectFullyVisible(sent);
      await reach(sent.getByRole('link', { name: exact(logName) }));
      await expectFullyVisible(sent.getByRole('link', { name: exact(logName) }));
      expect(await noteBox.inputValue()).toBe('');
      expect(await cp.getByRole('list', { name: exact(c['attach.tray']!) }).count()).toBe(0);
      const probe = `after the note (${tag})`;
      const lea = await agentSocket(env.stack, 'lea@ajuda.local');
      sockets.push(lea);
      await lea.request({ type: 'conversation.open', conversationId: first.id }, 'conversation.snapshot');
      await lea.request({ type: 'message.send', conversationId: first.id, clientMsgId: idem(), body: probe }, 'message.ack');
      await first.c.wait('message.created', (f) => f.message.body === probe);
      expect(first.c.frames.filter((f) => f.type === 'message.created').map((f) => f.message.body)).not.toContain(note);
      await p.shot(`${tag}-4-note-sent`);
      expect(p.errors).toEqual([]);
      await p.close();
    });
  }
});
