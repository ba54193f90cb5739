/**
 * SHELL. One process timer for every BFD timer of a manager (the rule is wheel.ts): slots
 * are objects owned by the sessions, each with its `run` made once (no closure per tick).
 * A tick first calls `beforeTick` (the manager drains the sockets: a packet already queued
 * in the kernel restarts its Detection Time before that expiry is acted on), then runs
 * the slots due, then arms the timer once for the earliest deadline. Moving a deadline
 * later between ticks does not touch the process timer: it fires at the old time, finds
 * nothing due and re-arms (cancelling and re-creating a timer per received packet costs more).
 * Deadlines are monotonic time (monotonicNow), like the process timer: a step of the wall
 * clock moves no deadline.
 */
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import { nextWakeAt, slotsToRun, type WheelSlot } from './wheel.ts';

export interface WheelTask {
  run(): void;
}

export interface WheelTimerOptions {
  clock: Clock;
  beforeTick(): void;
  /** Tick at least this often while any slot exists (received packets wait no longer). */
  maxGapMs?: number;
}

export class WheelTimer {
  private readonly slots = new Map<WheelTask, WheelSlot>();
  private timer: Timer | undefined;
  private armedAt = 0;
  private ticking = false;
  private closed = false;
  /** Ticks so far (for tests and the idle benchmark). */
  ticks = 0;
  private readonly onTimer = () => this.tick();

  constructor(private readonly o: WheelTimerOptions) {}

  /** Schedules (or moves) a task: due at `dueAt`, allowed from `earliestAt` (default: not early). */
  set(task: WheelTask, dueAt: number, earliestAt = dueAt): void {
    if (this.closed) return;
    // Moved in place: a received packet moves a Detection Time several times a second.
    const slot = this.slots.get(task);
    if (slot) {
      slot.dueAt = dueAt;
      slot.earliestAt = earliestAt;
    } else this.slots.set(task, { dueAt, earliestAt });
    if (!this.ticking && (!this.timer || dueAt < this.armedAt)) this.arm();
  }

  clear(task: WheelTask): void {
    this.slots.delete(task);
    if (this.slots.size === 0 && !this.ticking) this.cancel();
  }

  has(task: WheelTask): boolean {
    return this.slots.has(task);
  }

  close(): void {
    this.closed = true;
    this.slots.clear();
    this.cancel();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.closed) return;
    // A process timer may fire a millisecond early by the clock read here: it fired for armedAt.
    const firedFor = this.armedAt;
    this.ticks++;
    this.ticking = true;
    try {
      this.o.beforeTick();
      const now = Math.max(monotonicNow(this.o.clock), firedFor);
      for (const task of slotsToRun(this.slots, now)) {
        // An earlier task of this tick may have moved or removed this one.
        const s = this.slots.get(task);
        if (!s || Math.min(s.earliestAt, s.dueAt) > now) continue;
        this.slots.delete(task);
        task.run();
      }
    } finally {
      this.ticking = false;
      this.arm();
    }
  }

  private arm(): void {
    this.cancel();
    if (this.closed || this.slots.size === 0) return;
    const now = monotonicNow(this.o.clock);
    const at = nextWakeAt(this.slots, now, this.o.maxGapMs);
    if (at === undefined) return;
    this.armedAt = at;
    this.timer = this.o.clock.setTimer(Math.max(0, at - now), this.onTimer);
  }

  private cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
