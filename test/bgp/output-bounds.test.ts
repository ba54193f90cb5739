/**
 * The socket-driven output (issue 26) on the fake clock over the in-memory pipe: pending changes
 * coalesce per prefix, a peer that stops reading holds at most the pipe's buffer plus one output
 * round whatever the churn, ROUTE-REFRESH floods coalesce and are paced, and the RFC 9687
 * send-hold timer ends a stalled session at exactly max(8 minutes, 2 x hold time) after the
 * socket blocked, also with hold time 0.
 */
import { describe, expect, test } from 'bun:test';
import { AdjRibOut, type RibOutContext } from '../../agent/bgp/adj-rib-out.ts';
import { sendHoldTime } from '../../agent/bgp/fsm/index.ts';
import { REFRESH_MIN_INTERVAL_MS, RefreshQueue } from '../../agent/bgp/rib/refresh-queue.ts';
import { OUTPUT_BUDGET_BYTES } from '../../agent/bgp/session.ts';
import {
  AFI_IPV4,
  decodeMessage,
  encodeKeepalive,
  encodeRouteRefresh,
  RouteRefreshSubtype,
  SAFI_UNICAST,
  type UpdateMessage,
} from '../../agent/bgp/wire/index.ts';
import type { FakeClock } from '../../agent/lib/clock.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';
import { establishedPipeSession, type PipeRig, settle } from './established.ts';
import type { Remote } from './remote.ts';

const ctx: RibOutContext = {
  families: ['ipv4', 'ipv6'],
  nextHopV4: '192.0.2.10',
  as4: true,
  extendedMessage: false,
  localASN: 65001,
  peerASN: 65000,
  communities: [],
  largeCommunities: [],
};
const want = (...t: string[]) => PrefixList.fromTexts(t);
const decode = (ms: Uint8Array[]) =>
  ms.map((m) => decodeMessage(m, { as4: true, maxLength: 65535 }) as UpdateMessage);

