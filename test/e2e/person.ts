// What a person perceives, asserted before and after every interaction of the browser journeys.
//
// A person can only click what they see: before every click or tap the target must lie inside the
// visible part of every scroll container around it and of the viewport (the widget iframe's viewport,
// then the host page's), and be the topmost element at its centre (`elementFromPoint` in the target's
// frame; for a target inside the widget iframe the iframe must also be topmost at that point on the host
// page, so a host launcher drawn over the panel is caught). A person scrolls a list to reach an item
// further down, so the helpers scroll scroll containers (never the page under a fixed panel) as a wheel
// would; nothing that is clipped, covered or off-screen passes. After every new message, the newest item
// of the log must be in view and uncovered.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ElementHandle, Frame, Locator, Page } from 'playwright-core';

/** The repository root (this file lives in test/e2e/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where one journey's screenshots go: test-output/journeys/<journey>/ (git-ignored). */
export function journeyDir(journey: string): string {
  const dir = join(ROOT, 'test-output', 'journeys', journey);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A rectangle in CSS pixels of some frame's viewport. */
interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** What the in-frame probe found about one element. */
interface Probe {
  /** The element's rectangle in its frame's viewport. */
  rect: Rect;
  /** The part of the frame's viewport left visible by every clipping ancestor (scroll containers included). */
  visible: Rect;
  /** The point tested with elementFromPoint (the centre of the part of the element that must be seen). */
  point: { x: number; y: number };
  /** Description of the element at that point when it is not the target (or inside it); null when the target is topmost. */
  coveredBy: string | null;
  /** The target, described for messages. */
  what: string;
}

const TOLERANCE = 1;

/**
 * Runs inside the target's frame. `scroll`: scroll the clipping ancestors (not the document) just
 * enough to bring the element into their visible part first, as a person scrolling a list would.
 * `part`: 'whole' — the whole element must be visible; 'bottom' — when taller than the visible area,
 * its bottom part (a long message: its end) is what must be visible.
 */
function probeInFrame(el: Element, arg: { scroll: boolean; part: 'whole' | 'bottom' }): Probe {
  const describe = (e: Element | null): string => {
    if (!e) return '(nothing)';
    const id = e.id ? `#${e.id}` : '';
    const cls = typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : '';
    const text = (e.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return `<${e.tagName.toLowerCase()}${id}${cls}>${text ? ` "${text}"` : ''}`;
  };
  const clips = (e: Element): boolean => {
    const s = getComputedStyle(e);
    return s.overflowX !== 'visible' || s.overflowY !== 'visible' || s.contain.includes('paint');
  };
  // The clipping ancestors, crossing shadow roots (an element slotted or inside a shadow tree).
  const ancestors: Element[] = [];
  for (let p: Node | null = el.parentNode; p; ) {
    if (p instanceof ShadowRoot) {
      p = p.host;
      continue;
    }
    if (p instanceof Element) {
      if (p !== document.documentElement && p !== document.body && clips(p)) ancestors.push(p);
      p = p.parentNode;
    } else p = null;
  }
  if (arg.scroll) {
    for (const a of ancestors) {
      const s = getComputedStyle(a);
      if (!/(auto|scroll)/.test(s.overflowY) || a.scrollHeight <= a.clientHeight) continue;
      const r = el.getBoundingClientRect();
      const c = a.getBoundingClientRect();
      const top = c.top + a.clientTop;
      const bottom = top + a.clientHeight;
      if (r.bottom > bottom) a.scrollTop += Math.min(r.bottom - bottom, r.top - top);
      else if (r.top < top) a.scrollTop -= top - r.top;
    }
  }
  const b = el.getBoundingClientRect();
  const rect = { left: b.left, top: b.top, right: b.right, bottom: b.bottom };
  // What the screen shows: the layout viewport, cut to the visual viewport (a phone shows only part of a page wider than the screen).
  const vv = window.visualViewport;
  const visible = vv
    ? { left: Math.max(0, vv.offsetLeft), top: Math.max(0, vv.offsetTop), right: Math.min(window.innerWidth, vv.offsetLeft + vv.width), bottom: Math.min(window.innerHeight, vv.offsetTop + vv.height) }
    : { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
  for (const a of ancestors) {
    const c = a.getBoundingClientRect();
    const s = getComputedStyle(a);
    // The padding box (inside the borders, without scrollbars) is what an ancestor lets through.
    const left = c.left + a.clientLeft;
    const top = c.top + a.clientTop;
    if (s.overflowX !== 'visible') {
      visible.left = Math.max(visible.left, left);
      visible.right = Math.min(visible.right, left + a.clientWidth);
    }
    if (s.overflowY !== 'visible') {
      visible.top = Math.max(visible.top, top);
      visible.bottom = Math.min(visible.bottom, top + a.clientHeight);
    }
  }
  let top = rect.top;
  if (arg.part === 'bottom' && rect.bottom - rect.top > visible.bottom - visible.top) top = Math.max(rect.top, rect.bottom - (visible.bottom - visible.top));
  const x = (Math.max(rect.left, visible.left) + Math.min(rect.right, visible.right)) / 2;
  const y = (Math.max(top, visible.top) + Math.min(rect.bottom, visible.bottom)) / 2;
  const root = el.getRootNode() as Document | ShadowRoot;
  const hit = root.elementFromPoint(x, y);
  // A label's control counts as the label (clicking either is the same act); so does anything inside the target.
  const ok = !!hit && (hit === el || el.contains(hit) || (el instanceof HTMLLabelElement && el.control === hit) || (hit instanceof HTMLLabelElement && hit.control === el));
  return { rect, visible, point: { x, y }, coveredBy: ok ? null : describe(hit), what: describe(el) };
}

/** Runs in a parent frame, on the <iframe> element: where its content box sits, and what is topmost at a point in it. */
function probeFrameElement(iframe: Element, point: { x: number; y: number } | null): { origin: { x: number; y: number }; visible: Rect; coveredBy: string | null } {
  const b = iframe.getBoundingClientRect();
  const s = getComputedStyle(iframe);
  const origin = { x: b.left + iframe.clientLeft + parseFloat(s.paddingLeft), y: b.top + iframe.clientTop + parseFloat(s.paddingTop) };
  const vv = window.visualViewport;
  const view = vv ? { left: vv.offsetLeft, top: vv.offsetTop, right: vv.offsetLeft + vv.width, bottom: vv.offsetTop + vv.height } : { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
  const visible = { left: Math.max(0, view.left, b.left), top: Math.max(0, view.top, b.top), right: Math.min(window.innerWidth, view.right, b.right), bottom: Math.min(window.innerHeight, view.bottom, b.bottom) };
  let coveredBy: string | null = null;
  if (point) {
    const x = origin.x + point.x;
    const y = origin.y + point.y;
    // The iframe sits in the loader's shadow root: ask that root, then the document (for the shadow host).
    const root = iframe.getRootNode() as Document | ShadowRoot;
    const inRoot = root.elementFromPoint(x, y);
    const inDoc = document.elementFromPoint(x, y);
    const host = root instanceof ShadowRoot ? root.host : iframe;
    const name = (e: Element | null) => (e ? `<${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}> "${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 30)}"` : '(nothing)');
    if (inRoot !== iframe) coveredBy = `on the host page ${name(inRoot)} is over the widget iframe`;
    else if (inDoc !== host && inDoc !== iframe) coveredBy = `on the host page ${name(inDoc)} is over the widget`;
  }
  return { origin, visible, coveredBy };
}

const inside = (r: Rect, v: Rect) => r.left >= v.left - TOLERANCE && r.top >= v.top - TOLERANCE && r.right <= v.right + TOLERANCE && r.bottom <= v.bottom + TOLERANCE;
const fmt = (r: Rect) => `[${Math.round(r.left)},${Math.round(r.top)} → ${Math.round(r.right)},${Math.round(r.bottom)}]`;

/** The reasons a person would not perceive the element, or [] when they do. */
async function problems(handle: ElementHandle<Element>, opts: { scroll: boolean; part: 'whole' | 'bottom' }): Promise<{ reasons: string[]; probe: Probe }> {
  const probe = await handle.evaluate(probeInFrame, opts);
  const reasons: string[] = [];
  const r = probe.rect;
  if (r.right - r.left < 1 || r.bottom - r.top < 1) reasons.push(`${probe.what} has no size ${fmt(r)}`);
  const need = opts.part === 'bottom' && r.bottom - r.top > probe.visible.bottom - probe.visible.top ? { ...r, top: r.bottom - (probe.visible.bottom - probe.visible.top) } : r;
  if (!inside(need, probe.visible)) {
    // Out of sight: what lies at a point nobody can see says nothing more.
    reasons.push(`${probe.what} ${fmt(r)} is not inside the visible part of its scroll containers and viewport ${fmt(probe.visible)}`);
    return { reasons, probe };
  }
  if (probe.coveredBy) reasons.push(`${probe.what} is covered at its centre by ${probe.coveredBy}`);
  // Up through the frames: the iframe's own visible part on its parent, and nothing over it there.
  let frame: Frame | null = await handle.ownerFrame();
  let rect = need;
  let point = probe.point;
  while (frame && frame.parentFrame()) {
    const iframe = await frame.frameElement();
    const f = await iframe.evaluate(probeFrameElement, point);
    rect = { left: rect.left + f.origin.x, top: rect.top + f.origin.y, right: rect.right + f.origin.x, bottom: rect.bottom + f.origin.y };
    point = { x: point.x + f.origin.x, y: point.y + f.origin.y };
    if (!inside(rect, f.visible)) reasons.push(`${probe.what} lies outside the part of the host page's viewport the widget iframe shows ${fmt(rect)} vs ${fmt(f.visible)}`);
    if (f.coveredBy) reasons.push(`${probe.what}: ${f.coveredBy}`);
    await iframe.dispose();
    frame = frame.parentFrame();
  }
  return { reasons, probe };
}

/** Waits (on the condition, up to `timeout`) until a person perceives the element; throws with the reasons otherwise. */
async function perceive(locator: Locator, opts: { scroll: boolean; part: 'whole' | 'bottom'; timeout?: number; action: string }): Promise<Probe | null> {
  const deadline = Date.now() + (opts.timeout ?? 5_000);
  await locator.waitFor({ state: 'visible', timeout: opts.timeout ?? 15_000 });
  let last: string[] = [];
  for (;;) {
    const handle = await locator.elementHandle({ timeout: 5_000 });
    if (!handle) throw new Error(`${opts.action}: ${locator} is gone`);
    try {
      const { reasons, probe } = await problems(handle, opts);
      if (reasons.length === 0) return probe;
      last = reasons;
    } catch (e) {
      // Re-rendered between finding and probing: look again.
      last = [`${String(e).slice(0, 200)}`];
    } finally {
      await handle.dispose().catch(() => undefined);
    }
    if (Date.now() > deadline) break;
    // Let layout, transitions and scroll settle, then look again (one animation frame).
    await locator.page().evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  }
  const page = locator.page();
  const file = join(journeyDir('failures'), `${Date.now()}-${opts.action.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  const message = `${opts.action}: a person cannot perceive ${locator}:\n  - ${last.join('\n  - ')}\n  screenshot: ${file}`;
  if (!findings) throw new Error(message);
  findings.push(message);
  return null;
}

let findings: string[] | null = null;

/**
 * From now on in this test file, what a person cannot perceive is recorded instead of thrown, so one
 * run of a journey shows every problem along the way; assert the list is empty at the journey's end.
 * Each call starts a new list. Clicks still go ahead (and fail if the pointer would land elsewhere).
 * @example const seen = recordFindings(); … expect(seen).toEqual([]);
 */
export function recordFindings(): string[] {
  findings = [];
  return findings;
}

const touchPages = new WeakMap<Page, boolean>();
/** Whether the page is a touch device (the context was made with hasTouch): people tap there. */
async function isTouch(page: Page): Promise<boolean> {
  let t = touchPages.get(page);
  if (t === undefined) {
    t = await page.evaluate(() => navigator.maxTouchPoints > 0 && matchMedia('(pointer: coarse)').matches);
    touchPages.set(page, t);
  }
  return t;
}

/**
 * Click (or, on a touch device, tap) what a person sees: the target must be visible in its scroll
 * containers and viewports and topmost at its centre, asserted before the pointer moves.
 * @example await clickAsPerson(frame.getByRole('button', { name: 'Send' }));
 */
export async function clickAsPerson(locator: Locator, opts: { timeout?: number } = {}): Promise<void> {
  await perceive(locator, { scroll: true, part: 'whole', action: 'click', ...opts });
  // The pointer goes where the person aimed; Playwright's own scrolling has nothing left to do.
  if (await isTouch(locator.page())) await locator.tap({ timeout: 5_000 });
  else await locator.click({ timeout: 5_000 });
}

/**
 * On a page that scrolls as a whole (the console's admin and article screens, a sign-up form), a person
 * scrolls it to what they want, then clicks or taps it once they see all of it, on top. The other helpers
 * never scroll the document: the widget's panel is fixed over the host page, which must not move under it.
 * @example await reachAndClick(page.getByRole('button', { name: 'Save' }));
 */
export async function reachAndClick(locator: Locator): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  await clickAsPerson(locator);
}

/** `typeAsPerson` after scrolling the page to the field (see `reachAndClick`). */
export async function reachAndType(locator: Locator, text: string): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  await typeAsPerson(locator, text);
}

/**
 * Type into a field a person sees: perceived, then focused by a click or tap (or, with `{ keyboard: true }`,
 * already focused by Tab), then typed key by key.
 * @example await typeAsPerson(frame.getByLabel('Your message'), 'Hello');
 */
export async function typeAsPerson(locator: Locator, text: string, opts: { keyboard?: boolean } = {}): Promise<void> {
  if (opts.keyboard) {
    await perceive(locator, { scroll: false, part: 'whole', action: 'type' });
    if (!(await locator.evaluate((el) => el.matches(':focus')))) throw new Error(`type: ${locator} does not have the keyboard focus`);
  } else {
    await clickAsPerson(locator);
  }
  await locator.page().keyboard.type(text);
}

/** The element that has the keyboard focus, across shadow roots and same-page frames, as a Locator-free description. */
async function focused(page: Page): Promise<{ frame: Frame; handle: ElementHandle<Element> } | null> {
  for (const frame of [page.mainFrame(), ...page.frames().filter((f) => f !== page.mainFrame())]) {
    const h = await frame
      .evaluateHandle(() => {
        if (!document.hasFocus()) return null;
        let a: Element | null = document.activeElement;
        while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
        if (!a || a === document.body || a.tagName === 'IFRAME') return null;
        return a;
      })
      .catch(() => null);
    const el = h?.asElement() as ElementHandle<Element> | null | undefined;
    if (el) return { frame, handle: el };
    await h?.dispose();
  }
  return null;
}

/**
 * Press a key on whatever has the focus, after checking that the focused element is perceivable (a
 * keyboard user must see where they are). `expectFocus`, when given, must be the focused element.
 * @example await pressKey(page, 'Enter', launcher(page));
 */
export async function pressKey(page: Page, key: string, expectFocus?: Locator): Promise<void> {
  if (expectFocus) {
    await expectFocus.waitFor({ state: 'visible' });
    if (!(await expectFocus.evaluate((el) => el.matches(':focus') && document.hasFocus()))) {
      const f = await focused(page);
      const what = f ? await f.handle.evaluate((e) => e.outerHTML.slice(0, 120)) : '(nothing)';
      throw new Error(`pressKey ${key}: expected the focus on ${expectFocus}, but it is on ${what}`);
    }
    await perceive(expectFocus, { scroll: false, part: 'whole', action: `key ${key}` });
  } else {
    const f = await focused(page);
    if (f) {
      const { reasons } = await problems(f.handle, { scroll: false, part: 'whole' });
      if (reasons.length) {
        const message = `pressKey ${key}: the focused element is not perceivable:\n  - ${reasons.join('\n  - ')}`;
        if (!findings) throw new Error(message);
        findings.push(message);
      }
      await f.handle.dispose();
    }
  }
  await page.keyboard.press(key);
}

/**
 * Keyboard only: press Tab (or Shift+Tab) until `target` has the focus, at most `max` times; then
 * assert it is perceivable. Throws with the path the focus took when it never arrives.
 * @example await tabTo(page, launcher(page));
 */
export async function tabTo(page: Page, target: Locator, opts: { max?: number; back?: boolean } = {}): Promise<void> {
  const path: string[] = [];
  await target.waitFor({ state: 'attached' });
  for (let i = 0; i < (opts.max ?? 40); i++) {
    if (await target.evaluate((el) => el.matches(':focus') && document.hasFocus()).catch(() => false)) {
      await perceive(target, { scroll: false, part: 'whole', action: 'tab' });
      return;
    }
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    path.push(f ? await f.handle.evaluate((e) => `<${e.tagName.toLowerCase()}> "${(e.getAttribute('aria-label') ?? (e as HTMLElement).innerText ?? '').trim().slice(0, 30)}"`) : '(page)');
  }
  throw new Error(`tab: ${target} never got the focus; the focus went: ${path.join(' → ')}`);
}

/**
 * After a new message: the newest item of the log (its last `li`) is inside the log's visible
 * rectangle and the viewport, and nothing covers it. Never scrolls: the product must have done it.
 * @example await expectNewestInView(frame.locator('.msg-list'));
 */
export async function expectNewestInView(log: Locator, opts: { timeout?: number; text?: string | RegExp } = {}): Promise<void> {
  const newest = log.locator(':scope > li').last();
  if (opts.text !== undefined) await log.locator(':scope > li').last().filter({ hasText: opts.text }).waitFor({ timeout: opts.timeout ?? 15_000 });
  await perceive(newest, { scroll: false, part: 'bottom', action: 'newest message in view', timeout: opts.timeout ?? 3_000 });
}

/**
 * Assert an element is entirely visible (not clipped by any container or the viewport) and uncovered, without acting.
 * With `{ scroll: true }` its scroll containers are scrolled to it first, as a person would to look at it.
 * @example await expectFullyVisible(page.getByRole('button', { name: 'Assign' }));
 */
export async function expectFullyVisible(locator: Locator, opts: { timeout?: number; scroll?: boolean } = {}): Promise<void> {
  await perceive(locator, { part: 'whole', action: 'fully visible', ...opts, scroll: opts.scroll ?? false });
}
