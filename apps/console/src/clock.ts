/**
 * The console's notion of "now", injectable so SLA countdowns are testable with fake timers.
 * One shared interval drives every countdown on screen: each countdown subscribes and
 * re-renders only itself, so the inbox list does not re-render every second.
 *
 * @example
 *   const ticker = createTicker();
 *   const off = ticker.subscribe(() => console.log(ticker.now()));
 */
export interface Clock {
  now(): number;
}

export interface Ticker extends Clock {
  /** Called once per period while subscribed; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export const systemClock: Clock = { now: () => Date.now() };

export function createTicker(clock: Clock = systemClock, periodMs = 1000): Ticker {
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setInterval> | null = null;
  const tick = () => {
    for (const l of [...listeners]) l();
  };
  return {
    now: () => clock.now(),
    subscribe(listener) {
      listeners.add(listener);
      if (timer === null) timer = setInterval(tick, periodMs);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
  };
}
