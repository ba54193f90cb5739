/**
 * The systemd watchdog keep-alive (sd_watchdog_enabled(3), WatchdogSec= in the unit), sent
 * from the event loop only while the loop is healthy. A heartbeat timer ticks every
 * TICKS_PER_PING-th of the ping interval (half the watchdog timeout) and measures how late
 * each tick fired; WATCHDOG=1 goes out on the first tick at least an interval after the last
 * one, unless a tick since then (or since the last withheld tick) was later than a quarter
 * of the timeout. A blocked loop fires no timer
 * and sends nothing; a loop that services timers only seconds late sends nothing either:
 * systemd kills and restarts both once the timeout passes without a keep-alive.
 * Pure apart from the injected clock and notify function. Every time it reads is the clock's
 * monotonic time: a step of the wall clock is neither lateness nor a reason to ping early.
 */
import { type Clock, monotonicNow, type Timer } from './clock.ts';

/** Keep-alives per watchdog timeout: sd_watchdog_enabled(3) recommends half the timeout. */
export const PINGS_PER_TIMEOUT = 2;
/** Heartbeat ticks per ping interval (5 s pings: a tick every second). */
export const TICKS_PER_PING = 5;
/** A tick later than this fraction of the timeout marks the loop unhealthy. */
export const MAX_LAG_FRACTION = 0.25;

/**
 * The watchdog timeout systemd asks for, in milliseconds, from WATCHDOG_USEC (and
 * WATCHDOG_PID, which must be ours when set); undefined when there is no watchdog.
 */
export function watchdogTimeoutMs(
  env: { WATCHDOG_USEC?: string | undefined; WATCHDOG_PID?: string | undefined },
  pid: number,
): number | undefined {
  const usec = env.WATCHDOG_USEC;
  if (!usec || !/^\d+$/.test(usec)) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && env.WATCHDOG_PID !== String(pid)) {
    return undefined;
  }
  const ms = Number(usec) / 1000;
  return ms >= 1 ? ms : undefined;
}

export interface LoopWatchdogOptions {
  clock: Clock;
  timeoutMs: number;
  /** Sends one sd_notify state string; returns false when it could not be sent. */
  notify: (state: string) => boolean;
}

export class LoopWatchdog {
  readonly pingIntervalMs: number;
  readonly tickMs: number;
  readonly maxLagMs: number;
  private timer: Timer | undefined;
  private lastPing = 0;
  private worstLagSincePing = 0;
  private lastLag = 0;
  private sent = 0;
  private withheld = 0;

  constructor(private readonly opts: LoopWatchdogOptions) {
    this.pingIntervalMs = opts.timeoutMs / PINGS_PER_TIMEOUT;
    this.tickMs = this.pingIntervalMs / TICKS_PER_PING;
    this.maxLagMs = opts.timeoutMs * MAX_LAG_FRACTION;
  }

  /** Sends the first keep-alive now and starts the heartbeat. */
  start(): void {
    if (this.timer) return;
    this.ping(monotonicNow(this.opts.clock));
    this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Lateness of the last heartbeat tick (ms), keep-alives sent, and intervals withheld. */
  stats(): { lagMs: number; sent: number; withheld: number } {
    return { lagMs: this.lastLag, sent: this.sent, withheld: this.withheld };
  }

  private schedule(): void {
    const due = monotonicNow(this.opts.clock) + this.tickMs;
    this.timer = this.opts.clock.setTimer(this.tickMs, () => this.tick(due));
  }

  private tick(due: number): void {
    const now = monotonicNow(this.opts.clock);
    this.lastLag = Math.max(0, now - due);
    this.worstLagSincePing = Math.max(this.worstLagSincePing, this.lastLag);
    if (now - this.lastPing >= this.pingIntervalMs) {
      if (this.worstLagSincePing <= this.maxLagMs) this.ping(now);
      else {
        // Withheld; the next tick is judged afresh, so a loop that recovers pings again
        // before the timeout, and one that stays late never does.
        this.withheld++;
        this.worstLagSincePing = 0;
      }
    }
    this.schedule();
  }

  private ping(now: number): void {
    this.lastPing = now;
    this.worstLagSincePing = 0;
    if (this.opts.notify('WATCHDOG=1')) this.sent++;
  }
}
