/** lib/clock.ts wallTimeOf: a monotonic instant shown as wall time, across a step of the wall clock. */
import { expect, test } from 'bun:test';
import { FakeClock, monotonicNow, wallTimeOf } from '../../agent/lib/clock.ts';

test('an instant 1.5 s ahead or 60 s behind on the monotonic clock is that far from the wall now', () => {
  const c = new FakeClock(1_700_000_000_000);
  const now = monotonicNow(c);
  expect(wallTimeOf(c, now)).toBe(1_700_000_000_000);
  expect(wallTimeOf(c, now + 1500)).toBe(1_700_000_001_500);
  expect(wallTimeOf(c, now - 60_000)).toBe(1_699_999_940_000);
});

test('after a wall step the same instant is shown against the new wall clock, the same distance away', () => {
  const c = new FakeClock(1_700_000_000_000);
  const deadline = monotonicNow(c) + 1500;
  c.advance(500);
  c.jump(3_600_000);
  expect(wallTimeOf(c, deadline)).toBe(1_700_000_000_000 + 500 + 3_600_000 + 1000);
});

test('a clock without monotonic time: its wall clock is both', () => {
  const c = { now: () => 5000, setTimer: () => ({ cancel() {} }) };
  expect(wallTimeOf(c, 4000)).toBe(4000);
});
