/**
 * Per-route attributes (issue 22) through the socket-driven output (issue 26): an attribute change
 * alone is a pending change, announced in budgeted rounds with the route's own attributes; a
 * paced ROUTE-REFRESH re-send keeps each route's attributes; a stalled session delivers the last
 * attributes once the peer reads again; changes that wait for the socket keep a drain waiting.
 */
import { describe, expect, test } from 'bun:test';
import { AdjRibOut, type RibOutContext } from '../../agent/bgp/adj-rib-out.ts';
import type { RouteAttributes } from '../../agent/bgp/rib/route-attributes.ts';
import { decodeMessage, type UpdateMessage } from '../../agent/bgp/wire/index.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';
import { establishedPipeSession, type PipeRig, settle } from './established.ts';

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

function table(n: number, second = 0): string[] {
  return Array.from({ length: n }, (_, i) => `10.${second}.${i >> 8}.${i & 255}/32`);
}

/** prefix -> MED of the last announcement of it, over every UPDATE in order. */
function medByPrefix(us: UpdateMessage[]): Map<string, number | undefined> {
  const held = new Map<string, number | undefined>();
  for (const u of us) {
    for (const p of u.withdrawn) held.delete(p);
    for (const p of u.nlri) held.set(p, u.attributes.med);
  }
  return held;
}

function takeAll(rib: AdjRibOut, budget: number, now = 0): { us: UpdateMessage[]; rounds: number } {
  const us: UpdateMessage[] = [];
  let rounds = 0;
  for (; rounds < 1000; rounds++) {
    const out = rib.take(ctx, budget, now);
    if (!out.messages.length) break;
    us.push(...decode(out.messages));
  }
  return { us, rounds };
}

describe('AdjRibOut: route attributes as pending changes', () => {
  test('an attribute change alone is pending: only the changed prefixes go out, in budgeted rounds, no withdrawal', () => {
    const all = table(4000);
    const rib = new AdjRibOut(() => {});
    rib.setDesired(PrefixList.fromTexts(all));
    rib.sync(ctx, true);
    const changed = all.slice(0, 3000);
    const a: RouteAttributes = { med: 5, communities: ['65000:100'] };
    rib.setDesired(PrefixList.fromTexts(all), new Map(changed.map((p) => [p, a] as const)));
    expect(rib.pendingCount).toBe(3000);
    // 3000 /32 = 15,000 NLRI bytes; a round of 2 KiB takes one message's worth.
    const { us, rounds } = takeAll(rib, 2048);
    expect(rounds).toBeGreaterThan(2);
    expect(us.flatMap((u) => u.withdrawn)).toEqual([]);
    expect(us.flatMap((u) => u.nlri).sort()).toEqual([...changed].sort());
    for (const u of us) {
      expect(u.attributes.med).toBe(5);
      expect(u.attributes.communities).toEqual([65000 * 65536 + 100, 65001 * 65536 + 1]);
    }
    expect(rib.pendingCount).toBe(0);
    // The same attributes again (an equal, new object): nothing pending.
    rib.setDesired(PrefixList.fromTexts(all), new Map(changed.map((p) => [p, { ...a }] as const)));
    expect(rib.pendingCount).toBe(0);
  });

  test('a later attribute change replaces an earlier unsent one; the last one is announced', () => {
    const rib = new AdjRibOut(() => {});
    const all = PrefixList.fromTexts(['10.0.0.1/32', '10.0.0.2/32']);
    rib.setDesired(all);
    rib.sync(ctx, true);
    rib.setDesired(all, new Map([['10.0.0.1/32', { med: 1 }]]));
    rib.setDesired(all, new Map([['10.0.0.1/32', { med: 2 }]]));
    rib.setDesired(all, new Map([['10.0.0.1/32', { med: 3 }]]));
    const us = takeAll(rib, 1 << 20).us;
    expect(us.map((u) => [u.nlri, u.attributes.med])).toEqual([[['10.0.0.1/32'], 3]]);
    // Dropping the attributes returns the prefix to the peer's own (no MED).
    rib.setDesired(all);
    expect(takeAll(rib, 1 << 20).us.map((u) => [u.nlri, u.attributes.med])).toEqual([
      [['10.0.0.1/32'], undefined],
    ]);
  });

  test('a ROUTE-REFRESH re-send in budgeted rounds carries each route its own attributes', () => {
    const low = table(2000);
    const high = table(2000, 1);
    const rib = new AdjRibOut(() => {});
    rib.setDesired(
      PrefixList.fromTexts([...low, ...high]),
      new Map(high.map((p) => [p, { med: 9 }] as const)),
    );
    rib.sync(ctx, true);
    expect(rib.requestRefresh('ipv4')).toBe(true);
    const { us, rounds } = takeAll(rib, 4096);
    expect(rounds).toBeGreaterThan(2);
    const held = medByPrefix(us);
    expect(held.size).toBe(4000);
    for (const p of low) expect(held.get(p)).toBeUndefined();
    for (const p of high) expect(held.get(p)).toBe(9);
  });
});

const established = (): Promise<PipeRig> => establishedPipeSession();

describe('Session: route attributes while the peer stalls', () => {
  test('attribute changes made while the socket blocks reach the peer as the last ones once it reads', async () => {
    const { clock, s, local, remote } = await established();
    const all = table(3000);
    const list = PrefixList.fromTexts(all);
    s.setDesired(list);
    await settle();
    local.stall(8 * 1024, () => clock.monotonic());
    for (let med = 1; med <= 5; med++)
      s.setDesired(list, new Map(all.slice(0, 1000).map((p) => [p, { med }] as const)));
    await settle();
    expect(local.canWrite).toBe(false);
    local.resume();
    for (let i = 0; i < 200 && s.pendingChanges; i++) await settle();
    await settle();
    expect(s.pendingChanges).toBe(0);
    const us = remote.received.filter((m) => m.type === 'update') as UpdateMessage[];
    const held = medByPrefix(us);
    expect(held.size).toBe(3000);
    for (const p of all.slice(0, 1000)) expect(held.get(p)).toBe(5);
    for (const p of all.slice(1000)) expect(held.get(p)).toBeUndefined();
    await s.stop();
  });

  test('changes still pending for a blocked socket count as unacknowledged (a drain waits for them)', async () => {
    const { clock, s, local } = await established();
    s.setDesired(PrefixList.fromTexts(table(10)));
    await settle();
    expect(s.sendQueueBytes()).toBe(0);
    // The socket refuses data: nothing is encoded, nothing is queued, the withdrawals wait here.
    local.blockedSince = clock.monotonic();
    s.setDesired(PrefixList.EMPTY);
    expect(local.queuedBytes).toBe(0);
    expect(s.pendingChanges).toBe(10);
    expect(s.sendQueueBytes()).toBeGreaterThanOrEqual(10);
    local.blockedSince = undefined;
    local.resume();
    for (let i = 0; i < 50 && s.pendingChanges; i++) await settle();
    expect(s.pendingChanges).toBe(0);
    expect(s.sendQueueBytes()).toBe(0);
    await s.stop();
  });
});
