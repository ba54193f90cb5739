/**
 * The reconcile loop's timed passes: one when the next IPAM hold expires (wall clock), and the
 * periodic full pass with a change feed (monotonic). Each calls `trigger` when due. Used by
 * reconciler.ts.
 */
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';

export interface PassTimersOptions {
  clock: Clock;
  /** Asks the loop for a pass. */
  trigger: () => void;
  /** The loop is stopped: schedule nothing. */
  isStopped: () => boolean;
}

export class PassTimers {
  /** Monotonic: a step of the wall clock neither brings the next full pass forward nor skips it. */
  private lastFull = Number.NEGATIVE_INFINITY;
  private resyncTimer: Timer | undefined;
  /** A pass when the next held address goes back to its pool. */
  private expiryTimer: { at: number; timer: Timer } | undefined;

  constructor(private readonly o: PassTimersOptions) {}

  /**
   * Schedules a pass at `at` (the next hold expiry), replacing an earlier schedule. Wall clock on
   * purpose: an IPAM hold is a dated record (its expiry is compared with the wall clock in the
   * pass), so after a step the pass it triggers is early or late, and the pass decides.
   */
  holdUntil(at: number | undefined): void {
    if (this.expiryTimer?.at === at) return;
    this.expiryTimer?.timer.cancel();
    this.expiryTimer = undefined;
    if (at === undefined || this.o.isStopped()) return;
    const delay = Math.max(0, at - this.o.clock.now());
    this.expiryTimer = {
      at,
      timer: this.o.clock.setTimer(delay, () => {
        this.expiryTimer = undefined;
        this.o.trigger();
      }),
    };
  }

  /** A full pass is due by time (`resyncMs` 0: never). */
  fullDue(resyncMs: number): boolean {
    return resyncMs > 0 && monotonicNow(this.o.clock) - this.lastFull >= resyncMs;
  }

  /** Records a full pass and, when `schedule` (with a feed), schedules the next one. */
  fullDone(resyncMs: number, schedule: boolean): void {
    this.lastFull = monotonicNow(this.o.clock);
    if (!schedule || resyncMs <= 0 || this.o.isStopped()) return;
    this.resyncTimer?.cancel();
    this.resyncTimer = this.o.clock.setTimer(resyncMs, () => {
      this.resyncTimer = undefined;
      this.o.trigger();
    });
  }

  stop(): void {
    this.resyncTimer?.cancel();
    this.expiryTimer?.timer.cancel();
  }
}
