/** Per-route attributes in the Adj-RIB-Out: grouped into one attribute block each, packed, re-announced on change. */
import { describe, expect, test } from 'bun:test';
import { AdjRibOut, type RibOutContext } from '../../agent/bgp/adj-rib-out.ts';
import type { RouteAttributes } from '../../agent/bgp/rib/route-attributes.ts';
import { decodeMessage, type UpdateMessage } from '../../agent/bgp/wire/index.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';

const ctx: RibOutContext = {
  families: ['ipv4'],
  nextHopV4: '192.0.2.10',
  as4: true,
  extendedMessage: false,
  localASN: 65001,
  peerASN: 65000,
  communities: ['65001:1'],
  largeCommunities: [],
};
const decode = (ms: Uint8Array[]) =>
  ms.map((m) => decodeMessage(m, { as4: true, maxLength: 4096 }) as UpdateMessage);
const community = (a: number, b: number) => a * 65536 + b;

function many(n: number, base: string): string[] {
  return Array.from({ length: n }, (_, i) => `${base}.${i >> 8}.${i & 255}/32`);
}

describe('AdjRibOut with route attributes', () => {
  test('two attribute sets: two groups, each packed into full UPDATEs; the neighbor communities kept', () => {
    const pub = many(1000, '10.1');
    const lan = many(1000, '10.2');
    const a: RouteAttributes = { communities: ['65000:100'] };
    const b: RouteAttributes = { communities: ['65535:65281'], med: 7, asPathPrepend: 2 };
    const attrs = new Map<string, RouteAttributes>([
      ...pub.map((p) => [p, a] as const),
      ...lan.map((p) => [p, { ...b }] as const), // equal, not identical: still one group
    ]);
    const rib = new AdjRibOut(() => {});
    rib.setDesired(PrefixList.fromTexts([...pub, ...lan]), attrs);
    const us = decode(rib.sync(ctx, false).messages);
    // 1000 /32 take 5000 bytes: two UPDATEs per group, as without attributes.
    expect(us).toHaveLength(4);
    const byComm = new Map<string, UpdateMessage[]>();
    for (const u of us) {
      const k = JSON.stringify(u.attributes.communities);
      byComm.set(k, [...(byComm.get(k) ?? []), u]);
    }
    const aUp = byComm.get(JSON.stringify([community(65000, 100), community(65001, 1)]))!;
    const bUp = byComm.get(JSON.stringify([community(65001, 1), community(65535, 65281)]))!;
    expect(aUp.flatMap((u) => u.nlri).sort()).toEqual([...pub].sort());
    expect(bUp.flatMap((u) => u.nlri).sort()).toEqual([...lan].sort());
    expect(aUp[0]!.attributes.asPath).toEqual([{ type: 2, asns: [65001] }]);
    expect(aUp[0]!.attributes.med).toBeUndefined();
    expect(bUp[0]!.attributes.asPath).toEqual([{ type: 2, asns: [65001, 65001, 65001] }]);
    expect(bUp[0]!.attributes.med).toBe(7);
  });

  test('a changed attribute re-announces only that prefix; dropping it returns to the peer attributes', () => {
    const rib = new AdjRibOut(() => {});
    const all = PrefixList.fromTexts(['10.0.0.1/32', '10.0.0.2/32']);
    rib.setDesired(all);
    expect(decode(rib.sync(ctx, false).messages)[0]!.nlri).toEqual(['10.0.0.1/32', '10.0.0.2/32']);
    rib.setDesired(all, new Map([['10.0.0.2/32', { localPreference: 300 }]]));
    let us = decode(rib.sync({ ...ctx, peerASN: 65001 }, false).messages);
    expect(us.map((u) => [u.nlri, u.attributes.localPref])).toEqual([[['10.0.0.2/32'], 300]]);
    rib.setDesired(all);
    us = decode(rib.sync({ ...ctx, peerASN: 65001 }, false).messages);
    expect(us.map((u) => [u.nlri, u.attributes.localPref])).toEqual([[['10.0.0.2/32'], 100]]);
    // A route refresh resends each group with its own attributes.
    rib.setDesired(all, new Map([['10.0.0.1/32', { med: 1 }]]));
    rib.sync(ctx, false);
    const again = decode(rib.resend(ctx, 'ipv4').messages);
    expect(again.map((u) => [u.nlri, u.attributes.med]).sort()).toEqual([
      [['10.0.0.1/32'], 1],
      [['10.0.0.2/32'], undefined],
    ]);
  });

  test('prepend never on iBGP; AS_TRANS copies with AS4_PATH toward a 2-octet peer', () => {
    const rib = new AdjRibOut(() => {});
    rib.setDesired(PrefixList.fromTexts(['10.0.0.1/32']), new Map([['10.0.0.1/32', { asPathPrepend: 2 }]]));
    const ibgp = decode(rib.sync({ ...ctx, peerASN: 65001 }, true).messages)[0]!;
    expect(ibgp.attributes.asPath).toEqual([]);
    const rib2 = new AdjRibOut(() => {});
    rib2.setDesired(PrefixList.fromTexts(['10.0.0.1/32']), new Map([['10.0.0.1/32', { asPathPrepend: 1 }]]));
    const wide = { ...ctx, localASN: 4200000001, as4: false };
    const m = rib2.sync(wide, false).messages[0]!;
    const u = decodeMessage(m, { as4: false, maxLength: 4096 }) as UpdateMessage;
    expect(u.attributes.asPath).toEqual([{ type: 2, asns: [23456, 23456] }]);
    expect(u.attributes.as4Path).toEqual([{ type: 2, asns: [4200000001, 4200000001] }]);
  });
});
