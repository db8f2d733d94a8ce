/**
 * session_busy_ratio over a window of its own: busy milliseconds (time inside session.run) over
 * wall milliseconds since this window's previous sample. Each reader (the Prometheus gauge, the
 * per-minute log line) owns one, so one reader's samples never shorten the other's window.
 */
export class BusyRatioWindow {
  private lastAt: number;
  private lastBusyMs: number;
  private lastRatio = 0;

  constructor(
    busyMs: number,
    now: number,
    /** Samples closer together than this repeat the previous ratio (a ratio over 5 ms is noise). */
    private readonly minWindowMs = 1000,
  ) {
    this.lastAt = now;
    this.lastBusyMs = busyMs;
  }

  sample(busyMs: number, now: number): number {
    const wall = now - this.lastAt;
    if (wall >= this.minWindowMs) {
      this.lastRatio = Math.max(0, Math.min(1, (busyMs - this.lastBusyMs) / wall));
      this.lastAt = now;
      this.lastBusyMs = busyMs;
    }
    return this.lastRatio;
  }
}
