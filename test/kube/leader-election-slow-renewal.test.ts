/**
 * Issue 19: the renew deadline counts from the start of the last successful renewal, not
 * from its end. A renewal that takes 4 s and succeeds must not stretch the term: the
 * apiserver may have stored it at its start, and the others time the lease from there.
 */
import { expect, test } from 'bun:test';
import { LeaderElector, type LeaseStore } from '../../agent/kube/leader-election.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { MemoryLease } from './support/memory-lease-store.ts';

const T = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const SLOW_MS = 4_000;

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

test('a renewal that succeeds after 4 s: not leader at its start + renewDeadline', async () => {
  const clock = new FakeClock();
  const lease = new MemoryLease(() => clock.now());
  const inner = lease.store('a');
  let mode: 'fast' | 'slow-once' | 'hang' = 'fast';
  let slowStart: number | undefined;
  const hang = <T>(signal: AbortSignal) =>
    new Promise<T>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
    );
  const store: LeaseStore = {
    get: (signal) => (mode === 'hang' ? hang(signal) : inner.get(signal)),
    create: (l, signal) => (mode === 'hang' ? hang(signal) : inner.create(l, signal)),
    update: (l, signal) => {
      if (mode === 'hang') return hang(signal);
      if (mode === 'fast') return inner.update(l, signal);
      // Stored at once, answered 4 s later; everything after it hangs.
      mode = 'hang';
      slowStart = clock.now();
      const saved = inner.update(l, signal);
      return new Promise((resolve, reject) => {
        clock.setTimer(SLOW_MS, () => saved.then(resolve, reject));
      });
    },
  };
  const e = new LeaderElector({
    ...T,
    identity: 'a',
    namespace: 'kube-system',
    name: 'edgelb',
    store,
    clock,
    random: () => 0.5,
    log: memoryLogger('error'),
  });
  e.start();
  for (let i = 0; i < 10; i++) {
    clock.advance(10);
    await flush();
  }
  expect(e.isLeader()).toBe(true);
  mode = 'slow-once';
  for (let i = 0; i < 1_000 && (slowStart === undefined || clock.now() < slowStart + SLOW_MS + 100); i++) {
    clock.advance(10);
    await flush();
  }
  expect(slowStart).toBeDefined();
  expect(lease.writes.at(-1)?.at).toBe(slowStart as number);
  const end = (slowStart as number) + T.renewDeadlineMs;
  while (clock.now() < end - 10) {
    clock.advance(10);
    await flush();
    if (clock.now() < end) expect(e.isLeader()).toBe(true);
  }
  clock.advance(end - clock.now());
  await flush();
  expect(e.isLeader()).toBe(false);
  await e.stop();
});
