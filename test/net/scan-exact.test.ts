/** agent/net/scan.ts: the scanners' refusals at the edges of each character class. */
import { expect, test } from 'bun:test';
import { scan4, scan6 } from '../../agent/net/scan.ts';

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
