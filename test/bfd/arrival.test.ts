/**
 * A packet's kernel timestamp (SO_TIMESTAMP, wall time) as a monotonic arrival time: its age
 * on the wall clock taken off the monotonic now, unless the wall clock was stepped between
 * arrival and read (a stamp in the future, or older than any packet waits in the kernel).
 */
import { describe, expect, test } from 'bun:test';
import { arrivalMonotonic, MAX_ARRIVAL_AGE_MS } from '../../agent/bfd/arrival.ts';

const WALL = 1_700_000_000_000;
const MONO = 5_000_000;
const HOUR = 3_600_000;

describe('arrivalMonotonic', () => {
  test('no stamp: arrived now', () => {
    expect(arrivalMonotonic(undefined, WALL, MONO)).toBe(MONO);
  });

  test('a stamp 0 to MAX_ARRIVAL_AGE_MS old: that long before the monotonic now', () => {
    expect(arrivalMonotonic(WALL, WALL, MONO)).toBe(MONO);
    expect(arrivalMonotonic(WALL - 250, WALL, MONO)).toBe(MONO - 250);
    expect(arrivalMonotonic(WALL - 0.5, WALL, MONO)).toBe(MONO - 0.5);
    expect(arrivalMonotonic(WALL - MAX_ARRIVAL_AGE_MS, WALL, MONO)).toBe(MONO - MAX_ARRIVAL_AGE_MS);
  });

  test('the wall clock stepped between arrival and read: arrived when read', () => {
    // Stepped forward: the stamp looks an hour (or just over the bound) old.
    expect(arrivalMonotonic(WALL - 250, WALL + HOUR, MONO)).toBe(MONO);
    expect(arrivalMonotonic(WALL - MAX_ARRIVAL_AGE_MS - 1, WALL, MONO)).toBe(MONO);
    // Stepped back: the stamp is in the future.
    expect(arrivalMonotonic(WALL - 250, WALL - HOUR, MONO)).toBe(MONO);
    expect(arrivalMonotonic(WALL + 1, WALL, MONO)).toBe(MONO);
  });

  test('an unreadable stamp: arrived now', () => {
    expect(arrivalMonotonic(Number.NaN, WALL, MONO)).toBe(MONO);
  });
});
