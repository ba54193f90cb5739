/** Range arithmetic edges (agent/net/ip.ts). */
import { expect, test } from 'bun:test';
import { cidrRange, compareIP, inRange, maskOf, rangeSize, rangesOverlap } from '../../agent/net/ip.ts';

const r = (first: bigint, last: bigint) => ({ family: 4 as const, first, last });

test('rangeSize: empty, one, many', () => {
  expect(rangeSize(r(5n, 4n))).toBe(0n);
  expect(rangeSize(r(5n, 5n))).toBe(1n);
  expect(rangeSize(r(0n, 255n))).toBe(256n);
});

test('rangesOverlap and inRange at the ends; families never mix', () => {
  expect(rangesOverlap(r(0n, 5n), r(5n, 9n))).toBe(true);
  expect(rangesOverlap(r(0n, 4n), r(5n, 9n))).toBe(false);
  expect(rangesOverlap(r(6n, 9n), r(0n, 5n))).toBe(false);
  expect(rangesOverlap(r(0n, 9n), { family: 6, first: 0n, last: 9n })).toBe(false);
  expect(inRange({ family: 4, value: 5n }, r(5n, 9n))).toBe(true);
  expect(inRange({ family: 4, value: 9n }, r(5n, 9n))).toBe(true);
  expect(inRange({ family: 4, value: 4n }, r(5n, 9n))).toBe(false);
  expect(inRange({ family: 4, value: 10n }, r(5n, 9n))).toBe(false);
  expect(inRange({ family: 6, value: 5n }, r(5n, 9n))).toBe(false);
});

test('maskOf and cidrRange', () => {
  expect(maskOf(4, 24)).toBe(0xffffff00n);
  expect(maskOf(4, 0)).toBe(0n);
  expect(maskOf(4, 32)).toBe(0xffffffffn);
  expect(maskOf(6, 128)).toBe((1n << 128n) - 1n);
  expect(cidrRange({ family: 4, base: 0x0a000000n, prefixLength: 30 })).toEqual(r(0x0a000000n, 0x0a000003n));
  expect(cidrRange({ family: 4, base: 0x0a000001n, prefixLength: 32 })).toEqual(r(0x0a000001n, 0x0a000001n));
});

test('compareIP orders by family, then value', () => {
  const v4 = (value: bigint) => ({ family: 4 as const, value });
  expect(compareIP(v4(1n), v4(2n))).toBeLessThan(0);
  expect(compareIP(v4(2n), v4(1n))).toBeGreaterThan(0);
  expect(compareIP(v4(2n), v4(2n))).toBe(0);
  expect(compareIP(v4(9n), { family: 6, value: 1n })).toBeLessThan(0);
  expect(compareIP({ family: 6, value: 1n }, v4(9n))).toBeGreaterThan(0);
  expect([v4(3n), v4(1n), v4(2n)].sort(compareIP).map((x) => x.value)).toEqual([1n, 2n, 3n]);
});
