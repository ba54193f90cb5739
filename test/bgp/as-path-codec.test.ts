/** wire/as-path.ts and wire/address.ts: segment type codes, segment splitting, cut segments, AFI names. */
import { expect, test } from 'bun:test';
import { AFI_IPV4, AFI_IPV6, familyOfAfi, parseAddress, SAFI_UNICAST } from '../../agent/bgp/wire/address.ts';
import { decodeSegments, encodeSegments, SegmentType } from '../../agent/bgp/wire/as-path.ts';

test('segment type codes (RFC 4271 §4.3, RFC 5065 §3)', () => {
  expect(SegmentType).toEqual({ AS_SET: 1, AS_SEQUENCE: 2, AS_CONFED_SEQUENCE: 3, AS_CONFED_SET: 4 });
});

test('a segment holds at most 255 ASNs: 255 fit one, 256 split 255 + 1', () => {
  const asns = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const one = encodeSegments([{ type: 2, asns: asns(255) }], 2);
  expect(one.length).toBe(2 + 255 * 2);
  expect([...one.subarray(0, 4)]).toEqual([2, 255, 0, 1]);
  const two = encodeSegments([{ type: 2, asns: asns(256) }], 2);
  expect(two.length).toBe(2 + 255 * 2 + 2 + 2);
  expect([...two.subarray(0, 2)]).toEqual([2, 255]);
  expect([...two.subarray(512)]).toEqual([2, 1, 1, 0]);
  expect(decodeSegments(two, 2)).toEqual([
    { type: 2, asns: asns(255) },
    { type: 2, asns: [256] },
  ]);
});

test('a segment cut short by one byte or more is malformed', () => {
  expect(decodeSegments(new Uint8Array([2, 1, 0]), 2)).toBeUndefined();
  expect(decodeSegments(new Uint8Array([2, 2, 0, 1]), 2)).toBeUndefined();
  expect(decodeSegments(new Uint8Array([2, 2, 0, 1, 0]), 2)).toBeUndefined();
  expect(decodeSegments(new Uint8Array([2, 1, 0, 0, 0]), 4)).toBeUndefined();
  expect(decodeSegments(new Uint8Array([2, 1, 0, 1, 2, 1, 0]), 2)).toBeUndefined();
  expect(decodeSegments(new Uint8Array([2, 1, 0, 1, 2, 1, 0, 2]), 2)).toEqual([
    { type: 2, asns: [1] },
    { type: 2, asns: [2] },
  ]);
});

test('AFI and SAFI numbers, and the family each AFI names', () => {
  expect([AFI_IPV4, AFI_IPV6, SAFI_UNICAST]).toEqual([1, 2, 1]);
  expect(familyOfAfi(1)).toBe(4);
  expect(familyOfAfi(2)).toBe(6);
  expect(familyOfAfi(3)).toBe(4);
});

test('parseAddress: an address with its AFI, or undefined', () => {
  expect(parseAddress('10.0.0.1')).toEqual({ afi: 1, bytes: new Uint8Array([10, 0, 0, 1]) });
  expect(parseAddress('::1')?.afi).toBe(2);
  expect(parseAddress('not an address')).toBeUndefined();
});

test('encoding: every octet of a 4-octet ASN; AS_TRANS for one over 65535 in 2-octet form', () => {
  const seg = (asns: number[], width: 2 | 4) => [...encodeSegments([{ type: 2, asns }], width)];
  expect(seg([0x01030507, 0xfffffffe], 4)).toEqual([2, 2, 1, 3, 5, 7, 0xff, 0xff, 0xff, 0xfe]);
  expect(seg([65535, 65536, 0x0103], 2)).toEqual([2, 3, 0xff, 0xff, 0x5b, 0xa0, 1, 3]);
});
