/** agent/lib/watchdog.ts: the derived intervals, the counters, and the lag limit at its exact value. */
import { expect, test } from 'bun:test';
import type { Clock, Timer } from '../../agent/lib/clock.ts';
import { LoopWatchdog, watchdogTimeoutMs } from '../../agent/lib/watchdog.ts';

/** One pending timer at a time (the watchdog keeps one); fire(late) runs it `late` ms after its deadline. */
class StepClock implements Clock {
  t = 0;
  private timer: { at: number; fn: () => void } | undefined;
  now = () => this.t;
  setTimer(ms: number, fn: () => void): Timer {
    const e = { at: this.t + ms, fn };
    this.timer = e;
    return { cancel: () => (this.timer = this.timer === e ? undefined : this.timer) };
  }
  fire(late = 0): void {
    const e = this.timer;
    if (!e) throw new Error('no timer');
    this.timer = undefined;
    this.t = e.at + late;
    e.fn();
  }
}

function dog(timeoutMs: number) {
  const clock = new StepClock();
  const sent: string[] = [];
  const w = new LoopWatchdog({ clock, timeoutMs, notify: (s) => sent.push(s) > 0 });
  return { clock, w, sent };
}

test('watchdogTimeoutMs: digits only, at least 1 ms', () => {
  expect(watchdogTimeoutMs({ WATCHDOG_USEC: '1e9' }, 1)).toBeUndefined();
  expect(watchdogTimeoutMs({ WATCHDOG_USEC: '1000' }, 1)).toBe(1);
  expect(watchdogTimeoutMs({ WATCHDOG_USEC: '999' }, 1)).toBeUndefined();
  expect(watchdogTimeoutMs({ WATCHDOG_USEC: '2000', WATCHDOG_PID: '' }, 1)).toBe(2);
});

test('a 10 s timeout: a ping every 5 s, a tick every second, 2.5 s of lag allowed', () => {
  const { w } = dog(10_000);
  expect([w.pingIntervalMs, w.tickMs, w.maxLagMs]).toEqual([5000, 1000, 2500]);
});

test('counters: nothing before start, one keep-alive at start, the next after a full interval of on-time ticks', () => {
  const { clock, w, sent } = dog(10_000);
  expect(w.stats()).toEqual({ lagMs: 0, sent: 0, withheld: 0 });
  w.start();
  expect(w.stats()).toEqual({ lagMs: 0, sent: 1, withheld: 0 });
  for (let i = 0; i < 4; i++) clock.fire();
  expect(w.stats()).toEqual({ lagMs: 0, sent: 1, withheld: 0 });
  clock.fire();
  expect(w.stats()).toEqual({ lagMs: 0, sent: 2, withheld: 0 });
  expect(sent).toEqual(['WATCHDOG=1', 'WATCHDOG=1']);
  clock.fire(300);
  expect(w.stats()).toEqual({ lagMs: 300, sent: 2, withheld: 0 });
});

test('a tick late by exactly the limit still allows the keep-alive; a millisecond more withholds it', () => {
  for (const [late, want] of [
    [2500, { sent: 2, withheld: 0 }],
    [2501, { sent: 1, withheld: 1 }],
  ] as const) {
    const { clock, w } = dog(10_000);
    w.start();
    clock.fire(); // t = 1000
    clock.fire(late); // due 2000
    clock.fire(); // due past 5000 since the start: judged here
    const { sent, withheld } = w.stats();
    expect({ sent, withheld }).toEqual(want);
  }
});

test('a tiny timeout: on-time ticks keep pinging, and a loop that recovers after a withheld interval pings again', () => {
  const { clock, w } = dog(2); // ping every 1 ms, tick every 0.2 ms, 0.5 ms of lag allowed
  w.start();
  for (let i = 0; i < 20; i++) clock.fire();
  expect(w.stats().withheld).toBe(0);
  const before = w.stats().sent;
  expect(before).toBeGreaterThan(2);
  clock.fire(3); // late: withheld at the next judgement
  for (let i = 0; i < 12; i++) clock.fire();
  const after = w.stats();
  expect(after.withheld).toBe(1);
  expect(after.sent).toBeGreaterThan(before);
});
