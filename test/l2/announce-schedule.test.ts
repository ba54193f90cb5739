/** announce-schedule.ts: burst offsets, the periodic refresh, bounded takes, lazy removal, compaction. */
import { describe, expect, test } from 'bun:test';
import { AnnounceSchedule } from '../../agent/l2/announce-schedule.ts';

const always = () => true;

describe('AnnounceSchedule', () => {
  test('an item is due at each burst offset, then every interval after it was last taken', () => {
    const s = new AnnounceSchedule<string>({ burstOffsetsMs: [0, 500, 1000], intervalMs: 60_000 });
    s.add('a', 1000);
    expect(s.nextDue()).toBe(1000);
    expect(s.take(1000, 10, always)).toEqual(['a']);
    expect(s.nextDue()).toBe(1500);
    expect(s.take(1499, 10, always)).toEqual([]);
    expect(s.take(1500, 10, always)).toEqual(['a']);
    expect(s.take(2000, 10, always)).toEqual(['a']);
    expect(s.nextDue()).toBe(61_000);
    // Taken late: the next one is an interval after the take, not after the due time.
    expect(s.take(61_300, 10, always)).toEqual(['a']);
    expect(s.nextDue()).toBe(121_300);
  });

  test('interval 0: the burst only, then nothing is scheduled', () => {
    const s = new AnnounceSchedule<string>({ burstOffsetsMs: [0, 500], intervalMs: 0 });
    s.add('a', 0);
    expect(s.take(10_000, 10, always)).toEqual(['a', 'a']);
    expect(s.nextDue()).toBeUndefined();
    expect(s.size).toBe(0);
  });

  test('earliest first across the burst steps and items; at most max per take, the rest stays due', () => {
    const s = new AnnounceSchedule<string>({ burstOffsetsMs: [0, 500], intervalMs: 1000 });
    s.add('a', 0);
    s.add('b', 300);
    // due: a@0 b@300 a@500 b@800 a@1000 b@1300
    expect(s.take(900, 3, always)).toEqual(['a', 'b', 'a']);
    expect(s.nextDue()).toBe(800);
    expect(s.take(900, 3, always)).toEqual(['b']);
    expect(s.take(1300, 10, always)).toEqual(['a', 'b']);
    // Both taken at 1300: due together at 2300.
    expect(s.take(2299, 10, always)).toEqual([]);
    expect(s.take(2300, 10, always)).toEqual(['a', 'b']);
  });

  test('10,000 items added at once: bounded takes drain them in order, none lost or repeated', () => {
    const s = new AnnounceSchedule<number>({ burstOffsetsMs: [0], intervalMs: 60_000 });
    for (let i = 0; i < 10_000; i++) s.add(i, 0);
    const seen: number[] = [];
    for (let t = 0; seen.length < 10_000 && t < 100; t++) seen.push(...s.take(t * 10, 500, always));
    expect(seen).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(s.nextDue()).toBe(60_000);
  });

  test('dead items are skipped and do not count against max; compact drops them early', () => {
    const s = new AnnounceSchedule<string>({ burstOffsetsMs: [0, 500], intervalMs: 1000 });
    for (const x of ['a', 'b', 'c']) s.add(x, 0);
    const alive = (x: string) => x !== 'b';
    expect(s.take(0, 2, alive)).toEqual(['a', 'c']);
    expect(s.size).toBe(6); // a,b,c at 500 and at 1000: b is skipped only when it comes due
    s.compact(alive);
    expect(s.size).toBe(4);
    expect(s.take(5000, 10, alive)).toEqual(['a', 'c', 'a', 'c']);
  });

  test('clear() forgets everything', () => {
    const s = new AnnounceSchedule<string>({ burstOffsetsMs: [0], intervalMs: 1000 });
    s.add('a', 0);
    s.clear();
    expect(s.nextDue()).toBeUndefined();
    expect(s.take(5000, 10, always)).toEqual([]);
  });
});

describe('AnnounceSchedule: exact edges', () => {
  test('size counts the entries not yet taken, per FIFO', () => {
    const s = new AnnounceSchedule<string>({ burstOffsetsMs: [0, 500], intervalMs: 0 });
    for (const ip of ['a', 'b', 'c']) s.add(ip, 0);
    expect(s.size).toBe(6);
    expect(s.take(0, 2, always)).toEqual(['a', 'b']);
    expect(s.size).toBe(4);
    expect(s.take(0, 10, always)).toEqual(['c']);
    expect(s.size).toBe(3);
  });

  test('after clear() the schedule works as new', () => {
    const s = new AnnounceSchedule<string>({ burstOffsetsMs: [0], intervalMs: 1000 });
    s.add('a', 0);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.nextDue()).toBeUndefined();
    s.add('b', 10);
    expect(s.size).toBe(2);
    expect(s.nextDue()).toBe(10);
    expect(s.take(10, 10, always)).toEqual(['b']);
    expect(s.take(1010, 10, always)).toEqual(['b']);
  });

  test('an interval of 1 ms is an interval', () => {
    const s = new AnnounceSchedule<string>({ burstOffsetsMs: [], intervalMs: 1 });
    s.add('a', 0);
    expect(s.nextDue()).toBe(1);
    expect(s.take(1, 10, always)).toEqual(['a']);
    expect(s.nextDue()).toBe(2);
  });
});
