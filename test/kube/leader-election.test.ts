import { describe, expect, test } from 'bun:test';
import { LeaderElector } from '../../agent/kube/leader-election.ts';
import {
  decide,
  isLeaseValid,
  microTime,
  NOTHING_OBSERVED,
  observe,
  recordFromSpec,
  validateTimings,
} from '../../agent/kube/lease-record.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { MemoryLease } from './support/memory-lease-store.ts';

const T = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Advances in small steps so async continuations run between timers; calls check after each step. */
async function step(clock: FakeClock, ms: number, check?: () => void): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    clock.advance(10);
    await flush();
    check?.();
  }
}

function seededRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function contender(clock: FakeClock, lease: MemoryLease, id: string, partitioned = () => false) {
  const events: { kind: 'start' | 'stop'; at: number }[] = [];
  const e = new LeaderElector({
    ...T,
    identity: id,
    namespace: 'kube-system',
    name: 'edgelb',
    store: lease.store(id, partitioned),
    clock,
    random: seededRandom(id.charCodeAt(id.length - 1)),
    log: memoryLogger('error'),
    onStartedLeading: () => events.push({ kind: 'start', at: clock.now() }),
    onStoppedLeading: () => events.push({ kind: 'stop', at: clock.now() }),
  });
  return { e, events, id };
}

