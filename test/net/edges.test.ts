/** Edge cases of the address parsers that the round-trip tests do not reach. */
import { expect, test } from 'bun:test';
import { parsePrefixBytes } from '../../agent/net/bytes.ts';
import { canonicalIP, parseCidr } from '../../agent/net/ip.ts';
import { scan4, scan6 } from '../../agent/net/scan.ts';

test('parsePrefixBytes: a slash with no length is refused', () => {
  expect(parsePrefixBytes('10.0.0.0/')).toBeUndefined();
  expect(parsePrefixBytes('2001:db8::/')).toBeUndefined();
  expect(parsePrefixBytes('10.0.0.0/0')).toEqual({ family: 4, length: 0, bytes: new Uint8Array() });
});

test('parseCidr: a bare address only with allowBare', () => {
  expect(parseCidr('10.0.0.1').ok).toBe(false);
  expect(parseCidr('10.0.0.1', { allowBare: true })).toEqual({
    ok: true,
    value: { family: 4, base: 0x0a000001n, prefixLength: 32 },
  });
});

test('parseCidr strict: host bits are refused, a clean network is not', () => {
  const r = parseCidr('10.0.0.1/24', { strict: true });
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.error).toContain('network is 10.0.0.0/24');
  expect(parseCidr('10.0.0.0/24', { strict: true })).toEqual({
    ok: true,
    value: { family: 4, base: 0x0a000000n, prefixLength: 24 },
  });
  expect(parseCidr('10.0.0.1/24').ok).toBe(true);
});

test('canonicalIP: the canonical text, or undefined', () => {
  expect(canonicalIP('2001:DB8:0::1')).toBe('2001:db8::1');
  expect(canonicalIP('not an address')).toBeUndefined();
});

test('scan4: a character just below the digits ends the address', () => {
  expect(scan4('10.0.0.1/')).toBe(-1);
  expect(scan4('10.0.0./')).toBe(-1);
});

test('scan6: the characters just before a-f and A-F are not hex digits', () => {
  expect(scan6('fe80::`')).toBe(false);
  expect(scan6('fe80::@')).toBe(false);
  expect(scan6('fe80::a')).toBe(true);
  expect(scan6('fe80::A')).toBe(true);
});
