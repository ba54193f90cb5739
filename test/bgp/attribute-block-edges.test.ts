/** wire/attributes.ts: martian next hops and the truncated attribute header (RFC 7606 §4), byte for byte. */
import { describe, expect, test } from 'bun:test';
import { decodeAttributes, invalidNextHopV4 } from '../../agent/bgp/wire/attributes.ts';
import { hex } from './hex.ts';

test('martian IPv4 next hops: 0/8, 127/8 (unless allowed), 224/4 and up', () => {
  const nh = (s: string) => new Uint8Array(s.split('.').map(Number));
  expect(invalidNextHopV4(nh('10.0.0.1'))).toBe(false);
  expect(invalidNextHopV4(nh('0.1.2.3'))).toBe(true);
  expect(invalidNextHopV4(nh('1.0.0.0'))).toBe(false);
  expect(invalidNextHopV4(nh('127.0.0.1'))).toBe(true);
  expect(invalidNextHopV4(nh('127.0.0.1'), 0, true)).toBe(false);
  expect(invalidNextHopV4(nh('223.255.255.255'))).toBe(false);
  expect(invalidNextHopV4(nh('224.0.0.1'))).toBe(true);
  expect(invalidNextHopV4(nh('255.255.255.255'))).toBe(true);
  // the offset picks the first octet
  expect(invalidNextHopV4(new Uint8Array([0, 10, 0, 0, 1]), 1)).toBe(false);
  expect(invalidNextHopV4(new Uint8Array([10, 224, 0, 0, 1]), 1)).toBe(true);
});

describe('attribute header cut short: treat-as-withdraw 3/1 with the left-over bytes', () => {
  const cases: [string, string, boolean][] = [
    // [block hex, what is decoded, truncated header?]
    ['40', 'one octet', true],
    ['4001', 'two octets', true],
    ['400100', 'three octets, one-octet length: a whole (empty ORIGIN) header', false],
    ['500100', 'three octets with the extended-length flag', true],
    ['50010000', 'four octets, extended length: a whole header', false],
    ['40010100' + '40', 'a whole ORIGIN, then one octet', true],
    ['40010100' + '500200', 'a whole ORIGIN, then three octets with the extended flag', true],
  ];
  for (const [h, name, truncated] of cases)
    test(name, () => {
      const b = hex(h);
      const r = decodeAttributes(b, 0, b.length, { as4: true });
      if (truncated) {
        expect([r.withdraw?.code, r.withdraw?.subcode, r.withdraw?.message]).toEqual([
          3,
          1,
          'UPDATE Message Error/Malformed Attribute List: truncated attribute header',
        ]);
        const left = h.startsWith('40010100') ? h.slice(8) : h;
        expect(r.withdraw?.data).toEqual(hex(left));
      } else expect(r.withdraw?.message ?? '').not.toContain('truncated attribute header');
    });

  test('the header is checked inside [start, end): bytes after end do not count', () => {
    const b = hex('ff' + '4001' + '0100');
    const r = decodeAttributes(b, 1, 3, { as4: true });
    expect(r.withdraw?.data).toEqual(hex('4001'));
    expect(decodeAttributes(b, 1, 5, { as4: true })).toEqual({ attributes: { origin: 0 }, discarded: [] });
  });
});

test('an extended length uses both octets: 256 bytes of an unknown optional attribute', () => {
  const b = new Uint8Array([0xd0, 99, 0x01, 0x00, ...new Uint8Array(256).fill(5)]);
  const r = decodeAttributes(b, 0, b.length, { as4: true });
  expect(r.withdraw).toBeUndefined();
  expect(r.attributes.other).toEqual([{ flags: 0xc0, code: 99, value: new Uint8Array(256).fill(5) }]);
  const short = hex('c063020102');
  expect(decodeAttributes(short, 0, short.length, { as4: true }).attributes.other).toEqual([
    { flags: 0xc0, code: 99, value: hex('0102') },
  ]);
});

test('an attribute error carries the whole attribute (header and value) as its data', () => {
  const b = hex('40010103');
  const r = decodeAttributes(b, 0, b.length, { as4: true });
  expect([r.withdraw?.code, r.withdraw?.subcode]).toEqual([3, 6]);
  expect(r.withdraw?.data).toEqual(hex('40010103'));
  const ext = hex('5001000103');
  expect(decodeAttributes(ext, 0, ext.length, { as4: true }).withdraw?.data).toEqual(ext);
});
