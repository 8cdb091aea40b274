/** Small numeric helpers shared by the benchmarks. */

/** The q-quantile (0..1) of a list of numbers, nearest-rank; null when empty. */
export function quantile(values: ArrayLike<number>, q: number): number | null {
  const n = values.length;
  if (!n) return null;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const i = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[i]!;
}

export function median(values: ArrayLike<number>): number | null {
  return quantile(values, 0.5);
}

/** Round to `d` decimals (results stay readable in JSON). */
export function round(x: number | null | undefined, d = 1): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Wall-clock milliseconds with sub-millisecond precision, comparable across threads of one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();
