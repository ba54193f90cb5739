/** wire/capabilities.ts: capability codes, and exact bytes of each capability value both ways. */
import { describe, expect, test } from 'bun:test';
import {
  CAP_AS4,
  CAP_ENHANCED_ROUTE_REFRESH,
  CAP_EXTENDED_MESSAGE,
  CAP_FQDN,
  CAP_GRACEFUL_RESTART,
  CAP_MP,
  CAP_ROUTE_REFRESH,
  CAP_ROUTE_REFRESH_OLD,
  type Capability,
  decodeCapability,
  encodeCapability,
  MAX_CAPABILITY_VALUE,
} from '../../agent/bgp/wire/capabilities.ts';
import { hex, toHex } from './hex.ts';

test('capability codes (IANA registry) and the one-octet value length', () => {
  expect([
    CAP_MP,
    CAP_ROUTE_REFRESH,
    CAP_EXTENDED_MESSAGE,
    CAP_GRACEFUL_RESTART,
    CAP_AS4,
    CAP_ENHANCED_ROUTE_REFRESH,
    CAP_FQDN,
    CAP_ROUTE_REFRESH_OLD,
  ]).toEqual([1, 2, 6, 64, 65, 70, 73, 128]);
  expect(MAX_CAPABILITY_VALUE).toBe(255);
});

const raw = (code: number, h: string): Capability => ({ code, raw: hex(h), unknown: true });

describe('decodeCapability: value hex -> capability', () => {
  const cases: [number, string, Capability][] = [
    [1, '00010001', { code: 1, afi: 1, safi: 1 }],
    [1, '01020002', { code: 1, afi: 258, safi: 2 }],
    [1, '000100', raw(1, '000100')],
    [1, '0001000100', raw(1, '0001000100')],
    [2, '', { code: 2 }],
    [2, '00', raw(2, '00')],
    [128, '', { code: 128 }],
    [6, '', { code: 6 }],
    [6, '01', raw(6, '01')],
    [70, '', { code: 70 }],
    [65, '0001000a', { code: 65, asn: 65546 }],
    [65, 'ff000001', { code: 65, asn: 0xff000001 }],
    [65, '01020304', { code: 65, asn: 0x01020304 }],
    [65, '000100', raw(65, '000100')],
    [65, '0001000100', raw(65, '0001000100')],
    [64, '', raw(64, '')],
    [64, '00', raw(64, '00')],
    [64, '0078', { code: 64, restarting: false, notification: false, restartTime: 120, families: [] }],
    [64, '8fff', { code: 64, restarting: true, notification: false, restartTime: 4095, families: [] }],
    [64, '4001', { code: 64, restarting: false, notification: true, restartTime: 1, families: [] }],
    [64, '1078', raw(64, '1078')],
    [64, '2078', raw(64, '2078')],
    [64, '007800', raw(64, '007800')],
    [64, '0078000101', raw(64, '0078000101')],
    [
      64,
      '007800010100',
      {
        code: 64,
        restarting: false,
        notification: false,
        restartTime: 120,
        families: [{ afi: 1, safi: 1, forwarding: false }],
      },
    ],
    [64, '00780001010000', raw(64, '00780001010000')],
    [
      64,
      'c0780001018001020100',
      {
        code: 64,
        restarting: true,
        notification: true,
        restartTime: 120,
        families: [
          { afi: 1, safi: 1, forwarding: true },
          { afi: 258, safi: 1, forwarding: false },
        ],
      },
    ],
    [64, '0078000101c0', raw(64, '0078000101c0')],
    [64, '007800010101', raw(64, '007800010101')],
    [64, '007800010140', raw(64, '007800010140')],
    [73, '', raw(73, '')],
    [73, '00', raw(73, '00')],
    [73, '0000', { code: 73, hostname: '', domain: '' }],
    [73, '0268690178', { code: 73, hostname: 'hi', domain: 'x' }],
    [73, '026869', raw(73, '026869')],
    [73, '02686900', { code: 73, hostname: 'hi', domain: '' }],
    [73, '0268690078', raw(73, '0268690078')],
    [73, '02686902', raw(73, '02686902')],
    [73, '0368690078', raw(73, '0368690078')],
    [73, '01ff00', raw(73, '01ff00')],
    [73, '000178', { code: 73, hostname: '', domain: 'x' }],
    [73, '0001ff', raw(73, '0001ff')],
    [99, '0102', raw(99, '0102')],
  ];
  for (const [code, v, want] of cases)
    test(`${code} ${v || '(empty)'}`, () => expect(decodeCapability(code, hex(v))).toEqual(want));
});

