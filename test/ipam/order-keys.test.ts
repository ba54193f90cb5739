/**
 * creationKey (agent/ipam/order.ts) at every field's bounds: the keys of boundary timestamps rise
 * strictly in the strings' order, and anything outside the two spellings gets NaN.
 */
import { expect, test } from 'bun:test';
import { compareOrdered, creationKey } from '../../agent/ipam/order.ts';

test('keys rise strictly with the strings across every field boundary', () => {
  const sorted = [
    '0000-00-00T00:00:00.000Z',
    '0000-00-00T00:00:00Z',
    '0000-00-00T00:00:01.000Z',
    '2025-12-31T23:59:59.999Z',
    '2025-12-31T23:59:59Z',
    '2025-12-31T23:59:60.000Z',
    '2025-12-31T23:59:60Z',
    '2026-00-00T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-01T00:00:00.001Z',
    '2026-01-01T00:00:00.010Z',
    '2026-01-01T00:00:00.100Z',
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:09Z',
    '2026-01-01T00:00:10Z',
    '2026-01-01T00:00:60Z',
    '2026-01-01T00:01:00Z',
    '2026-01-01T00:59:60Z',
    '2026-01-01T01:00:00Z',
    '2026-01-01T09:00:00Z',
    '2026-01-01T10:00:00Z',
    '2026-01-01T23:59:60Z',
    '2026-01-02T00:00:00Z',
    '2026-01-31T23:59:60Z',
    '2026-02-00T00:00:00Z',
    '2026-12-31T23:59:60Z',
    '2027-00-00T00:00:00Z',
    '9999-12-31T23:59:60.999Z',
    '9999-12-31T23:59:60Z',
  ];
  expect([...sorted].sort()).toEqual(sorted);
  const keys = sorted.map(creationKey);
  for (const [i, k] of keys.entries()) {
    expect({ s: sorted[i], nan: Number.isNaN(k) }).toEqual({ s: sorted[i], nan: false });
    if (i > 0)
      expect({ s: sorted[i], rises: k > (keys[i - 1] as number) }).toEqual({ s: sorted[i], rises: true });
  }
  // The fraction-less spelling sits between .999 of its second and the next second.
  expect(creationKey('2026-01-01T00:00:00Z') - creationKey('2026-01-01T00:00:00.999Z')).toBe(0.5);
  expect(creationKey('2026-01-01T00:00:01.000Z') - creationKey('2026-01-01T00:00:00Z')).toBe(0.5);
});

test('anything else is NaN', () => {
  const bad = [
    '',
    '2026-01-01T00:00:00',
    '2026-01-01T00:00:00.0Z',
    '2026-01-01T00:00:00.0000Z',
    '2026-13-01T00:00:00Z',
    '2026-01-32T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:61Z',
    '2026-01-01T00:00:99Z',
    '2026-99-01T00:00:00Z',
    '2026-01-99T00:00:00Z',
    '2026-01-01T99:00:00Z',
    '2026-01-01T00:99:00Z',
    '202x-01-01T00:00:00Z',
    '202/-01-01T00:00:00Z',
    '202:-01-01T00:00:00Z',
    '20/0-01-01T00:00:00Z',
    '2026-0x-01T00:00:00Z',
    '2026-01-0xT00:00:00Z',
    '2026-01-01T0x:00:00Z',
    '2026-01-01T00:0x:00Z',
    '2026-01-01T00:00:0xZ',
    '2026-01-01T00:00:00.00xZ',
    '2026-01-01T00:00:00,000Z',
    '2026/01-01T00:00:00Z',
    '2026-01/01T00:00:00Z',
    '2026-01-01 00:00:00Z',
    '2026-01-01T00.00:00Z',
    '2026-01-01T00:00.00Z',
    '2026-01-01T00:00:00z',
    '2026-01-01T00:00:00.000z',
    '2026-01-01T00:00:00+0Z',
    '2026-01-01T00:00:/0Z',
    '2026-01-01T00:00::0Z',
  ];
  for (const s of bad) expect({ s, key: creationKey(s) }).toEqual({ s, key: Number.NaN });
});

test('compareOrdered: by key, else by text, then by Service key', () => {
  const e = (creationOrder: string, key: string) => ({
    ord: creationKey(creationOrder),
    view: { creationOrder, key },
  });
  const t = '2026-01-01T00:00:00Z';
  expect(compareOrdered(e(t, 'a/x'), e(t, 'a/y'))).toBe(-1);
  expect(compareOrdered(e(t, 'a/y'), e(t, 'a/x'))).toBe(1);
  expect(compareOrdered(e(t, 'a/x'), e(t, 'a/x'))).toBe(0);
  expect(compareOrdered(e('b', 'a/x'), e('a', 'a/y'))).toBe(1);
  expect(compareOrdered(e('a', 'a/y'), e('b', 'a/x'))).toBe(-1);
  expect(compareOrdered(e('a', 'a/y'), e('a', 'a/x'))).toBe(1);
  expect(compareOrdered(e(t, 'a/x'), e('2026-01-01T00:00:01Z', 'a/x'))).toBeLessThan(0);
});
