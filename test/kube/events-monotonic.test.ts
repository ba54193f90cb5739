/**
 * The Event recorder's rate limits on monotonic time: stepping the wall clock by an hour either
 * way neither splits a series into a new Event, delays the series write by an hour, empties the
 * token bucket, nor refills it at once; the times written in the Event stay wall clock.
 */
import { describe, expect, test } from 'bun:test';
import { EventRecorder, type ObjectRef } from '../../agent/kube/events.ts';
import { microTime } from '../../agent/kube/lease-record.ts';
import type { KubeClient } from '../../agent/kube/transport.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';

const HOUR = 3_600_000;
const SVC: ObjectRef = { apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'web' };

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function rig(o: { burst?: number; refillMs?: number } = {}) {
  const clock = new FakeClock();
  const calls: { method: string; body: Record<string, unknown>; at: number }[] = [];
  const client = {
    request: async (method: string, _path: string, r: { body?: unknown } = {}) => {
      calls.push({ method, body: r.body as Record<string, unknown>, at: clock.monotonic() });
      return {};
    },
  } as unknown as KubeClient;
  const events = new EventRecorder({ client, clock, log: memoryLogger('error'), instance: 'node-a', ...o });
  const of = (method: string) => calls.filter((c) => c.method === method);
  return { clock, events, calls, of };
}

describe('EventRecorder across a wall-clock step', () => {
  for (const jump of [HOUR, -HOUR]) {
    test(`${jump / HOUR} h: a repeat joins the series, written exactly 30 s after the Event`, async () => {
      const { clock, events, of } = rig();
      events.record(SVC, 'AddressAssigned', 'Normal', 'got 192.0.2.1');
      await flush();
      expect(of('POST').length).toBe(1);
      const created = of('POST')[0]!.at;
      clock.advance(1000);
      clock.jump(jump);
      events.record(SVC, 'AddressAssigned', 'Normal', 'got 192.0.2.1');
      clock.advance(28_999);
      await flush();
      expect(of('POST').length).toBe(1);
      expect(of('PATCH').length).toBe(0);
      clock.advance(1);
      await flush();
      expect(of('POST').length).toBe(1);
      expect(of('PATCH').length).toBe(1);
      expect(of('PATCH')[0]!.at - created).toBe(30_000);
      // lastObservedTime is wall clock: the time of the repeat, after the step.
      const series = of('PATCH')[0]!.body.series as { count: number; lastObservedTime: string };
      expect(series).toEqual({ count: 2, lastObservedTime: microTime(clock.now() - 29_000) });
      expect(events.stats).toMatchObject({ created: 1, seriesWrites: 1, dropped: 0 });
    });

    test(`${jump / HOUR} h: the token bucket refills one token per refillMs, neither at once nor an hour later`, async () => {
      const { clock, events, of } = rig({ burst: 2, refillMs: 2000 });
      events.record(SVC, 'A', 'Normal', 'one');
      events.record(SVC, 'B', 'Normal', 'two');
      await flush();
      clock.jump(jump);
      events.record(SVC, 'C', 'Normal', 'three');
      expect(events.stats.dropped).toBe(1);
      clock.advance(2000);
      events.record(SVC, 'D', 'Normal', 'four');
      events.record(SVC, 'E', 'Normal', 'five');
      await flush();
      expect(events.stats).toMatchObject({ created: 3, dropped: 2 });
      // eventTime is wall clock, after the step.
      expect(of('POST')[2]!.body.eventTime).toBe(microTime(clock.now()));
    });
  }

  test('a repeat after the 10-minute window (monotonic) is a new Event', async () => {
    const { clock, events, of } = rig();
    events.record(SVC, 'A', 'Normal', 'one');
    await flush();
    clock.jump(-HOUR);
    clock.advance(600_000);
    events.record(SVC, 'A', 'Normal', 'one');
    await flush();
    expect(of('POST').length).toBe(2);
  });
});