function table(n: number, second = 0): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = `${10 + second}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
  return out;
}

describe('AdjRibOut pending changes', () => {
  test('a later change replaces an earlier unsent one: announce-then-withdraw sends nothing', () => {
    const rib = new AdjRibOut(() => {});
    rib.setDesired(want('10.0.0.1/32'));
    rib.sync(ctx, true);
    rib.setDesired(want('10.0.0.1/32', '10.0.0.2/32'));
    rib.setDesired(want('10.0.0.1/32', '10.0.0.3/32'));
    rib.setDesired(want('10.0.0.1/32', '10.0.0.3/32', '10.0.0.4/32'));
    rib.setDesired(want('10.0.0.1/32', '10.0.0.4/32'));
    const us = decode(rib.take(ctx, Number.POSITIVE_INFINITY, 0).messages);
    expect(us.map((u) => [u.withdrawn, u.nlri])).toEqual([[[], ['10.0.0.4/32']]]);
    expect(rib.pendingCount).toBe(0);
  });

  test('take honours the budget: a 20,000-prefix change goes out in rounds of whole messages', () => {
    const rib = new AdjRibOut(() => {});
    rib.setDesired(PrefixList.fromTexts(table(20_000)));
    rib.restart(ctx);
    const rounds: number[] = [];
    for (let i = 0; i < 100; i++) {
      const out = rib.take(ctx, 16 * 1024, 0);
      if (!out.messages.length) break;
      rounds.push(out.messages.reduce((n, m) => n + m.length, 0));
    }
    // 20,000 /32 = 100,000 NLRI bytes; each round about the budget, never far above it.
    expect(rounds.length).toBeGreaterThan(4);
    expect(Math.max(...rounds)).toBeLessThan(16 * 1024 + 4096);
    expect(rib.sent.size).toBe(20_000);
  });
});

describe('RefreshQueue', () => {
  test('one queued per family; more requests only count; paced by REFRESH_MIN_INTERVAL_MS', () => {
    const q = new RefreshQueue();
    expect(q.request('ipv4')).toBe(true);
    for (let i = 0; i < 100; i++) expect(q.request('ipv4')).toBe(false);
    expect(q.coalesced).toBe(100);
    expect(q.start(0)).toEqual({ family: 'ipv4' });
    // In flight: one more may queue, and only one.
    expect(q.request('ipv4')).toBe(true);
    expect(q.request('ipv4')).toBe(false);
    q.finish();
    expect(q.start(10)).toEqual({ wakeAt: REFRESH_MIN_INTERVAL_MS });
    expect(q.start(REFRESH_MIN_INTERVAL_MS)).toEqual({ family: 'ipv4' });
    q.finish();
    expect(q.start(REFRESH_MIN_INTERVAL_MS + 1)).toBeUndefined();
  });
});

type Rig = PipeRig;
const established = (holdTime: number): Promise<Rig> => establishedPipeSession({ holdTime });

/** Advances the fake clock in steps, letting microtasks run between them; the peer keeps sending KEEPALIVEs. */
async function wait(clock: FakeClock, ms: number, stepMs = 1000, remote?: Remote): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    remote?.send(encodeKeepalive());
    clock.advance(Math.min(stepMs, ms - t));
    await settle();
  }
}

const ROOM = 256 * 1024;

describe('a peer that stops reading while 100,000 prefixes churn', () => {
  for (const hold of [0, 90, 300]) {
    test(`hold time ${hold}: what waits is one buffer plus one round; send hold ends it at exactly ${sendHoldTime(hold) / 1000} s`, async () => {
      const { clock, s, local, remote } = await established(hold);
      const a = PrefixList.fromTexts(table(100_000));
      const b = PrefixList.fromTexts(table(100_000, 1));
      local.stall(ROOM, () => clock.monotonic());
      s.setDesired(a);
      const blockedAt = local.blockedSince;
      expect(blockedAt).toBe(clock.monotonic());
      for (let i = 0; i < 20; i++) {
        s.setDesired(i % 2 ? a : b);
        await wait(clock, 1000, 1000, remote);
        expect(local.queuedBytes).toBeLessThan(ROOM + 2 * OUTPUT_BUDGET_BYTES);
        // Pending: at most the two tables' keys, whatever the number of swaps.
        expect(s.pendingChanges).toBeLessThanOrEqual(200_000);
      }
      expect(s.state).toBe('Established');
      await wait(clock, blockedAt! + sendHoldTime(hold) - 1 - clock.monotonic(), 10_000, remote);
      expect(s.state).toBe('Established');
      await wait(clock, 1, 1, remote);
      expect(s.state).not.toBe('Established');
      expect(s.sendHoldExpiries).toBe(1);
      expect(s.lastNotificationSent).toBe('Send Hold Timer Expired');
      expect(s.lastError?.message).toContain('send hold timer expired');
      await s.stop();
    }, 30_000);
  }

  test('a peer that reads again gets every change, then the session carries on', async () => {
    const { clock, s, local, remote } = await established(90);
    local.stall(16 * 1024, () => clock.monotonic());
    s.setDesired(PrefixList.fromTexts(table(5000)));
    s.setDesired(PrefixList.fromTexts(table(3000, 1)));
    await wait(clock, 5000);
    expect(local.canWrite).toBe(false);
    local.resume();
    await settle();
    for (let i = 0; i < 200 && s.pendingChanges; i++) await settle();
    expect(s.pendingChanges).toBe(0);
    const held = new Map<string, boolean>();
    for (const m of remote.received)
      if (m.type === 'update') {
        for (const p of m.withdrawn) held.delete(p);
        for (const p of m.nlri) held.set(p, true);
      }
    expect([...held.keys()].sort()).toEqual(table(3000, 1).sort());
    expect(s.state).toBe('Established');
    await s.stop();
  });
});

describe('a ROUTE-REFRESH every 10 ms for 60 s, 5,000 prefixes (fake clock)', () => {
  const refresh = encodeRouteRefresh({
    afi: AFI_IPV4,
    safi: SAFI_UNICAST,
    subtype: RouteRefreshSubtype.Normal,
  });
  for (const reads of [true, false]) {
    test(`a peer that ${reads ? 'reads' : 'does not read'}: at most one table per second goes out`, async () => {
      const { clock, s, local, remote } = await established(90);
      s.setDesired(PrefixList.fromTexts(table(5000)));
      await settle();
      if (!reads) local.stall(ROOM, () => clock.monotonic());
      const before = local.written;
      for (let t = 0; t < 60_000; t += 10) {
        remote.send(refresh);
        if (t % 3000 === 0) remote.send(encodeKeepalive());
        clock.advance(10);
        await settle();
      }
      const tableBytes = 5000 * 5;
      const written = local.written - before;
      if (reads) {
        // 6,000 requests, about 61 re-sends (one per REFRESH_MIN_INTERVAL_MS), not 6,000.
        expect(written).toBeGreaterThan(50 * tableBytes);
        expect(written).toBeLessThan(62 * (tableBytes + 2000));
        expect(s.refreshesCoalesced).toBeGreaterThan(5800);
      } else expect(local.queuedBytes).toBeLessThan(ROOM + 2 * OUTPUT_BUDGET_BYTES);
      expect(s.state).toBe('Established');
      await s.stop();
    }, 30_000);
  }
});
