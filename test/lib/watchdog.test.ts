/** agent/lib/watchdog.ts: keep-alives only from a loop whose timers fire on time. */
import { describe, expect, test } from 'bun:test';
import { type Clock, FakeClock, type Timer } from '../../agent/lib/clock.ts';
import { LoopWatchdog, watchdogTimeoutMs } from '../../agent/lib/watchdog.ts';

describe('watchdogTimeoutMs', () => {
  test('reads WATCHDOG_USEC, honouring WATCHDOG_PID', () => {
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '10000000' }, 42)).toBe(10_000);
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '42' }, 42)).toBe(10_000);
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '7' }, 42)).toBeUndefined();
    expect(watchdogTimeoutMs({}, 42)).toBeUndefined();
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '' }, 42)).toBeUndefined();
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '10s' }, 42)).toBeUndefined();
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '0' }, 42)).toBeUndefined();
  });
});

/**
 * A clock whose due timers fire at the clock's current time, never rewinding it (FakeClock
 * sets the time to each deadline): advance(ms) is a healthy loop, block(ms) a busy one whose
 * timers then fire all at once, late.
 */
class LoopClock implements Clock {
  t = 1_700_000_000_000;
  private timers: { at: number; fn: () => void }[] = [];
  now = () => this.t;
  setTimer(ms: number, fn: () => void): Timer {
    const entry = { at: this.t + Math.max(0, ms), fn };
    this.timers.push(entry);
    return { cancel: () => (this.timers = this.timers.filter((e) => e !== entry)) };
  }
  pending = () => this.timers.length;
  /** Fires every timer due now (in deadline order), at the current time. */
  runDue(): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const due = this.timers.filter((e) => e.at <= this.t).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers = this.timers.filter((e) => e !== due);
      due.fn();
    }
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = Math.min(...this.timers.map((e) => e.at));
      if (!(next <= end)) break;
      this.t = Math.max(this.t, next);
      this.runDue();
    }
    this.t = end;
  }
  block(ms: number): void {
    this.t += ms;
    this.runDue();
  }
}

function rig(timeoutMs = 10_000) {
  const clock = new LoopClock();
  const pings: number[] = [];
  const start = clock.now();
  const wd = new LoopWatchdog({
    clock,
    timeoutMs,
    notify: (s) => {
      expect(s).toBe('WATCHDOG=1');
      pings.push(clock.now() - start);
      return true;
    },
  });
  const block = (ms: number) => clock.block(ms);
  /** The longest gap between keep-alives (and from the last one to now). */
  const worstGap = () => {
    const times = [...pings, clock.now() - start];
    return Math.max(...times.slice(1).map((t, i) => t - (times[i] ?? 0)));
  };
  return { clock, wd, pings, block, worstGap };
}

describe('LoopWatchdog', () => {
  test('a healthy loop pings every half timeout, starting at once', () => {
    const { clock, wd, pings, worstGap } = rig();
    wd.start();
    clock.advance(60_000);
    expect(pings[0]).toBe(0);
    expect(pings.length).toBeGreaterThanOrEqual(12);
    expect(worstGap()).toBeLessThanOrEqual(5_000 + wd.tickMs);
    expect(wd.stats().withheld).toBe(0);
    wd.stop();
    expect(clock.pending()).toBe(0);
  });

  test('a blocked loop sends nothing while blocked', () => {
    const { clock, wd, pings } = rig();
    wd.start();
    clock.advance(3_000);
    const before = pings.length;
    clock.t += 30_000; // still blocked: no timer has had a chance to fire
    expect(pings.length).toBe(before);
  });

  test('a loop whose timers fire seconds late never pings: systemd would restart it', () => {
    const { clock, wd, pings, block, worstGap } = rig();
    wd.start();
    clock.advance(5_000);
    const n = pings.length;
    // Every timer fires 3 s late (more than a quarter of the 10 s timeout), for a minute.
    for (let i = 0; i < 15; i++) block(wd.tickMs + 3_000);
    expect(pings.length).toBe(n);
    expect(worstGap()).toBeGreaterThan(10_000);
    expect(wd.stats().withheld).toBeGreaterThan(0);
    expect(wd.stats().lagMs).toBeGreaterThanOrEqual(3_000);
  });

  test('a short stall is survived: pings resume within the timeout', () => {
    const { clock, wd, block, worstGap } = rig();
    wd.start();
    clock.advance(4_900);
    block(1_500); // late, but less than a quarter of the timeout
    clock.advance(20_000);
    expect(worstGap()).toBeLessThan(10_000);
  });

  test('a loop that recovers after a long stall pings again at its next tick', () => {
    const { clock, wd, pings, block } = rig();
    wd.start();
    clock.advance(1_000);
    block(6_000); // 6 s stall: the late tick is withheld
    const n = pings.length;
    clock.advance(wd.tickMs);
    expect(pings.length).toBe(n + 1);
    expect(wd.stats().withheld).toBe(1);
  });

  test('a failed send is not counted', () => {
    const clock = new FakeClock();
    const wd = new LoopWatchdog({ clock, timeoutMs: 1_000, notify: () => false });
    wd.start();
    clock.advance(5_000);
    expect(wd.stats().sent).toBe(0);
    wd.stop();
  });
});

describe('LoopWatchdog: exact figures', () => {
  test('WATCHDOG_USEC: digits only, at least 1 ms', () => {
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '1e7' }, 1)).toBeUndefined();
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: ' 10000000' }, 1)).toBeUndefined();
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '1000' }, 1)).toBe(1);
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '1999' }, 1)).toBe(1.999);
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '999' }, 1)).toBeUndefined();
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '' }, 1)).toBe(10_000);
  });

  test('10 s timeout: a tick every second, a keep-alive every 5 s exactly, lateness 0 on time', () => {
    const { clock, wd, pings } = rig();
    expect(wd.stats()).toEqual({ lagMs: 0, sent: 0, withheld: 0 });
    expect([wd.pingIntervalMs, wd.tickMs, wd.maxLagMs]).toEqual([5_000, 1_000, 2_500]);
    wd.start();
    clock.advance(20_000);
    expect(pings).toEqual([0, 5_000, 10_000, 15_000, 20_000]);
    expect(wd.stats()).toEqual({ lagMs: 0, sent: 5, withheld: 0 });
    wd.stop();
  });

  test('a tick exactly a quarter of the timeout late still pings; a millisecond more does not', () => {
    const a = rig();
    a.wd.start();
    a.clock.advance(4_000);
    a.block(a.wd.tickMs + 2_500);
    expect(a.wd.stats()).toMatchObject({ lagMs: 2_500, sent: 2, withheld: 0 });
    const b = rig();
    b.wd.start();
    b.clock.advance(4_000);
    b.block(b.wd.tickMs + 2_501);
    expect(b.wd.stats()).toMatchObject({ lagMs: 2_501, sent: 1, withheld: 1 });
  });
});
