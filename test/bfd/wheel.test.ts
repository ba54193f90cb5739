/**
 * The BFD timer wheel: the pure rule (wheel.ts: which slots run at a wake-up, when to wake
 * next, a transmit slot's window) and its shell (wheel-timer.ts: one process timer on a
 * FakeClock, drain before each tick).
 */
import { describe, expect, test } from 'bun:test';
import { minJitteredIntervalMs } from '../../agent/bfd/timers.ts';
import { nextWakeAt, slotsToRun, transmitSlot, type WheelSlot } from '../../agent/bfd/wheel.ts';
import { WheelTimer } from '../../agent/bfd/wheel-timer.ts';
import { type Clock, FakeClock } from '../../agent/lib/clock.ts';

const slots = (entries: [string, number, number?][]) =>
  new Map<string, WheelSlot>(
    entries.map(([k, dueAt, earliestAt]) => [k, { dueAt, earliestAt: earliestAt ?? dueAt }]),
  );

describe('wheel rule (pure)', () => {
  test('nothing runs before the first deadline, even slots inside their window', () => {
    expect(
      slotsToRun(
        slots([
          ['a', 300, 225],
          ['b', 280, 210],
        ]),
        279,
      ),
    ).toEqual([]);
  });

  test('at a deadline: the due slots and every slot inside its window, by deadline; not those before it', () => {
    const s = slots([
      ['tx1', 300, 225],
      ['tx2', 260, 195],
      ['tx3', 290, 270], // window opens after now
      ['detect', 262], // no window: never early
      ['tx4', 250, 190],
    ]);
    expect(slotsToRun(s, 260)).toEqual(['tx4', 'tx2', 'tx1']);
  });

  test('a slot whose window opens exactly now runs; an overdue one runs first', () => {
    expect(
      slotsToRun(
        slots([
          ['late', 100, 50],
          ['open', 400, 120],
          ['due', 120, 90],
        ]),
        120,
      ),
    ).toEqual(['late', 'due', 'open']);
  });

  test('a window that starts after its deadline is treated as no window', () => {
    expect(
      slotsToRun(
        slots([
          ['due', 100],
          ['odd', 150, 200],
        ]),
        100,
      ),
    ).toEqual(['due']);
    expect(slotsToRun(slots([['odd', 150, 200]]), 150)).toEqual(['odd']);
  });

  test('the next wake-up is the earliest deadline (not the earliest window), bounded by the gap', () => {
    const s = slots([
      ['a', 300, 100],
      ['b', 500, 50],
    ]);
    expect(nextWakeAt(s, 0)).toBe(300);
    expect(nextWakeAt(s, 0, 1000)).toBe(300);
    expect(nextWakeAt(s, 0, 200)).toBe(200);
    expect(nextWakeAt(new Map(), 0)).toBeUndefined();
    expect(nextWakeAt(new Map(), 10, 1000)).toBe(1010);
  });

  test('a transmit slot is open from 75 % of the negotiated interval to its jittered deadline', () => {
    expect(transmitSlot(1000, 262, minJitteredIntervalMs(300_000))).toEqual({
      dueAt: 1262,
      earliestAt: 1225,
    });
    // The jittered interval is the bound when it is the shorter (never a window past the deadline).
    expect(transmitSlot(1000, 220, 225)).toEqual({ dueAt: 1220, earliestAt: 1220 });
    expect(minJitteredIntervalMs(1_000_000)).toBe(750);
    expect(minJitteredIntervalMs(1000)).toBe(1);
  });
});

/**
 * The wheel's deadlines are the clock's monotonic time; these tests write them as the fake
 * wall clock's small numbers, so the wheel gets a view without monotonic() (monotonicNow then
 * reads now(); FakeClock.advance moves both alike). Monotonic behaviour: wheel-monotonic.test.ts.
 */
const wallOnly = (clock: FakeClock): Clock => ({
  now: () => clock.now(),
  setTimer: (ms, fn) => clock.setTimer(ms, fn),
});

describe('WheelTimer (shell, fake clock)', () => {
  const setup = (maxGapMs?: number) => {
    const clock = new FakeClock(0);
    const log: string[] = [];
    const wheel = new WheelTimer({
      clock: wallOnly(clock),
      beforeTick: () => log.push(`drain@${clock.now()}`),
      maxGapMs,
    });
    const task = (name: string) => ({ run: () => log.push(`${name}@${clock.now()}`) });
    return { clock, log, wheel, task };
  };

  test('one process timer for all slots; one tick runs the due slot and those in their window, after a drain', () => {
    const { clock, log, wheel, task } = setup();
    const a = task('a');
    const b = task('b');
    const c = task('c');
    wheel.set(a, 300, 225);
    wheel.set(b, 260, 195);
    wheel.set(c, 400, 300);
    expect(clock.pending()).toBe(1);
    clock.advance(1000);
    expect(log).toEqual(['drain@260', 'b@260', 'a@260', 'drain@400', 'c@400']);
    expect(wheel.ticks).toBe(2);
    expect(clock.pending()).toBe(0);
  });

  test('moving a deadline later keeps the process timer (one spurious tick, no re-creation); earlier re-arms', () => {
    const { clock, log, wheel, task } = setup();
    const d = task('detect');
    wheel.set(d, 900);
    wheel.set(d, 1000);
    wheel.set(d, 1100);
    expect(clock.pending()).toBe(1);
    clock.advance(950);
    expect(log).toEqual(['drain@900']);
    clock.advance(200);
    expect(log).toEqual(['drain@900', 'drain@1100', 'detect@1100']);
    wheel.set(d, 2000);
    wheel.set(d, 1500);
    clock.advance(1000);
    expect(log.slice(3)).toEqual(['drain@1500', 'detect@1500']);
  });

  test('a packet drained at the tick that moves a deadline saves the slot from running', () => {
    const clock = new FakeClock(0);
    const ran: string[] = [];
    const d = { run: () => ran.push('expired') };
    let queued = true;
    const wheel = new WheelTimer({
      clock: wallOnly(clock),
      beforeTick: () => {
        if (queued) wheel.set(d, clock.now() + 900);
        queued = false;
      },
    });
    wheel.set(d, 900);
    clock.advance(1000);
    expect(ran).toEqual([]);
    clock.advance(1000);
    expect(ran).toEqual(['expired']);
  });

  test('a slot removed or moved by an earlier slot of the same tick does not run', () => {
    const { clock, log, wheel, task } = setup();
    const b = task('b');
    const c = task('c');
    const a = {
      run: () => {
        log.push(`a@${clock.now()}`);
        wheel.clear(b);
        wheel.set(c, 500, 400);
      },
    };
    wheel.set(a, 100);
    wheel.set(b, 150, 90);
    wheel.set(c, 120, 80);
    clock.advance(1000);
    expect(log).toEqual(['drain@100', 'a@100', 'drain@500', 'c@500']);
  });

  test('maxGap bounds the time between ticks (received packets wait no longer); clear and close stop it', () => {
    const { clock, log, wheel, task } = setup(1000);
    const t = task('t');
    wheel.set(t, 5000);
    clock.advance(3500);
    expect(log).toEqual(['drain@1000', 'drain@2000', 'drain@3000']);
    wheel.clear(t);
    expect(clock.pending()).toBe(0);
    wheel.set(t, 4000);
    wheel.close();
    clock.advance(5000);
    expect(log.length).toBe(3);
    expect(clock.pending()).toBe(0);
  });
});
