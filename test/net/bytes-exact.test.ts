/** agent/net/bytes.ts: exact outputs of the byte forms on the cases the property tests do not pin. */
import { describe, expect, test } from 'bun:test';
import {
  formatBytes,
  formatIPv4Bytes,
  formatIPv6Bytes,
  parsePrefixBytes,
  parsePrefixInto,
} from '../../agent/net/bytes.ts';

const SIXTEEN = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);

describe('formatters without an offset read from byte 0', () => {
  test('IPv6', () => {
    expect(formatIPv6Bytes(SIXTEEN)).toBe('1011:1213:1415:1617:1819:1a1b:1c1d:1e1f');
    expect(formatIPv6Bytes(SIXTEEN, 0)).toBe('1011:1213:1415:1617:1819:1a1b:1c1d:1e1f');
    expect(formatBytes(6, SIXTEEN)).toBe('1011:1213:1415:1617:1819:1a1b:1c1d:1e1f');
  });

  test('IPv4', () => {
    expect(formatIPv4Bytes(SIXTEEN)).toBe('16.17.18.19');
    expect(formatBytes(4, SIXTEEN)).toBe('16.17.18.19');
    expect(formatIPv4Bytes(SIXTEEN, 1)).toBe('17.18.19.20');
  });
});

describe('parsePrefixInto', () => {
  test('a zone is dropped from an IPv6 prefix', () => {
    expect(parsePrefixBytes('fe80::1%eth0/128')).toEqual({
      family: 6,
      length: 128,
      bytes: Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
    });
    expect(parsePrefixBytes('fe80::1%eth0')?.length).toBe(128);
    expect(parsePrefixBytes('%eth0/64')).toBeUndefined();
  });

  test('an IPv4 tail is allowed in an IPv6 prefix', () => {
    expect(parsePrefixBytes('::ffff:10.1.2.3/128')).toEqual({
      family: 6,
      length: 128,
      bytes: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]),
    });
  });

  test('0.0.0.0 is an address like any other', () => {
    expect(parsePrefixBytes('0.0.0.0/0')).toEqual({ family: 4, length: 0, bytes: new Uint8Array() });
    expect(parsePrefixBytes('0.0.0.0')).toEqual({ family: 4, length: 32, bytes: new Uint8Array(4) });
  });

  test('writes exactly out[at, at + 16): the address, then zeros; bytes around it are left alone', () => {
    const out = new Uint8Array(48).fill(0xaa);
    expect(parsePrefixInto('10.1.2.3/32', out, 16)).toBe(0x420);
    expect([...out.subarray(16, 32)]).toEqual([10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...out.subarray(0, 16)]).toEqual(new Array(16).fill(0xaa));
    expect([...out.subarray(32)]).toEqual(new Array(16).fill(0xaa));
    out.fill(0xaa);
    expect(parsePrefixInto('10.1.2.3/12', out, 16)).toBe(0x40c);
    expect([...out.subarray(16, 32)]).toEqual([10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...out.subarray(32)]).toEqual(new Array(16).fill(0xaa));
    out.fill(0xaa);
    expect(parsePrefixInto('2001:db8:ffff::/35', out, 16)).toBe(0x623);
    expect([...out.subarray(16, 32)]).toEqual([0x20, 1, 0xd, 0xb8, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...out.subarray(0, 16)]).toEqual(new Array(16).fill(0xaa));
    expect([...out.subarray(32)]).toEqual(new Array(16).fill(0xaa));
  });

  test('host bits are cleared up to the last byte of an IPv6 row', () => {
    const out = new Uint8Array(16).fill(0xaa);
    expect(parsePrefixInto('2001:db8::ff/64', out, 0)).toBe(0x640);
    expect([...out]).toEqual([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('every refusal is exactly -1, and leaves (family << 8) | length otherwise', () => {
    const out = new Uint8Array(32);
    for (const bad of [
      'zz::/64',
      '1::2::3/64',
      '10.0.0.256/8',
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/x',
      '::/1234',
    ])
      expect([bad, parsePrefixInto(bad, out, 0)]).toEqual([bad, -1]);
    expect(parsePrefixInto('10.0.0.0/8', out, 16)).toBe(0x408);
    expect(parsePrefixInto('2001:db8::/32', out, 0)).toBe(0x620);
    expect(parsePrefixInto('::', out, 0)).toBe(0x680);
  });
});
