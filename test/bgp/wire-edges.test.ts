/** BGP codec edges the round-trip tests do not reach: odd AFIs, next-hop widths, length bytes, cut segments. */
import { expect, test } from 'bun:test';
import { decodeSegments } from '../../agent/bgp/wire/as-path.ts';
import { Attr, encodeAttribute, OPTIONAL, TRANSITIVE } from '../../agent/bgp/wire/attribute-types.ts';
import { encodeAttributes } from '../../agent/bgp/wire/attributes.ts';
import { WireError } from '../../agent/bgp/wire/errors.ts';
import { decodeMPReach, encodeMPUnreach } from '../../agent/bgp/wire/mp-nlri.ts';
import { toWirePrefixes } from '../../agent/bgp/wire/nlri.ts';
import { decodeOpen } from '../../agent/bgp/wire/open.ts';
import {
  decodeRouteRefresh,
  encodeRouteRefresh,
  RouteRefreshSubtype,
} from '../../agent/bgp/wire/route-refresh.ts';

const whole = new Uint8Array(0);
const NH6 = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1];

test('MP_REACH_NLRI: IPv4 NLRI takes a 4-, 16- or 32-byte next hop (RFC 8950), not 31', () => {
  for (const nh of [[10, 0, 0, 1], NH6, [...NH6, 0xfe, 0x80, ...Array(13).fill(0), 1]]) {
    const r = decodeMPReach(new Uint8Array([0, 1, 1, nh.length, ...nh, 0, 24, 10, 1, 2]), whole);
    expect(r).toEqual({ afi: 1, safi: 1, nextHop: new Uint8Array(nh), nlri: ['10.1.2.0/24'] });
  }
  const nh31 = Array(31).fill(1);
  expect(() => decodeMPReach(new Uint8Array([0, 1, 1, 31, ...nh31, 0]), whole)).toThrow(WireError);
});

test('MP_REACH_NLRI of an AFI above 255 keeps both AFI bytes', () => {
  // AFI 16388 (BGP-LS), SAFI 71: not decoded, kept raw.
  const r = decodeMPReach(new Uint8Array([0x40, 0x04, 71, 4, 10, 0, 0, 1, 0, 9]), whole);
  expect(r).toEqual({
    afi: 16388,
    safi: 71,
    nextHop: new Uint8Array([10, 0, 0, 1]),
    nlri: [],
    nlriRaw: new Uint8Array([9]),
  });
});

test('MP_UNREACH_NLRI encodes both AFI bytes', () => {
  const b = encodeMPUnreach({ afi: 16388, safi: 71, withdrawn: [], withdrawnRaw: new Uint8Array() });
  expect([...b]).toEqual([OPTIONAL, Attr.MP_UNREACH_NLRI, 3, 0x40, 0x04, 71]);
});

test('an extended-length attribute carries both length bytes', () => {
  const b = encodeAttribute(OPTIONAL | TRANSITIVE, 99, new Uint8Array(300));
  expect([...b.subarray(0, 4)]).toEqual([0xd0, 99, 1, 44]);
  expect(b.length).toBe(304);
});

test('AGGREGATOR with an address that does not parse is sent as 0.0.0.0', () => {
  const b = encodeAttributes({ aggregator: { asn: 65000, address: 'not-an-ip' } }, { as4: true });
  expect([...b]).toEqual([OPTIONAL | TRANSITIVE, Attr.AGGREGATOR, 8, 0, 0, 0xfd, 0xe8, 0, 0, 0, 0]);
});

test('an AS_PATH cut after a segment type byte is malformed', () => {
  expect(decodeSegments(Uint8Array.of(2), 4)).toBeUndefined();
  expect(decodeSegments(Uint8Array.of(2, 1, 0, 0, 0xfd, 0xe8, 2), 4)).toBeUndefined();
  expect(decodeSegments(Uint8Array.of(2, 1, 0, 0, 0xfd, 0xe8), 4)).toEqual([{ type: 2, asns: [65000] }]);
});

test('toWirePrefixes names the family it expected', () => {
  expect(() => toWirePrefixes(['2001:db8::/32'], 1)).toThrow('not an IPv4 prefix: 2001:db8::/32');
  expect(() => toWirePrefixes(['10.0.0.0/8'], 2)).toThrow('not an IPv6 prefix: 10.0.0.0/8');
});

test('OPEN: a capabilities parameter of length 0 ending the message is accepted', () => {
  const msg = new Uint8Array([
    ...Array(16).fill(0xff),
    0,
    31,
    1, // header
    4,
    0xfd,
    0xe8,
    0,
    90,
    10,
    0,
    0,
    1,
    2, // optional parameters length
    2,
    0,
  ]);
  expect(decodeOpen(msg)).toEqual({
    type: 'open',
    version: 4,
    myAS: 65000,
    holdTime: 90,
    bgpId: '10.0.0.1',
    capabilities: [],
  });
});

test('ROUTE-REFRESH subtypes are the RFC 7313 values', () => {
  expect(RouteRefreshSubtype).toEqual({ Normal: 0, BoRR: 1, EoRR: 2 });
  const m = encodeRouteRefresh({ afi: 2, safi: 1, subtype: RouteRefreshSubtype.EoRR });
  expect(m[21]).toBe(2);
  expect(decodeRouteRefresh(m)).toEqual({ type: 'route-refresh', afi: 2, safi: 1, subtype: 2 });
});
