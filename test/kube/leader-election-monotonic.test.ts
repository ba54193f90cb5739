/**
 * Lease expiry on monotonic time: stepping the wall clock (NTP, an operator's `date -s`) by an
 * hour either way neither lets a candidate take a healthy leader's lease, nor makes it wait an
 * hour for a crashed one; and the leader's own term neither ends early nor outlives its deadline.
 */
import { describe, expect, test } from 'bun:test';
import { LeaderElector } from '../../agent/kube/leader-election.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { MemoryLease } from './support/memory-lease-store.ts';

const T = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const HOUR = 3_600_000;

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

async function step(clock: FakeClock, ms: number, check?: () => void): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    clock.advance(10);
    await flush();
    check?.();
  }
}

function contender(
  clock: FakeClock,
  lease: MemoryLease,
  id: string,
  partitioned = () => false,
  retryPeriodMs = T.retryPeriodMs,
) {
  const events: { kind: 'start' | 'stop'; at: number }[] = [];
  const e = new LeaderElector({
    ...T,
    retryPeriodMs,
    identity: id,
    namespace: 'kube-system',
    name: 'edgelb',
    store: lease.store(id, partitioned),
    clock,
    random: () => 0.5,
    log: memoryLogger('error'),
    onStartedLeading: () => events.push({ kind: 'start', at: clock.monotonic() }),
    onStoppedLeading: () => events.push({ kind: 'stop', at: clock.monotonic() }),
  });
  return { id, e, events };
}

async function setup() {
  const clock = new FakeClock();
  const lease = new MemoryLease(() => clock.monotonic());
  let cut = false;
  const a = contender(clock, lease, 'a', () => cut);
  a.e.start();
  await step(clock, 100);
  expect(a.e.isLeader()).toBe(true);
  // b polls four times faster than a renews, so it reads the same record several times in a
  // row: a step of the wall clock between two such reads is what a wall-clock lease gets wrong
  const b = contender(clock, lease, 'b', () => false, 500);
  b.e.start();
  await step(clock, 5_000);
  expect(b.e.holder()).toBe('a');
  return { clock, lease, a, b, cut: () => (cut = true) };
}

describe('lease timing on monotonic time (FakeClock.jump moves the wall clock only)', () => {
  for (const jump of [HOUR, -HOUR]) {
    test(`a healthy leader keeps its lease across a wall-clock step of ${jump / HOUR} h`, async () => {
      const { clock, lease, a, b } = await setup();
      let both = false;
      clock.jump(jump);
      await step(clock, 40_000, () => {
        if (a.e.isLeader() && b.e.isLeader()) both = true;
      });
      expect(both).toBe(false);
      expect(a.e.isLeader()).toBe(true);
      expect(b.e.isLeader()).toBe(false);
      expect(a.events.map((x) => x.kind)).toEqual(['start']);
      expect(lease.lease?.spec.leaseTransitions).toBe(0);
      // the record's times are wall clock (for people): they moved with the step
      const renew = Date.parse(lease.lease!.spec.renewTime!);
      expect(Math.abs(renew - clock.now())).toBeLessThan(T.retryPeriodMs + 100);
      await a.e.stop();
      await b.e.stop();
    });

    test(`a crashed leader's lease expires on time across a wall-clock step of ${jump / HOUR} h`, async () => {
      const { clock, lease, a, b, cut } = await setup();
      cut(); // a's requests now hang: it can renew no more
      const lastRenew = lease.writes.filter((w) => w.who === 'a').at(-1)!.at;
      await step(clock, 3_000); // b has read a's last record (and seen it unchanged since)
      clock.jump(jump);
      let both = false;
      await step(clock, 27_000, () => {
        if (a.e.isLeader() && b.e.isLeader()) both = true;
      });
      expect(both).toBe(false);
      // a stepped down at its renew deadline, measured from its last renewal
      const stopped = a.events.find((x) => x.kind === 'stop')!.at;
      expect(stopped).toBeLessThanOrEqual(lastRenew + T.renewDeadlineMs);
      // b took over a lease duration after it last saw the record change, plus at most one
      // jittered retry period (0.5 s x 2.2), not an hour later and not at once
      const took = b.events.find((x) => x.kind === 'start')?.at ?? Number.POSITIVE_INFINITY;
      expect(took).toBeGreaterThanOrEqual(lastRenew + T.leaseDurationMs);
      expect(took).toBeLessThanOrEqual(lastRenew + T.leaseDurationMs + 500 * 2.2 + 100);
      await b.e.stop();
      await a.e.stop();
    });
  }

  test('term() counts terms: a lost and regained leadership is a new term', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease(() => clock.monotonic());
    let cut = false;
    const a = contender(clock, lease, 'a', () => cut);
    expect(a.e.term()).toBe(0);
    a.e.start();
    await step(clock, 100);
    expect([a.e.isLeader(), a.e.term()]).toEqual([true, 1]);
    cut = true;
    await step(clock, T.renewDeadlineMs + 100);
    expect(a.e.isLeader()).toBe(false);
    expect(a.e.term()).toBe(1);
    cut = false;
    await step(clock, T.leaseDurationMs + T.renewDeadlineMs);
    expect([a.e.isLeader(), a.e.term()]).toEqual([true, 2]);
    await a.e.stop();
  });
});

describe('FakeClock', () => {
  test('jump moves the wall clock only; timers follow monotonic time', () => {
    const c = new FakeClock(1_000);
    const m0 = c.monotonic();
    const fired: number[] = [];
    c.setTimer(100, () => fired.push(c.monotonic() - m0));
    c.jump(-500);
    expect(c.now()).toBe(500);
    expect(c.monotonic()).toBe(m0);
    c.advance(99);
    expect(fired).toEqual([]);
    c.advance(1);
    expect(fired).toEqual([100]);
    expect(c.now()).toBe(600);
    c.jump(HOUR);
    expect(c.monotonic() - m0).toBe(100);
  });
});
