/**
 * The coupling's "BFD not Up after maxWaitMs" problem on monotonic time: a step of the wall
 * clock by an hour either way while a session waits for its first Up neither raises the
 * problem early (at once after a forward step) nor late (an hour later after a backward one).
 */
import { describe, expect, test } from 'bun:test';
import { BfdManager } from '../../agent/bfd/manager.ts';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { DEFAULT_LIVENESS_WAIT_MS } from '../../agent/bgp/liveness-gate.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { BfdCoupling } from '../../agent/reconcile/bfd-coupling.ts';
import type { BfdPlan } from '../../agent/reconcile/plan/bfd-profiles.ts';
import { MemoryNet } from '../bfd/memory-net.ts';

const NODE = '192.0.2.10';
const ROUTER = '192.0.2.1';
const HOUR = 3_600_000;

const plan: BfdPlan = {
  peerId: ROUTER,
  peerAddress: ROUTER,
  multihop: false,
  profileName: 'fast',
  profile: { ...DEFAULT_BFD_PROFILE },
};

/** A node whose router has no BFD configured (nothing answers), unless `answer()` is called. */
function rig(maxWaitMs?: number) {
  const clock = new FakeClock();
  const net = new MemoryNet(clock);
  let seed = 1;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const coupling = new BfdCoupling({
    manager: new BfdManager({ clock, random, transport: net.transport(NODE) }),
    speaker: () => undefined,
    log: memoryLogger('error'),
    metrics: new Registry(),
    clock,
    ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
  });
  const silent = () => coupling.problems().filter((p) => p.includes('not Up'));
  const answer = () => {
    const router = new BfdManager({ clock, random, transport: net.transport(ROUTER) });
    router.add({ peer: NODE, profile: { ...DEFAULT_BFD_PROFILE } });
    return router;
  };
  return { clock, coupling, silent, answer };
}

describe('BfdCoupling: the never-Up wait across a wall-clock step', () => {
  for (const jump of [HOUR, -HOUR]) {
    const name = `${jump > 0 ? '+' : '-'}1 h`;

    test(`${name}: "not Up" appears exactly maxWaitMs (monotonic) after the session was added`, () => {
      const r = rig();
      r.coupling.setSessions([plan]);
      r.clock.advance(10_000);
      r.clock.jump(jump);
      expect(r.silent()).toEqual([]);
      r.clock.advance(DEFAULT_LIVENESS_WAIT_MS - 10_000 - 1);
      expect(r.silent()).toEqual([]);
      r.clock.advance(1);
      expect(r.silent()).toEqual([
        `BFD to ${ROUTER} not Up after 30 s: the peer does not answer BFD (is BFD configured on the router for this node?); BGP runs without it`,
      ]);
      // The gate still lets BGP connect without BFD (never Up: not held).
      expect(r.coupling.gate.state(ROUTER)).toBeUndefined();
      r.coupling.close();
    });

    test(`${name} with a custom wait: a session that comes Up in time never shows the problem`, () => {
      const r = rig(5000);
      r.coupling.setSessions([plan]);
      r.clock.advance(1000);
      r.clock.jump(jump);
      expect(r.silent()).toEqual([]);
      const router = r.answer();
      for (let t = 0; t < 10_000; t += 100) {
        r.clock.advance(100);
        expect(r.silent()).toEqual([]);
      }
      expect(r.coupling.gate.state(ROUTER)).toBe('up');
      router.close();
      r.coupling.close();
    });
  }
});
