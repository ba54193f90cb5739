/**
 * wire/attributes.ts as tables: one attribute's bytes -> what decodeAttributes gives (value, or the
 * error's code/subcode, text, data and RFC 7606 handling), and attributes -> exact encoded bytes.
 */
import { describe, expect, test } from 'bun:test';
import type { PathAttributes } from '../../agent/bgp/wire/attribute-types.ts';
import { decodeAttributes, encodeAttributes } from '../../agent/bgp/wire/attributes.ts';
import { hex, toHex } from './hex.ts';

type Want =
  | { ok: PathAttributes }
  | { withdraw: [number, string, string?] }
  | { discard: [number, string, string?]; ok?: PathAttributes };

/** [name, attribute block hex, as4, want]; error data defaults to the whole block. */
const DECODE: [string, string, boolean, Want][] = [
  ['ORIGIN IGP', '40010100', true, { ok: { origin: 0 } }],
  ['ORIGIN INCOMPLETE', '40010102', true, { ok: { origin: 2 } }],
  ['ORIGIN 3', '40010103', true, { withdraw: [6, 'Invalid ORIGIN Attribute: ORIGIN 3'] }],
  [
    'ORIGIN of 2 octets',
    '4001020000',
    true,
    { withdraw: [5, 'Attribute Length Error: attribute 1 length 2'] },
  ],
  ['ORIGIN optional', 'c0010100', true, { withdraw: [4, 'Attribute Flags Error: attribute 1 flags 0xc0'] }],
  ['ORIGIN partial', '60010100', true, { withdraw: [4, 'Attribute Flags Error: attribute 1 flags 0x60'] }],
  ['COMMUNITIES partial is fine', 'e00804fde80001', true, { ok: { communities: [0xfde80001] } }],
  [
    'MED partial (optional non-transitive)',
    'a004040000000a',
    true,
    { withdraw: [4, 'Attribute Flags Error: attribute 4 flags 0xa0'] },
  ],
  ['AS_PATH 2-octet', '400204020100fd', false, { ok: { asPath: [{ type: 2, asns: [253] }] } }],
  ['AS_PATH 4-octet', '4002060201000100fd', true, { ok: { asPath: [{ type: 2, asns: [65789] }] } }],
  ['AS_PATH cut', '400203020100', true, { withdraw: [11, 'Malformed AS_PATH: malformed AS_PATH', ''] }],
  ['NEXT_HOP', '4003040a000001', true, { ok: { nextHop: '10.0.0.1' } }],
  [
    'NEXT_HOP 3 octets',
    '4003030a0000',
    true,
    { withdraw: [5, 'Attribute Length Error: attribute 3 length 3'] },
  ],
  [
    'NEXT_HOP multicast',
    '400304e0000001',
    true,
    { withdraw: [8, 'Invalid NEXT_HOP Attribute: NEXT_HOP 224.0.0.1'] },
  ],
  ['MED', '80040400000005', true, { ok: { med: 5 } }],
  ['MED all ones', '8004041fffffff', true, { ok: { med: 0x1fffffff } }],
  [
    'MED 5 octets',
    '8004050000000005',
    true,
    { withdraw: [5, 'Attribute Length Error: attribute 4 length 5'] },
  ],
  ['LOCAL_PREF', '400504000100c8', true, { ok: { localPref: 65736 } }],
  [
    'LOCAL_PREF 2 octets',
    '4005020064',
    true,
    { withdraw: [5, 'Attribute Length Error: attribute 5 length 2'] },
  ],
  ['ATOMIC_AGGREGATE', '400600', true, { ok: { atomicAggregate: true } }],
  [
    'ATOMIC_AGGREGATE with a value',
    '40060101',
    true,
    { discard: [5, 'Attribute Length Error: attribute 6 length 1'], ok: {} },
  ],
  [
    'AGGREGATOR 4-octet',
    'c007080001fde80a000001',
    true,
    { ok: { aggregator: { asn: 130536, address: '10.0.0.1' } } },
  ],
  [
    'AGGREGATOR 2-octet',
    'c00706fde80a000001',
    false,
    { ok: { aggregator: { asn: 65000, address: '10.0.0.1' } } },
  ],
  [
    'AGGREGATOR 2-octet sent to a 4-octet session',
    'c00706fde80a000001',
    true,
    { discard: [5, 'Attribute Length Error: attribute 7 length 6'], ok: {} },
  ],
  [
    'AGGREGATOR 4-octet sent to a 2-octet session',
    'c007080001fde80a000001',
    false,
    { discard: [5, 'Attribute Length Error: attribute 7 length 8'], ok: {} },
  ],
  [
    'AS4_AGGREGATOR on a 2-octet session',
    'c012080001fde80a000002',
    false,
    { ok: { as4Aggregator: { asn: 130536, address: '10.0.0.2' } } },
  ],
  [
    'AS4_AGGREGATOR of 6 octets',
    'c01206fde80a000002',
    false,
    { discard: [5, 'Attribute Length Error: attribute 18 length 6'], ok: {} },
  ],
  ['COMMUNITIES', 'c00808fde80001fde80002', true, { ok: { communities: [0xfde80001, 0xfde80002] } }],
  [
    'COMMUNITIES 3 octets',
    'c00803fde800',
    true,
    { withdraw: [5, 'Attribute Length Error: attribute 8 length 3'] },
  ],
  ['LARGE_COMMUNITY', 'c0200c000000010000000200000003', true, { ok: { largeCommunities: [[1, 2, 3]] } }],
  [
    'LARGE_COMMUNITY 11 octets',
    'c0200b0000000100000002000000',
    true,
    { withdraw: [5, 'Attribute Length Error: attribute 32 length 11'] },
  ],
  ['AS4_PATH', 'c011060201000100fd', false, { ok: { as4Path: [{ type: 2, asns: [65789] }] } }],
  [
    'AS4_PATH cut',
    'c011050201000100',
    false,
    { discard: [11, 'Malformed AS_PATH: malformed AS4_PATH'], ok: {} },
  ],
  [
    'unknown well-known',
    '40630100',
    true,
    { withdraw: [2, 'Unrecognized Well-known Attribute: unknown well-known attribute 99'] },
  ],
  [
    'a second ORIGIN',
    '4001010040010101',
    true,
    { discard: [1, 'Malformed Attribute List: duplicate attribute 1', '40010101'], ok: { origin: 0 } },
  ],
];

