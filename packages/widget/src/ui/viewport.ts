/**
 * What the person can actually see of the message log: geometry only, no DOM writes. The read
 * position sent to the server (what the agent sees as "Seen") never goes past what was on screen.
 */

/** One item of the log, as its rectangle's vertical extent (any coordinate system shared with `view`). */
export interface ItemBox {
  seq: number;
  top: number;
  bottom: number;
}

/** The visible part of the log. */
export interface ViewBox {
  top: number;
  bottom: number;
}

/**
 * How many pixels of an item must be in view for it to count as seen: all of a short item, and a
 * couple of lines of a long one (a message taller than the log can never be wholly in view).
 */
export const SEEN_MIN_PX = 32;

/**
 * The highest seq among items whose visible part is large enough (see SEEN_MIN_PX); 0 when none is.
 * Items of zero height (hidden) are never seen.
 * @example newestVisibleSeq([{ seq: 4, top: 0, bottom: 40 }, { seq: 5, top: 300, bottom: 340 }], { top: 0, bottom: 200 }) // 4
 */
export function newestVisibleSeq(items: readonly ItemBox[], view: ViewBox, minPx = SEEN_MIN_PX): number {
  let best = 0;
  for (const it of items) {
    const height = it.bottom - it.top;
    if (!(height > 0) || !(it.seq > best)) continue;
    const overlap = Math.min(it.bottom, view.bottom) - Math.max(it.top, view.top);
    if (overlap >= Math.min(minPx, height) - 0.5) best = it.seq;
  }
  return best;
}

/** Within `slackPx` of the end of its scroll range: new items keep it pinned to the newest one. */
export function isAtBottom(el: { scrollTop: number; scrollHeight: number; clientHeight: number }, slackPx = 24): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= slackPx;
}

/**
 * The visible rectangle of a scroll container inside the window (it may itself be cut by the
 * window's edges), and the seq of the newest `li[data-seq]` inside it that the person can see.
 */
export function newestSeqInView(log: HTMLElement, win: Pick<Window, 'innerHeight'> = window): number {
  const r = log.getBoundingClientRect();
  const view = { top: Math.max(r.top, 0), bottom: Math.min(r.bottom, win.innerHeight) };
  if (view.bottom <= view.top) return 0;
  const items: ItemBox[] = [];
  for (const el of log.querySelectorAll<HTMLElement>('li[data-seq]')) {
    const seq = Number(el.dataset.seq);
    if (!Number.isInteger(seq) || seq <= 0) continue;
    const b = el.getBoundingClientRect();
    items.push({ seq, top: b.top, bottom: b.bottom });
  }
  return newestVisibleSeq(items, view);
}
