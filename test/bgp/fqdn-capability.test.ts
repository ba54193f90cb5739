// The FQDN capability's value is limited to 255 bytes by its one-octet length: long names are cut,
// never encoded with a wrapped length byte.
import { expect, test } from 'bun:test';
import { decodeCapability, encodeCapability } from '../../agent/bgp/wire/capabilities.ts';

test('a hostname and domain of 255 bytes each are cut to fit one capability', () => {
  const out = encodeCapability({ code: 73, hostname: 'h'.repeat(255), domain: 'd'.repeat(255) });
  expect(out[0]).toBe(73);
  expect(out[1]).toBe(out.length - 2);
  expect(out.length - 2).toBeLessThanOrEqual(255);
  const back = decodeCapability(73, out.subarray(2));
  expect(back).toEqual({ code: 73, hostname: 'h'.repeat(253), domain: '' });
});

test('a domain is cut to what the hostname leaves', () => {
  const out = encodeCapability({ code: 73, hostname: 'pi4', domain: 'd'.repeat(300) });
  expect(out[1]).toBe(255);
  expect(decodeCapability(73, out.subarray(2))).toEqual({
    code: 73,
    hostname: 'pi4',
    domain: 'd'.repeat(250),
  });
});

test('a cut never splits a UTF-8 character', () => {
  // 'é' is two bytes: 127 of them are 254 bytes, one more than the hostname may hold; the
  // domain gets the one byte left.
  const out = encodeCapability({ code: 73, hostname: 'é'.repeat(127), domain: 'lan' });
  const back = decodeCapability(73, out.subarray(2));
  expect(back).toEqual({ code: 73, hostname: 'é'.repeat(126), domain: 'l' });
});

test('names that fit are kept whole', () => {
  const out = encodeCapability({ code: 73, hostname: 'pi4', domain: 'home.arpa' });
  expect(out[1]).toBe(2 + 3 + 9);
  expect(decodeCapability(73, out.subarray(2))).toEqual({ code: 73, hostname: 'pi4', domain: 'home.arpa' });
});
