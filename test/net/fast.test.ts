/** agent/net/fast.ts: the fast text paths agree with ip.ts on every input. */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { formatAddr, isCanonicalIPv4, parseAddr } from '../../agent/net/fast.ts';
import { formatIP, parseIP } from '../../agent/net/ip.ts';
import { seeded } from '../support/property.ts';

describe('fast paths agree with ip.ts', () => {
  test('isCanonicalIPv4 is "parseIP accepts it and formatIP gives it back"', () => {
    const texts = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }).map((n) => formatIP({ family: 4, value: BigInt(n) })),
      fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 5 }).map((p) => p.join('.')),
      fc
        .array(fc.constantFrom('0', '1', '9', '.', '00', '25', '255', '256'), { maxLength: 9 })
        .map((p) => p.join('')),
    );
    fc.assert(
      fc.property(texts, (t) => {
        const slow = parseIP(t);
        expect(isCanonicalIPv4(t)).toBe(slow.ok && slow.value.family === 4 && formatIP(slow.value) === t);
      }),
      seeded(5000),
    );
  });

  test('parseAddr/formatAddr on random IPv6 text round-trip like parseIP/formatIP', () => {
    const groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, fc.integer({ min: 0, max: 8 }), (ws, gapLen) => {
        for (let i = 0; i < gapLen; i++) ws[i] = 0;
        const value = ws.reduce((v, w) => (v << 16n) | BigInt(w), 0n);
        const text = formatIP({ family: 6, value });
        expect(parseAddr(text)).toEqual({ family: 6, value });
        expect(formatAddr({ family: 6, value })).toBe(text);
      }),
      seeded(3000),
    );
  });
});
