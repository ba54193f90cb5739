/**
 * agent/lib/watchdog.ts on monotonic time: a step of the wall clock by an hour either way is not
 * lateness (WATCHDOG=1 keeps going out every half timeout) and does not hide a blocked loop
 * (keep-alives are still withheld while timers fire late).
 */
import { describe, expect, test } from 'bun:test';
import type { Clock, Timer } from '../../agent/lib/clock.ts';
import { LoopWatchdog } from '../../agent/lib/watchdog.ts';

const HOUR = 3_600_000;

/**
 * A loop's clock with both times: timers run on monotonic time and fire at the current time,
 * never rewinding it; advance(ms) is a healthy loop, block(ms) a busy one whose due timers then
 * fire at once, late; jump(ms) steps the wall clock only, as NTP does.
 */
class LoopClock implements Clock {
  wall = 1_700_000_000_000;
  mono = 5_000_000;
  private timers: { at: number; fn: () => void }[] = [];
  now = () => this.wall;
  monotonic = () => this.mono;
  setTimer(ms: number, fn: () => void): Timer {
    const entry = { at: this.mono + Math.max(0, ms), fn };
    this.timers.push(entry);
    return { cancel: () => (this.timers = this.timers.filter((e) => e !== entry)) };
  }
  jump(ms: number): void {
    this.wall += ms;
  }
  private move(to: number): void {
    this.wall += to - this.mono;
    this.mono = to;
  }
  private runDue(): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const due = this.timers.filter((e) => e.at <= this.mono).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers = this.timers.filter((e) => e !== due);
      due.fn();
    }
  }
  advance(ms: number): void {
    const end = this.mono + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = Math.min(...this.timers.map((e) => e.at));
      if (!(next <= end)) break;
      this.move(Math.max(this.mono, next));
      this.runDue();
    }
    this.move(end);
  }
  block(ms: number): void {
    this.move(this.mono + ms);
    this.runDue();
  }
}

function rig() {
  const clock = new LoopClock();
  const pings: number[] = [];
  const start = clock.monotonic();
  const wd = new LoopWatchdog({
    clock,
    timeoutMs: 10_000,
    notify: () => {
      pings.push(clock.monotonic() - start);
      return true;
    },
  });
  return { clock, wd, pings };
}

describe('LoopWatchdog across wall-clock steps', () => {
  for (const jump of [HOUR, -HOUR]) {
    const h = jump / HOUR;
    test(`a healthy loop keeps pinging every 5 s across a step of ${h} h`, () => {
      const { clock, wd, pings } = rig();
      wd.start();
      clock.advance(7_000);
      clock.jump(jump);
      clock.advance(13_000);
      expect(pings).toEqual([0, 5_000, 10_000, 15_000, 20_000]);
      expect(wd.stats()).toEqual({ lagMs: 0, sent: 5, withheld: 0 });
      wd.stop();
    });

    test(`a loop whose timers fire 3 s late is still caught after a step of ${h} h`, () => {
      const { clock, wd, pings } = rig();
      wd.start();
      clock.advance(5_000);
      clock.jump(jump);
      const n = pings.length;
      for (let i = 0; i < 15; i++) clock.block(wd.tickMs + 3_000);
      expect(pings.length).toBe(n);
      expect(wd.stats().withheld).toBeGreaterThan(0);
      expect(wd.stats().lagMs).toBe(3_000);
      // it recovers: the next on-time ticks ping again within the timeout
      clock.advance(2 * wd.tickMs);
      expect(pings.length).toBe(n + 1);
      wd.stop();
    });
  }

  test('a loop blocked across a step sends nothing while blocked, and is late once it runs', () => {
    const { clock, wd, pings } = rig();
    wd.start();
    clock.advance(3_000);
    const n = pings.length;
    clock.jump(-HOUR);
    clock.block(8_000); // blocked 8 s: the overdue ticks fire at once, 7 s late at worst
    expect(pings.length).toBe(n);
    expect(wd.stats().lagMs).toBe(7_000);
    expect(wd.stats().withheld).toBe(1);
  });
});
