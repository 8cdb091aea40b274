// Attachments in the widget, as people live it: a requester pastes screenshots, sees their previews and
// removes one, attaches a log with the paperclip by keyboard, sends; the message shows the thumbnail in
// view, which opens the image large (Esc closes it, focus returns). A file too large and an SVG are
// refused in the person's language. A message with files that waits (the socket silent) survives a
// reload and reaches the server once, with its files. Evidence picked in the incident form (before the
// conversation exists) arrives in the conversation as its first files.
import type { Page, WebSocketRoute } from 'playwright-core';
import { beforeAll, afterAll, describe, expect } from 'vitest';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import { axeReport, axeSerious } from '../../../../../test/e2e/axe.ts';
import { clickAsPerson, expectFullyVisible, expectNewestInView, pressKey, tabTo, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { AgentSocket, W, conversationId, env, exact, journey, openWidget, person, requestCard, switchPlatformUser, useStack, widgetFrame, widgetLog } from './kit.ts';

// 1 MB per file, so "too large" needs no big buffer; uploads not rate-limited across the three runs.
useStack({ AJUDA_UPLOAD_MAX_MB: '1', AJUDA_UPLOADS_PER_MINUTE: '1000' });
let lead: AgentSocket;
beforeAll(async () => {
  lead = await AgentSocket.signIn(env.stack, 'lea@ajuda.local');
});
afterAll(() => lead?.close());

type ServerMessage = { body: string; attachments?: Array<{ id: string; name: string }> };
/** The conversation's messages as the server has them. */
async function serverMessages(id: string): Promise<ServerMessage[]> {
  const snap = await lead.call({ type: 'conversation.open', conversationId: id });
  return snap.messages as ServerMessage[];
}

/**
 * Paste into the composer as the browser does when a person presses Ctrl+V (or long-presses "Paste") with
 * files on the clipboard: a `paste` event whose DataTransfer holds them. `png` files are drawn on a canvas.
 */
async function paste(page: Page, files: Array<{ name: string; png?: string; text?: string; bytes?: number; type?: string }>) {
  await widgetFrame(page).evaluate(async (list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      if (f.png) {
        const c = document.createElement('canvas');
        c.width = 480;
        c.height = 300;
        const g = c.getContext('2d')!;
        g.fillStyle = '#fde68a';
        g.fillRect(0, 0, 480, 300);
        g.fillStyle = '#991b1b';
        g.font = 'bold 36px sans-serif';
        g.fillText(f.png, 24, 160);
        const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'));
        dt.items.add(new File([blob], f.name, { type: 'image/png' }));
      } else if (f.bytes) {
        dt.items.add(new File([new Uint8Array(f.bytes).fill(7)], f.name, { type: f.type ?? 'image/png' }));
      } else dt.items.add(new File([f.text ?? ''], f.name, { type: f.type ?? 'text/plain' }));
    }
    const box = document.querySelector('#composer-input')!;
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, files);
}

describe('journey: attachments in the widget', () => {
  for (const [locale, size] of [
    ['en-US', 'phone'],
    ['pt-BR', 'laptop'],
    ['es-ES', 'phone'],
  ] as const) {
    journey(`${locale} on a ${size}: paste screenshots, remove one, attach a log by keyboard, send, see the thumbnail and the image large; refusals in words; a waiting message with files survives a reload`, async () => {
      const tag = `${locale}-${size}`;
      const p = await person('attachments', { locale, phone: size === 'phone' });
      const page = p.page;
      // Every widget socket goes through the test, so one can fall silent (a message then waits in the outbox).
      const routes: Array<{ route: WebSocketRoute; silent: boolean }> = [];
      let dropped = false;
      await p.context.routeWebSocket(/\/ws(\?|$)/, (ws) => {
        const entry = { route: ws, silent: dropped };
        routes.push(entry);
        const server = ws.connectToServer();
        ws.onMessage((m) => !entry.silent && server.send(m));
        server.onMessage((m) => !entry.silent && ws.send(m));
      });

      let frame = await openWidget(page, '/site');
      const lang = locale.slice(0, 2) as Locale;
      if (lang !== 'en') await frame.locator('.lang select').selectOption(lang);
      await expect.poll(() => widgetFrame(page).evaluate(() => document.documentElement.lang)).toBe(lang);
      const w = W[lang];
      await clickAsPerson(requestCard(frame, w, 'general_question'));
      await typeAsPerson(frame.locator('#f-question'), `Attachments journey ${tag}: the export fails`);
      await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
      const id = await conversationId(frame);
      const composer = frame.getByLabel(exact(w['conversation.compose.label']!));
      const tray = frame.getByRole('list', { name: exact(w['attach.list']!) });
      const trayItem = (name: string) => tray.locator('li').filter({ hasText: name });

      // 1. Two screenshots pasted: both previewed and uploaded; the wrong one removed.
      await clickAsPerson(composer);
      await paste(page, [
        { name: `error-${tag}.png`, png: `Error 500 (${tag})` },
        { name: `wrong-${tag}.png`, png: 'Not this one' },
      ]);
      for (const name of [`error-${tag}.png`, `wrong-${tag}.png`]) {
        await trayItem(name).and(frame.locator('[data-upload="done"]')).waitFor();
        await expectFullyVisible(trayItem(name).locator('img.tray-thumb'), { scroll: true });
      }
      await p.shot(`${tag}-1-pasted`);
      await clickAsPerson(frame.getByRole('button', { name: exact(w['attach.remove']!.replace('{name}', `wrong-${tag}.png`)) }));
      await expect.poll(() => tray.locator('li').count()).toBe(1);

      // 2. A log attached with the paperclip, by keyboard: from the message box, Shift+Tab to the paperclip, Enter.
      await clickAsPerson(composer);
      const clip = frame.getByRole('button', { name: exact(w['attach.add']!) });
      await tabTo(page, clip, { back: true, max: 3 });
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), pressKey(page, 'Enter', clip)]);
      await chooser.setFiles({ name: `export-${tag}.log`, mimeType: 'text/plain', buffer: Buffer.from(`2026-12-06 export failed (${tag})\n`) });
      await trayItem(`export-${tag}.log`).and(frame.locator('[data-upload="done"]')).waitFor();

      // 3. Refused: a file over the 1 MB cap (in the widget, as it is picked: never sent) and an SVG (by the
      // server), each said in the person's language, then removed.
      const posted: number[] = [];
      page.on('request', (r) => r.method() === 'POST' && r.url().includes('/api/attachments') && posted.push(r.postDataBuffer()?.length ?? 0));
      await clickAsPerson(composer);
      await paste(page, [
        { name: `huge-${tag}.png`, bytes: 1_200_000 },
        { name: `drawing-${tag}.svg`, text: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', type: 'image/svg+xml' },
      ]);
      const failed = (reason: string, max = '') => w['attach.failed']!.replace('{reason}', w[reason]!.replace('{max}', max));
      await expectFullyVisible(trayItem(`huge-${tag}.png`).getByText(exact(failed('attach.tooLargeMax', '1'))), { scroll: true, timeout: 15_000 });
      await expectFullyVisible(trayItem(`drawing-${tag}.svg`).getByText(exact(failed('attach.type'))), { scroll: true, timeout: 15_000 });
      expect(posted.length).toBeGreaterThan(0);
      expect(posted.filter((n) => n >= 1_200_000)).toEqual([]);
      await p.shot(`${tag}-2-refused`);
      for (const name of [`huge-${tag}.png`, `drawing-${tag}.svg`]) await clickAsPerson(frame.getByRole('button', { name: exact(w['attach.remove']!.replace('{name}', name)) }));
      await expect.poll(() => tray.locator('li').count()).toBe(2);

      // 4. Sent with a line of text: the message shows the thumbnail and the log, in view.
      await typeAsPerson(composer, `Here is the error (${tag})`);
      await clickAsPerson(frame.getByRole('button', { name: exact(w['conversation.send']!) }));
      await expectNewestInView(widgetLog(page), { text: `Here is the error (${tag})` });
      const thumb = widgetLog(page).locator(':scope > li').last().getByRole('button', { name: exact(w['attach.open']!.replace('{name}', `error-${tag}.png`)) });
      await thumb.locator('img').waitFor();
      await expect.poll(() => thumb.locator('img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
      await expectNewestInView(widgetLog(page));
      await expectFullyVisible(thumb);
      await expectFullyVisible(widgetLog(page).locator(':scope > li').last().getByRole('button', { name: new RegExp(`^${w['attach.save']!} export-${tag}\\.log `) }));
      await expect.poll(async () => (await serverMessages(id)).find((m) => m.body === `Here is the error (${tag})`)?.attachments?.map((a) => a.name)).toEqual([`error-${tag}.png`, `export-${tag}.log`]);
      await p.shot(`${tag}-3-sent`);

      // 5. The thumbnail opens the image large, in a dialog; Esc closes it and the focus is back on the thumbnail.
      await clickAsPerson(thumb);
      const dialog = frame.getByRole('dialog', { name: exact(`error-${tag}.png`) });
      await expectFullyVisible(dialog.getByRole('img', { name: `error-${tag}.png` }), { timeout: 15_000 });
      await expectFullyVisible(dialog.getByRole('button', { name: exact(w['attach.save']!) }));
      const axe = await axeSerious(widgetFrame(page));
      expect(axe, axeReport(`lightbox (${tag})`, axe)).toEqual([]);
      await p.shot(`${tag}-4-lightbox`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await thumb.evaluate((el) => el.matches(':focus'))).toBe(true);

      // 6. The socket falls silent; a message with a pasted screenshot waits; the page reloads; it is sent once.
      await expect.poll(() => routes.length).toBeGreaterThan(0);
      dropped = true;
      for (const r of routes) r.silent = true;
      await clickAsPerson(composer);
      await paste(page, [{ name: `later-${tag}.png`, png: `Later (${tag})` }]);
      await trayItem(`later-${tag}.png`).and(frame.locator('[data-upload="done"]')).waitFor();
      await typeAsPerson(composer, `Sent across a reload (${tag})`);
      await page.keyboard.press('Enter');
      await expectNewestInView(widgetLog(page), { text: `Sent across a reload (${tag})` });
      expect((await serverMessages(id)).map((m) => m.body)).not.toContain(`Sent across a reload (${tag})`);
      await p.shot(`${tag}-5-waiting`);
      dropped = false;
      frame = await openWidget(page, '/site');
      // Back where they were: in the conversation, or on the home with it listed.
      const row = frame.locator('button').filter({ hasText: id }).first();
      await frame.locator('ol.msg-list').or(row).first().waitFor();
      if (!(await frame.locator('ol.msg-list').isVisible())) await clickAsPerson(row);
      await expect
        .poll(async () => (await serverMessages(id)).filter((m) => m.body === `Sent across a reload (${tag})`).map((m) => m.attachments?.map((a) => a.name)), { timeout: 30_000 })
        .toEqual([[`later-${tag}.png`]]);
      await expect.poll(() => widgetLog(page).locator(':scope > li', { hasText: `Sent across a reload (${tag})` }).count()).toBe(1);
      await expect.poll(() => widgetLog(page).locator(':scope > li.msg-pending').count(), { timeout: 10_000 }).toBe(0);
      const later = widgetLog(page).locator(':scope > li', { hasText: `Sent across a reload (${tag})` }).getByRole('button', { name: exact(w['attach.open']!.replace('{name}', `later-${tag}.png`)) });
      await later.locator('img').waitFor();
      await expectNewestInView(widgetLog(page));
      await p.shot(`${tag}-6-after-reload`);
      expect(p.errors).toEqual([]);
      await p.close();
    });
  }

  journey('pt-BR on a phone: evidence files picked in the incident form survive a reload and arrive in the new conversation, in view', async () => {
    const p = await person('attachments', { locale: 'pt-BR', phone: true });
    const page = p.page;
    await switchPlatformUser(page, 'u_bruno', 'Bruno Lima');
    const frame = await openWidget(page, '/platform');
    if ((await widgetFrame(page).evaluate(() => document.documentElement.lang)) !== 'pt') await frame.locator('.lang select').selectOption('pt');
    await expect.poll(() => widgetFrame(page).evaluate(() => document.documentElement.lang)).toBe('pt');
    const w = W.pt;
    await clickAsPerson(requestCard(frame, w, 'incident'));
    const picker = frame.locator('select#f-pipeline');
    await picker.locator('option', { hasText: 'ORD-SYNC-01' }).waitFor({ state: 'attached' });
    await picker.selectOption({ label: (await picker.locator('option', { hasText: 'ORD-SYNC-01' }).textContent())! });
    await clickAsPerson(frame.getByRole('radio', { name: w['intake.option.impact.partial'] }));
    await clickAsPerson(frame.getByRole('group', { name: new RegExp(w['intake.field.workaround.label']!.replace('?', '\\?')) }).getByRole('radio', { name: w['intake.option.workaround.no'] }));
    await typeAsPerson(frame.locator('#f-errorMessage'), 'HTTP 503 do conector do ERP');
    await clickAsPerson(frame.locator('#f-errorAt'));
    await frame.locator('#f-errorAt').fill('2026-11-24T09:30');
    await typeAsPerson(frame.locator('#f-expected'), 'Pedidos copiados a cada 5 minutos');
    await typeAsPerson(frame.locator('#f-observed'), 'Metade das execuções falha desde 09:30');
    await typeAsPerson(frame.locator('#f-analysis'), 'Reexecutei em Teste: funciona');

    // The evidence: a screenshot and a log, picked before the conversation exists.
    const evidence = frame.getByRole('group', { name: exact(w['attach.evidence']!) });
    const png = Buffer.from(
      (
        await widgetFrame(page).evaluate(() => {
          const c = document.createElement('canvas');
          c.width = 400;
          c.height = 240;
          const g = c.getContext('2d')!;
          g.fillStyle = '#dbeafe';
          g.fillRect(0, 0, 400, 240);
          g.fillStyle = '#1e3a8a';
          g.font = 'bold 30px sans-serif';
          g.fillText('HTTP 503 ERP', 24, 130);
          return c.toDataURL('image/png');
        })
      ).split(',')[1]!,
      'base64',
    );
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), clickAsPerson(evidence.getByRole('button', { name: exact(w['attach.add']!) }))]);
    await chooser.setFiles([
      { name: 'erro-503.png', mimeType: 'image/png', buffer: png },
      { name: 'sync.log', mimeType: 'text/plain', buffer: Buffer.from('09:30 503 Service Unavailable\n') },
    ]);
    await expectFullyVisible(evidence.locator('li').filter({ hasText: 'erro-503.png' }).locator('img'), { scroll: true });
    await expectFullyVisible(evidence.locator('li').filter({ hasText: 'sync.log' }), { scroll: true });
    await p.shot('pt-BR-phone-evidence-1-form');

    // The page reloads before the form is sent: the answers and the picked files are still there.
    await openWidget(page, '/platform');
    await expect.poll(() => frame.locator('#f-errorMessage').inputValue()).toBe('HTTP 503 do conector do ERP');
    await expectFullyVisible(evidence.locator('li').filter({ hasText: 'erro-503.png' }).locator('img'), { scroll: true });
    await expectFullyVisible(evidence.locator('li').filter({ hasText: 'sync.log' }), { scroll: true });
    expect(await evidence.locator('li').count()).toBe(2);
    await p.shot('pt-BR-phone-evidence-1b-after-reload');
    await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
    const id = await conversationId(frame);

    // In the conversation: uploaded to it and sent as its files, the thumbnail in view; on the server once.
    const thumb = widgetLog(page).getByRole('button', { name: exact(w['attach.open']!.replace('{name}', 'erro-503.png')) });
    await thumb.locator('img').waitFor({ timeout: 20_000 });
    await expectNewestInView(widgetLog(page));
    await expect.poll(async () => (await serverMessages(id)).filter((m) => m.attachments?.length).map((m) => m.attachments!.map((a) => a.name))).toEqual([['erro-503.png', 'sync.log']]);
    await p.shot('pt-BR-phone-evidence-2-sent');
    // Sent: nothing of them is kept any more (a new incident form starts without files).
    await expect.poll(() => widgetFrame(page).evaluate(() => new Promise<number>((resolve) => {
      const open = indexedDB.open('ajuda-evidence', 1);
      open.onsuccess = () => {
        const tx = open.result.transaction('forms', 'readonly');
        const c = tx.objectStore('forms').count();
        c.onsuccess = () => resolve(c.result);
      };
    }))).toBe(0);
    const axe = await axeSerious(widgetFrame(page));
    expect(axe, axeReport('conversation with evidence (pt-BR phone)', axe)).toEqual([]);
    expect(p.errors).toEqual([]);
    await p.close();
  });
});
