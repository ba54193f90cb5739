/**
 * Generators for the BGP decoder: fast-check arbitraries of valid messages that the codec
 * must round-trip exactly, and a deterministic byte mutator driven by integer seeds.
 * Shared by test/bgp/wire-property.test.ts and test/fuzz/bgp.fuzz.ts.
 */
import fc from 'fast-check';
import type { Capability } from '../../agent/bgp/wire/capabilities.ts';
import { formatPrefix, type Message, type PathAttributes } from '../../agent/bgp/wire/index.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 255 });

function prefix(afi: 1 | 2) {
  const bits = afi === 1 ? 32 : 128;
  return fc
    .tuple(fc.integer({ min: 0, max: bits }), fc.uint8Array({ minLength: bits / 8, maxLength: bits / 8 }))
    .map(([length, raw]) => {
      const n = (length + 7) >> 3;
      const bytes = raw.slice(0, n);
      if (length & 7) bytes[n - 1]! &= (0xff << (8 - (length & 7))) & 0xff;
      return formatPrefix({ afi, length, bytes });
    });
}

const v4addr = fc
  .tuple(fc.integer({ min: 1, max: 223 }), u8, u8, u8)
  .filter(([a]) => a !== 127)
  .map((p) => p.join('.'));

const KNOWN_CAPS = new Set([1, 2, 6, 64, 65, 70, 73, 128]);
const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ code: fc.constant(1 as const), afi: u16, safi: u8 }),
  fc.constant({ code: 2 as const }),
  fc.constant({ code: 128 as const }),
  fc.constant({ code: 6 as const }),
  fc.constant({ code: 70 as const }),
  fc.record({ code: fc.constant(65 as const), asn: u32 }),
  fc.record({
    code: fc.constant(64 as const),
    restarting: fc.boolean(),
    notification: fc.boolean(),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(fc.record({ afi: u16, safi: u8, forwarding: fc.boolean() }), { maxLength: 4 }),
  }),
  fc.record({
    code: fc.constant(73 as const),
    hostname: fc.stringMatching(/^[a-z0-9-]{0,30}$/),
    domain: fc.stringMatching(/^[a-z0-9.-]{0,20}$/),
  }),
  fc.record({
    code: u8.filter((c) => !KNOWN_CAPS.has(c)),
    raw: fc.uint8Array({ maxLength: 16 }),
    unknown: fc.constant(true as const),
  }),
);

const segment = (max: number) =>
  fc.record({
    type: fc.integer({ min: 1, max: 4 }),
    asns: fc.array(fc.integer({ min: 0, max }), { minLength: 1, maxLength: 12 }),
  });

const KNOWN_ATTRS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 17, 18, 32]);

const attributes = (announces: { v4: boolean; mp: boolean }): fc.Arbitrary<PathAttributes> => {
  const need = announces.v4 || announces.mp;
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  return fc
    .record({
      origin: need ? fc.integer({ min: 0, max: 2 }) : opt(fc.integer({ min: 0, max: 2 })),
      asPath: need
        ? fc.array(segment(0xffff), { maxLength: 3 })
        : opt(fc.array(segment(0xffff), { maxLength: 3 })),
      nextHop: announces.v4 ? v4addr : opt(v4addr),
      med: opt(u32),
      localPref: opt(u32),
      atomicAggregate: opt(fc.constant(true)),
      aggregator: opt(fc.record({ asn: u16, address: v4addr })),
      communities: opt(fc.array(u32, { minLength: 1, maxLength: 8 })),
      largeCommunities: opt(fc.array(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 4 })),
      as4Path: opt(fc.array(segment(0xffffffff), { maxLength: 3 })),
      as4Aggregator: opt(fc.record({ asn: u32, address: v4addr })),
      other: opt(
        fc
          .uniqueArray(
            fc.record({
              flags: fc.constantFrom(0x80, 0xc0, 0xe0),
              code: u8.filter((c) => !KNOWN_ATTRS.has(c)),
              value: fc.uint8Array({ maxLength: 24 }),
            }),
            { selector: (r) => r.code, minLength: 1, maxLength: 3 },
          )
          .map((rs) => rs.sort((a, b) => a.code - b.code)),
      ),
    })
    .map((a) => {
      const out: PathAttributes = {};
      for (const [k, v] of Object.entries(a)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
      return out;
    });
};

const mpReach = fc.oneof(
  fc.record({
    afi: fc.constant(2),
    safi: fc.constant(1),
    nextHop: fc.oneof(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
    ),
    nlri: fc.array(prefix(2), { minLength: 1, maxLength: 20 }),
  }),
  fc.record({
    afi: fc.constant(1),
    safi: fc.constant(1),
    nextHop: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    nlri: fc.array(prefix(1), { minLength: 1, maxLength: 20 }),
  }),
);
const mpUnreach = fc.oneof(
  fc.record({ afi: fc.constant(2), safi: fc.constant(1), withdrawn: fc.array(prefix(2), { maxLength: 20 }) }),
  fc.record({ afi: fc.constant(1), safi: fc.constant(1), withdrawn: fc.array(prefix(1), { maxLength: 20 }) }),
);