describe('decodeAttributes: one attribute', () => {
  for (const [name, h, as4, want] of DECODE)
    test(name, () => {
      const b = hex(h);
      const r = decodeAttributes(b, 0, b.length, { as4 });
      const err = (e: [number, string, string?], handling: string) => ({
        code: 3,
        subcode: e[0],
        message: `UPDATE Message Error/${e[1]}`,
        data: toHex(hex(e[2] ?? h)),
        handling,
      });
      const seen = (e: {
        code: number;
        subcode: number;
        message: string;
        data: Uint8Array;
        handling: string;
      }) => ({
        code: e.code,
        subcode: e.subcode,
        message: e.message,
        data: toHex(e.data),
        handling: e.handling,
      });
      if ('withdraw' in want) {
        expect(r.withdraw && seen(r.withdraw)).toEqual(err(want.withdraw, 'withdraw'));
      } else {
        expect(r.withdraw).toBeUndefined();
        expect(r.attributes).toEqual(want.ok ?? {});
      }
      if ('discard' in want) expect(r.discarded.map(seen)).toEqual([err(want.discard, 'discard')]);
      else expect(r.discarded).toEqual([]);
    });

  test('unknown optional attributes come back sorted by type code', () => {
    const b = hex('c0630101' + 'c0620102' + 'c0640103');
    expect(decodeAttributes(b, 0, b.length, { as4: true }).attributes.other?.map((o) => o.code)).toEqual([
      98, 99, 100,
    ]);
  });
});

describe('encodeAttributes: exact bytes', () => {
  const ENCODE: [string, PathAttributes, boolean, string][] = [
    ['AS_PATH 2-octet', { asPath: [{ type: 2, asns: [65000, 70000] }] }, false, '40020602 02fde85ba0'],
    ['AS_PATH 4-octet', { asPath: [{ type: 2, asns: [70000] }] }, true, '4002060201 00011170'],
    ['NEXT_HOP', { nextHop: '10.0.0.1' }, true, '4003040a000001'],
    ['NEXT_HOP that does not parse', { nextHop: 'bogus' }, true, '40030400000000'],
    [
      'AGGREGATOR 4-octet',
      { aggregator: { asn: 70000, address: '10.0.0.1' } },
      true,
      'c0070800011170 0a000001',
    ],
    [
      'AGGREGATOR 65535, 2-octet',
      { aggregator: { asn: 65535, address: '10.0.0.1' } },
      false,
      'c00706ffff0a000001',
    ],
    [
      'AGGREGATOR 65536, 2-octet: AS_TRANS',
      { aggregator: { asn: 65536, address: '10.0.0.1' } },
      false,
      'c007065ba00a000001',
    ],
    [
      'AGGREGATOR 258, 2-octet',
      { aggregator: { asn: 258, address: '10.0.0.1' } },
      false,
      'c0070601020a000001',
    ],
    [
      'AGGREGATOR address that does not parse',
      { aggregator: { asn: 1, address: 'x' } },
      false,
      'c00706000100000000',
    ],
    [
      'AS4_AGGREGATOR always 4-octet',
      { as4Aggregator: { asn: 258, address: '10.0.0.2' } },
      false,
      'c0120800000102 0a000002',
    ],
  ];
  for (const [name, a, as4, want] of ENCODE)
    test(name, () => expect(toHex(encodeAttributes(a, { as4 }))).toBe(want.replace(/\s+/g, '')));
});

test('encoding orders every attribute by type code, unknown ones among the known', () => {
  const raw = (code: number) => ({ flags: 0xc0, code, value: new Uint8Array([code]) });
  const b = encodeAttributes(
    { origin: 0, communities: [1], largeCommunities: [[1, 2, 3]], other: [raw(99), raw(9), raw(20), raw(2)] },
    { as4: true },
  );
  const codes: number[] = [];
  for (let o = 0; o < b.length; o += 3 + b[o + 2]!) codes.push(b[o + 1]!);
  expect(codes).toEqual([1, 2, 8, 9, 20, 32, 99]);
});