describe('encodeCapability: capability -> code, length, value', () => {
  const cases: [Capability, string][] = [
    [{ code: 1, afi: 1, safi: 1 }, '010400010001'],
    [{ code: 1, afi: 258, safi: 2 }, '010401020002'],
    [{ code: 2 }, '0200'],
    [{ code: 128 }, '8000'],
    [{ code: 6 }, '0600'],
    [{ code: 70 }, '4600'],
    [{ code: 65, asn: 0xff0201fe }, '4104ff0201fe'],
    [{ code: 64, restarting: false, notification: false, restartTime: 120, families: [] }, '40020078'],
    [{ code: 64, restarting: true, notification: false, restartTime: 0x1fff, families: [] }, '40028fff'],
    [
      {
        code: 64,
        restarting: false,
        notification: true,
        restartTime: 1,
        families: [
          { afi: 1, safi: 1, forwarding: true },
          { afi: 258, safi: 2, forwarding: false },
        ],
      },
      '400a' + '4001' + '00010180' + '01020200',
    ],
    [{ code: 73, hostname: 'hi', domain: 'x' }, '4905' + '026869' + '0178'],
    [{ code: 73, hostname: '', domain: '' }, '49020000'],
    [{ code: 99, raw: hex('0102'), unknown: true }, '63020102'],
  ];
  for (const [c, want] of cases)
    test(want, () => {
      expect(toHex(encodeCapability(c))).toBe(want);
      if (!('unknown' in c) && !(c.code === 64 && c.restartTime > 0xfff))
        expect(decodeCapability(c.code, encodeCapability(c).subarray(2))).toEqual(c);
    });
});

test('FQDN: a long hostname keeps 253 bytes, the domain what is left, cut on UTF-8 boundaries', () => {
  const long = encodeCapability({ code: 73, hostname: 'h'.repeat(300), domain: 'd'.repeat(10) });
  expect([long[1], long[2], long[2 + 253 + 1]]).toEqual([255, 253, 0]);
  const split = encodeCapability({ code: 73, hostname: 'h'.repeat(250), domain: 'd'.repeat(10) });
  expect([split[1], split[2], split[3 + 250]]).toEqual([255, 250, 3]);
  // 'é' is two bytes: 127 of them are 254 bytes, cut back to 252 (not in the middle of one)
  const wide = encodeCapability({ code: 73, hostname: 'é'.repeat(127), domain: '' });
  expect([wide[1], wide[2]]).toEqual([254, 252]);
  expect(decodeCapability(73, wide.subarray(2))).toEqual({ code: 73, hostname: 'é'.repeat(126), domain: '' });
});

test('FQDN: a domain with room for less than its first character is left out whole', () => {
  // 251 hostname bytes leave 2 for the domain: '€' (3 bytes) does not fit, nothing of it is sent
  const c = encodeCapability({ code: 73, hostname: 'h'.repeat(251), domain: '€' });
  expect([c[1], c[2], c[3 + 251]]).toEqual([253, 251, 0]);
  expect(c.length).toBe(2 + 253);
});

test('4-octet AS: every octet of the ASN', () => {
  expect(toHex(encodeCapability({ code: 65, asn: 0x01030507 }))).toBe('410401030507');
  expect(decodeCapability(65, hex('01030507'))).toEqual({ code: 65, asn: 0x01030507 });
});