const updateMessage: fc.Arbitrary<Message> = fc
  .record({
    withdrawn: fc.array(prefix(1), { maxLength: 30 }),
    nlri: fc.array(prefix(1), { maxLength: 30 }),
    reach: fc.option(mpReach, { nil: undefined }),
    unreach: fc.option(mpUnreach, { nil: undefined }),
  })
  .chain((u) =>
    attributes({ v4: u.nlri.length > 0, mp: !!u.reach }).map((a) => {
      const attributes: PathAttributes = { ...a };
      if (u.reach) attributes.mpReach = u.reach;
      if (u.unreach) attributes.mpUnreach = u.unreach;
      return { type: 'update' as const, withdrawn: u.withdrawn, attributes, nlri: u.nlri };
    }),
  );

export function arbMessage(): fc.Arbitrary<Message> {
  return fc.oneof(
    fc.record({
      type: fc.constant('open' as const),
      version: fc.constant(4),
      myAS: u16,
      holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
      bgpId: v4addr,
      capabilities: fc.array(capability, { maxLength: 12 }),
    }),
    updateMessage,
    updateMessage,
    fc.record({
      type: fc.constant('notification' as const),
      code: u8,
      subcode: u8,
      data: fc.uint8Array({ maxLength: 64 }),
    }),
    fc.constant({ type: 'keepalive' as const }),
    fc.record({ type: fc.constant('route-refresh' as const), afi: u16, safi: u8, subtype: u8 }),
  );
}

const INTERESTING = [
  0, 1, 2, 3, 4, 0x0f, 0x10, 0x1f, 0x20, 0x21, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff,
];

/**
 * Deterministic mutations driven by 32-bit seeds: set a byte, set an interesting value,
 * truncate, duplicate a slice, delete a slice, insert random bytes. Unless a seed says
 * otherwise, the header length is fixed up so the mutation reaches the body decoders.
 */
export function mutate(input: Uint8Array, seeds: readonly number[]): Uint8Array {
  let b = input.slice();
  let fixLength = true;
  for (const seed of seeds) {
    const op = seed % 8;
    const r = Math.floor(seed / 8);
    // Mostly mutate the body; one time in 16 anywhere (marker, length, type).
    const pos = b.length <= 19 || (r & 15) === 0 ? (b.length ? r % b.length : 0) : 19 + (r % (b.length - 19));
    switch (op) {
      case 0:
        if (b.length) b[pos] = (r >>> 8) & 255;
        break;
      case 1:
        if (b.length) b[Math.max(19, pos) % b.length] = INTERESTING[(r >>> 8) % INTERESTING.length]!;
        break;
      case 2:
        b = b.slice(0, Math.max(19, pos));
        break;
      case 3: {
        const len = 1 + ((r >>> 8) % 16);
        const part = b.slice(pos, pos + len);
        const out = new Uint8Array(b.length + part.length);
        out.set(b.subarray(0, pos + part.length));
        out.set(part, pos + part.length);
        out.set(b.subarray(pos + part.length), pos + 2 * part.length);
        b = out;
        break;
      }
      case 4: {
        const len = 1 + ((r >>> 8) % 8);
        const at = Math.max(19, pos);
        if (at < b.length) b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + len)]);
        break;
      }
      case 5: {
        const len = 1 + ((r >>> 8) % 6);
        const ins = new Uint8Array(len);
        let x = r;
        for (let i = 0; i < len; i++) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          ins[i] = x >>> 24;
        }
        b = new Uint8Array([...b.subarray(0, pos), ...ins, ...b.subarray(pos)]);
        break;
      }
      case 6:
        // Change a two-byte length somewhere in the body by a small amount.
        if (b.length > 21) {
          const at = 19 + (r % (b.length - 20));
          const v = ((b[at]! << 8) | b[at + 1]!) + (((r >>> 8) % 7) - 3);
          b[at] = (v >> 8) & 255;
          b[at + 1] = v & 255;
        }
        break;
      case 7:
        fixLength = (r & 7) !== 0;
        break;
    }
  }
  if (fixLength && b.length >= 19) {
    const len = Math.min(b.length, 0xffff);
    b = b.slice(0, len);
    b[16] = len >> 8;
    b[17] = len & 255;
  }
  return b;
}

/** xorshift32: a fuzz schedule is a pure function of its seed (0 is mapped to 1). */
export class Xorshift32 {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return this.next() % n;
  }
}
