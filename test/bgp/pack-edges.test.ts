/** UPDATE packing at the edges: a long attribute block, and runs that exactly fill a message. */
import { expect, test } from 'bun:test';
import { packIPv4Announce, packIPv4Withdraw, packIPv6Announce } from '../../agent/bgp/rib/pack.ts';
import { toWirePrefixes } from '../../agent/bgp/wire/index.ts';
import { toHex } from './hex.ts';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`);

test('an attribute block over 255 bytes: both length octets', () => {
  const attrs = new Uint8Array(300).fill(7);
  const [m] = packIPv4Announce(attrs, toWirePrefixes(['10.0.0.1/32'], 1), 4096);
  expect([m?.[21], m?.[22]]).toEqual([1, 44]);
  expect(m?.length).toBe(19 + 4 + 300 + 5);
});

test('prefixes that exactly fill the room go in one message; one more starts another', () => {
  // room = 4096 - 23 - attrs; each /32 is 5 bytes
  const attrs = new Uint8Array(4096 - 23 - 5 * 100);
  expect(packIPv4Announce(attrs, toWirePrefixes(hosts(100), 1), 4096).map((m) => m.length)).toEqual([4096]);
  expect(packIPv4Announce(attrs, toWirePrefixes(hosts(101), 1), 4096).map((m) => m.length)).toEqual([
    4096,
    28 + attrs.length,
  ]);
  // withdrawals: room = 4096 - 23
  const w = packIPv4Withdraw(toWirePrefixes(hosts(814), 1), 4096).map((m) => m.length);
  expect(w).toEqual([23 + 814 * 5]);
  expect(packIPv4Withdraw(toWirePrefixes(hosts(815), 1), 4096).map((m) => m.length)).toEqual([4093, 28]);
});

test('prefix lengths that are not whole octets take their partial octet', () => {
  // /25: 1 + 4 bytes, /9: 1 + 2, /1: 1 + 1
  const ps = ['10.0.0.0/25', '10.0.0.128/25', '10.128.0.0/9', '128.0.0.0/1'];
  const [m, ...more] = packIPv4Withdraw(toWirePrefixes(ps, 1), 4096);
  expect(more).toEqual([]);
  expect(m?.length).toBe(23 + 5 + 5 + 3 + 2);
  expect([...(m ?? new Uint8Array()).subarray(19)]).toEqual([
    0, 15, 25, 10, 0, 0, 0, 25, 10, 0, 0, 128, 9, 10, 128, 1, 128, 0, 0,
  ]);
});

test('nothing to pack: no message', () => {
  expect(packIPv4Withdraw([], 4096)).toEqual([]);
  expect(packIPv4Announce(new Uint8Array(10), [], 4096)).toEqual([]);
});

test('an IPv4 attribute block must leave room for one /32 (5 bytes)', () => {
  const one = toWirePrefixes(['10.0.0.1/32'], 1);
  expect(packIPv4Announce(new Uint8Array(4096 - 23 - 5), one, 4096).map((m) => m.length)).toEqual([4096]);
  expect(() => packIPv4Announce(new Uint8Array(4096 - 23 - 4), one, 4096)).toThrow(
    'attribute block too large for one UPDATE',
  );
});

test('IPv6: MP_REACH_NLRI head counted exactly; the block must leave room for one /128 (17 bytes)', () => {
  const nh = new Uint8Array(16).fill(0x20);
  const v6 = (n: number) =>
    toWirePrefixes(
      Array.from({ length: n }, (_, i) => `2001:db8::${i + 1}/128`),
      2,
    );
  // room = 4096 - 23 (header, lengths) - 25 (MP_REACH_NLRI head with a 16-byte next hop) - attrs
  const fits10 = new Uint8Array(4096 - 23 - 25 - 170);
  expect(packIPv6Announce(fits10, nh, v6(10), 4096).map((m) => m.length)).toEqual([4096]);
  expect(packIPv6Announce(fits10, nh, v6(11), 4096).map((m) => m.length)).toEqual([4096, 4096 - 170 + 17]);
  const fits9 = new Uint8Array(4096 - 23 - 25 - 169);
  expect(packIPv6Announce(fits9, nh, v6(10), 4096).map((m) => m.length)).toEqual([
    4096 - 169 + 17 * 9,
    4096 - 169 + 17,
  ]);
  const room17 = new Uint8Array(4096 - 23 - 25 - 17);
  expect(packIPv6Announce(room17, nh, v6(1), 4096).map((m) => m.length)).toEqual([4096]);
  expect(() => packIPv6Announce(new Uint8Array(4096 - 23 - 25 - 16), nh, v6(1), 4096)).toThrow(
    'attribute block too large for one UPDATE',
  );
});

test('an IPv6 announcement byte for byte: MP_REACH_NLRI first, reserved octet zero, then the attributes', () => {
  const nh = new Uint8Array(16).fill(0x20);
  const [m] = packIPv6Announce(
    new Uint8Array([0x40, 1, 1, 0]),
    nh,
    toWirePrefixes(['2001:db8::1/128'], 2),
    4096,
  );
  expect(toHex(m!.subarray(16))).toBe(
    '004502' +
      '0000' +
      '002e' +
      '900e0026' +
      '00020110' +
      '20'.repeat(16) +
      '00' +
      '80' +
      '20010db8000000000000000000000001' +
      '40010100',
  );
});
