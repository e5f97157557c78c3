/**
 * The emulator's clock: real time plus an offset that tests can advance.
 *
 * Everything time-dependent in the model (token expiry, the 24-hour deletion of terminated devices,
 * rate-limit windows, Harvest timestamps) reads this clock, never `Date.now()` directly, so a test can
 * jump a day ahead in one call instead of waiting.
 */
export class Clock {
  private offsetMs: number;

  constructor(options: { offsetMs?: number; startAt?: number | string | Date } = {}) {
    if (options.startAt !== undefined) {
      this.offsetMs = new Date(options.startAt).getTime() - Date.now();
    } else {
      this.offsetMs = options.offsetMs ?? 0;
    }
    if (!Number.isFinite(this.offsetMs)) throw new RangeError("clock: invalid startAt/offsetMs");
  }

  /** Current emulator time in UNIX milliseconds. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Moves the clock forward. Going backwards is refused: expiry logic assumes monotonic time. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError("clock: seconds must be a non-negative number");
    this.offsetMs += Math.round(seconds * 1000);
  }

  /** Moves the clock forward to `ms` if it reads earlier (never backwards). */
  advanceTo(ms: number): void {
    const behind = ms - this.now();
    if (behind > 0) this.offsetMs += behind;
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Restores a persisted offset (used when reloading a state file). */
  setOffset(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }

  snapshot(): { now: string; nowMs: number; offsetMs: number } {
    const nowMs = this.now();
    return { now: new Date(nowMs).toISOString(), nowMs, offsetMs: this.offsetMs };
  }
}
