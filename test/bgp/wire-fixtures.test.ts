/** Each message as hex and as a typed value, checked in both directions. */
import { describe, expect, test } from 'bun:test';
import {
  type DecodeContext,
  decodeMessage,
  encodeEndOfRib,
  encodeMessage,
  endOfRibFamily,
  type Message,
  shutdownData,
  shutdownMessage,
} from '../../agent/bgp/wire/index.ts';
import { hex, MARKER, msg, toHex, update } from './hex.ts';

const m = (type: number, body: string) => toHex(msg(type, body.replace(/\s+/g, '')));
const u = (w: string, a: string, n: string) =>
  toHex(update(w.replace(/\s+/g, ''), a.replace(/\s+/g, ''), n.replace(/\s+/g, '')));

const AS4: DecodeContext = { as4: true, maxLength: 4096 };
const AS2: DecodeContext = { as4: false, maxLength: 4096 };

interface Fixture {
  name: string;
  hex: string;
  value: Message;
  ctx?: DecodeContext;
}

const FIXTURES: Fixture[] = [
  { name: 'KEEPALIVE', hex: `${MARKER}001304`, value: { type: 'keepalive' } },
  {
    name: 'OPEN AS 65001, hold 90, MP v4+v6, RR, AS4, GR 120 with F bits, ext msg, FQDN',
    hex: m(
      1,
      '04 fde9 005a 0a000001 38' +
        '0206 0104 0001 0001' +
        '0206 0104 0002 0001' +
        '0202 0200' +
        '0206 4104 0000fde9' +
        '0202 0600' +
        '020c 400a 0078 0001 0180 0002 0180' +
        '0208 4906 046e6f6465 00',
    ),
    value: {
      type: 'open',
      version: 4,
      myAS: 65001,
      holdTime: 90,
      bgpId: '10.0.0.1',
      capabilities: [
        { code: 1, afi: 1, safi: 1 },
        { code: 1, afi: 2, safi: 1 },
        { code: 2 },
        { code: 65, asn: 65001 },
        { code: 6 },
        {
          code: 64,
          restarting: false,
          notification: false,
          restartTime: 120,
          families: [
            { afi: 1, safi: 1, forwarding: true },
            { afi: 2, safi: 1, forwarding: true },
          ],
        },
        { code: 73, hostname: 'node', domain: '' },
      ],
    },
  },
  {
    name: 'OPEN with 4-byte ASN uses AS_TRANS (23456 = 0x5ba0)',
    hex: `${MARKER}0025 01 04 5ba0 00b4 c0000201 08 0206 4104 fa56ea01`,
    value: {
      type: 'open',
      version: 4,
      myAS: 23456,
      holdTime: 180,
      bgpId: '192.0.2.1',
      capabilities: [{ code: 65, asn: 4200000001 }],
    },
  },
  {
    // The attribute block from the research notes (encoder micro-benchmark), independent of this codec.
    name: 'UPDATE eBGP /32: ORIGIN IGP, AS_PATH [65001], NEXT_HOP 192.0.2.2, COMMUNITY 65001:100',
    hex: u('', '40010100 400206020100 00fde9 400304c0000202 c00804fde90064', '20c6336401'),
    value: {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 0,
        asPath: [{ type: 2, asns: [65001] }],
        nextHop: '192.0.2.2',
        communities: [65001 * 65536 + 100],
      },
      nlri: ['198.51.100.1/32'],
    },
  },
  {
    name: 'UPDATE 2-octet session: AS_TRANS in AS_PATH, AS4_PATH with the real ASN',
    hex: u('', '40010100 400204 02015ba0 400304c0000202 c01106 0201fa56ea01', '20c6336401'),
    ctx: AS2,
    value: {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 0,
        asPath: [{ type: 2, asns: [23456] }],
        nextHop: '192.0.2.2',
        as4Path: [{ type: 2, asns: [4200000001] }],
      },
      nlri: ['198.51.100.1/32'],
    },
  },
  {
    name: 'UPDATE iBGP: empty AS_PATH, LOCAL_PREF 200, LARGE_COMMUNITY 65001:1:2',
    hex: u(
      '',
      '40010100 400200 400304c0000202 400504000000c8 c0200c 0000fde9 00000001 00000002',
      '20c6336402',
    ),
    value: {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 0,
        asPath: [],
        nextHop: '192.0.2.2',
        localPref: 200,
        largeCommunities: [[65001, 1, 2]],
      },
      nlri: ['198.51.100.2/32'],
    },
  },
  {
    name: 'UPDATE IPv4 withdraw of two /32',
    hex: `${MARKER}0021 02 000a 20c6336401 20c6336402 0000`,
    value: { type: 'update', withdrawn: ['198.51.100.1/32', '198.51.100.2/32'], attributes: {}, nlri: [] },
  },
  {
    name: 'UPDATE IPv6 /128: MP_REACH first (16-byte next hop), then ORIGIN, AS_PATH',
    hex: u(
      '',
      '800e 26 0002 01 10 20010db8000000000000000000000010 00 80 20010db8000100000000000000000001' +
        '40010100 400206020100 00fde9',
      '',
    ),
    value: {
      type: 'update',
      withdrawn: [],
      attributes: {
        mpReach: {
          afi: 2,
          safi: 1,
          nextHop: hex('20010db8000000000000000000000010'),
          nlri: ['2001:db8:1::1/128'],
        },
        origin: 0,
        asPath: [{ type: 2, asns: [65001] }],
      },
      nlri: [],
    },
  },
  {
    name: 'UPDATE IPv6 withdraw (MP_UNREACH)',
    hex: u('', '800f 14 0002 01 80 20010db8000100000000000000000001', ''),
    value: {
      type: 'update',
      withdrawn: [],
      attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8:1::1/128'] } },
      nlri: [],
    },
  },
  {
    name: 'End-of-RIB IPv4: the empty UPDATE',
    hex: `${MARKER}0017 02 0000 0000`,
    value: { type: 'update', withdrawn: [], attributes: {}, nlri: [] },
  },
  {
    name: 'End-of-RIB IPv6 (BIRD form, 29 bytes)',
    hex: `${MARKER}001d 02 0000 0006 800f03 000201`,
    value: {
      type: 'update',
      withdrawn: [],
      attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: [] } },
      nlri: [],
    },
  },
  {
    name: 'ROUTE-REFRESH IPv6 unicast',
    hex: `${MARKER}0017 05 0002 00 01`,
    value: { type: 'route-refresh', afi: 2, safi: 1, subtype: 0 },
  },
  {
    name: 'NOTIFICATION Cease/Administrative Shutdown with "bye"',
    hex: `${MARKER}0019 03 06 02 03 627965`,
    value: { type: 'notification', code: 6, subcode: 2, data: hex('03627965') },
  },
  {
    name: 'NOTIFICATION Hold Timer Expired',
    hex: `${MARKER}0015 03 04 00`,
    value: { type: 'notification', code: 4, subcode: 0, data: new Uint8Array(0) },
  },
];

