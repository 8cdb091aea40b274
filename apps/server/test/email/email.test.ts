import nodemailer, { type Transporter } from 'nodemailer';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { replyAddress } from '../../src/email/address.ts';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { agent, GENERAL, idem, requester, type TestClient } from '../client.ts';
import { mailSink, type MailSink, type Received } from './sink.ts';

const ENV = (sink: MailSink): Record<string, string> => ({
  AJUDA_SMTP_URL: sink.url,
  AJUDA_EMAIL_FROM: 'Ajuda Support <support@mail.test>',
  AJUDA_EMAIL_INBOUND_DOMAIN: 'mail.test',
  AJUDA_EMAIL_DELAY_S: '2',
  AJUDA_EMAIL_POLL_MS: '100',
  AJUDA_EMAIL_RETRY_BASE_MS: '200',
  AJUDA_SMTP_INBOUND: '127.0.0.1:0',
});
const SECRET = 'inbound-secret-0123456789abcdef';
const ANA = { sub: 'u_ana', realm: 'acme', name: 'Ana Souza', email: 'ana@acme.example', locale: 'en' };

const until = async (check: () => Promise<boolean>, what: string, timeoutMs = 15_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const hdr = (r: Received, name: string) => {
  const v = r.mail.headers.get(name);
  return typeof v === 'string' ? v : v === undefined ? undefined : JSON.stringify(v);
};
const about = (id: string) => (r: Received) => hdr(r, 'x-ajuda-conversation') === id;

describe('email continuity on real SMTP both ways', () => {
  let sink: MailSink;
  let stack: TestStack;
  let emma: Awaited<ReturnType<typeof agent>>;
  const clients: TestClient[] = [];
  let inbound: Transporter;

  beforeAll(async () => {
    sink = await mailSink();
    stack = await startTestStack(ENV(sink), { demo: false });
    emma = await agent(stack, 'emma@ajuda.local');
    inbound = nodemailer.createTransport({ host: '127.0.0.1', port: stack.app.email.smtpPort!, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    emma?.close();
    inbound?.close();
    await stack?.close();
    await sink?.close();
  });

  /** A signed-in platform user (the token carries the email) starts a conversation and leaves. */
  async function away(claims = ANA): Promise<string> {
    const c = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(claims) });
    const f = await c.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
    await c.request({ type: 'message.send', conversationId: f.conversation.id, clientMsgId: idem(), body: 'Help, please' }, 'message.ack');
    c.close();
    return f.conversation.id;
  }
  const say = (id: string, body: string) => emma.request({ type: 'message.send', conversationId: id, clientMsgId: idem(), body }, 'message.ack');
  const jobs = (id: string) => stack.app.ajuda.svc.store.email.jobsOf(id);
  const messages = (id: string) => stack.app.ajuda.svc.store.messagesAfter(id, 0, 100, true);

  it('two agent messages while the requester is away: one threaded email with both; the next one answers it in the same thread', async () => {
    const id = await away();
    // Both sent at once (one socket keeps their order), well within the delay even on a loaded machine.
    await Promise.all([say(id, 'First: check the <b>retry</b> setting & save.'), say(id, 'Second: then restart the pipeline.')]);
    const first = await sink.until(about(id));
    expect(first.envelope.to).toEqual(['ana@acme.example']);
    expect(first.mail.subject).toContain(id);
    expect(first.mail.text).toContain('First: check the <b>retry</b> setting & save.');
    expect(first.mail.text).toContain('Second: then restart the pipeline.');
    expect(first.mail.text).toContain(`Conversation ID: ${id}`);
    // HTML part: what the agent wrote is escaped, never markup.
    expect(first.mail.html).toContain('check the &lt;b&gt;retry&lt;/b&gt; setting &amp; save.');
    expect(first.mail.html).not.toContain('<b>retry</b>');
    expect(first.mail.html).toContain(`ajuda_conversation=${id}`);
    const rootId = `<ajuda.${id.toLowerCase()}@mail.test>`;
    expect(first.mail.messageId).toBe(rootId);
    expect(hdr(first, 'auto-submitted')).toBe('auto-generated');
    const replyTo = first.mail.replyTo!.value[0]!.address!;
    expect(replyTo).toBe(replyAddress(id, stack.config.email.replyKeys, 'mail.test'));
    expect(replyTo).toMatch(new RegExp(`^reply\\+${id.toLowerCase()}\\.k1\\.[0-9a-f]{20}@mail\\.test$`));
    await until(async () => (await jobs(id)).every((j) => j.status !== 'pending'), 'notify job ended');
    expect(sink.got.filter(about(id))).toHaveLength(1);

    await say(id, 'Third: did it work?');
    const second = await sink.until((r) => about(id)(r) && r !== first);
    expect(second.mail.text).toContain('Third: did it work?');
    expect(second.mail.text).not.toContain('First:');
    expect(second.mail.inReplyTo).toBe(rootId);
    expect(second.mail.references).toEqual(rootId);
    expect(second.mail.messageId).not.toBe(rootId);
    expect(second.mail.subject).toBe(first.mail.subject);
  });

  it('a message read in time is not emailed', async () => {
    const c = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(ANA) });
    clients.push(c);
    const f = await c.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
    const id = f.conversation.id;
    await c.request({ type: 'message.send', conversationId: id, clientMsgId: idem(), body: 'Still here' }, 'message.ack');
    const ack = await say(id, 'Answer you read at once');
    await c.wait('message.created', (m) => m.message.seq === ack.seq);
    c.send({ type: 'read', conversationId: id, lastReadSeq: ack.seq });
    await until(async () => (await stack.app.ajuda.svc.store.getConversation(id))!.requesterReadSeq >= ack.seq, 'read recorded');
    await until(async () => (await jobs(id)).length > 0 && (await jobs(id)).every((j) => j.status !== 'pending'), 'notify job ended');
    expect((await jobs(id)).map((j) => j.status)).toEqual(['skipped']);
    expect(sink.got.filter(about(id))).toHaveLength(0);
  });

  it('a reply to the email comes back into the conversation (quoted text stripped), once per Message-ID, live to the agent', async () => {
    const id = await away();
    await emma.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    await say(id, 'Which region is it?');
    const mail = await sink.until(about(id));
    const replyTo = mail.mail.replyTo!.value[0]!.address!;
    const reply = {
      from: 'Ana Souza <ana@acme.example>',
      to: replyTo,
      subject: `Re: ${mail.mail.subject}`,
      inReplyTo: mail.mail.messageId,
      references: [mail.mail.messageId!],
      messageId: `<reply-1.${id}@acme.example>`,
      text: `It is eu-west, thanks!\n\nOn Mon, 7 Dec 2026 at 10:00, Ajuda Support <support@mail.test> wrote:\n> Which region is it?\n> Conversation ID: ${id}\n`,
    };
    const from = emma.frames.length;
    await inbound.sendMail(reply);
    const live = await emma.wait('message.created', (m) => m.message.conversationId === id && m.message.body === 'It is eu-west, thanks!', 10_000, from);
    expect(live.message.sender.role).toBe('requester');
    // The relay delivers the same mail again: nothing new.
    await inbound.sendMail(reply);
    const texts = (await messages(id)).filter((m) => m.sender === 'requester').map((m) => m.body);
    expect(texts).toEqual(['Help, please', 'It is eu-west, thanks!']);
  });

  it('forged reply addresses, auto-replies, bounces and HTML-only mail with a script are handled as they must be', async () => {
    const id = await away();
    const good = replyAddress(id, stack.config.email.replyKeys, 'mail.test');
    // Forged: another conversation's id under this one's mac, a made-up mac, a key nobody has.
    const forged = [good.replace(id.toLowerCase(), 'aj-000000000000'), good.replace(/\.[0-9a-f]{20}@/, '.0123456789abcdef0123@'), good.replace('.k1.', '.k9.')];
    for (const to of forged) await expect(inbound.sendMail({ from: 'x@evil.example', to, subject: 'hi', text: 'let me in' })).rejects.toThrow(/550/);
    const post = (raw: string, query = '') =>
      stack.app.inject({ method: 'POST', url: `/api/email/inbound${query}`, headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'message/rfc822' }, payload: raw });
    const mime = (headers: Record<string, string>, body: string, type = 'text/plain; charset=utf-8') =>
      [...Object.entries({ From: 'Ana <ana@acme.example>', To: good, Subject: 'Re: hi', 'Content-Type': type, ...headers }).map(([k, v]) => `${k}: ${v}`), '', body].join('\r\n');
    expect((await post(mime({ 'Message-ID': '<f1@x>', To: forged[0]! }, 'let me in'))).json()).toMatchObject({ outcome: 'forged' });
    expect((await post(mime({ 'Message-ID': '<a1@x>', 'Auto-Submitted': 'auto-replied' }, 'I am out of office'))).json()).toMatchObject({ outcome: 'auto_reply' });
    expect((await post(mime({ 'Message-ID': '<a2@x>', Precedence: 'bulk' }, 'Newsletter'))).json()).toMatchObject({ outcome: 'auto_reply' });
    expect((await post(mime({ 'Message-ID': '<a3@x>', 'X-Autoreply': 'yes' }, 'Away'))).json()).toMatchObject({ outcome: 'auto_reply' });
    expect((await post(mime({ 'Message-ID': '<b1@x>' }, 'Delivery failed'), '?from=')).json()).toMatchObject({ outcome: 'bounce' });
    expect((await post(mime({ 'Message-ID': '<b2@x>', From: 'MAILER-DAEMON@relay.example' }, 'Undelivered Mail Returned to Sender'))).json()).toMatchObject({ outcome: 'bounce' });
    const html = await post(mime({ 'Message-ID': '<h1@x>' }, '<html><body><p>Hello <b>there</b></p><script>alert("x")</script><p>Bye</p></body></html>', 'text/html; charset=utf-8'));
    expect(html.json()).toMatchObject({ outcome: 'appended', conversationId: id, messages: 1 });
    const again = await post(mime({ 'Message-ID': '<h1@x>' }, '<p>Hello <b>there</b></p>', 'text/html; charset=utf-8'));
    expect(again.json()).toMatchObject({ outcome: 'duplicate' });
    const texts = (await messages(id)).filter((m) => m.sender === 'requester').map((m) => m.body);
    expect(texts).toEqual(['Help, please', 'Hello there\n\nBye']);
    // The endpoint wants its secret and a mail.
    expect((await stack.app.inject({ method: 'POST', url: '/api/email/inbound', headers: { 'content-type': 'message/rfc822' }, payload: mime({}, 'x') })).statusCode).toBe(401);
    const notMail = await stack.app.inject({ method: 'POST', url: '/api/email/inbound', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'message/rfc822' }, payload: 'just words' });
    expect(notMail.statusCode).toBe(400);
    expect(notMail.headers['content-type']).toContain('application/problem+json');
  });

  it('files attached to a reply go through the attachment pipeline: a screenshot (re-encoded) and a log arrive as the requester\'s files, an SVG is refused in a system line; a redelivered mail adds nothing', async () => {
    const id = await away();
    const png = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#336699' } }).png().withExif({ IFD0: { Make: 'MailCam' } }).toBuffer();
    const mail = {
      from: 'ana@acme.example',
      to: replyAddress(id, stack.config.email.replyKeys, 'mail.test'),
      subject: 'Re: logs',
      text: 'Logs attached',
      messageId: `<files-${id}@acme.example>`,
      attachments: [
        { filename: 'log.txt', content: 'line 1\n' },
        { filename: 'screen.png', content: png },
        { filename: 'drawing.svg', content: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' },
      ],
    };
    await inbound.sendMail(mail);
    await until(async () => (await messages(id)).some((m) => m.kind === 'system' && m.body.includes('drawing.svg')), 'system line');
    const mine = (await messages(id)).filter((m) => m.sender === 'requester');
    expect(mine.map((m) => m.body)).toContain('Logs attached');
    const withFiles = mine.filter((m) => m.params?.attachments);
    expect(withFiles).toHaveLength(1);
    const files = JSON.parse(String(withFiles[0]!.params!.attachments)) as Array<{ id: string; name: string; type: string; image: boolean }>;
    expect(files.map((f) => [f.name, f.image])).toEqual([
      ['log.txt', false],
      ['screen.png', true],
    ]);
    const system = (await messages(id)).filter((m) => m.kind === 'system' && m.body.includes('drawing.svg'));
    expect(system[0]!.body).not.toContain('log.txt');
    // The agent sees the screenshot, without the camera's EXIF.
    const snap = await emma.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    expect(snap.messages.find((m) => m.attachments?.length)?.attachments?.map((a) => a.name)).toEqual(['log.txt', 'screen.png']);
    const cookie = `ajuda_agent=${emma.token}`;
    const img = await fetch(`${stack.url}/api/attachments/${files[1]!.id}`, { headers: { cookie } });
    expect(img.status).toBe(200);
    expect(Buffer.from(await img.arrayBuffer()).toString('latin1')).not.toContain('MailCam');

    // The same mail again (a relay's retry): nothing new.
    const before = (await messages(id)).length;
    await inbound.sendMail(mail);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await messages(id)).length).toBe(before);
  });

  it('a visitor types an address and confirms it with the code from the mail; then the answers go there; transcripts by mail and as text', async () => {
    const v = await requester(stack);
    clients.push(v);
    const f = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
    const id = f.conversation.id;
    await v.request({ type: 'message.send', conversationId: id, clientMsgId: idem(), body: 'Anyone?' }, 'message.ack');
    expect(await v.request({ type: 'email.status.get', conversationId: id }, 'email.status')).toMatchObject({ enabled: true, state: 'none', address: null });
    const bad = await v.request({ type: 'email.request', conversationId: id, address: 'not an address' }, 'error');
    expect(bad).toMatchObject({ code: 'bad_frame' });
    expect(await v.request({ type: 'email.request', conversationId: id, address: 'vi@visitor.example' }, 'email.status')).toMatchObject({ state: 'pending', address: 'vi@visitor.example' });
    const codeMail = await sink.until((r) => r.envelope.to.includes('vi@visitor.example') && /code/i.test(r.mail.subject ?? ''));
    const code = /(\d{6})/.exec(codeMail.mail.subject!)![1]!;
    expect(codeMail.mail.text).toContain(code);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await v.request({ type: 'email.confirm', conversationId: id, code: wrong }, 'email.status')).toMatchObject({ state: 'pending', problem: 'wrong_code' });
    expect(await v.request({ type: 'email.confirm', conversationId: id, code }, 'email.status')).toMatchObject({ state: 'confirmed', address: 'vi@visitor.example', source: 'typed' });
    // Another visitor cannot touch it (R7a).
    const other = await requester(stack);
    clients.push(other);
    expect(await other.request({ type: 'email.status.get', conversationId: id }, 'error')).toMatchObject({ code: 'not_found' });
    v.close();
    await say(id, 'Here is your answer.');
    const answer = await sink.until((r) => about(id)(r) && r.envelope.to.includes('vi@visitor.example'));
    expect(answer.mail.text).toContain('Here is your answer.');

    const v2 = await requester(stack, { visitorToken: (v.frames.find((x) => x.type === 'session.ready') as { visitorToken: string }).visitorToken });
    clients.push(v2);
    const dl = await v2.request({ type: 'transcript.get', conversationId: id, deliver: 'download' }, 'transcript');
    expect(dl.text).toContain('Anyone?');
    expect(dl.text).toContain('Here is your answer.');
    expect(await v2.request({ type: 'transcript.get', conversationId: id, deliver: 'email' }, 'transcript')).toMatchObject({ emailedTo: 'vi@visitor.example' });
    const t = await sink.until((r) => about(id)(r) && /transcript/i.test(r.mail.subject ?? ''));
    expect(t.mail.text).toContain('Anyone?');

    // The same over HTTP, on the socket session's credential (the widget's screen uses these routes).
    const vt = (v.frames.find((x) => x.type === 'session.ready') as { visitorToken: string }).visitorToken;
    const http = (method: 'GET' | 'POST', url: string, payload?: object, auth = `Bearer ${vt}`) =>
      stack.app.inject({ method, url, headers: { authorization: auth }, ...(payload ? { payload } : {}) });
    expect((await http('GET', `/api/email?conversationId=${id}`)).json()).toMatchObject({ conversationId: id, enabled: true, state: 'confirmed', address: 'vi@visitor.example', source: 'typed' });
    const txt = await http('GET', `/api/email/transcript?conversationId=${id}`);
    expect(txt.headers['content-type']).toContain('text/plain');
    expect(txt.headers['content-disposition']).toBe(`attachment; filename="${id}.txt"`);
    expect(txt.body).toContain('Here is your answer.');
    expect((await http('POST', '/api/email/transcript', { conversationId: id })).json()).toEqual({ conversationId: id, emailedTo: 'vi@visitor.example' });
    const badAddress = await http('POST', '/api/email/address', { conversationId: id, address: 'nope' });
    expect(badAddress.statusCode).toBe(400);
    expect(badAddress.headers['content-type']).toContain('application/problem+json');
    expect((await http('POST', '/api/email/confirm', { conversationId: id, code: '12345' })).statusCode).toBe(400);
    expect((await http('GET', `/api/email?conversationId=${id}`, undefined, 'Bearer vt_nobody')).statusCode).toBe(401);
    expect((await http('GET', `/api/email?conversationId=${id}`, undefined, `Bearer ${(other.frames.find((x) => x.type === 'session.ready') as { visitorToken: string }).visitorToken}`)).statusCode).toBe(404);
    expect((await http('GET', `/api/email?conversationId=${id}`, undefined, `Bearer ${emma.token}`)).statusCode).toBe(403);
    await http('POST', '/api/email/address', { conversationId: id, address: 'new@visitor.example' });
    const second = await sink.until((r) => r.envelope.to.includes('new@visitor.example'));
    const code2 = /(\d{6})/.exec(second.mail.subject!)![1]!;
    expect((await http('POST', '/api/email/confirm', { conversationId: id, code: code2 })).json()).toMatchObject({ state: 'confirmed', address: 'new@visitor.example' });
  });

  it('R13 by email: missing fields answered in the sender language; a complete mail escalates as the API does', async () => {
    const id = await away();
    const esc = stack.config.email.escalationAddress;
    expect(esc).toBe('escalations@mail.test');
    await inbound.sendMail({ from: 'ana@acme.example', to: esc, subject: 'Escalação', messageId: '<e1@acme.example>', text: `Conversa: ${id}\nDescrição: o pipeline parou\n` });
    const answer = await sink.until((r) => r.envelope.to.includes('ana@acme.example') && r.mail.inReplyTo === '<e1@acme.example>');
    expect(answer.mail.text).toContain('Não conseguimos escalar');
    expect(answer.mail.text).toContain('Ambiente');
    expect(answer.mail.text).toContain('Justificativa');
    expect(answer.mail.text).not.toMatch(/Descrição \(/);
    expect(await stack.app.ajuda.svc.store.escalations(id)).toHaveLength(0);

    await inbound.sendMail({
      from: 'ana@acme.example',
      to: esc,
      subject: `Escalation ${id}`,
      messageId: '<e2@acme.example>',
      text: `Description: the pipeline stopped again\nafter the restart\nEnvironment: Prod\nJustification: customers are blocked\n`,
    });
    await until(async () => (await stack.app.ajuda.svc.store.escalations(id)).length === 1, 'escalation');
    const [e] = await stack.app.ajuda.svc.store.escalations(id);
    expect(e).toMatchObject({ source: 'email', environment: 'Prod', description: 'the pipeline stopped again\nafter the restart', justification: 'customers are blocked' });
    expect((await stack.app.ajuda.svc.store.getConversation(id))!.escalated).toBe(true);
    await sink.until((r) => r.mail.inReplyTo === '<e2@acme.example>' && /escalated/.test(r.mail.text ?? ''));
  });
});

