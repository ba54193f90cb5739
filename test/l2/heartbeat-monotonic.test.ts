/**
 * The Heartbeat's fence on monotonic time: stepping the wall clock (NTP at boot on a Pi without
 * RTC, `date -s`) by an hour either way, in steady state or while a renewal is in flight,
 * neither fences a node that renews normally nor keeps one live past its renew deadline; the
 * Lease's renewTime stays wall clock (for people) and moves with the step.
 */
import { describe, expect, test } from 'bun:test';
import { DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_INTERVAL_MS, Heartbeat } from '../../agent/l2/heartbeat.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { MemoryLease } from '../kube/support/memory-lease-store.ts';
import { step } from './support/fake-steps.ts';

const HOUR = 3_600_000;
const RENEW_DEADLINE_MS = DEFAULT_LEASE_DURATION_MS - DEFAULT_RENEW_INTERVAL_MS;

function setup() {
  const clock = new FakeClock();
  // writes are stamped with monotonic time: the test's own yardstick
  const lease = new MemoryLease(() => clock.monotonic());
  let cut = false;
  /** A wall-clock step to make while the next write is in flight (after it started, before it returns). */
  let midWrite = 0;
  const changes: { live: boolean; at: number }[] = [];
  const hb = new Heartbeat({
    node: 'pi1',
    namespace: 'kube-system',
    leaseDurationMs: DEFAULT_LEASE_DURATION_MS,
    renewIntervalMs: DEFAULT_RENEW_INTERVAL_MS,
    store: lease.store('pi1', () => cut),
    clock,
    log: memoryLogger('error'),
    owned: () => new Set(['192.168.2.200']),
    onWriteStarted: () => {
      if (midWrite !== 0) clock.jump(midWrite);
      midWrite = 0;
    },
    onLiveChange: (live) => changes.push({ live, at: clock.monotonic() }),
  });
  return {
    clock,
    lease,
    hb,
    changes,
    cut: (on = true) => {
      cut = on;
    },
    jumpMidWrite: (ms: number) => {
      midWrite = ms;
    },
  };
}

describe('Heartbeat fence on monotonic time (FakeClock.jump moves the wall clock only)', () => {
  for (const jump of [HOUR, -HOUR]) {
    const h = jump / HOUR;
    test(`a node that renews normally stays live across a step of ${h} h, in steady state and mid-write`, async () => {
      const s = setup();
      s.hb.start();
      await step(s.clock, 2_000);
      expect(s.hb.isLive()).toBe(true);
      let notLive = 0;
      const check = () => {
        if (!s.hb.isLive()) notLive++;
      };
      s.clock.jump(jump);
      await step(s.clock, 3_000, check);
      s.jumpMidWrite(jump);
      await step(s.clock, 3_000, check);
      expect(notLive).toBe(0);
      expect(s.changes.map((c) => c.live)).toEqual([true]);
      // renewals kept their pace: one every renew interval
      const gaps = s.lease.writes.slice(1).map((w, i) => w.at - s.lease.writes[i]!.at);
      expect(Math.max(...gaps)).toBe(DEFAULT_RENEW_INTERVAL_MS);
      // the record is wall clock: it moved with both steps
      const renew = Date.parse(s.lease.lease!.spec.renewTime!);
      expect(Math.abs(renew - s.clock.now())).toBeLessThanOrEqual(DEFAULT_RENEW_INTERVAL_MS);
      // fenceAt is shown as a wall time: the renew deadline ahead of the wall clock, not an hour off
      const ahead = s.hb.fenceAt() - s.clock.now();
      expect(ahead).toBeGreaterThan(0);
      expect(ahead).toBeLessThanOrEqual(RENEW_DEADLINE_MS);
      await s.hb.stop();
    });

    test(`renewals stop after a step of ${h} h made mid-write: fenced exactly at the renew deadline`, async () => {
      const s = setup();
      s.hb.start();
      await step(s.clock, 2_000);
      s.jumpMidWrite(jump);
      await step(s.clock, DEFAULT_RENEW_INTERVAL_MS);
      // the write that saw the step succeeded; the next ones hang
      const lastOk = s.lease.writes.at(-1)!.at;
      s.cut();
      let liveAfterDeadline = 0;
      await step(s.clock, 3_000, () => {
        if (s.hb.isLive() && s.clock.monotonic() >= lastOk + RENEW_DEADLINE_MS) liveAfterDeadline++;
      });
      expect(liveAfterDeadline).toBe(0);
      expect(s.changes).toEqual([
        { live: true, at: expect.any(Number) },
        { live: false, at: lastOk + RENEW_DEADLINE_MS },
      ]);
      expect(s.hb.fenceAt()).toBe(0);
      s.cut(false);
      await s.hb.stop();
    });
  }

  test('renewals stop, then the clock steps +1 h: still live until the deadline, fenced at it', async () => {
    const s = setup();
    s.hb.start();
    await step(s.clock, 2_000);
    const lastOk = s.lease.writes.at(-1)!.at;
    s.cut();
    await step(s.clock, 500);
    s.clock.jump(HOUR);
    const live: boolean[] = [];
    await step(s.clock, 2_000, () => live.push(s.hb.isLive()));
    // live for every 10 ms step before the deadline, fenced from it on
    const before = (lastOk + RENEW_DEADLINE_MS - (s.clock.monotonic() - 2_000)) / 10;
    expect(live.indexOf(false)).toBe(before - 1);
    expect(live.slice(before - 1).every((l) => !l)).toBe(true);
    expect(s.changes.at(-1)).toEqual({ live: false, at: lastOk + RENEW_DEADLINE_MS });
    s.cut(false);
    await s.hb.stop();
  });
});
