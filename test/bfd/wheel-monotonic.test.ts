/**
 * The timer wheel on monotonic time: deadlines are FakeClock.monotonic() values, and a step
 * of the wall clock (FakeClock.jump) in the middle neither runs a slot early nor holds it back.
 */
import { describe, expect, test } from 'bun:test';
import { WheelTimer } from '../../agent/bfd/wheel-timer.ts';
import { FakeClock } from '../../agent/lib/clock.ts';

const HOUR = 3_600_000;

describe('WheelTimer across a wall-clock step', () => {
  for (const jump of [HOUR, -HOUR]) {
    test(`${jump > 0 ? '+' : '-'}1 h: a Detection Time slot and a TX slot run at their monotonic deadlines`, () => {
      const clock = new FakeClock();
      const m0 = clock.monotonic();
      const log: string[] = [];
      const at = () => clock.monotonic() - m0;
      const wheel = new WheelTimer({ clock, beforeTick: () => log.push(`drain@${at()}`), maxGapMs: 1000 });
      const detect = { run: () => log.push(`detect@${at()}`) };
      const tx = { run: () => log.push(`tx@${at()}`) };
      wheel.set(detect, m0 + 900);
      wheel.set(tx, m0 + 300, m0 + 225);
      clock.advance(100);
      clock.jump(jump);
      clock.advance(150);
      expect(log).toEqual([]);
      // Moved later after the step (a packet arrived): still counted from the monotonic now.
      wheel.set(detect, clock.monotonic() + 900);
      clock.advance(2000);
      expect(log).toEqual(['drain@300', 'tx@300', 'drain@1150', 'detect@1150']);
    });

    test(`${jump > 0 ? '+' : '-'}1 h: maxGap ticks keep their one-second period`, () => {
      const clock = new FakeClock();
      const m0 = clock.monotonic();
      const ticks: number[] = [];
      const wheel = new WheelTimer({
        clock,
        beforeTick: () => ticks.push(clock.monotonic() - m0),
        maxGapMs: 1000,
      });
      wheel.set({ run: () => {} }, m0 + 10_000);
      clock.advance(1500);
      clock.jump(jump);
      clock.advance(3000);
      expect(ticks).toEqual([1000, 2000, 3000, 4000]);
      wheel.close();
    });
  }
});
