/** MP_REACH_NLRI / MP_UNREACH_NLRI value edges (RFC 4760 §3, §4). */
import { expect, test } from 'bun:test';
import { decodeMPReach, decodeMPUnreach, WireError } from '../../agent/bgp/wire/index.ts';

const NH6 = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1];
const whole = new Uint8Array(0);

test('MP_REACH_NLRI with a next hop and the reserved byte but no NLRI is valid and empty', () => {
  const v = new Uint8Array([0, 2, 1, 16, ...NH6, 0]);
  expect(decodeMPReach(v, whole)).toEqual({ afi: 2, safi: 1, nextHop: new Uint8Array(NH6), nlri: [] });
});

test('MP_REACH_NLRI without the reserved byte, or shorter than 5 bytes, is an error', () => {
  expect(() => decodeMPReach(new Uint8Array([0, 2, 1, 16, ...NH6]), whole)).toThrow(WireError);
  expect(() => decodeMPReach(new Uint8Array([0, 2, 1, 0]), whole)).toThrow(WireError);
});

test('MP_REACH_NLRI of another family keeps its NLRI raw', () => {
  const v = new Uint8Array([0, 1, 128, 4, 10, 0, 0, 1, 0, 7, 7]);
  expect(decodeMPReach(v, whole)).toEqual({
    afi: 1,
    safi: 128,
    nextHop: new Uint8Array([10, 0, 0, 1]),
    nlri: [],
    nlriRaw: new Uint8Array([7, 7]),
  });
});

test('MP_UNREACH_NLRI: three bytes is an empty withdrawal (End-of-RIB); two is an error', () => {
  expect(decodeMPUnreach(new Uint8Array([0, 2, 1]), whole)).toEqual({ afi: 2, safi: 1, withdrawn: [] });
  expect(() => decodeMPUnreach(new Uint8Array([0, 2]), whole)).toThrow(WireError);
  expect(decodeMPUnreach(new Uint8Array([0, 1, 2, 9]), whole)).toEqual({
    afi: 1,
    safi: 2,
    withdrawn: [],
    withdrawnRaw: new Uint8Array([9]),
  });
});
