/**
 * SHELL. The responder's announcements over time: every owned IP's burst and periodic
 * announcements come from one AnnounceSchedule and one timer on the injected clock's
 * monotonic time, at most maxPerTick at a time; when more are due, the rest follow retryMs
 * later. No timer or closure per IP.
 */
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import { AnnounceSchedule } from './announce-schedule.ts';

export interface AnnouncerOptions<T> {
  clock: Clock;
  burstOffsetsMs: readonly number[];
  /** The periodic interval after the burst; 0 = none. */
  intervalMs: number;
  /** Announcements sent in one go (add/announceDue or the timer). */
  maxPerTick: number;
  /** The delay before the rest when more than maxPerTick are due. */
  retryMs: number;
  /** Whether an item is still owned (stale schedule entries are skipped and compacted away). */
  alive: (item: T) => boolean;
  /** Sends one item's announcement. */
  send: (item: T) => void;
  /** True once the owner stopped: a timer that fires then sends nothing. */
  stopped: () => boolean;
}

export class Announcer<T> {
  private readonly schedule: AnnounceSchedule<T>;
  private timer: { at: number; timer: Timer } | undefined;

  constructor(private readonly o: AnnouncerOptions<T>) {
    this.schedule = new AnnounceSchedule({ burstOffsetsMs: o.burstOffsetsMs, intervalMs: o.intervalMs });
  }

  /** Schedules a newly owned item's burst (from now), then its periodic announcements. */
  add(item: T): void {
    this.schedule.add(item, monotonicNow(this.o.clock));
  }

  /** Forgets every item and cancels the timer. */
  clear(): void {
    this.schedule.clear();
    this.timer?.timer.cancel();
    this.timer = undefined;
  }

  /** Drops stale entries once the schedule holds far more than the `live` items owned. */
  compactIfLarge(live: number): void {
    if (this.schedule.size > 4 * live + 64) this.schedule.compact(this.o.alive);
  }

  /** Sends what the schedule says is due (bounded), then arms the one timer for the rest. */
  announceDue(): void {
    const now = monotonicNow(this.o.clock);
    const due = this.schedule.take(now, this.o.maxPerTick, this.o.alive);
    for (const item of due) this.o.send(item);
    const next = this.schedule.nextDue();
    if (next === undefined) {
      this.timer?.timer.cancel();
      this.timer = undefined;
      return;
    }
    // More due than one tick may send: the rest a drain interval later.
    const at = next <= now ? now + this.o.retryMs : next;
    if (this.timer?.at === at) return;
    this.timer?.timer.cancel();
    this.timer = {
      at,
      timer: this.o.clock.setTimer(at - now, () => {
        this.timer = undefined;
        if (!this.o.stopped()) this.announceDue();
      }),
    };
  }
}
