/**
 * Time-boxed property tests (fast-check): decoding and checking any bytes never throws
 * anything but BfdCodecError (checkDatagram never throws at all); whatever decodes
 * re-encodes to its first 24 bytes; generated packets round-trip.
 */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { checkDatagram } from '../../agent/bfd/checks.ts';
import {
  BfdCodecError,
  type ControlPacket,
  decodeControl,
  encodeControl,
  type SessionState,
} from '../../agent/bfd/packet.ts';
import { seeded } from '../support/property.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const arbPacket: fc.Arbitrary<ControlPacket> = fc.record({
  version: fc.integer({ min: 0, max: 7 }),
  diagnostic: fc.integer({ min: 0, max: 31 }),
  state: fc.constantFrom<SessionState>('AdminDown', 'Down', 'Init', 'Up'),
  poll: fc.boolean(),
  final: fc.boolean(),
  controlPlaneIndependent: fc.boolean(),
  authentication: fc.boolean(),
  demand: fc.boolean(),
  multipoint: fc.boolean(),
  detectMult: fc.integer({ min: 0, max: 255 }),
  length: fc.integer({ min: 0, max: 255 }),
  myDiscriminator: u32,
  yourDiscriminator: u32,
  desiredMinTxUs: u32,
  requiredMinRxUs: u32,
  requiredMinEchoRxUs: u32,
});

describe('BFD codec properties', () => {
  test('decode of any bytes throws nothing but BfdCodecError; checkDatagram never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 255 }), (bytes, ttl) => {
        try {
          const p = decodeControl(bytes);
          expect(encodeControl(p)).toEqual(bytes.slice(0, 24));
        } catch (e) {
          if (!(e instanceof BfdCodecError)) throw e;
          expect(bytes.length).toBeLessThan(24);
        }
        const r = checkDatagram(bytes, ttl, 255);
        if (r.ok) expect(ttl).toBe(255);
      }),
      seeded(20_000),
    );
  }, 15_000);

  test('generated packets round-trip: decode(encode(p)) equals p', () => {
    fc.assert(
      fc.property(arbPacket, (p) => {
        expect(decodeControl(encodeControl(p))).toEqual(p);
      }),
      seeded(5000),
    );
  }, 15_000);

  test('mutated valid packets: the checks accept only what the RFC allows', () => {
    fc.assert(
      fc.property(arbPacket, fc.integer({ min: 24, max: 40 }), (p, size) => {
        const bytes = new Uint8Array(size);
        bytes.set(encodeControl(p));
        const r = checkDatagram(bytes, 255, 255);
        if (!r.ok) return;
        expect(p.version).toBe(1);
        expect(p.length).toBeGreaterThanOrEqual(24);
        expect(p.length).toBeLessThanOrEqual(size);
        expect(p.detectMult).toBeGreaterThan(0);
        expect(p.multipoint).toBe(false);
        expect(p.authentication).toBe(false);
        expect(p.myDiscriminator).not.toBe(0);
        if (p.yourDiscriminator === 0) expect(['Down', 'AdminDown']).toContain(p.state);
      }),
      seeded(5000),
    );
  }, 15_000);
});
