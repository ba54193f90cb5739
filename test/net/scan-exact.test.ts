/** agent/net/scan.ts: the scanners' refusals at the edges of each character class. */
import { expect, test } from 'bun:test';
import { scan4, scan6, scratch } from '../../agent/net/scan.ts';

test('scan4: the character just above the digits is not one', () => {
  expect(scan4('1.2.3.:')).toBe(-1);
  expect(scan4('1.2.:.4')).toBe(-1);
  expect(scan6('::1.2.3.:', true)).toBe(false);
});

test('scan4: too few parts or a trailing dot is exactly -1', () => {
  expect(scan4('10.20.30')).toBe(-1);
  expect(scan4('1.2.30.')).toBe(-1);
  expect(scan4('10.20.30.40')).toBe(0x0a141e28);
});

test('scan6: the characters just after f and F are not hex digits', () => {
  expect(scan6('fe80::G')).toBe(false);
  expect(scan6('fe80::g')).toBe(false);
  expect(scan6('fe80::F')).toBe(true);
  expect(scan6('fe80::f')).toBe(true);
  expect(scan6('fe80::/')).toBe(false);
  expect(scan6('fe80:::')).toBe(false);
});

test('scan6: an IPv4 tail of 0.0.0.0 is two zero words', () => {
  expect(scan6('1::0.0.0.0', true)).toBe(true);
  expect(Array.from({ length: 8 }, (_, i) => scratch.getUint16(i * 2))).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  expect(scan6('::0.0.0.0', true)).toBe(true);
});

test('scan6: a second gap after a leading one is refused', () => {
  expect(scan6('::1::2')).toBe(false);
  expect(scan6('::1:2')).toBe(true);
});