describe('wire fixtures', () => {
  for (const f of FIXTURES) {
    test(`decode: ${f.name}`, () => {
      expect(decodeMessage(hex(f.hex), f.ctx ?? AS4)).toEqual(f.value);
    });
    test(`encode: ${f.name}`, () => {
      expect(toHex(encodeMessage(f.value, f.ctx ?? AS4))).toBe(toHex(hex(f.hex)));
    });
  }

  test('End-of-RIB helpers', () => {
    expect(toHex(encodeEndOfRib('ipv4'))).toBe(`${MARKER}0017020000 0000`.replace(/ /g, ''));
    expect(toHex(encodeEndOfRib('ipv6'))).toBe(`${MARKER}001d0200000006800f03000201`);
    // ExaBGP sets the extended-length flag on its 3-byte MP_UNREACH (30 bytes).
    const exa = decodeMessage(hex(`${MARKER}001e 02 0000 0007 900f0003 000201`));
    expect(exa.type === 'update' && endOfRibFamily(exa)).toBe('ipv6');
    const v4 = decodeMessage(encodeEndOfRib('ipv4'));
    expect(v4.type === 'update' && endOfRibFamily(v4)).toBe('ipv4');
  });

  test('shutdown communication (RFC 9003) round-trips and is cut at 255 bytes on a character boundary', () => {
    const m = { code: 6, subcode: 2, data: shutdownData('maintenance: node drained') };
    expect(shutdownMessage(m)).toBe('maintenance: node drained');
    const long = shutdownData('é'.repeat(200));
    expect(long[0]).toBe(254);
    expect(shutdownMessage({ code: 6, subcode: 2, data: long })).toBe('é'.repeat(127));
  });
});
