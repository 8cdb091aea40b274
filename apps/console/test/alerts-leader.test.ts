import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lead } from '../src/alerts/leader.ts';

// Without Web Locks (happy-dom has none), the leader tab holds a lease in localStorage.
describe('one alerting tab without Web Locks (localStorage lease)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    localStorage.clear();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('exactly one of several tabs leads; when it closes another takes over, and a dead leader is replaced after 5 s', () => {
    expect((navigator as Navigator & { locks?: unknown }).locks ?? null).toBeNull();
    const state = [false, false, false];
    const stops = state.map((_, i) => lead('ajuda-alerts:emma', (on) => (state[i] = on)));
    vi.advanceTimersByTime(6000);
    expect(state.filter(Boolean)).toHaveLength(1);
    const first = state.indexOf(true);
    stops[first]!();
    vi.advanceTimersByTime(2100);
    expect(state.filter(Boolean)).toHaveLength(1);
    expect(state[first]).toBe(false);
    // A leader that vanished without closing (a crashed tab) leaves its lease: it expires.
    const second = state.indexOf(true);
    localStorage.setItem('ajuda-alerts:emma', JSON.stringify({ id: 'crashed', at: Date.now() }));
    vi.advanceTimersByTime(2100);
    expect(state.filter(Boolean)).toHaveLength(0);
    vi.advanceTimersByTime(6000);
    expect(state.filter(Boolean)).toHaveLength(1);
    for (const [i, s] of stops.entries()) if (i !== first) s();
    expect(second).toBeGreaterThanOrEqual(0);
  });

  it('another agent in the same browser has a lease of their own', () => {
    const a: boolean[] = [];
    const b: boolean[] = [];
    const sa = lead('ajuda-alerts:emma', (on) => a.push(on));
    const sb = lead('ajuda-alerts:joao', (on) => b.push(on));
    expect(a.at(-1)).toBe(true);
    expect(b.at(-1)).toBe(true);
    sa();
    sb();
  });
});
