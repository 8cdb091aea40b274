// Email continuity, as people live it: a visitor on a phone asks to be emailed, confirms the address
// with the code from the mail the server sent (received by a real SMTP server on loopback), leaves;
// the agent's reply arrives as one threaded mail; the visitor answers the mail (sent over SMTP to the
// product's inbound listener) and, back on the site, finds that answer and the agent's reply in the widget, in view.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Locale } from '../../../../../packages/i18n/src/index.ts';
import emailEn from '../../../../../packages/i18n/src/widget/email-en.ts';
import emailEs from '../../../../../packages/i18n/src/widget/email-es.ts';
import emailPt from '../../../../../packages/i18n/src/widget/email-pt.ts';
import { axeReport, axeSerious } from '../../../../../test/e2e/axe.ts';
import { clickAsPerson, expectFullyVisible, expectNewestInView, typeAsPerson } from '../../../../../test/e2e/person.ts';
import { mailSink, sendMail, type MailSink } from '../../../../server/test/email/sink.ts';
import { AgentSocket, env, W, conversationId, exact, journey, openWidget, person, requestCard, useStack, widgetFrame, widgetLog } from './kit.ts';

const E: Record<Locale, Record<string, string>> = { pt: emailPt, en: emailEn, es: emailEs };
const vars: Record<string, string> = { AJUDA_EMAIL_DELAY_S: '1', AJUDA_EMAIL_POLL_MS: '200', AJUDA_SMTP_INBOUND: '127.0.0.1:0', AJUDA_EMAIL_INBOUND_DOMAIN: 'mail.test' };
let sink: MailSink;
beforeAll(async () => {
  sink = await mailSink();
  vars.AJUDA_SMTP_URL = sink.url;
});
useStack(vars);
let emma: AgentSocket;
beforeAll(async () => {
  emma = await AgentSocket.signIn(env.stack, 'emma@ajuda.local');
});
afterAll(async () => {
  emma?.close();
  await sink?.close();
});

describe('journey: email continuity', () => {
  for (const [locale, size] of [
    ['en-US', 'phone'],
    ['pt-BR', 'laptop'],
    ['es-ES', 'phone'],
  ] as const) {
    journey(`${locale} on a ${size}: confirm an address with the mailed code, leave, the reply arrives by mail, the answer to it shows in the widget`, async () => {
      const tag = `${locale}-${size}`;
      const address = `visitor.${tag.toLowerCase()}@example.com`;
      const p = await person('email', { locale, phone: size === 'phone' });
      const page = p.page;
      let frame = await openWidget(page, '/site');
      // The marketing site is in English: a pt or es visitor picks their language in the widget.
      const lang = locale.slice(0, 2) as Locale;
      if (lang !== 'en') {
        const select = frame.locator('.lang select');
        await expectFullyVisible(select);
        await select.selectOption(lang);
      }
      await expect.poll(() => widgetFrame(page).evaluate(() => document.documentElement.lang)).toBe(lang);
      const w = W[lang];
      const e = E[lang];
      await clickAsPerson(requestCard(frame, w, 'general_question'));
      await typeAsPerson(frame.locator('#f-question'), `Email journey ${tag}: how do I export my data?`);
      await clickAsPerson(frame.getByRole('button', { name: exact(w['intake.submit']!) }));
      const id = await conversationId(frame);

      await clickAsPerson(frame.getByRole('button', { name: exact(w['email.open']!) }));
      await expectFullyVisible(frame.getByRole('heading', { name: exact(e['email.title']!) }));
      await typeAsPerson(frame.getByLabel(exact(e['email.address']!)), address);
      await p.shot(`${tag}-1-address`);
      await clickAsPerson(frame.getByRole('button', { name: exact(e['email.sendCode']!) }));
      await expectFullyVisible(frame.getByText(exact(e['email.codeSent']!.replace('{address}', address))));
      const codeMail = await sink.until((r) => r.envelope.to.includes(address));
      const code = /\b(\d{6})\b/.exec(codeMail.mail.text ?? '')![1]!;
      // A wrong code first: said why, in the person's language.
      await typeAsPerson(frame.getByLabel(exact(e['email.code']!)), code === '000000' ? '111111' : '000000');
      await clickAsPerson(frame.getByRole('button', { name: exact(e['email.confirm']!) }));
      await expectFullyVisible(frame.getByRole('alert').filter({ hasText: e['email.problem.wrong_code']! }));
      await frame.getByLabel(exact(e['email.code']!)).fill('');
      await typeAsPerson(frame.getByLabel(exact(e['email.code']!)), code);
      await p.shot(`${tag}-2-code`);
      await clickAsPerson(frame.getByRole('button', { name: exact(e['email.confirm']!) }));
      await expectFullyVisible(frame.getByText(exact(e['email.confirmed']!.replace('{address}', address))));
      const axe = await axeSerious(widgetFrame(page));
      expect(axe, axeReport(`email screen (${tag})`, axe)).toEqual([]);
      await p.shot(`${tag}-3-confirmed`);
      await clickAsPerson(frame.getByRole('button', { name: exact(e['email.back']!) }));
      await expectNewestInView(widgetLog(page));

      // The visitor leaves; the agent answers; one mail comes.
      await page.goto('about:blank');
      await emma.say(id, `Go to Settings → Export (${tag}).`);
      const mail = await sink.until((r) => r.envelope.to.includes(address) && (r.mail.text ?? '').includes(`Export (${tag})`));
      expect(mail.mail.subject).toContain(id);
      // In the conversation's language.
      expect(mail.mail.subject).toContain({ en: 'New reply', pt: 'Nova resposta', es: 'Nueva respuesta' }[lang]);
      const replyTo = mail.mail.replyTo!.value[0]!.address!;
      await sendMail(env.stack.app.email.smtpPort!, {
        from: address,
        to: replyTo,
        subject: `Re: ${mail.mail.subject}`,
        inReplyTo: mail.mail.messageId!,
        references: [mail.mail.messageId!],
        text: `Found it, thank you (${tag})!\n\n> Go to Settings → Export (${tag}).\n`,
      });

      // Back on the site: the answer sent by mail is in the conversation, in view.
      frame = await openWidget(page, '/site');
      const row = frame.locator('button').filter({ hasText: id });
      if (await frame.locator('ol.msg-list').count() === 0) await clickAsPerson(row.first());
      await expectNewestInView(widgetLog(page), { text: `Found it, thank you (${tag})!`, timeout: 20_000 });
      await expect.poll(() => widgetLog(page).getByText(`Go to Settings → Export (${tag}).`).count()).toBe(1);
      await p.shot(`${tag}-4-reply-in-widget`);
      expect(p.errors).toEqual([]);
      await p.close();
    });
  }
});
