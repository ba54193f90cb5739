/** wire/attribute-types.ts: IANA path attribute codes, flag bits, and the one-/two-octet length switch at 255. */
import { expect, test } from 'bun:test';
import {
  Attr,
  EXTENDED,
  encodeAttribute,
  OPTIONAL,
  PARTIAL,
  TRANSITIVE,
} from '../../agent/bgp/wire/attribute-types.ts';

test('path attribute type codes (IANA BGP Path Attributes registry)', () => {
  expect(Attr).toEqual({
    ORIGIN: 1,
    AS_PATH: 2,
    NEXT_HOP: 3,
    MULTI_EXIT_DISC: 4,
    LOCAL_PREF: 5,
    ATOMIC_AGGREGATE: 6,
    AGGREGATOR: 7,
    COMMUNITIES: 8,
    MP_REACH_NLRI: 14,
    MP_UNREACH_NLRI: 15,
    AS4_PATH: 17,
    AS4_AGGREGATOR: 18,
    LARGE_COMMUNITY: 32,
  });
});

test('flag bits (RFC 4271 §4.3)', () => {
  expect([OPTIONAL, TRANSITIVE, PARTIAL, EXTENDED]).toEqual([0x80, 0x40, 0x20, 0x10]);
});

test('a 255-byte value keeps the one-octet length; 256 and more take the extended length', () => {
  const at255 = encodeAttribute(OPTIONAL | TRANSITIVE, 99, new Uint8Array(255).fill(1));
  expect(at255.length).toBe(258);
  expect([...at255.subarray(0, 4)]).toEqual([0xc0, 99, 255, 1]);
  const at256 = encodeAttribute(OPTIONAL | TRANSITIVE, 99, new Uint8Array(256).fill(1));
  expect(at256.length).toBe(260);
  expect([...at256.subarray(0, 5)]).toEqual([0xd0, 99, 1, 0, 1]);
  expect([...encodeAttribute(OPTIONAL, 99, new Uint8Array(257)).subarray(0, 4)]).toEqual([0x90, 99, 1, 1]);
  // a stray EXTENDED bit in the flags is replaced by the length actually used
  expect([...encodeAttribute(0x50, 3, new Uint8Array([1, 2]))]).toEqual([0x40, 3, 2, 1, 2]);
  expect([...encodeAttribute(0x40, 3, new Uint8Array([1, 2]), true)]).toEqual([0x50, 3, 0, 2, 1, 2]);
});