describe('email outbox across a restart', () => {
  it('jobs pending when the server stops are sent once by the next one; a failed send is retried', async () => {
    // No SMTP server yet: the first attempts fail and are retried.
    const sink0 = await mailSink();
    const port = sink0.port;
    await sink0.close();
    const stack = await startTestStack({ ...ENV({ url: `smtp://127.0.0.1:${port}` } as MailSink), AJUDA_SMTP_INBOUND: '' }, { demo: false });
    let sink: MailSink | null = null;
    let app2: Awaited<ReturnType<typeof buildApp>> | null = null;
    try {
      const emma = await agent(stack, 'emma@ajuda.local');
      const c = await requester(stack, { channel: 'platform', identityToken: await stack.signIdentity(ANA) });
      const f = await c.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
      const id = f.conversation.id;
      await c.request({ type: 'message.send', conversationId: id, clientMsgId: idem(), body: 'Hi' }, 'message.ack');
      c.close();
      await emma.request({ type: 'message.send', conversationId: id, clientMsgId: idem(), body: 'Answer across a restart' }, 'message.ack');
      const store = stack.app.ajuda.svc.store;
      await until(async () => (await store.email.jobsOf(id)).some((j) => j.attempts > 0), 'a failed attempt');
      emma.close();
      await stack.app.close();
      // The next process on the same database, with its SMTP server up.
      sink = await mailSink(port);
      app2 = await buildApp(stack.config, { seed: false, logger: false });
      const s2 = app2.ajuda.svc.store;
      await sink.until(about(id));
      await until(async () => (await s2.email.jobsOf(id)).every((j) => j.status === 'sent'), 'job sent');
      expect(sink.got.filter(about(id))).toHaveLength(1);
      const [job] = await s2.email.jobsOf(id);
      expect(job!.attempts).toBeGreaterThan(1);
    } finally {
      await app2?.close();
      await sink?.close();
      await stack.close().catch(() => undefined);
    }
  });
});
