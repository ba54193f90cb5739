/** Adj-RIB-Out diff, outbound attributes, and packing into as few UPDATEs as the size allows. */
import { describe, expect, test } from 'bun:test';
import { apply, diff } from '../../agent/bgp/rib/diff.ts';
import { outboundAttributes } from '../../agent/bgp/rib/outbound.ts';
import {
  packIPv4Announce,
  packIPv4Withdraw,
  packIPv6Announce,
  packIPv6Withdraw,
} from '../../agent/bgp/rib/pack.ts';
import {
  canonicalPrefix,
  decodeMessage,
  encodeAttributes,
  parseIPv6,
  parsePrefix,
  type UpdateMessage,
  type WirePrefix,
} from '../../agent/bgp/wire/index.ts';

function v4(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
}
function v6(n: number): string[] {
  return Array.from({ length: n }, (_, i) => canonicalPrefix(`2001:db8::${(i + 1).toString(16)}/128`)!);
}
const wire = (ps: string[]): WirePrefix[] => ps.map((p) => parsePrefix(p)!);

function decodeAll(msgs: Uint8Array[], max: number): UpdateMessage[] {
  return msgs.map((m) => {
    expect(m.length).toBeLessThanOrEqual(max);
    const d = decodeMessage(m, { as4: true, maxLength: max });
    if (d.type !== 'update') throw new Error('not an update');
    expect(d.error).toBeUndefined();
    return d;
  });
}

describe('diff', () => {
  test('announces new and changed, withdraws removed, idempotent once applied', () => {
    const rib = new Map([
      ['10.0.0.1/32', 'a'],
      ['10.0.0.2/32', 'a'],
    ]);
    const want = new Map([
      ['10.0.0.2/32', 'b'],
      ['10.0.0.3/32', 'a'],
    ]);
    const d = diff(rib, want);
    expect(d).toEqual({ announce: ['10.0.0.2/32', '10.0.0.3/32'], withdraw: ['10.0.0.1/32'] });
    apply(rib, d, want);
    expect(rib).toEqual(want);
    expect(diff(rib, want)).toEqual({ announce: [], withdraw: [] });
  });
});

describe('outbound attributes', () => {
  const base = { communities: [], largeCommunities: [], nextHopV4: '192.0.2.10' };
  test('eBGP: own AS in AS_PATH, no LOCAL_PREF', () => {
    expect(
      outboundAttributes({ ...base, localASN: 65001, peerASN: 65000, as4: true, localPreference: 300 }),
    ).toEqual({
      origin: 0,
      asPath: [{ type: 2, asns: [65001] }],
      nextHop: '192.0.2.10',
    });
  });
  test('iBGP: empty AS_PATH, LOCAL_PREF (default 100)', () => {
    const a = outboundAttributes({ ...base, localASN: 65001, peerASN: 65001, as4: true });
    expect(a.asPath).toEqual([]);
    expect(a.localPref).toBe(100);
  });
  test('4-byte ASN to a 2-octet peer: AS_TRANS with AS4_PATH', () => {
    const a = outboundAttributes({ ...base, localASN: 4200000001, peerASN: 65000, as4: false });
    expect(a.asPath).toEqual([{ type: 2, asns: [23456] }]);
    expect(a.as4Path).toEqual([{ type: 2, asns: [4200000001] }]);
    const b = outboundAttributes({ ...base, localASN: 4200000001, peerASN: 65000, as4: true });
    expect(b.as4Path).toBeUndefined();
  });
  test('communities parsed, deduplicated and sorted; large communities kept', () => {
    const a = outboundAttributes({
      ...base,
      localASN: 65001,
      peerASN: 65000,
      as4: true,
      communities: ['65001:200', '65001:100', '65001:100', 'bad'],
      largeCommunities: ['65001:1:2'],
    });
    expect(a.communities).toEqual([65001 * 65536 + 100, 65001 * 65536 + 200]);
    expect(a.largeCommunities).toEqual([[65001, 1, 2]]);
  });
});

describe('packing', () => {
  const attrs = encodeAttributes(
    outboundAttributes({
      localASN: 65001,
      peerASN: 65000,
      as4: true,
      nextHopV4: '192.0.2.10',
      communities: ['65001:100'],
      largeCommunities: [],
    }),
    { as4: true },
  );

  for (const [n, max] of [
    [1, 4096],
    [809, 4096],
    [810, 4096],
    [10_000, 4096],
    [10_000, 65535],
  ] as const) {
    test(`${n} IPv4 /32 into ${max}-byte UPDATEs: full messages, nothing lost`, () => {
      const ps = v4(n);
      const msgs = packIPv4Announce(attrs, wire(ps), max);
      const perMessage = Math.floor((max - 23 - attrs.length) / 5);
      expect(attrs.length).toBe(27);
      expect(msgs.length).toBe(Math.ceil(n / perMessage));
      const got = decodeAll(msgs, max);
      expect(got.flatMap((u) => u.nlri)).toEqual(ps);
      expect(got.every((u) => u.attributes.nextHop === '192.0.2.10')).toBe(true);
    });
  }

  test('809 /32 fill one 4096-byte UPDATE exactly to 4094 bytes', () => {
    const [m] = packIPv4Announce(attrs, wire(v4(809)), 4096);
    expect(m!.length).toBe(23 + 27 + 809 * 5);
  });

  test('IPv6 /128 in MP_REACH_NLRI (first attribute) with a 16-byte next hop', () => {
    const noNh = encodeAttributes({ origin: 0, asPath: [{ type: 2, asns: [65001] }] }, { as4: true });
    const ps = v6(1000);
    const msgs = packIPv6Announce(noNh, parseIPv6('2001:db8::10')!, wire(ps), 4096);
    const got = decodeAll(msgs, 4096);
    expect(got.flatMap((u) => u.attributes.mpReach!.nlri)).toEqual(ps);
    expect(msgs.length).toBe(Math.ceil(1000 / Math.floor((4096 - 23 - noNh.length - 4 - 21) / 17)));
    expect(msgs[0]![23]).toBe(0x90); // MP_REACH_NLRI is the first attribute
    expect(msgs[0]![24]).toBe(14);
    expect(got[0]!.attributes.asPath).toEqual([{ type: 2, asns: [65001] }]);
  });

  test('withdrawals: IPv4 Withdrawn Routes, IPv6 MP_UNREACH_NLRI', () => {
    const w4 = decodeAll(packIPv4Withdraw(wire(v4(2000)), 4096), 4096);
    expect(w4.length).toBe(Math.ceil(2000 / Math.floor((4096 - 23) / 5)));
    expect(w4.flatMap((u) => u.withdrawn)).toEqual(v4(2000));
    const w6 = decodeAll(packIPv6Withdraw(wire(v6(500)), 4096), 4096);
    expect(w6.flatMap((u) => u.attributes.mpUnreach!.withdrawn)).toEqual(v6(500));
    expect(w6.length).toBe(Math.ceil(500 / Math.floor((4096 - 30) / 17)));
  });
});
