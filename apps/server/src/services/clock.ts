/** The server's clock: one `now` for every decision, injectable in tests (R10 clocks run on it). */
export class Clock {
  constructor(readonly now: () => Date = () => new Date()) {}

  /** Now as an ISO string; formatted once per millisecond (every message is stamped with it). */
  iso(): string {
    const d = this.now();
    const ms = d.getTime();
    if (ms !== this.isoMs) {
      this.isoMs = ms;
      this.isoText = d.toISOString();
    }
    return this.isoText;
  }
  private isoMs = NaN;
  private isoText = '';
}
