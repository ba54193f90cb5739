/**
 * L2Announcer: a takeover or loss of L2_COLLECT_AFTER or more IPs is followed by one garbage
 * collection once its burst is over; small changes are not.
 */
import { describe, expect, test } from 'bun:test';
import type { OwnershipCandidate } from '../../agent/l2/ownership.ts';
import { Responder } from '../../agent/l2/responder.ts';
import { parseMac } from '../../agent/l2/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import {
  L2_COLLECT_AFTER,
  L2_COLLECT_DELAY_MS,
  L2Announcer,
  type OwnershipPort,
} from '../../agent/reconcile/l2-announcer.ts';
import { validObjects } from '../../agent/reconcile/plan/valid-objects.ts';
import type { StatusWriter } from '../../agent/source/types.ts';
import { l2BenchIp, l2ObservedState } from '../support/l2-observed.ts';

const N = L2_COLLECT_AFTER + 200;
const ips = Array.from({ length: N }, (_, i) => l2BenchIp(i + 1));

function setup() {
  const clock = new FakeClock();
  let collections = 0;
  let give: (ips: string[]) => void = () => {};
  const ownership: OwnershipPort = {
    start() {},
    async stop() {},
    setCandidates(_: readonly OwnershipCandidate[]) {},
    mayAnswer: () => true,
  };
  const l2 = new L2Announcer({
    nodeName: 'n1',
    clock,
    log: memoryLogger('error'),
    metrics: new Registry(),
    ownership: (hooks) => {
      give = (list) => hooks.onOwnedChange(new Set(list));
      return ownership;
    },
    responder: (mayAnswer) =>
      new Responder({
        clock,
        mayAnswer,
        openLink: (name) => ({
          ok: true,
          port: {
            name,
            mac: parseMac('02:00:00:00:00:01')!,
            drain: () => [],
            send: () => true,
            join() {},
            leave() {},
            close() {},
          },
        }),
      }),
    links: () => [
      {
        name: 'eth0',
        ifindex: 2,
        mac: '02:00:00:00:00:01',
        up: true,
        loopback: false,
        noarp: false,
        addresses: [{ cidr: '10.96.0.1/16' }],
      },
    ],
    writer: () => ({}) as unknown as StatusWriter,
    collect: () => collections++,
  });
  const observed = l2ObservedState({ node: 'n1', ips });
  l2.update(observed, validObjects(observed));
  return { clock, l2, give: (list: string[]) => give(list), collections: () => collections };
}

describe('L2Announcer: a collection after a large change', () => {
  test('a takeover of many IPs: one collection once the burst is over; a small change: none', () => {
    const t = setup();
    t.give(ips.slice(0, 10));
    t.clock.advance(10 * L2_COLLECT_DELAY_MS);
    expect(t.collections()).toBe(0);
    t.give(ips);
    expect(t.l2.status().owned.length).toBe(N);
    t.clock.advance(L2_COLLECT_DELAY_MS - 1);
    expect(t.collections()).toBe(0);
    t.clock.advance(1);
    expect(t.collections()).toBe(1);
    t.clock.advance(10 * L2_COLLECT_DELAY_MS);
    expect(t.collections()).toBe(1);
    // Losing them all is as large a change.
    t.give([]);
    t.clock.advance(L2_COLLECT_DELAY_MS);
    expect(t.collections()).toBe(2);
  });

  test('stop() cancels a collection not yet run', async () => {
    const t = setup();
    t.give(ips);
    await t.l2.stop();
    t.clock.advance(10 * L2_COLLECT_DELAY_MS);
    expect(t.collections()).toBe(0);
  });
});
