// The CRD's address patterns agree with the agent's own parser: every address the parser
// accepts matches, and the near-misses users type (`1.2.3`, `1.2.3.256`, `:::`) do not.
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { HOST_ADDRESS_PATTERN, IP_ADDRESS_PATTERN } from '../../agent/api/schema/ip-pattern.ts';
import { formatIP, parseIP } from '../../agent/net/ip.ts';
import { seeded } from '../support/property.ts';

const ip = new RegExp(IP_ADDRESS_PATTERN);
const host = new RegExp(HOST_ADDRESS_PATTERN);

describe('IP_ADDRESS_PATTERN', () => {
  test.each([
    '172.198.1.2',
    '0.0.0.0',
    '255.255.255.255',
    '2001:db8::1',
    '::',
    '::1',
    'fe80::',
    '2001:0db8:0000:0000:0000:ff00:0042:8329',
    '::ffff:192.168.2.1',
    '64:ff9b::192.168.2.1',
    '1:2:3:4:5:6:1.2.3.4',
  ])('accepts %s (and so does the parser)', (s) => {
    expect(ip.test(s)).toBe(true);
    expect(parseIP(s).ok).toBe(true);
  });

  test.each([
    '1.2.3',
    '1.2.3.256',
    '01.2.3.4x',
    '1.2.3.4.5',
    ':::',
    '1::2::3',
    '12345::1',
    '1:2:3:4:5:6:7:8:9',
    '2001:db8::g',
    '',
    ' 1.2.3.4',
    '1.2.3.4/32',
  ])('refuses %p', (s) => {
    expect(ip.test(s)).toBe(false);
  });

  test('every address the parser formats matches (seeded property)', () => {
    // Few-bit values too, so the compressed "::" forms come up often.
    const v4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((value) => ({ family: 4 as const, value }));
    const v6 = fc
      .tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.bigInt({ min: 0n, max: 0xffffn }), fc.nat(7))
      .chain(([wide, small, at]) =>
        fc.constantFrom(wide, small << BigInt(16 * at), wide & ~(0xffffffffn << 32n)),
      )
      .map((value) => ({ family: 6 as const, value }));
    fc.assert(
      fc.property(fc.oneof(v4, v6), (addr) => {
        const text = formatIP(addr);
        return ip.test(text) && parseIP(text).ok;
      }),
      seeded(2000),
    );
  });
});

describe('HOST_ADDRESS_PATTERN', () => {
  test('an address or its host prefix of the right family', () => {
    for (const s of ['192.168.2.1', '192.168.2.1/32', '2001:db8::1', '2001:db8::1/128'])
      expect(host.test(s)).toBe(true);
    for (const s of ['192.168.2.1/128', '2001:db8::1/32', '192.168.2.0/24', '1.2.3/32'])
      expect(host.test(s)).toBe(false);
  });
});
