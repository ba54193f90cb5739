/**
 * Time-boxed property tests (fast-check): decode throws nothing but WireError on any
 * input; generated messages round-trip decode(encode(m)) == m; whatever decodes cleanly
 * re-encodes to bytes that decode to the same value (encode(decode(x)) is a fixed point).
 */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  type DecodeContext,
  decodeMessage,
  encodeMessage,
  type Message,
  WireError,
} from '../../agent/bgp/wire/index.ts';
import { arbMessage, mutate } from '../fuzz/generators.ts';
import { seeded } from '../support/property.ts';
import { update } from './hex.ts';

const CTXS: DecodeContext[] = [
  { as4: true, maxLength: 4096 },
  { as4: false, maxLength: 4096 },
  { as4: true, maxLength: 65535 },
];

function decodeOrError(b: Uint8Array, ctx: DecodeContext): Message | WireError {
  try {
    return decodeMessage(b, ctx);
  } catch (e) {
    if (e instanceof WireError && e.cause === undefined) return e;
    throw e;
  }
}

describe('wire properties', () => {
  test('regression (found by the fixed-point property): unknown attributes out of type order', () => {
    // ORIGIN, AS_PATH, NEXT_HOP, then optional attributes 255 and 250 in that order.
    const b = update('', '40010100 400200 400304c0000202 c0ff0101 c0fa0102'.replace(/\s+/g, ''), '');
    const d = decodeMessage(b, CTXS[0]!);
    expect(d.type === 'update' && d.attributes.other?.map((o) => o.code)).toEqual([250, 255]);
    expect(decodeMessage(encodeMessage(d, CTXS[0]!), CTXS[0]!)).toEqual(d);
  });

  test('generated messages round-trip: decode(encode(m)) equals m', () => {
    fc.assert(
      fc.property(arbMessage(), fc.boolean(), (m, as4) => {
        const ctx = { as4, maxLength: 65535 };
        const back = decodeMessage(encodeMessage(m, ctx), ctx);
        expect(back).toEqual(m);
      }),
      seeded(1500),
    );
  }, 15_000);

  test('decode never throws anything but WireError, and clean decodes re-encode to a fixed point', () => {
    fc.assert(
      fc.property(
        arbMessage(),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 6 }),
        (m, seeds) => {
          const bytes = mutate(encodeMessage(m, { as4: true }), seeds);
          for (const ctx of CTXS) {
            const r = decodeOrError(bytes, ctx);
            if (r instanceof WireError) continue;
            if (r.type === 'update' && (r.error || r.discarded)) continue;
            const again = decodeMessage(encodeMessage(r, ctx), ctx);
            expect(again).toEqual(r);
          }
        },
      ),
      seeded(4000),
    );
  }, 15_000);

  test('random bytes behind a valid header never crash the decoder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 300 }), (type, body) => {
        const b = new Uint8Array(19 + body.length);
        b.fill(0xff, 0, 16);
        b[16] = b.length >> 8;
        b[17] = b.length & 255;
        b[18] = type;
        b.set(body, 19);
        for (const ctx of CTXS) decodeOrError(b, ctx);
      }),
      seeded(5000),
    );
  }, 15_000);
});
