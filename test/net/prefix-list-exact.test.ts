/** agent/net/prefix-list.ts: NLRI bytes and views at lengths that are not byte multiples, and any iterable as input. */
import { expect, test } from 'bun:test';
import { PrefixList } from '../../agent/net/prefix-list.ts';

const TEXTS = ['10.128.0.0/9', '192.0.2.128/25', '128.0.0.0/1', '2001:db8:8000::/33', '0.0.0.0/0'];

test('writeNlri: the length octet, then exactly the significant bytes; nothing after them', () => {
  const l = PrefixList.fromTexts(TEXTS);
  const nlri = (key: string) => {
    const out = new Uint8Array(24).fill(0xaa);
    const n = l.writeNlri(key, out, 2);
    return { n, bytes: [...out.subarray(0, 2 + n + 2)] };
  };
  expect(nlri('10.128.0.0/9')).toEqual({ n: 3, bytes: [0xaa, 0xaa, 9, 10, 0x80, 0xaa, 0xaa] });
  expect(nlri('192.0.2.128/25')).toEqual({ n: 5, bytes: [0xaa, 0xaa, 25, 192, 0, 2, 128, 0xaa, 0xaa] });
  expect(nlri('128.0.0.0/1')).toEqual({ n: 2, bytes: [0xaa, 0xaa, 1, 128, 0xaa, 0xaa] });
  expect(nlri('2001:db8:8000::/33')).toEqual({
    n: 6,
    bytes: [0xaa, 0xaa, 33, 0x20, 0x01, 0x0d, 0xb8, 0x80, 0xaa, 0xaa],
  });
  expect(nlri('0.0.0.0/0')).toEqual({ n: 1, bytes: [0xaa, 0xaa, 0, 0xaa, 0xaa] });
  expect(nlri('10.0.0.0/8')).toEqual({ n: 0, bytes: [0xaa, 0xaa, 0xaa, 0xaa] });
});

test('prefix(): a view of the significant bytes only', () => {
  const l = PrefixList.fromTexts(TEXTS);
  expect(l.prefix('10.128.0.0/9')).toEqual({ family: 4, length: 9, bytes: Uint8Array.from([10, 0x80]) });
  expect(l.prefix('192.0.2.128/25')).toEqual({
    family: 4,
    length: 25,
    bytes: Uint8Array.from([192, 0, 2, 128]),
  });
  expect(l.prefix('2001:db8:8000::/33')).toEqual({
    family: 6,
    length: 33,
    bytes: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0x80]),
  });
});

test('odd lengths keep their length in the key', () => {
  expect([...PrefixList.fromTexts(TEXTS).keys()]).toEqual([
    '0.0.0.0/0',
    '10.128.0.0/9',
    '128.0.0.0/1',
    '192.0.2.128/25',
    '2001:db8:8000::/33',
  ]);
});

test('any iterable of texts, not only an array', () => {
  const l = PrefixList.fromTexts(new Set(['10.0.0.0/8', '2001:db8::/32']));
  expect([...l.keys()]).toEqual(['10.0.0.0/8', '2001:db8::/32']);
  expect(l.prefix('2001:db8::/32')).toEqual({
    family: 6,
    length: 32,
    bytes: Uint8Array.from([0x20, 1, 0xd, 0xb8]),
  });
  expect(l.prefix('10.0.0.0/8')).toEqual({ family: 4, length: 8, bytes: Uint8Array.from([10]) });
});
