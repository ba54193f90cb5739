/** agent/net/ip.ts: exact results where the round-trip tests only look at ok. */
import { expect, test } from 'bun:test';
import { ipEquals, parseCidr, rangesOverlap } from '../../agent/net/ip.ts';

test('parseCidr refusals carry their exact text', () => {
  expect(parseCidr('/24')).toEqual({
    ok: false,
    error: '"/24" is not a valid CIDR: "" is not a valid IPv4 address',
  });
  expect(parseCidr('/24', { allowBare: true })).toEqual({
    ok: false,
    error: '"/24" is not a valid CIDR: "" is not a valid IPv4 address',
  });
  expect(parseCidr('x/24')).toEqual({
    ok: false,
    error: '"x/24" is not a valid CIDR: "x" is not a valid IPv4 address',
  });
  expect(parseCidr('10.0.0.0/33')).toEqual({
    ok: false,
    error: '"10.0.0.0/33" is not a valid CIDR: prefix length must be 0..32',
  });
  expect(parseCidr('10.0.0.0')).toEqual({
    ok: false,
    error: '"10.0.0.0" is not a CIDR (expected address/prefix-length)',
  });
});

test('rangesOverlap: ranges touching at one address overlap, in either order', () => {
  const r = (first: bigint, last: bigint) => ({ family: 4 as const, first, last });
  expect(rangesOverlap(r(5n, 9n), r(0n, 5n))).toBe(true);
  expect(rangesOverlap(r(0n, 5n), r(5n, 9n))).toBe(true);
  expect(rangesOverlap(r(6n, 9n), r(0n, 5n))).toBe(false);
});

test('ipEquals: same family and value', () => {
  expect(ipEquals({ family: 4, value: 1n }, { family: 4, value: 1n })).toBe(true);
  expect(ipEquals({ family: 4, value: 1n }, { family: 6, value: 1n })).toBe(false);
  expect(ipEquals({ family: 4, value: 1n }, { family: 4, value: 2n })).toBe(false);
  expect(ipEquals({ family: 6, value: 2n }, { family: 4, value: 1n })).toBe(false);
});
