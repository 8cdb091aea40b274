// Where credentials could leak, watched from a real browser: every request URL and Referer of the host
// page and the widget iframe, the server's own log (the real server process, its real logger, so
// redaction is what ships), the documents' security headers, framing, and the postMessage bridge.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, launcher, newActor, openWidget, outputDir, signInConsole, widgetFrame, widgetLocator, openConversationAfterReload, type Actor } from './browser.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SECRET = 'leaks-identity-secret-0123456789abcdef';
const KID = 'leak-1';

/** An HS256 JWT (node:crypto; this package does not depend on jose). */
function signHs256(claims: Record<string, unknown>, secret: string, kid: string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The server as operators run it (`tsx apps/server/src/server.ts`), its stdout/stderr kept line by line. */
interface Proc {
  url: string;
  demoUrl: string;
  logs: string[];
  child: ChildProcess;
  dir: string;
}

let proc: Proc;
let browser: Browser;
const actors: Actor[] = [];

async function startServer(): Promise<Proc> {
  const port = await freePort();
  const demoPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const demoUrl = `http://127.0.0.1:${demoPort}`;
  const dir = mkdtempSync(join(tmpdir(), 'ajuda-leaks-'));
  const logs: string[] = [];
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['apps/server/src/server.ts'], {
    cwd: ROOT,
    detached: true, // its own process group, so the tsx wrapper and node stop together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      HOST: '127.0.0.1',
      PORT: String(port),
      DEMO_PORT: String(demoPort),
      AJUDA_DEMO: 'on',
      AJUDA_PUBLIC_URL: url,
      AJUDA_DB_FILE: join(dir, 'ajuda.db'),
      AJUDA_IDENTITY_KEYS: `${KID}:${SECRET}`,
      AJUDA_ORIGINS_PLATFORM: demoUrl,
      AJUDA_ORIGINS_LOGIN: demoUrl,
      AJUDA_ORIGINS_WEBSITE: demoUrl,
      AJUDA_INBOUND_SECRET: 'inbound-secret-0123456789abcdef',
      AJUDA_ADMIN_TOKEN: 'admin-token-0123456789abcdefghij',
      // The most talkative level: a credential must not appear even in debug output.
      LOG_LEVEL: 'trace',
    },
  });
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString('utf8');
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    logs.push(...lines.filter((l) => l.trim()));
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${logs.join('\n')}`);
    const up = await Promise.all([fetch(`${url}/healthz`).then((r) => r.ok, () => false), fetch(`${demoUrl}/`).then((r) => r.ok, () => false)]);
    if (up.every(Boolean)) break;
    if (Date.now() > deadline) throw new Error(`server did not start:\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, demoUrl, logs, child, dir };
}

