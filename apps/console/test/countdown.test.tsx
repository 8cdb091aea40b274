import type { SlaView } from '@ajuda/protocol';
import { act, render } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTicker, type Clock } from '../src/clock.ts';
import { Ctx, type ConsoleContext } from '../src/context.ts';
import { makeT } from '../src/i18n.ts';
import { initialState, Store } from '../src/store.ts';
import { SlaCountdown } from '../src/ui/bits.tsx';
import { iso, JOAO, NOW } from './helpers.tsx';

/** A clock the test owns; the ticker's interval runs on Vitest's fake timers. */
function testClock(start: number): Clock & { ms: number } {
  const c = { ms: start, now: () => c.ms };
  return c;
}

function mount(sla: SlaView, status: 'queued' | 'resolved', clock: Clock) {
  const ticker = createTicker(clock, 1000);
  const ctx: ConsoleContext = {
    locale: 'en',
    t: makeT('en'),
    setLocale: () => undefined,
    ticker,
    store: new Store(initialState(JOAO)),
    conn: { send: () => null, request: () => Promise.reject(new Error('no socket')), command: () => Promise.reject(new Error('no socket')), retryNow: () => undefined },
    me: JOAO,
    navigate: () => undefined,
  };
  return render(
    <Ctx.Provider value={ctx}>
      <SlaCountdown sla={sla} status={status} />
    </Ctx.Provider>,
  );
}

/** Advance fake time: the injected clock and the interval move together. */
function advance(clock: { ms: number }, ms: number) {
  for (let i = 0; i < ms / 1000; i++) {
    clock.ms += 1000;
    act(() => {
      vi.advanceTimersByTime(1000);
    });
  }
}

describe('SLA countdown (R10)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('R10: counts down every second and shows the breach once past due', () => {
    const clock = testClock(NOW);
    const sla: SlaView = { firstResponseDueAt: iso(3_000), nextResponseDueAt: null, resolutionDueAt: null, breached: [] };
    const { container, unmount } = mount(sla, 'queued', clock);
    const el = () => container.querySelector('.sla')!;
    expect(el().textContent).toBe('3s left');
    expect(el().getAttribute('title')).toBe('First response');
    advance(clock, 1000);
    expect(el().textContent).toBe('2s left');
    advance(clock, 2000);
    expect(el().className).toContain('sla--breached');
    expect(el().textContent).toContain('Breached 0s ago');
    advance(clock, 65_000);
    expect(el().textContent).toContain('Breached 1m 05s ago');
    unmount();
  });

  it('R10: marks less than 15 minutes left as urgent', () => {
    const clock = testClock(NOW);
    const { container, unmount } = mount({ firstResponseDueAt: iso(15 * 60_000 + 2_000), nextResponseDueAt: null, resolutionDueAt: null, breached: [] }, 'queued', clock);
    expect(container.querySelector('.sla')!.className).toBe('sla');
    advance(clock, 3000);
    expect(container.querySelector('.sla')!.className).toBe('sla sla--soon');
    expect(container.querySelector('.sla')!.textContent).toBe('14m 59s left');
    unmount();
  });

  it('R10: a breach the server recorded shows even when the current clock still runs', () => {
    const clock = testClock(NOW);
    const { container, unmount } = mount({ firstResponseDueAt: null, nextResponseDueAt: iso(600_000), resolutionDueAt: null, breached: ['first_response'] }, 'queued', clock);
    expect(container.querySelector('.sla--breached')!.textContent).toContain('SLA breached · 10m 00s left');
    unmount();
  });

  it('stops the shared interval when no countdown is on screen', () => {
    const clock = testClock(NOW);
    const { unmount } = mount({ firstResponseDueAt: iso(10_000), nextResponseDueAt: null, resolutionDueAt: null, breached: [] }, 'queued', clock);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('R10: a resolved conversation shows no running clock', () => {
    const clock = testClock(NOW);
    const { container, unmount } = mount({ firstResponseDueAt: iso(-10_000), nextResponseDueAt: null, resolutionDueAt: null, breached: [] }, 'resolved', clock);
    expect(container.querySelector('.sla')!.textContent).toBe('No SLA clock');
    unmount();
  });
});
