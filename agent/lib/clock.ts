/** Time as a dependency: pure code takes a Clock, tests pass a FakeClock and never sleep. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch (wall clock: may jump when the system time is set). */
  now(): number;
  /**
   * Milliseconds from an arbitrary origin that never jumps (for durations and expiry). Optional
   * so that older clocks still fit; read it through monotonicNow().
   */
  monotonic?(): number;
  /** Runs fn once after ms milliseconds unless cancelled. */
  setTimer(ms: number, fn: () => void): Timer;
}

/** The clock's monotonic time, or its wall clock when it has none. */
export function monotonicNow(clock: Clock): number {
  return clock.monotonic ? clock.monotonic() : clock.now();
}

/** A monotonic instant (from monotonicNow) as the wall-clock time to show for it: now plus its distance from now. */
export function wallTimeOf(clock: Clock, monotonicInstant: number): number {
  return clock.now() + (monotonicInstant - monotonicNow(clock));
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * A manual clock: advance() moves both times and fires due timers in deadline order (timers
 * run on monotonic time, as setTimeout does); jump() moves only the wall clock.
 */
export class FakeClock implements Clock {
  private t: number;
  /** Monotonic time: starts elsewhere than the wall clock, so code that mixes them shows. */
  private m = 1_000_000;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  monotonic(): number {
    return this.m;
  }

  /** Sets the wall clock forward (ms > 0) or back (ms < 0), as an NTP step would; no timer fires. */
  jump(ms: number): void {
    this.t += ms;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const id = ++this.seq;
    this.timers.set(id, { at: this.m + Math.max(0, ms), fn });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Number of timers not yet fired or cancelled. */
  pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const end = this.m + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.t += next[1].at - this.m;
      this.m = next[1].at;
      next[1].fn();
    }
    this.t += end - this.m;
    this.m = end;
  }
}
