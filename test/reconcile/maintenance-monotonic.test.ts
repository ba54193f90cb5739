/**
 * `edgelb drain` on monotonic time: stepping the wall clock by an hour either way while the
 * drain waits for the peers' acknowledgements neither times it out at once (a forward step)
 * nor lets it wait an hour past its timeout (a backward step); the "since" it saves and shows
 * stays wall clock.
 */
import { describe, expect, test } from 'bun:test';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Maintenance } from '../../agent/reconcile/maintenance.ts';

const HOUR = 3_600_000;

async function run(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    for (let i = 0; i < 5; i++) await Promise.resolve();
    clock.advance(Math.min(stepMs, ms - t));
  }
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function world() {
  const clock = new FakeClock();
  const saved: { drained: boolean; since?: string }[] = [];
  let queue: { peer: string; bytes: number | undefined }[] = [{ peer: '192.168.2.1:179', bytes: 23 }];
  const m: Maintenance = new Maintenance({
    clock,
    store: {
      load: () => ({ ok: true, value: { drained: false } }),
      save: (r) => {
        saved.push(r);
        return { ok: true };
      },
    },
    apply: async () => {},
    speaker: () => ({ unacknowledged: () => queue }),
    withholds: () => [],
    settleMs: 1000,
    timeoutMs: 10_000,
    log: memoryLogger('error'),
  });
  return { clock, m, saved, ack: () => (queue = []) };
}

describe('drain across a wall-clock step', () => {
  for (const jump of [HOUR, -HOUR]) {
    test(`${jump / HOUR} h: an acknowledgement after 3 s is waited for, then 1 s settle`, async () => {
      const w = world();
      let done: { ok: boolean; message: string } | undefined;
      const p = w.m.drain({ settleMs: 1000, timeoutMs: 10_000 }).then((r) => {
        done = r as typeof done;
      });
      expect(w.saved[0]!.since).toBe(new Date(w.clock.now()).toISOString());
      await run(w.clock, 1000);
      w.clock.jump(jump);
      await run(w.clock, 2000);
      expect(done).toBeUndefined();
      w.ack();
      await run(w.clock, 1200);
      await p;
      expect(done?.ok).toBe(true);
      expect(done?.message).toMatch(/acknowledged the withdrawals in 3\d\d\d ms, then 1 s settle/);
    });

    test(`${jump / HOUR} h: no acknowledgement: NotAcknowledged at the 10 s timeout, not before, not an hour late`, async () => {
      const w = world();
      let done: { ok: boolean; code?: string } | undefined;
      const started = w.clock.monotonic();
      let at = 0;
      const p = w.m.drain({ settleMs: 1000, timeoutMs: 10_000 }).then((r) => {
        done = r as typeof done;
        at = w.clock.monotonic() - started;
      });
      await run(w.clock, 1000);
      w.clock.jump(jump);
      await run(w.clock, 8900);
      expect(done).toBeUndefined();
      await run(w.clock, 200);
      await p;
      expect(done).toMatchObject({ ok: false, code: 'NotAcknowledged' });
      expect(at).toBeGreaterThanOrEqual(10_000);
      expect(at).toBeLessThanOrEqual(10_100);
    });
  }
});

test('the acknowledgement time is shown in whole milliseconds (performance.now() has fractions)', async () => {
  const w = world();
  // A monotonic clock with sub-millisecond fractions, as the real one has.
  const fake = w.clock;
  const base = fake.monotonic.bind(fake);
  let calls = 0;
  fake.monotonic = () => base() + (calls++ % 7) * 0.1234;
  let done: { ok: boolean; message: string } | undefined;
  const p = w.m.drain({ settleMs: 1000, timeoutMs: 10_000 }).then((r) => {
    done = r as typeof done;
  });
  await run(w.clock, 500);
  w.ack();
  await run(w.clock, 1200);
  await p;
  expect(done?.message).toMatch(
    /^drained: every session acknowledged the withdrawals in \d+ ms, then 1 s settle/,
  );
});