describe('lease record (pure)', () => {
  test('MicroTime has exactly 6 fractional digits', () => {
    expect(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05.678000Z');
    expect(microTime(0)).toMatch(/^1970-01-01T00:00:00\.\d{6}Z$/);
  });

  test('expiry is judged from when the observer saw the change, not from renewTime', () => {
    const stale = recordFromSpec({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      renewTime: microTime(0),
      acquireTime: microTime(0),
    });
    const now = 1_000_000_000;
    const o = observe(NOTHING_OBSERVED, stale, now);
    expect(decide(o, 'b', 15, now)).toEqual({ kind: 'held', holder: 'a' });
    expect(decide(o, 'b', 15, now + 14_999).kind).toBe('held');
    // the same record seen again does not restart the observer's clock
    expect(observe(o, { ...stale }, now + 10_000)).toBe(o);
    const d = decide(o, 'b', 15, now + 15_000);
    expect(d.kind).toBe('update');
    if (d.kind === 'update') expect(d.record.leaseTransitions).toBe(1);
    // a renewal (changed record) restarts it
    const renewed = observe(o, { ...stale, renewTime: microTime(5) }, now + 14_000);
    expect(isLeaseValid(renewed, now + 28_000)).toBe(true);
    expect(isLeaseValid(renewed, now + 29_000)).toBe(false);
  });

  test('an empty holder is acquirable at once; the holder keeps acquireTime and transitions', () => {
    const released = recordFromSpec({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 4 });
    const o = observe(NOTHING_OBSERVED, released, 100);
    const d = decide(o, 'b', 15, 100);
    expect(d.kind === 'update' && d.record.leaseTransitions).toBe(5);
    const mine = observe(
      NOTHING_OBSERVED,
      { ...released, holderIdentity: 'b', acquireTime: 'T0', leaseTransitions: 5 },
      100,
    );
    const r = decide(mine, 'b', 15, 200);
    expect(r.kind === 'update' && [r.record.acquireTime, r.record.leaseTransitions]).toEqual(['T0', 5]);
  });

  test('timings are validated as client-go does', () => {
    expect(validateTimings(T)).toBeUndefined();
    expect(validateTimings({ ...T, renewDeadlineMs: 15_000 })).toContain('leaseDuration');
    expect(validateTimings({ ...T, retryPeriodMs: 9_000 })).toContain('1.2');
  });
});

describe('LeaderElector on a FakeClock', () => {
  test('three contenders: exactly one leader at every step; leaseTransitions counts takeovers', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease(() => clock.now());
    const cs = ['a', 'b', 'c'].map((id) => contender(clock, lease, id));
    for (const c of cs) c.e.start();
    const one = () => expect(cs.filter((c) => c.e.isLeader()).length).toBeLessThanOrEqual(1);
    await step(clock, 5_000, one);
    expect(cs.filter((c) => c.e.isLeader()).length).toBe(1);
    const leader = cs.find((c) => c.e.isLeader())!;
    expect(cs.every((c) => c.e.holder() === leader.id)).toBe(true);
    expect(lease.lease?.spec.renewTime).toMatch(/\.\d{6}Z$/);
    await step(clock, 30_000, one);
    // still the same leader: renewals keep it
    expect(leader.e.isLeader()).toBe(true);
    expect(lease.lease?.spec.leaseTransitions).toBe(0); // created by the first leader
    await leader.e.stop();
    expect(lease.lease?.spec.holderIdentity).toBe('');
    expect(lease.lease?.spec.leaseDurationSeconds).toBe(1);
    const stoppedAt = clock.now();
    let next: (typeof cs)[number] | undefined;
    await step(clock, 6_000, () => {
      one();
      next ??= cs.find((c) => c.e.isLeader());
    });
    expect(next).toBeDefined();
    const startedAt = next!.events.find((x) => x.kind === 'start')!.at;
    // released: taken within one jittered retry period (2 s x 2.2), not a lease duration
    expect(startedAt - stoppedAt).toBeLessThanOrEqual(4_400);
    expect(lease.lease?.spec.leaseTransitions).toBe(1);
    for (const c of cs) await c.e.stop();
  });

  test('a partitioned leader stops before its lease can expire for the others', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease(() => clock.now());
    let cut = false;
    const a = contender(clock, lease, 'a', () => cut);
    a.e.start();
    await step(clock, 100);
    expect(a.e.isLeader()).toBe(true);
    const b = contender(clock, lease, 'b');
    const c = contender(clock, lease, 'c');
    b.e.start();
    c.e.start();
    await step(clock, 7_000);
    const lastRenew = lease.writes.filter((w) => w.who === 'a').at(-1)!.at;
    cut = true;
    let overlap = false;
    await step(clock, 30_000, () => {
      if ([a, b, c].filter((x) => x.e.isLeader()).length > 1) overlap = true;
    });
    expect(overlap).toBe(false);
    const stopped = a.events.find((x) => x.kind === 'stop')!.at;
    expect(stopped).toBeLessThanOrEqual(lastRenew + T.renewDeadlineMs);
    const successor = [b, c].find((x) => x.events.some((ev) => ev.kind === 'start'))!;
    const took = successor.events.find((x) => x.kind === 'start')!.at;
    expect(took).toBeGreaterThanOrEqual(lastRenew + T.leaseDurationMs);
    expect(took - stopped).toBeGreaterThanOrEqual(T.leaseDurationMs - T.renewDeadlineMs);
    // a wrote nothing after it stopped
    expect(lease.writes.filter((w) => w.who === 'a' && w.at >= stopped)).toEqual([]);
    // healed: a sees the new holder and stays a follower
    cut = false;
    await step(clock, T.renewDeadlineMs + T.retryPeriodMs * 2.2 + 100); // its hung request times out first
    expect(a.e.isLeader()).toBe(false);
    expect(a.e.holder()).toBe(successor.id);
    for (const x of [a, b, c]) await x.e.stop();
  });

  test('a newcomer waits a full lease duration even when renewTime looks stale (crashed holder)', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease(() => clock.now());
    const dead = contender(clock, lease, 'dead');
    dead.e.start();
    await step(clock, 100);
    expect(dead.e.isLeader()).toBe(true);
    // crash: stop its timers without releasing (as SIGKILL would)
    (dead.e as unknown as { running: boolean }).running = false;
    await step(clock, 60_000); // renewTime is now a minute old
    const b = contender(clock, lease, 'b');
    const seen = clock.now();
    b.e.start();
    await step(clock, T.leaseDurationMs - 100);
    expect(b.e.isLeader()).toBe(false);
    await step(clock, T.retryPeriodMs * 2.2 + 200);
    expect(b.e.isLeader()).toBe(true);
    const took = b.events[0]!.at;
    expect(took).toBeGreaterThanOrEqual(seen + T.leaseDurationMs);
    expect(took).toBeLessThanOrEqual(seen + T.leaseDurationMs + T.retryPeriodMs * 2.2 + 10);
    expect(lease.lease?.spec.leaseTransitions).toBe(1);
    await b.e.stop();
  });

  test('a 409 is a failed attempt: simultaneous candidates never both lead', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease(() => clock.now());
    const cs = ['x', 'y', 'z'].map((id) => contender(clock, lease, id));
    // all start in the same instant: the first create wins, the others' creates get 409
    for (const c of cs) c.e.start();
    clock.advance(0);
    await flush();
    expect(cs.filter((c) => c.e.isLeader()).length).toBe(1);
    expect(lease.writes.length).toBe(1);
    for (const c of cs) await c.e.stop();
  });
});
