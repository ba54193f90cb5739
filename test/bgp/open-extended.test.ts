/** OPENs whose optional parameters exceed 255 bytes use the RFC 9072 extended form, and round-trip. */
import { expect, test } from 'bun:test';
import { type Capability, decodeMessage, encodeOpen, openFor } from '../../agent/bgp/wire/index.ts';

test('a long capability list: extended optional parameters, decoded back as sent', () => {
  const caps: Capability[] = [
    { code: 1, afi: 1, safi: 1 },
    { code: 65, asn: 4_200_000_001 },
    { code: 73, hostname: 'h'.repeat(150), domain: 'd'.repeat(100) },
  ];
  const bytes = encodeOpen(openFor(4_200_000_001, 90, '10.0.0.1', caps));
  expect([bytes[28], bytes[29]]).toEqual([255, 255]);
  const m = decodeMessage(bytes);
  expect(m.type === 'open' && m.capabilities).toEqual(caps);
  // a short list keeps the one-octet form
  const short = encodeOpen(openFor(65001, 90, '10.0.0.1', caps.slice(0, 2)));
  expect(short[28]).toBeLessThan(255);
  const s = decodeMessage(short);
  expect(s.type === 'open' && s.capabilities).toEqual(caps.slice(0, 2));
});

test('an extended Capabilities parameter over 255 bytes holding many capabilities is decoded', () => {
  const mp = [1, 4, 0, 1, 0, 1]; // Multiprotocol IPv4 unicast, 6 bytes
  const caps = Array.from({ length: 50 }, () => mp).flat(); // 300 bytes in one parameter
  const params = [2, caps.length >> 8, caps.length & 255, ...caps];
  const body = [
    4,
    0xfd,
    0xe9,
    0,
    90,
    10,
    0,
    0,
    2,
    255,
    255,
    params.length >> 8,
    params.length & 255,
    ...params,
  ];
  const len = 19 + body.length;
  const bytes = new Uint8Array([...Array(16).fill(0xff), len >> 8, len & 255, 1, ...body]);
  const m = decodeMessage(bytes);
  expect(m.type === 'open' && m.capabilities.length).toBe(50);
  expect(m.type === 'open' && m.capabilities[49]).toEqual({ code: 1, afi: 1, safi: 1 });
});
