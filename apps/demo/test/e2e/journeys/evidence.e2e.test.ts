// Evidence both ways (issue 16), requester in the widget and agent in the console: the requester pastes two
// screenshots (one PNG carrying EXIF and a text chunk) and sends them; the agent sees the thumbnails in
// view, opens the image viewer by keyboard (focus in it, → to the next image, axe clean with it open),
// downloads the image (a PNG without the EXIF or the text chunk: the server re-encoded it), closes it
// with Esc (focus back on the thumbnail), attaches a log with the paperclip and drops a HAR file on the
// composer, and replies; the requester sees both files in the widget. On a laptop (1366×768) in English and Spanish and on a phone (390×844, touch) in Portuguese.
import { readFileSync } from 'node:fs';
import type { FileChooser, Locator, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import attachEn from '../../../../../packages/i18n/src/console/attach-en.ts';
import attachEs from '../../../../../packages/i18n/src/console/attach-es.ts';
import attachPt from '../../../../../packages/i18n/src/console/attach-pt.ts';
import { axeReport, axeSerious } from '../../../../../test/e2e/axe.ts';
import { clickAsPerson, expectFullyVisible, expectNewestInView, pressKey, tabTo, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { C, W, consoleLog, conversationId, exact, journey, openWidget, person, requestCard, signInConsole, useStack, widgetFrame, widgetLog } from './kit.ts';

useStack({ AJUDA_UPLOADS_PER_MINUTE: '1000' });

/** The console's attachment texts (its lazy chunk's catalog). */
const A: Record<Locale, Record<string, string>> = { pt: attachPt, en: attachEn, es: attachEs };
const fill = (s: string, p: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(p[k]));

/**
 * Paste PNG screenshots into the widget's composer as the browser does on Ctrl+V: a `paste` event whose
 * DataTransfer holds the files. Each PNG is drawn on a canvas and gets an `eXIf` chunk and a `tEXt`
 * chunk (`GPS=<marker>`) before its end, as a phone's screenshot tool might leave them.
 */
async function pasteScreenshots(page: Page, shots: Array<{ name: string; label: string; marker: string }>) {
  await widgetFrame(page).evaluate(async (list) => {
    const crcTable = Array.from({ length: 256 }, (_, n) => {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      return c >>> 0;
    });
    const crc = (bytes: Uint8Array) => {
      let c = 0xffffffff;
      for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
      return (c ^ 0xffffffff) >>> 0;
    };
    const chunk = (type: string, data: Uint8Array) => {
      const out = new Uint8Array(12 + data.length);
      const v = new DataView(out.buffer);
      v.setUint32(0, data.length);
      out.set(new TextEncoder().encode(type), 4);
      out.set(data, 8);
      v.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
      return out;
    };
    const dt = new DataTransfer();
    for (const s of list) {
      const c = document.createElement('canvas');
      c.width = 640;
      c.height = 400;
      const g = c.getContext('2d')!;
      g.fillStyle = '#e0f2fe';
      g.fillRect(0, 0, 640, 400);
      g.fillStyle = '#7f1d1d';
      g.font = 'bold 40px sans-serif';
      g.fillText(s.label, 30, 210);
      const png = new Uint8Array(await (await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'))).arrayBuffer());
      // An empty big-endian TIFF IFD as EXIF, and a text chunk naming a place: both must not survive.
      const exif = chunk('eXIf', new Uint8Array([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0]));
      const text = chunk('tEXt', new TextEncoder().encode(`GPS\0${s.marker}`));
      const iend = png.length - 12;
      const bytes = new Uint8Array(png.length + exif.length + text.length);
      bytes.set(png.subarray(0, iend), 0);
      bytes.set(exif, iend);
      bytes.set(text, iend + exif.length);
      bytes.set(png.subarray(iend), iend + exif.length + text.length);
      dt.items.add(new File([bytes], s.name, { type: 'image/png' }));
    }
    document.querySelector('#composer-input')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, shots);
}

/** PNG chunk types of a file, in order. */
function pngChunks(bytes: Buffer): string[] {
  expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const types: string[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const len = bytes.readUInt32BE(at);
    types.push(bytes.subarray(at + 4, at + 8).toString('latin1'));
    at += 12 + len;
  }
  return types;
}

describe('journey: evidence both ways — a pasted screenshot reaches the agent, a log reaches the requester', () => {
  for (const [locale, size] of [
    ['en-US', 'laptop'],
    ['pt-BR', 'phone'],
    ['es-ES', 'laptop'],
  ] as const) {
    journey(`${locale} on a ${size}: thumbnails in view, the viewer by keyboard, a clean PNG downloaded, a log in the reply`, async () => {
      const tag = `${locale}-${size}`;
      const lang = locale.slice(0, 2) as Locale;
      const phone = size === 'phone';
      const marker = `lat-23.55-lon-46.63-${tag}`;

      // The requester starts a conversation on the website and pastes two screenshots.
      const req = await person('evidence', { locale, phone });
      const page = req.page;
      const frame = await openWidget(page, '/site');
      if ((await widgetFrame(page).evaluate(() => document.documentElement.lang)) !== lang) await frame.locator('.lang select').selectOption(lang);
      await expect.poll(() => widgetFrame(page).evaluate(() => document.documentElement.lang)).toBe(lang);
      const w = W[lang];
      await clickAsPerson(requestCard(frame, w, 'general_question'));
      await typeAsPerson(frame.locator('#f-question'), `The export fails (${tag})`);
      await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
      const id = await conversationId(frame);
      const composer = frame.getByLabel(exact(w['conversation.compose.label']!));
      await clickAsPerson(composer);
      const names = [`error-${tag}.png`, `steps-${tag}.png`];
      await pasteScreenshots(page, [
        { name: names[0]!, label: `Error 500 (${tag})`, marker },
        { name: names[1]!, label: `Steps (${tag})`, marker },
      ]);
      const tray = frame.getByRole('list', { name: exact(w['attach.list']!) });
      for (const n of names) await tray.locator('li').filter({ hasText: n }).and(frame.locator('[data-upload="done"]')).waitFor();
      await typeAsPerson(composer, `Screenshots of the error (${tag})`);
      await clickAsPerson(frame.getByRole('button', { name: exact(w['conversation.send']!) }));
      const mine = widgetLog(page).locator(':scope > li', { hasText: `Screenshots of the error (${tag})` });
      for (const n of names) await expect.poll(() => mine.getByRole('button', { name: exact(w['attach.open']!.replace('{name}', n)) }).locator('img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);

      // The agent opens it in the console, in the same language.
      const agent = await person('evidence', { locale, phone });
      const cp = agent.page;
      await signInConsole(cp, 'lea@ajuda.local');
      await cp.getByLabel(new RegExp(`^(${C.pt['locale.label']}|${C.en['locale.label']}|${C.es['locale.label']})`)).selectOption(lang);
      await cp.locator(`html[lang="${lang}"]`).waitFor();
      const c = { ...C[lang], ...A[lang] };
      await clickAsPerson(cp.locator(`li[data-conversation-id="${id}"]`).getByRole('button').first());
      const log = consoleLog(cp);
      // On a phone the conversation sits under the inbox and the page scrolls: the agent scrolls down to what they use, as anyone would.
      const reach = async (l: Locator) => {
        if (phone) await l.scrollIntoViewIfNeeded();
      };
      const theirs = log.locator(':scope > li', { hasText: `Screenshots of the error (${tag})` });
      const thumb = (n: string) => log.getByRole('button', { name: exact(fill(c['attach.open']!, { name: n })) });
      for (const n of names) await expect.poll(() => thumb(n).locator('img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
      await reach(theirs);
      await expectFullyVisible(theirs);
      for (const n of names) await expectFullyVisible(thumb(n));
      if (!phone) await expectNewestInView(log);
      await agent.shot(`${tag}-1-console-thumbnails`);

      // By keyboard: from the message log, Tab to the first thumbnail, Enter opens the viewer with the focus in it.
      await cp.locator('[role="log"]').focus();
      await tabTo(cp, thumb(names[0]!), { max: 5 });
      const viewer = cp.getByRole('dialog');
      const close = viewer.getByRole('button', { name: exact(c['attach.close']!) });
      await pressKey(cp, 'Enter');
      await expect.poll(() => close.evaluate((el) => el.matches(':focus'))).toBe(true);
      await expect.poll(() => viewer.getAttribute('aria-label')).toBe(fill(c['attach.viewer']!, { name: names[0]! }));
      const big = viewer.getByRole('img', { name: names[0]! });
      await expect.poll(() => big.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
      await expectFullyVisible(big);
      await expectFullyVisible(close);
      // → shows the conversation's next image, ← comes back.
      await pressKey(cp, 'ArrowRight', close);
      await expectFullyVisible(viewer.getByRole('img', { name: names[1]! }));
      await expectFullyVisible(viewer.getByText(exact(fill(c['attach.position']!, { n: 2, total: 2 }))));
      await pressKey(cp, 'ArrowLeft', close);
      await expectFullyVisible(big);
      const axe = await axeSerious(cp);
      expect(axe, axeReport(`console image viewer (${tag})`, axe)).toEqual([]);
      await agent.shot(`${tag}-2-console-viewer`);

      // Download: the file is a PNG without the EXIF and the text chunk the requester's screenshot carried.
      const save = viewer.getByRole('link', { name: exact(fill(c['attach.download']!, { name: names[0]! })) });
      const [download] = await Promise.all([cp.waitForEvent('download'), clickAsPerson(save)]);
      expect(download.suggestedFilename()).toBe(names[0]);
      const bytes = readFileSync((await download.path())!);
      const chunks = pngChunks(bytes);
      expect(chunks[0]).toBe('IHDR');
      expect(chunks.at(-1)).toBe('IEND');
      expect(chunks).not.toContain('eXIf');
      expect(chunks).not.toContain('tEXt');
      expect(bytes.includes(Buffer.from(marker))).toBe(false);

      // Esc closes the viewer and the focus is back on the thumbnail.
      await close.focus();
      await pressKey(cp, 'Escape', close);
      await viewer.waitFor({ state: 'detached' });
      await expect.poll(() => thumb(names[0]!).evaluate((el) => el.matches(':focus'))).toBe(true);

      // The agent attaches a log with the paperclip and replies.
      const clip = cp.getByRole('button', { name: exact(c['composer.attach']!) });
      const reply = cp.getByPlaceholder(exact(c['composer.replyPlaceholder']!));
      let chooser: FileChooser;
      if (phone) {
        await reach(clip);
        [chooser] = await Promise.all([cp.waitForEvent('filechooser'), clickAsPerson(clip)]);
      } else {
        // By keyboard: from the message box, Tab to the paperclip, Enter.
        await clickAsPerson(reply);
        await tabTo(cp, clip, { max: 3 });
        [chooser] = await Promise.all([cp.waitForEvent('filechooser'), pressKey(cp, 'Enter', clip)]);
      }
      const logName = `server-${tag}.log`;
      await chooser.setFiles({ name: logName, mimeType: 'text/plain', buffer: Buffer.from(`2026-12-06T10:00:00Z export worker restarted (${tag})\n`) });
      const trayList = cp.getByRole('list', { name: exact(c['attach.tray']!) });
      const item = trayList.locator('li').filter({ hasText: logName });
      await item.and(cp.locator('[data-upload="done"]')).waitFor();
      // And a HAR file dragged from the desktop and dropped on the composer (a drop event carrying the file).
      const harName = `trace-${tag}.har`;
      const dropped = await cp.evaluateHandle((name) => {
        const dt = new DataTransfer();
        dt.items.add(new File([JSON.stringify({ log: { version: '1.2', entries: [] } })], name, { type: 'application/json' }));
        return dt;
      }, harName);
      const composerForm = cp.locator('form.composer');
      await composerForm.dispatchEvent('dragover', { dataTransfer: dropped });
      await composerForm.dispatchEvent('drop', { dataTransfer: dropped });
      await trayList.locator('li').filter({ hasText: harName }).and(cp.locator('[data-upload="done"]')).waitFor();
      await reach(item);
      await expectFullyVisible(item);
      await agent.shot(`${tag}-3-console-tray`);
      await reach(reply);
      await typeAsPerson(reply, `The worker log (${tag})`);
      await reach(cp.getByRole('button', { name: exact(c['composer.send']!) }));
      await clickAsPerson(cp.getByRole('button', { name: exact(c['composer.send']!) }));
      const sent = log.locator(':scope > li').last().getByRole('link', { name: exact(logName) });
      const sentHar = log.locator(':scope > li').last().getByRole('link', { name: exact(harName) });
      if (phone) {
        await log.locator(':scope > li').last().filter({ hasText: `The worker log (${tag})` }).waitFor();
        await reach(sent);
      } else await expectNewestInView(log, { text: `The worker log (${tag})` });
      await expectFullyVisible(sent);
      await reach(sentHar);
      await expectFullyVisible(sentHar);
      await expect.poll(() => cp.getByRole('list', { name: exact(c['attach.tray']!) }).count()).toBe(0);
      await agent.shot(`${tag}-4-console-replied`);

      // The requester sees the reply with the log as a download in the widget.
      await expectNewestInView(widgetLog(page), { text: `The worker log (${tag})` });
      for (const n of [logName, harName]) await expectFullyVisible(widgetLog(page).locator(':scope > li').last().getByRole('button', { name: new RegExp(`^${w['attach.save']!} ${n.replace(/[.]/g, '\\.')} `) }));
      await req.shot(`${tag}-5-widget-log`);

      expect([...req.errors, ...agent.errors]).toEqual([]);
      await req.close();
      await agent.close();
    });
  }
});
