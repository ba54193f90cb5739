/**
 * The Heartbeat alone on a FakeClock over an in-memory Lease: the renewal schedule, a claim
 * change written at once, the fence exactly at the start of the last successful renewal +
 * renew deadline (with the request in flight aborted), recovery, and the release on stop.
 */
import { describe, expect, test } from 'bun:test';
import {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_INTERVAL_MS,
  Heartbeat,
  validateHeartbeatTimings,
} from '../../agent/l2/heartbeat.ts';
import type { HeartbeatLease } from '../../agent/l2/heartbeat-lease.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { MemoryLease } from '../kube/support/memory-lease-store.ts';
import { step } from './support/fake-steps.ts';

function setup() {
  const clock = new FakeClock();
  const lease = new MemoryLease(() => clock.now());
  let cut = false;
  let owned = new Set<string>();
  const live: { live: boolean; at: number }[] = [];
  const hb = new Heartbeat({
    node: 'pi1',
    namespace: 'kube-system',
    leaseDurationMs: DEFAULT_LEASE_DURATION_MS,
    renewIntervalMs: DEFAULT_RENEW_INTERVAL_MS,
    store: lease.store('pi1', () => cut),
    clock,
    log: memoryLogger('error'),
    owned: () => owned,
    onLiveChange: (l) => live.push({ live: l, at: clock.now() }),
  });
  return {
    clock,
    lease,
    hb,
    live,
    cut: (on: boolean) => {
      cut = on;
    },
    own: (ips: string[]) => {
      owned = new Set(ips);
      hb.requestWrite();
    },
    annotation: () =>
      (lease.lease as HeartbeatLease | undefined)?.metadata.annotations?.['edgelb.io/l2-owned'],
  };
}

describe('Heartbeat on a fake clock', () => {
  test('timings: the renew deadline sits between the renew interval and the lease duration', () => {
    expect(validateHeartbeatTimings({ leaseDurationMs: 2_000, renewIntervalMs: 500 })).toBeUndefined();
    expect(validateHeartbeatTimings({ leaseDurationMs: 2_000, renewIntervalMs: 1_000 })).toContain('longer');
    expect(
      validateHeartbeatTimings({ leaseDurationMs: 2_000, renewIntervalMs: 500, renewDeadlineMs: 2_000 }),
    ).toContain('shorter');
    expect(validateHeartbeatTimings({ leaseDurationMs: 800, renewIntervalMs: 100 })).toContain('1 s');
  });

  test('renews every 0.5 s; a claim change is written at once and restarts the interval', async () => {
    const s = setup();
    const t0 = s.clock.now();
    s.hb.start();
    await step(s.clock, 2_000);
    // the first write reads first (GET, then create: it lands in the next 10 ms step); the
    // renewals are PUTs over the cached Lease, every 500 ms from the start of the previous one
    expect(s.lease.writes.map((w) => w.at - t0)).toEqual([10, 500, 1000, 1500, 2000]);
    expect(s.live).toEqual([{ live: true, at: t0 + 10 }]);
    await step(s.clock, 120);
    s.own(['192.168.2.201', '192.168.2.200']);
    await step(s.clock, 10);
    expect(s.annotation()).toBe('192.168.2.200,192.168.2.201');
    const changeAt = s.lease.writes.at(-1)!.at - t0;
    expect(changeAt).toBe(2120);
    await step(s.clock, 600);
    expect(s.lease.writes.at(-1)!.at - t0).toBe(2620);
    expect(s.lease.lease?.spec.renewTime).toMatch(/\.\d{6}Z$/);
    await s.hb.stop();
  });

  test('fences at the start of the last successful renewal + renew deadline, and recovers', async () => {
    const s = setup();
    s.hb.start();
    await step(s.clock, 1_000);
    const lastOk = s.lease.writes.at(-1)!.at;
    s.cut(true);
    await step(s.clock, 3_000);
    const fenced = s.live.find((x) => !x.live)!;
    expect(fenced.at).toBe(lastOk + DEFAULT_LEASE_DURATION_MS - DEFAULT_RENEW_INTERVAL_MS);
    expect(s.hb.isLive()).toBe(false);
    expect(s.hb.fenceAt()).toBe(0);
    expect(s.lease.writes.filter((w) => w.at > lastOk)).toEqual([]);
    s.cut(false);
    // the request hung by the cut gives up within the renew deadline, then the next one succeeds
    await step(s.clock, DEFAULT_LEASE_DURATION_MS);
    expect(s.hb.isLive()).toBe(true);
    expect(s.live.at(-1)!.live).toBe(true);
    await s.hb.stop();
  });

  test('stop fences first, then releases: empty holder, no claims, 1 s', async () => {
    const s = setup();
    s.hb.start();
    s.own(['192.168.2.200']);
    await step(s.clock, 100);
    expect(s.annotation()).toBe('192.168.2.200');
    await s.hb.stop();
    expect(s.live.at(-1)!.live).toBe(false);
    expect([
      s.lease.lease?.spec.holderIdentity,
      s.lease.lease?.spec.leaseDurationSeconds,
      s.annotation(),
    ]).toEqual(['', 1, '']);
    const n = s.lease.writes.length;
    await step(s.clock, 2_000);
    expect(s.lease.writes.length).toBe(n);
  });

  test('a Lease changed behind its back (409) is read again and overwritten', async () => {
    const s = setup();
    s.hb.start();
    await step(s.clock, 100);
    // someone edits it: the cached resourceVersion is stale
    s.lease.lease = { ...s.lease.lease!, metadata: { ...s.lease.lease!.metadata, resourceVersion: '999' } };
    await step(s.clock, 500);
    expect(s.lease.lease?.spec.holderIdentity).toBe('pi1');
    expect(s.hb.isLive()).toBe(true);
    expect(s.hb.lastError).toBe('');
    await s.hb.stop();
  });
});
