/** agent/net/scan.ts: the shared scanners on the edge cases of the two syntaxes. */
import { expect, test } from 'bun:test';
import { format6, scan4, scan6, scratch } from '../../agent/net/scan.ts';

const words = () => Array.from({ length: 8 }, (_, i) => scratch.getUint16(i * 2));

test('scan4: canonical dotted quads only', () => {
  expect(scan4('10.0.0.1')).toBe(0x0a000001);
  expect(scan4('255.255.255.255')).toBe(0xffffffff);
  for (const bad of [
    '010.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '1..2.3',
    '1.2.3.4 ',
    ' 1.2.3.4',
    'a.b.c.d',
  ])
    expect(scan4(bad)).toBe(-1);
  // a slice of a longer string
  expect(scan4('::1.2.3.4', 2)).toBe(0x01020304);
});

test('scan6: groups, one gap, an IPv4 tail only when asked', () => {
  expect(scan6('2001:db8::1')).toBe(true);
  expect(words()).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
  expect(scan6('::')).toBe(true);
  expect(words()).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  expect(scan6('::ffff:1.2.3.4')).toBe(false);
  expect(scan6('::ffff:1.2.3.4', true)).toBe(true);
  expect(words()).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
  for (const bad of [
    '1::2::3',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:',
    '12345::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
  ])
    expect(scan6(bad, true)).toBe(false);
});

test('format6: RFC 5952 (the first of equal zero runs, no single-word gap)', () => {
  const set = (ws: number[]) => {
    ws.forEach((w, i) => {
      scratch.setUint16(i * 2, w);
    });
  };
  set([1, 0, 0, 2, 0, 0, 3, 4]);
  expect(format6()).toBe('1::2:0:0:3:4');
  set([1, 0, 2, 3, 4, 5, 6, 7]);
  expect(format6()).toBe('1:0:2:3:4:5:6:7');
  set([0x2001, 0xdb8, 0, 0, 1, 0, 0, 0]);
  expect(format6()).toBe('2001:db8:0:0:1::');
});
