/** agent/net/bytes.ts: the codec's byte forms agree with ip.ts (the slow, reference parser). */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  formatBytes,
  formatPrefixBytes,
  parseBytes,
  parseIPv6Bytes,
  parsePrefixBytes,
} from '../../agent/net/bytes.ts';
import { formatIP, ipFromBytes, ipToBytes, parseCidr, parseIP } from '../../agent/net/ip.ts';
import { seeded } from '../support/property.ts';

const word = fc.integer({ min: 0, max: 0xffff });
const zeroish = fc.oneof(word, fc.constant(0), fc.constant(0));
const words = fc.array(zeroish, { minLength: 8, maxLength: 8 });
const v6value = words.map((ws) => ws.reduce((v, w) => (v << 16n) | BigInt(w), 0n));
const v4value = fc.integer({ min: 0, max: 0xffffffff }).map(BigInt);

describe('bytes agree with ip.ts', () => {
  test('IPv6: parse(formatIP(x)) is ipToBytes(x), and format(bytes) is formatIP(x) off the mapped range', () => {
    fc.assert(
      fc.property(v6value, (value) => {
        const ip = { family: 6 as const, value };
        const bytes = ipToBytes(ip);
        expect(parseBytes(formatIP(ip))).toEqual({ family: 6, bytes });
        // formatIP writes ::ffff:a.b.c.d style forms for the first 80 zero bits; the codec writes hex.
        if (value >> 48n !== 0n) expect(formatBytes(6, bytes)).toBe(formatIP(ip));
        expect(ipFromBytes(parseBytes(formatBytes(6, bytes))!.bytes, 6)).toEqual(ip);
      }),
      seeded(3000),
    );
  });

  test('IPv4: the same in both directions', () => {
    fc.assert(
      fc.property(v4value, (value) => {
        const ip = { family: 4 as const, value };
        expect(parseBytes(formatIP(ip))).toEqual({ family: 4, bytes: ipToBytes(ip) });
        expect(formatBytes(4, ipToBytes(ip))).toBe(formatIP(ip));
      }),
      seeded(100),
    );
  });

  test('what the bytes parser accepts, parseIP accepts with the same value', () => {
    const corpus = [
      '10.0.0.1',
      '255.255.255.255',
      '0.0.0.0',
      '010.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '::',
      '::1',
      '1::',
      '2001:db8::1',
      '2001:DB8::A',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:',
      '::ffff:192.0.2.1',
      '64:ff9b::192.0.2.33',
      '1:2:3:4:5:6:1.2.3.4',
      '1:2:3:4:5:6:7:1.2.3.4',
      '::ffff:01.2.3.4',
      '12345::',
      'g::1',
      '',
    ];
    for (const t of corpus) {
      const fast = parseBytes(t);
      const slow = parseIP(t);
      if (fast) {
        expect(slow.ok).toBe(true);
        if (slow.ok) expect(fast.bytes).toEqual(ipToBytes(slow.value));
      }
    }
  });

  test('a zone suffix is ignored', () => {
    expect(parseIPv6Bytes('fe80::1%eth0')).toEqual(parseIPv6Bytes('fe80::1'));
  });

  test('prefixes: host bits cleared, the same network as parseCidr', () => {
    fc.assert(
      fc.property(v6value, fc.integer({ min: 0, max: 128 }), (value, length) => {
        const text = `${formatIP({ family: 6, value })}/${length}`;
        const p = parsePrefixBytes(text)!;
        const c = parseCidr(text);
        expect(c.ok).toBe(true);
        if (!c.ok) return;
        const base = ipToBytes({ family: 6, value: c.value.base });
        expect(p.bytes).toEqual(base.slice(0, (length + 7) >> 3));
        expect(parsePrefixBytes(formatPrefixBytes(p))).toEqual(p);
      }),
      seeded(2000),
    );
    expect(formatPrefixBytes(parsePrefixBytes('10.1.2.3/8')!)).toBe('10.0.0.0/8');
    expect(parsePrefixBytes('10.0.0.1')?.length).toBe(32);
    expect(parsePrefixBytes('10.0.0.0/33')).toBeUndefined();
  });
});