beforeAll(async () => {
  proc = await startServer();
  browser = await launchBrowser();
}, 90_000);
afterAll(async () => {
  for (const a of actors) await a.close().catch(() => undefined);
  await browser?.close();
  if (proc?.child.pid && proc.child.exitCode === null) {
    const exited = new Promise((r) => proc.child.once('exit', r));
    process.kill(-proc.child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (proc.child.exitCode === null) process.kill(-proc.child.pid, 'SIGKILL');
  }
  if (proc) rmSync(proc.dir, { recursive: true, force: true, maxRetries: 5 });
});

async function actor(name: string, opts: { viewport?: { width: number; height: number } } = {}): Promise<Actor> {
  const a = await newActor(browser, 'leaks', name, opts);
  actors.push(a);
  return a;
}

/** Every request of a context (host pages, iframes, popups), with its Referer, and every WebSocket URL. */
function recordTraffic(a: Actor): { urls: string[]; referers: string[]; done(): Promise<void> } {
  const urls: string[] = [];
  const referers: string[] = [];
  const pending: Promise<void>[] = [];
  a.context.on('request', (r: Request) => {
    urls.push(r.url());
    pending.push(
      r.allHeaders().then(
        (h) => void (h.referer !== undefined && referers.push(h.referer)),
        () => undefined,
      ),
    );
  });
  a.context.on('page', (p) => p.on('websocket', (ws) => urls.push(ws.url())));
  a.page.on('websocket', (ws) => urls.push(ws.url()));
  return { urls, referers, done: async () => void (await Promise.all(pending)) };
}

/** Ask a general question in an open widget and say one more thing; returns the conversation id. */
async function converse(page: Page, text: string): Promise<string> {
  const frame = widgetLocator(page);
  await frame.locator('.lang select').selectOption('en');
  await frame.getByRole('button', { name: /General question/ }).click();
  await frame.getByLabel('Your question').fill(text);
  await frame.getByRole('button', { name: 'Send to support' }).click();
  const id = (await frame.locator('.conv-id code').textContent())!.trim();
  await frame.getByLabel('Your message').fill(`${text} (more)`);
  await frame.getByLabel('Your message').press('Enter');
  await frame.locator('.msg-list li:not(.msg-pending) .bubble', { hasText: `${text} (more)` }).waitFor();
  return id;
}

describe('credentials never leak; framing and the bridge are locked down (Chromium, real server process)', () => {
  it('R1, R12: identity, visitor and agent session tokens appear in no URL, no Referer and no server log line across full sessions and reloads', async () => {
    // ── a signed-in platform user (Ana, the demo's default): identity tokens from the host backend.
    const ana = await actor('platform-ana');
    const anaTraffic = recordTraffic(ana);
    const identityTokens: string[] = [];
    ana.context.on('response', (r) => {
      if (r.url().endsWith('/platform/api/identity-token')) void r.json().then((j: { token: string }) => identityTokens.push(j.token), () => undefined);
    });
    await openWidget(ana.page, `${proc.demoUrl}/platform`);
    await widgetLocator(ana.page).getByRole('heading', { name: /Ana Souza/ }).waitFor();
    const anaConv = await converse(ana.page, 'Where do I see the run history?');
    await ana.page.reload();
    await openConversationAfterReload(ana.page, anaConv);
    await widgetLocator(ana.page).locator('.msg-list .bubble', { hasText: '(more)' }).waitFor();

    // ── a visitor on the marketing site: a visitor token minted by the server, kept by the widget.
    const vis = await actor('site-visitor');
    const visTraffic = recordTraffic(vis);
    await openWidget(vis.page, `${proc.demoUrl}/site`);
    const visConv = await converse(vis.page, 'Do you support SFTP?');
    const visitorToken = await widgetFrame(vis.page).evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':visitorToken'))?.[1] ?? null);
    await vis.page.reload();
    await openConversationAfterReload(vis.page, visConv);
    await widgetLocator(vis.page).locator('.msg-list .bubble', { hasText: '(more)' }).waitFor();

    // ── an agent in the console: the HttpOnly session cookie.
    const lea = await actor('console-lea', { viewport: { width: 1400, height: 900 } });
    const leaTraffic = recordTraffic(lea);
    await signInConsole(lea.page, proc.url, 'lea@ajuda.local');
    await lea.page.locator(`li[data-conversation-id="${visConv}"]`).getByRole('button').click();
    const box = lea.page.getByPlaceholder('Write a reply to the requester');
    await box.fill('Yes, SFTP sources are supported.');
    await box.press('Enter');
    await widgetLocator(vis.page).locator('.msg-agent .bubble', { hasText: 'SFTP sources are supported' }).waitFor();
    await lea.page.reload();
    await lea.page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const sessionToken = (await lea.context.cookies(proc.url)).find((c) => c.name === 'ajuda_agent')?.value ?? null;

    // ── failures that servers like to log verbosely: a forged identity token, an unknown visitor
    // token, a wrong password. None of these secrets may be echoed into the log either.
    const forged = signHs256({ sub: 'u_ana', realm: 'acme', exp: Math.floor(Date.now() / 1000) + 600 }, 'not-the-right-secret-0123456789abcdef', KID);
    const bogusVisitor = 'vt_bogus-marker-0123456789abcdefghijklmnop';
    const wrongPassword = 'wrong-password-marker-9f8e7d';
    await ana.page.evaluate(
      async ({ wsUrl, forged, bogusVisitor }) => {
        for (const hello of [{ channel: 'platform', identityToken: forged }, { channel: 'website', visitorToken: bogusVisitor }]) {
          await new Promise<void>((resolve) => {
            const ws = new WebSocket(wsUrl);
            ws.onopen = () => ws.send(JSON.stringify({ type: 'session.hello', v: 1, ...hello }));
            ws.onmessage = () => ws.close();
            ws.onclose = () => resolve();
            setTimeout(resolve, 3000);
          });
        }
      },
      { wsUrl: `${proc.url.replace('http', 'ws')}/ws`, forged, bogusVisitor },
    ).catch(() => undefined); // the host page's CSP may refuse the socket; the server-side attempt below covers it
    const { default: WebSocket } = await import('ws');
    for (const hello of [{ channel: 'platform', identityToken: forged }, { channel: 'website', visitorToken: bogusVisitor }]) {
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(`${proc.url.replace('http', 'ws')}/ws`, { origin: proc.demoUrl });
        ws.on('open', () => ws.send(JSON.stringify({ type: 'session.hello', v: 1, ...hello })));
        ws.on('message', () => ws.close());
        ws.on('close', () => resolve());
        ws.on('error', () => resolve());
      });
    }
    const bad = await fetch(`${proc.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: proc.url }, body: JSON.stringify({ email: 'lea@ajuda.local', password: wrongPassword }) });
    expect(bad.status).toBe(401);

    await Promise.all([anaTraffic.done(), visTraffic.done(), leaTraffic.done()]);
    await new Promise((r) => setTimeout(r, 300)); // let the last log lines flush through the pipe

    // The secrets were really in play (otherwise the checks below would pass vacuously).
    expect(identityTokens.length).toBeGreaterThan(0);
    expect(identityTokens[0]).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(visitorToken).toMatch(/\S{16,}/);
    expect(sessionToken).toMatch(/\S{16,}/);
    expect(proc.logs.length).toBeGreaterThan(0);

    const secrets: Array<[string, string]> = [
      ...identityTokens.flatMap((t): Array<[string, string]> => [
        ['identity token', t],
        ['identity token signature', t.split('.')[2]!],
      ]),
      ['forged identity token', forged],
      ['visitor token', visitorToken!],
      ['unknown visitor token', bogusVisitor],
      ['agent session token', sessionToken!],
      ['wrong password', wrongPassword],
    ];
    const urls = [...anaTraffic.urls, ...visTraffic.urls, ...leaTraffic.urls];
    const referers = [...anaTraffic.referers, ...visTraffic.referers, ...leaTraffic.referers];
    expect(urls.some((u) => u.includes('/widget/frame/'))).toBe(true);
    expect(urls.some((u) => u.startsWith('ws://'))).toBe(true);
    const found: string[] = [];
    for (const [what, secret] of secrets) {
      for (const [where, list] of [
        ['URL', urls],
        ['Referer', referers],
        ['server log', proc.logs],
      ] as const) {
        for (const line of list) if (line.includes(secret) || line.includes(encodeURIComponent(secret))) found.push(`${what} in ${where}: ${line.slice(0, 200)}`);
      }
    }
    expect(found).toEqual([]);
    // No JWT-looking string in any URL or Referer, whoever's it is.
    expect([...urls, ...referers].filter((u) => /eyJ[\w-]{10,}\.eyJ/.test(u))).toEqual([]);
    // The widget iframe's URL carries only channel, host origin, locale and whether it was preloaded.
    for (const u of urls.filter((x) => x.includes('/widget/frame/?'))) {
      expect([...new URL(u).searchParams.keys()].sort()).toEqual(expect.arrayContaining(['channel', 'host']));
      expect([...new URL(u).searchParams.keys()].filter((k) => !['channel', 'host', 'locale', 'preload'].includes(k))).toEqual([]);
    }
  });

  it('R1: the widget document sends a strict CSP (object-src none, base-uri none, no inline script, frame-ancestors = the allowed hosts) and no Referer', async () => {
    const a = await actor('csp');
    const docs: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
    a.context.on('response', (r) => {
      if (r.request().resourceType() === 'document' && r.url().includes('/widget/frame/')) void r.allHeaders().then(async (headers) => docs.push({ url: r.url(), headers, body: await r.text().catch(() => '') }));
    });
    await openWidget(a.page, `${proc.demoUrl}/platform`);
    await expect.poll(() => docs.length).toBeGreaterThan(0);
    const { headers, body } = docs[0]!;
    const csp = Object.fromEntries(
      (headers['content-security-policy'] ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map((d) => [d[0]!, d.slice(1)]),
    );
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(csp['script-src']).toBeDefined();
    expect(csp['script-src']).not.toContain("'unsafe-inline'");
    expect(csp['script-src']).not.toContain("'unsafe-eval'");
    expect(csp['script-src']!.some((s) => s === '*' || s.endsWith(':'))).toBe(false);
    expect(csp['frame-ancestors']).toEqual([proc.demoUrl]);
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-content-type-options']).toBe('nosniff');
    // The built document itself has no inline script to allow.
    const scripts = [...body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) {
      expect(s[1]).toMatch(/\bsrc=/);
      expect(s[2]!.trim()).toBe('');
    }
    expect(body).not.toMatch(/\son[a-z]+=/i);
  });

  it('R1: the console refuses to be framed, and a host origin not on the allow-list gets no widget', async () => {
    // The console inside an iframe on the demo origin (the demo page's CSP allows framing Ajuda's origin).
    const a = await actor('framing');
    const refused: string[] = [];
    a.page.on('console', (m) => {
      if (/Refused to (display|frame)|frame-ancestors|X-Frame-Options/i.test(m.text())) refused.push(m.text());
    });
    const consoleHeaders: Record<string, string>[] = [];
    a.context.on('response', (r) => {
      if (r.url() === `${proc.url}/console/`) void r.allHeaders().then((h) => consoleHeaders.push(h));
    });
    await a.page.goto(`${proc.demoUrl}/site`);
    await a.page.evaluate((src) => {
      const f = document.createElement('iframe');
      f.src = src;
      f.id = 'framed-console';
      document.body.append(f);
    }, `${proc.url}/console/`);
    await expect.poll(() => consoleHeaders.length).toBeGreaterThan(0);
    expect(consoleHeaders[0]!['x-frame-options']).toBe('DENY');
    expect(consoleHeaders[0]!['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    await expect.poll(() => refused.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const framed = a.page.frames().find((f) => f.parentFrame() === a.page.mainFrame() && !f.url().includes('/widget/frame/'));
    // Blocked: Chromium shows its error page instead of the console; no sign-in form, no console script ran.
    expect(await a.page.frameLocator('#framed-console').locator('input[type="password"]').count()).toBe(0);
    if (framed) expect(framed.url()).not.toBe(`${proc.url}/console/`);
    await a.shot('console-framed-refused');

    // The same demo page served from an origin that is not on the allow-list (localhost ≠ 127.0.0.1).
    const b = await actor('unlisted-host');
    const blocked: string[] = [];
    b.page.on('console', (m) => {
      if (/frame-ancestors|Refused to frame/i.test(m.text())) blocked.push(m.text());
    });
    const unlisted = proc.demoUrl.replace('127.0.0.1', 'localhost');
    await b.page.goto(`${unlisted}/site`);
    await launcher(b.page).click();
    await expect.poll(() => blocked.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await widgetLocator(b.page).locator('[data-screen-title]').count()).toBe(0);
    await b.shot('unlisted-host-blocked');
  });

  it('R1: forged host messages to the widget iframe are ignored (another window of the right origin, a popup on another origin); the real host page is heard', async () => {
    const a = await actor('bridge-to-frame');
    // Every frame any widget socket of this context sends: a forged identity token must never be used.
    const sent: string[] = [];
    const tapSockets = (p: Page) => p.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));
    tapSockets(a.page);
    a.context.on('page', tapSockets);
    const { frame } = await openWidget(a.page, `${proc.demoUrl}/site`);
    await frame.locator('.lang select').selectOption('en');
    const convId = await converse(a.page, 'Bridge check');
    await frame.getByRole('button', { name: 'Back' }).click();
    await frame.getByRole('heading', { name: /Hi there/ }).waitFor();
    const title = frame.locator('[data-screen-title]').first();
    const before = (await title.textContent())!;
    const visitorTokens = () => widgetFrame(a.page).evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith(':visitorToken')).length);
    expect(await visitorTokens()).toBe(1);
    // A real, valid identity token for another user: accepted, it would turn this visitor into Bruno.
    const bruno = signHs256({ sub: 'u_bruno', realm: 'acme', name: 'Bruno Lima', locale: 'en', exp: Math.floor(Date.now() / 1000) + 600 }, SECRET, KID);
    const forged = [
      { ajuda: 1, type: 'host.update', locale: 'es' },
      { ajuda: 1, type: 'host.identity', identityToken: bruno },
      { ajuda: 1, type: 'host.hide' },
      { ajuda: 1, type: 'host.shutdown' },
    ];

    // 1. Right origin, wrong window: a sibling iframe on the host's origin reaches the widget's window
    //    through the loader's (open) shadow root and posts to it.
    await a.page.evaluate(() => {
      const f = document.createElement('iframe');
      f.id = 'sibling';
      document.body.append(f);
    });
    const sibling = a.page.frames().find((f) => f.parentFrame() === a.page.mainFrame() && f.url() === 'about:blank')!;
    expect(sibling).toBeDefined();
    const posted = await sibling.evaluate((msgs) => {
      const find = (root: Document | ShadowRoot): HTMLIFrameElement | null => {
        for (const el of Array.from(root.querySelectorAll('*'))) {
          if (el.tagName === 'IFRAME' && (el as HTMLIFrameElement).src.includes('/widget/frame/')) return el as HTMLIFrameElement;
          if (el.shadowRoot) {
            const f = find(el.shadowRoot);
            if (f) return f;
          }
        }
        return null;
      };
      const w = find(window.parent.document)?.contentWindow;
      for (const m of msgs) w?.postMessage(m, '*');
      return !!w;
    }, forged);
    expect(posted).toBe(true);

    // 2. Wrong origin: a page on another origin cannot reach the embedded iframe (frames inside a shadow
    //    root are not in window.frames), so it opens the widget document itself and feeds it a host.init,
    //    a valid identity token and the rest. The document may render (top level, nobody's frame), but
    //    must obey none of it.
    const attacker = await a.context.newPage();
    await attacker.goto(`${proc.demoUrl.replace('127.0.0.1', 'localhost')}/`);
    const [popup] = await Promise.all([
      a.context.waitForEvent('page'),
      attacker.evaluate((u) => void ((window as unknown as { w: Window | null }).w = window.open(u)), `${proc.url}/widget/frame/?channel=platform&host=${encodeURIComponent(proc.demoUrl)}&locale=en`),
    ]);
    await popup.waitForLoadState('load');
    for (let i = 0; i < 5; i++) {
      await attacker.evaluate(
        ({ msgs, host }) => {
          const w = (window as unknown as { w: Window }).w;
          w.postMessage({ ajuda: 1, type: 'host.init', channel: 'platform', hostOrigin: host, locale: 'en' }, '*');
          for (const m of msgs) w.postMessage(m, '*');
        },
        { msgs: forged, host: proc.demoUrl },
      );
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 800));
    if (await popup.locator('.lang select').count()) expect(await popup.locator('.lang select').inputValue()).toBe('en');
    expect(await popup.locator('body').innerText()).not.toContain('Bruno');
    await popup.screenshot({ path: `${outputDir('leaks')}bridge-popup.png` });

    // Nothing changed in the embedded widget: same language and screen, the visitor still remembered and
    // still anonymous, still connected.
    expect(await title.textContent()).toBe(before);
    expect(await frame.locator('.lang select').inputValue()).toBe('en');
    expect(await visitorTokens()).toBe(1);
    expect(await frame.locator('body').innerText()).not.toContain('Bruno');
    await frame.getByRole('button', { name: new RegExp(convId) }).click();
    await frame.getByLabel('Your message').fill('still connected');
    await frame.getByLabel('Your message').press('Enter');
    await frame.locator('.msg-list li:not(.msg-pending) .bubble', { hasText: 'still connected' }).waitFor();
    // The forged identity token never went out on any socket (embedded widget or popup).
    expect(sent.some((f) => f.includes('session.hello'))).toBe(true);
    expect(sent.filter((f) => f.includes(bruno))).toEqual([]);
    await a.shot('bridge-after-forgery');

    // Control: the same message from the real host window is obeyed, so the checks above could fail.
    await a.page.evaluate((ajuda) => {
      const find = (root: Document | ShadowRoot): HTMLIFrameElement | null => {
        for (const el of Array.from(root.querySelectorAll('*'))) {
          if (el.tagName === 'IFRAME' && (el as HTMLIFrameElement).src.includes('/widget/frame/')) return el as HTMLIFrameElement;
          if (el.shadowRoot) {
            const f = find(el.shadowRoot);
            if (f) return f;
          }
        }
        return null;
      };
      find(document)!.contentWindow!.postMessage({ ajuda: 1, type: 'host.update', locale: 'es' }, ajuda);
    }, proc.url);
    await expect.poll(() => frame.locator('.lang select').inputValue()).toBe('es');
    expect(a.trap.hits).toEqual([]);
  });

  it('R1: forged widget messages to the host page (from the window that opened it, from a sibling frame) are ignored by the loader; the real widget is heard', async () => {
    const a = await actor('bridge-to-host');
    // An attacker's page on another origin opens the platform page and keeps the window reference.
    await a.page.goto(`${proc.demoUrl.replace('127.0.0.1', 'localhost')}/`);
    const [victim] = await Promise.all([
      a.context.waitForEvent('page'),
      a.page.evaluate((u) => void ((window as unknown as { victim: Window | null }).victim = window.open(u)), `${proc.demoUrl}/platform`),
    ]);
    await launcher(victim).click();
    const vframe = widgetLocator(victim);
    await vframe.locator('[data-screen-title]').first().waitFor();
    const expanded = await launcher(victim).getAttribute('aria-expanded');
    const forged = [
      { ajuda: 1, type: 'frame.unread', count: 42 },
      { ajuda: 1, type: 'frame.conversationStarted', conversationId: 'AJ-FORGED0001' },
      { ajuda: 1, type: 'frame.close' },
      { ajuda: 1, type: 'frame.resize', height: 2000 },
    ];
    await a.page.evaluate((msgs) => {
      const w = (window as unknown as { victim: Window }).victim;
      for (const m of msgs) w.postMessage(m, '*');
    }, forged);
    // A sibling frame on the host's own origin (right origin, wrong window).
    await victim.evaluate(() => {
      const f = document.createElement('iframe');
      f.id = 'sibling';
      document.body.append(f);
    });
    const sibling = victim.frames().find((f) => f.parentFrame() === victim.mainFrame() && f.url() === 'about:blank')!;
    await sibling.evaluate((msgs) => {
      for (const m of msgs) window.parent.postMessage(m, '*');
    }, forged);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await victim.locator('#help-count').isHidden()).toBe(true);
    expect(await victim.locator('#last-conversation').textContent()).toBe('—');
    expect(await launcher(victim).getAttribute('aria-expanded')).toBe(expanded);

    // Control: the widget's own window, with the pinned origin, is heard.
    await widgetFrame(victim).evaluate((host) => window.parent.postMessage({ ajuda: 1, type: 'frame.conversationStarted', conversationId: 'AJ-CONTROL001' }, host), proc.demoUrl);
    await expect.poll(() => victim.locator('#last-conversation').textContent()).toBe('AJ-CONTROL001');
  });

  it('R1: the console and the widget run without any CSP violation (no eval probe, no inline script)', async () => {
    // zod 4 probes `Function('')` when an object schema is built unless its global config says jitless;
    // under `script-src 'self'` that is a reported violation (noise in every CSP report, and "no eval" is
    // the policy). The widget sets jitless before zod loads; the console must too, in a module imported
    // before @ajuda/protocol (schemas are built at import time).
    const w = await actor('csp-widget');
    await openWidget(w.page, `${proc.demoUrl}/platform`);
    await widgetLocator(w.page).locator('.lang select').selectOption('en');
    // Ana already has an ongoing conversation from an earlier test: the widget reopens on it.
    await widgetLocator(w.page).locator('[data-screen-title]').first().waitFor();
    const back = widgetLocator(w.page).getByRole('button', { name: 'Back' });
    if (await back.isVisible()) await back.click();
    await widgetLocator(w.page).getByRole('heading', { name: /Ana Souza/ }).waitFor();
    await widgetLocator(w.page).getByRole('button', { name: /Something is broken/ }).click();
    await widgetLocator(w.page).locator('select#f-pipeline option', { hasText: 'ORD-SYNC-01' }).waitFor({ state: 'attached' });
    const c = await actor('csp-console', { viewport: { width: 1400, height: 900 } });
    await signInConsole(c.page, proc.url, 'emma@ajuda.local');
    await c.page.getByRole('link', { name: 'Inbox' }).click();
    expect(w.trap.violations).toEqual([]);
    expect(c.trap.violations).toEqual([]);
  });
});
