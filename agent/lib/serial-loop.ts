/**
 * One job at a time, on the injected clock: trigger() asks for a pass soon (triggers within the
 * debounce make one pass), triggers that arrive while a pass runs coalesce into one more pass,
 * at most `maxPasses` run back to back (a longer burst carries on after the debounce), and a run
 * that leaves work undone (`retry.needed()`) is retried with exponential backoff even if nothing
 * else triggers it.
 */
import { type BackoffOptions, backoffDelay } from './backoff.ts';
import type { Clock, Timer } from './clock.ts';

export interface SerialLoopOptions {
  clock: Clock;
  /** The job; one at a time. */
  pass: () => Promise<void>;
  debounceMs: number;
  /** Passes run back to back at most. */
  maxPasses: number;
  /** A pass threw: the run ends there. */
  onError: (err: Error) => void;
  retry?: {
    backoff: BackoffOptions;
    /** Jitter source, 0..1. */
    random: () => number;
    /** After each run: is there work a later run must retry? false resets the backoff. */
    needed: () => boolean;
  };
  /** After each run, once the follow-up and the retry are scheduled. */
  afterRun?: () => void;
}

export class SerialLoop {
  private timer: Timer | undefined;
  private retryTimer: Timer | undefined;
  private retryAttempt = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly o: SerialLoopOptions) {}

  /** Asks for a pass soon; many triggers in a burst make one pass. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer ??= this.o.clock.setTimer(this.o.debounceMs, () => {
      this.timer = undefined;
      void this.runNow();
    });
  }

  /** Asks for one more pass right after the running one (the pass itself left work for it). */
  passAgain(): void {
    this.again = true;
  }

  /** Runs a pass now (and the coalesced follow-ups, if any). Resolves when the run ends. */
  runNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run();
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      for (let i = 0; i < this.o.maxPasses; i++) {
        this.again = false;
        await this.o.pass();
        if (!this.again || this.stopped) break;
      }
    } catch (err) {
      this.o.onError(err as Error);
    } finally {
      this.running = undefined;
      // The bounded loop ended with work left (a long burst): carry on after the debounce.
      if (this.again && !this.stopped) {
        this.again = false;
        this.trigger();
      }
      this.scheduleRetry();
      this.o.afterRun?.();
    }
  }

  private scheduleRetry(): void {
    const r = this.o.retry;
    if (!r || this.stopped || !r.needed()) {
      this.retryAttempt = 0;
      return;
    }
    if (this.retryTimer) return;
    const delay = backoffDelay(this.retryAttempt++, r.backoff, r.random);
    this.retryTimer = this.o.clock.setTimer(delay, () => {
      this.retryTimer = undefined;
      this.trigger();
    });
  }

  stop(): void {
    this.stopped = true;
    this.retryTimer?.cancel();
    this.timer?.cancel();
  }

  /** Resolves when the running pass (and its follow-ups) end; at once when none runs. */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** No pass running and none waiting for its debounce. */
  get isIdle(): boolean {
    return !this.running && !this.timer;
  }
}
