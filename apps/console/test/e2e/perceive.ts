// What a person perceives in the console, measured in the page: how much of an element is visible
// (clipped by the viewport and every scrolling or clipping ancestor), and whether a control is fully
// visible and on top at its centre before it is clicked.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * The visible height in CSS pixels of the first element matching `selector`.
 * @example expect(await visibleHeight(page, '.msgs-scroll')).toBeGreaterThanOrEqual(300);
 */
export function visibleHeight(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return 0;
    const r = el.getBoundingClientRect();
    let top = Math.max(r.top, 0);
    let bottom = Math.min(r.bottom, window.innerHeight);
    for (let p = el.parentElement; p; p = p.parentElement) {
      const cs = getComputedStyle(p);
      if (cs.overflowY !== 'visible' || cs.overflowX !== 'visible') {
        const pr = p.getBoundingClientRect();
        top = Math.max(top, pr.top);
        bottom = Math.min(bottom, pr.bottom);
      }
    }
    return Math.max(0, bottom - top);
  }, selector);
}

/** Why a control is not clickable as a person sees it, or null when it is fully visible and on top. */
export async function notClickable(target: Locator): Promise<string | null> {
  return target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return 'has no size';
    const box = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    const out = (what: string, b: { left: number; top: number; right: number; bottom: number }) =>
      box.left < b.left - 0.5 || box.top < b.top - 0.5 || box.right > b.right + 0.5 || box.bottom > b.bottom + 0.5
        ? `is cut off by ${what}: ${JSON.stringify(box)} not inside ${JSON.stringify(b)}`
        : null;
    const vp = out('the viewport', { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight });
    if (vp) return vp;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const cs = getComputedStyle(p);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
        const pr = p.getBoundingClientRect();
        const clip = out(`${p.tagName.toLowerCase()}.${p.className}`, { left: pr.left, top: pr.top, right: pr.right, bottom: pr.bottom });
        if (clip) return clip;
      }
    }
    const x = (r.left + r.right) / 2;
    const y = (r.top + r.bottom) / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || (hit !== el && !el.contains(hit))) return `is covered at its centre by ${hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : 'nothing'}`;
    return null;
  });
}

/**
 * Click like a person: scroll it into view in its container, then check it is fully visible and on top.
 * @example await clickAsPerson(page.getByRole('button', { name: 'Assign' }));
 */
export async function clickAsPerson(target: Locator): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  expect(await notClickable(target)).toBeNull();
  await target.click();
}
