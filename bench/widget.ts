// Widget: gzip sizes of the loader and of what the iframe app loads before it is usable; click
// to usable in headless Chromium (cold cache, new context per open); the loader's Total Blocking
// Time on a plain host page.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { freePort, ROOT } from './lib/proc.ts';
import { median, round, sleep } from './lib/stats.ts';

const LOADER = join(ROOT, 'packages/widget-loader/dist/loader.js');
const WIDGET_DIST = join(ROOT, 'packages/widget/dist');
const BASE = '/widget/frame/';

/** gzip -9 size, what a server with static compression sends. */
export const gz = (b: Buffer | string) => gzipSync(b, { level: 9 }).length;

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function build(log: (s: string) => void): string[] {
  const problems: string[] = [];
  for (const pkg of ['@ajuda/widget-loader', '@ajuda/widget']) {
    try {
      execFileSync('pnpm', ['--filter', pkg, 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
      log(`  widget: built ${pkg}`);
    } catch (e) {
      const msg = `${pkg} build failed: ${String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 300)}`;
      problems.push(msg);
      log(`  widget: ${msg}`);
    }
  }
  return problems;
}

/** Static imports of an ES module (Vite's minified output), not dynamic import(). */
function staticImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[^"'();=]*?\bfrom\s*)?["']([^"']+)["']/g;
  for (let m; (m = re.exec(code)); ) out.push(m[1]!);
  return out;
}

/**
 * Files the iframe document loads at start by construction: index.html, its module scripts,
 * stylesheets and modulepreloads, and their static imports (recursively). Lazy chunks are not.
 */
export function initialWidgetFiles(dist = WIDGET_DIST): string[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = new Set<string>(['index.html']);
  const toLocal = (u: string) => (u.startsWith(BASE) ? u.slice(BASE.length) : u.replace(/^\.\//, ''));
  const queue: string[] = [];
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"[^>]*>/g)) {
    const tag = m[0];
    if (tag.startsWith('<link') && !/rel="(stylesheet|modulepreload)"/.test(tag)) continue;
    queue.push(toLocal(m[1]!));
  }
  while (queue.length) {
    const f = queue.shift()!;
    if (files.has(f) || !existsSync(join(dist, f))) continue;
    files.add(f);
    if (f.endsWith('.js')) for (const i of staticImports(readFileSync(join(dist, f), 'utf8'))) queue.push(posix.join(posix.dirname(f), i));
  }
  return [...files];
}

const sizeOf = (dist: string, files: Iterable<string>) => {
  let total = 0;
  for (const f of files) total += gz(readFileSync(join(dist, f)));
  return total;
};

/** A page server for the host origin allowed by the stack (the demo's port when the demo app is absent). */
function hostPages(port: number, ajudaUrl: string): Promise<Server> {
  const body = '<h1>Acme Integrations</h1>' + '<p>Integrations that keep your orders, invoices and contacts in sync.</p>'.repeat(40);
  const snippet = `<script>window.Ajuda=window.Ajuda||function(){(Ajuda.q=Ajuda.q||[]).push(arguments)};Ajuda('boot',{channel:'website',locale:'en'});</script><script async src="${ajudaUrl}/widget/loader.js"></script>`;
  const page = (withLoader: boolean) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title></head><body>${body}${withLoader ? snippet : ''}</body></html>`;
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.end(page(!url.startsWith('/plain')));
  });
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r(server)));
}

// Recorded in every frame, before any page script: the host's click on the launcher, the moment
// the iframe's first screen is rendered (request-type buttons, or [data-ready]) and, on the host,
// the moment after the click the panel's iframe is shown. A frame preloaded while the browser was
// idle renders its first screen before the click: it is usable only once shown, so the measure is
// max(rendered, shown) − click, never negative.
const INIT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  if (location.pathname.startsWith('${BASE}')) {
    const mark = () => {
      if (!window.__usableAt && document.querySelector('[data-ready], .cards .card')) window.__usableAt = now();
    };
    new MutationObserver(mark).observe(document, { subtree: true, childList: true, attributes: true });
  } else {
    document.addEventListener('click', () => { window.__clickAt = window.__clickAt || now(); }, true);
    const shown = (root) => {
      if (!window.__clickAt || window.__shownAt) return;
      const f = root.querySelector('iframe');
      if (f && !f.hidden) window.__shownAt = now();
    };
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
      const root = attach.call(this, init);
      new MutationObserver(() => shown(root)).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
      return root;
    };
    window.__lt = [];
    try {
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(e.duration); }).observe({ type: 'longtask', buffered: true });
    } catch {}
  }
})();`;

async function clickToUsable(browser: Browser, pageUrl: string, opens: number, ajudaUrl: string, log: (s: string) => void) {
  const times: number[] = [];
  const loadedBeforeUsable = new Set<string>();
  let failures = 0;
  let preloaded = 0;
  let lastError = '';
  for (let i = 0; i < opens; i++) {
    const ctx = await browser.newContext(); // cold cache, fresh storage
    try {
      const page = await ctx.newPage();
      await page.addInitScript(INIT);
      const fetched: string[] = [];
      page.on('requestfinished', (r) => {
        const u = new URL(r.url());
        if (u.origin === ajudaUrl && u.pathname.startsWith(BASE)) fetched.push(u.pathname.slice(BASE.length) || 'index.html');
      });
      await page.goto(pageUrl, { waitUntil: 'load' });
      // The launcher: the toggle button (aria-expanded) in the loader's open shadow root.
      const handle = await page.waitForFunction(
        () => {
          for (const el of document.querySelectorAll('body *')) {
            const b = el.shadowRoot?.querySelector('button[aria-expanded]');
            if (b) return b;
          }
          return null;
        },
        undefined,
        { timeout: 15_000 },
      );
      await handle.asElement()!.click();
      const deadline = Date.now() + 15_000;
      const host = () =>
        page.evaluate(() => {
          const w = window as unknown as { __clickAt?: number; __shownAt?: number };
          return { clickAt: w.__clickAt, shownAt: w.__shownAt };
        });
      let usable: number | undefined;
      let h = await host();
      while (!(usable && h.shownAt) && Date.now() < deadline) {
        const frame = page.frames().find((f) => f.url().includes(BASE));
        usable ??= frame ? await frame.evaluate(() => (window as unknown as { __usableAt?: number }).__usableAt).catch(() => undefined) : undefined;
        h = await host();
        if (!(usable && h.shownAt)) await sleep(10);
      }
      const { clickAt, shownAt } = h;
      if (!usable || !clickAt || !shownAt) throw new Error('the panel did not become usable within 15 s');
      times.push(Math.max(usable, shownAt) - clickAt);
      if (usable <= clickAt) preloaded++;
      if (i === 0) for (const f of fetched) loadedBeforeUsable.add(f);
    } catch (e) {
      failures++;
      lastError = String((e as Error).message ?? e).slice(0, 200);
    } finally {
      await ctx.close();
    }
  }
  if (failures) log(`  widget: ${failures}/${opens} opens failed (${lastError})`);
  return { times, preloaded, failures, lastError, loadedBeforeUsable: [...loadedBeforeUsable] };
}

/** Sum of (long task − 50 ms) on a host page, with the CPU slowed 4× as Lighthouse's mobile profile does. */
async function tbt(browser: Browser, url: string, loads: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < loads; i++) {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await page.addInitScript(INIT);
      await page.goto(url, { waitUntil: 'load' });
      await sleep(2500); // the async loader runs after load; give it time to finish its work
      const lt = await page.evaluate(() => (window as unknown as { __lt: number[] }).__lt);
      out.push(lt.reduce((s, d) => s + Math.max(0, d - 50), 0));
    } finally {
      await ctx.close();
    }
  }
  return out;
}

export async function widget(o: { quick: boolean; log: (s: string) => void }) {
  const buildProblems = build(o.log);
  const result: Record<string, unknown> = {
    loaderGzipBytes: existsSync(LOADER) ? gz(readFileSync(LOADER)) : null,
    appInitialGzipBytes: null,
    appInitialFiles: null,
    appLoadedBeforeUsableGzipBytes: null,
    appLoadedBeforeUsableFiles: null,
    clickToUsableMsMedian: null,
    clickToUsableMsP90: null,
    opens: 0,
    hostTbtDeltaMs: null,
    buildProblems: buildProblems.length ? buildProblems : undefined,
  };
  if (existsSync(join(WIDGET_DIST, 'index.html'))) {
    const files = initialWidgetFiles();
    result.appInitialGzipBytes = sizeOf(WIDGET_DIST, files);
    result.appInitialFiles = files;
  }
  if (!existsSync('/usr/bin/chromium') || !result.loaderGzipBytes || !result.appInitialGzipBytes) {
    result.browserSkipped = 'Chromium or the built widget is missing';
    return result;
  }
  const { startTestStack } = await import('../apps/server/src/testing.ts');
  let demo = true;
  try {
    const demoEntry = join(ROOT, 'apps/demo/src/index.ts');
    const m = (existsSync(demoEntry) ? await import(demoEntry) : {}) as { buildDemoApp?: unknown };
    demo = typeof m.buildDemoApp === 'function';
  } catch {
    demo = false;
  }
  const stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '1000', AJUDA_FRAME_BURST: '1000', AJUDA_UPGRADES_PER_MINUTE: '100000', AJUDA_STARTS_PER_MINUTE: '1000' }, { demo });
  // Without the demo app, our own page takes the demo's (allowed) origin; with it, our page only
  // serves the TBT comparison (the launcher alone never creates the iframe, so any origin works).
  const ownPort = demo ? await freePort() : Number(new URL(stack.demoUrl).port);
  const ownPages = await hostPages(ownPort, stack.url);
  const ownUrl = `http://127.0.0.1:${ownPort}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const opens = o.quick ? 8 : 20;
    const site = `${stack.demoUrl}/site`;
    result.hostPage = demo ? 'the demo app\'s /site page' : 'bench host page (the demo app is not built yet)';
    const c = await clickToUsable(browser, site, opens, stack.url, o.log);
    result.opens = c.times.length;
    result.openFailures = c.failures || undefined;
    // Opens whose frame had rendered its first screen before the click (preloaded with loadOn: 'idle').
    result.opensPreloaded = c.preloaded;
    result.clickToUsableMsMedian = round(median(c.times), 1);
    result.clickToUsableMsP90 = round(c.times.length ? [...c.times].sort((a, b) => a - b)[Math.ceil(0.9 * c.times.length) - 1] : null, 1);
    if (c.loadedBeforeUsable.length) {
      const present = c.loadedBeforeUsable.filter((f) => existsSync(join(WIDGET_DIST, f)));
      result.appLoadedBeforeUsableFiles = present;
      result.appLoadedBeforeUsableGzipBytes = sizeOf(WIDGET_DIST, present);
    }
    // TBT: our own plain page with and without the snippet (same origin, same content).
    const pages = ownUrl;
    {
      const loads = o.quick ? 5 : 10;
      const plain = await tbt(browser, `${pages}/plain`, loads);
      const withLoader = await tbt(browser, `${pages}/site`, loads);
      result.hostTbtPlainMs = round(median(plain), 1);
      result.hostTbtWithLoaderMs = round(median(withLoader), 1);
      result.hostTbtDeltaMs = round(median(withLoader)! - median(plain)!, 1);
      result.tbtMethod = 'median of per-load sums of (long task − 50 ms) over load + 2.5 s, CPU throttled 4×';
    }
  } finally {
    await browser.close();
    ownPages.close();
    await stack.close();
  }
  return result;
}

/**
 * Idle preload at scale: the demo's `/site` (loadOn: 'idle') loaded `loads` times, a new browser
 * context each (a new visitor each), nobody clicking. Each load waits until the preloaded frame has
 * rendered its first screen (the code is there), then 300 ms more; four views run at a time. Counted on the server: WebSocket
 * upgrades to /ws and new rows in `visitors`; both should stay 0. A control load then opens the panel,
 * which must connect (1 socket, 1 visitor), so a counter that cannot see anything is caught.
 * @example const r = await idlePreload({ quick: true, log: console.log }); r.socketsOpened // 0
 */
export async function idlePreload(o: { quick: boolean; log: (s: string) => void; loads?: number; build?: boolean }) {
  const loads = o.loads ?? 200;
  const buildProblems = o.build === false ? [] : build(o.log);
  const { startTestStack } = await import('../apps/server/src/testing.ts');
  const stack = await startTestStack({ AJUDA_UPGRADES_PER_MINUTE: '100000', AJUDA_STARTS_PER_MINUTE: '1000' });
  const svc = (stack.app as unknown as { ajuda: { svc: { store: { testing: { sql<T>(statement: string): Promise<T[]> } } } } }).ajuda.svc;
  // Number(): some backends return COUNT(*) as a string.
  const visitors = async () => Number((await svc.store.testing.sql<{ n: number | string }>('SELECT count(*) AS n FROM visitors'))[0]!.n);
  let upgrades = 0;
  stack.app.server.on('upgrade', (req: { url?: string }) => {
    if ((req.url ?? '').startsWith('/ws')) upgrades++;
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const site = `${stack.demoUrl}/site`;
  const result: Record<string, unknown> = { loads, hostPage: "the demo app's /site page (loadOn: 'idle')", buildProblems: buildProblems.length ? buildProblems : undefined };
  try {
    /** One page view; resolves once the idle preload has rendered the frame's first screen. */
    const view = async (open: boolean) => {
      const ctx = await browser.newContext();
      try {
        const page = await ctx.newPage();
        await page.goto(site, { waitUntil: 'load' });
        const frame = await (async () => {
          const deadline = Date.now() + 15_000;
          for (;;) {
            const f = page.frames().find((x) => x.url().includes(BASE));
            if (f && (await f.locator('[data-screen-title]').count().catch(() => 0))) return f;
            if (Date.now() > deadline) throw new Error('the frame was not preloaded within 15 s');
            await sleep(20);
          }
        })();
        await sleep(300);
        if (open) {
          await page.locator('button[aria-expanded]').first().click();
          await frame.locator('.cards .card').first().waitFor({ timeout: 15_000 });
        }
      } finally {
        await ctx.close();
      }
    };
    const rows0 = await visitors();
    const up0 = upgrades;
    const t0 = Date.now();
    let failures = 0;
    let lastError = '';
    // Four page views at a time (each in its own context): a few visitors arriving together.
    let started = 0;
    let done = 0;
    const worker = async () => {
      while (started < loads) {
        started++;
        try {
          await view(false);
        } catch (e) {
          failures++;
          lastError = String((e as Error).message ?? e).slice(0, 200);
        }
        if (++done % 50 === 0) o.log(`  preload: ${done}/${loads} loads, ${upgrades - up0} sockets, ${(await visitors()) - rows0} visitor rows`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await sleep(1000);
    result.socketsOpened = upgrades - up0;
    result.visitorRowsCreated = (await visitors()) - rows0;
    result.loadFailures = failures || undefined;
    result.lastError = lastError || undefined;
    result.loadsSeconds = round((Date.now() - t0) / 1000, 1);
    // Control: the same page, and the person opens the panel.
    const rows1 = await visitors();
    const up1 = upgrades;
    await view(true);
    await sleep(500);
    result.controlOpenSockets = upgrades - up1;
    result.controlOpenVisitorRows = (await visitors()) - rows1;
  } finally {
    await browser.close();
    await stack.close();
  }
  return result;
}
