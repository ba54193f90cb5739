/**
 * Properties of the L2 codec with fast-check: arbitrary ARP packets and NS/NA frames round-trip
 * exactly; arbitrary bytes and mutated captured frames never make a decoder or answer() throw; and
 * every reply answer() produces is a valid frame for an owned IP carrying our MAC.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { answer } from '../../agent/l2/answer.ts';
import {
  ArpOperation,
  decodeArpFrame,
  decodeNdFrame,
  encodeArpFrame,
  encodeNdFrame,
  formatMac,
  type NdFrame,
} from '../../agent/l2/wire/index.ts';
import { formatIP } from '../../agent/net/ip.ts';
import { hex } from '../bgp/hex.ts';
import { seeded } from '../support/property.ts';

const mac = fc.uint8Array({ minLength: 6, maxLength: 6 });
const v4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((value) => ({ family: 4 as const, value }));
const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value) => ({ family: 6 as const, value }));
const unicast6 = v6.filter((ip) => ip.value >> 120n !== 0xffn);

const arpFrame = fc.record({
  destination: mac,
  source: mac,
  arp: fc.record({
    operation: fc.constantFrom(ArpOperation.Request, ArpOperation.Reply),
    senderMac: mac,
    senderIP: v4,
    targetMac: mac,
    targetIP: v4,
  }),
});

const ndFrame: fc.Arbitrary<NdFrame> = fc
  .record({
    destinationMac: mac,
    sourceMac: mac,
    source: unicast6,
    destination: unicast6,
    lla: fc.option(mac, { nil: undefined }),
    target: unicast6,
    ns: fc.boolean(),
    router: fc.boolean(),
    solicited: fc.boolean(),
    override: fc.boolean(),
  })
  .map((r) => {
    const source = r.ns && r.lla ? { family: 6 as const, value: r.source.value | 1n } : r.source;
    const message: NdFrame['message'] = r.ns
      ? { type: 'ns', target: r.target, ...(r.lla ? { sourceLinkLayer: r.lla } : {}) }
      : {
          type: 'na',
          router: r.router,
          solicited: r.solicited,
          override: r.override,
          target: r.target,
          ...(r.lla ? { targetLinkLayer: r.lla } : {}),
        };
    return {
      destinationMac: r.destinationMac,
      sourceMac: r.sourceMac,
      source,
      destination: r.destination,
      hopLimit: 255,
      message,
    };
  });

const CAPTURED: Uint8Array[] = (
  JSON.parse(readFileSync(join(import.meta.dir, '..', 'fixtures', 'l2', 'frames.json'), 'utf8')) as {
    hex: string;
  }[]
).map((f) => hex(f.hex));
const OURS = Uint8Array.of(2, 0, 0, 0, 0, 1);

describe('L2 codec properties', () => {
  test('ARP frames round-trip exactly', () => {
    fc.assert(
      fc.property(arpFrame, (f) => {
        const bytes = encodeArpFrame(f);
        expect(decodeArpFrame(bytes)).toEqual({ ok: true, value: f });
      }),
      seeded(500),
    );
  });

  test('NS/NA frames round-trip exactly (checksum recomputed and verified)', () => {
    fc.assert(
      fc.property(ndFrame, (f) => {
        const d = decodeNdFrame(encodeNdFrame(f));
        expect(d).toEqual({ ok: true, value: f });
      }),
      seeded(500),
    );
  });

  test('arbitrary bytes and mutated captures: decoders and answer() return, never throw; replies are valid and ours', () => {
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc
        .tuple(
          fc.constantFrom(...CAPTURED),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        )
        .map(([f, edits]) => {
          const b = f.slice();
          for (const [at, v] of edits) b[at % b.length] = v;
          return b;
        }),
    );
    fc.assert(
      fc.property(frames, (b) => {
        decodeArpFrame(b);
        decodeNdFrame(b);
        const a = answer(b, { mac: OURS, owns: () => true });
        if (a.kind !== 'reply') return;
        if (a.family === 4) {
          const d = decodeArpFrame(a.frame);
          expect(d.ok && formatMac(d.value.arp.senderMac)).toBe(formatMac(OURS));
          expect(d.ok && formatIP(d.value.arp.senderIP)).toBe(a.ip);
        } else {
          const d = decodeNdFrame(a.frame);
          expect(d.ok && d.value.message.type === 'na' && formatMac(d.value.message.targetLinkLayer!)).toBe(
            formatMac(OURS),
          );
          expect(d.ok && formatIP(d.value.message.target)).toBe(a.ip);
        }
      }),
      seeded(3000),
    );
  });
});
