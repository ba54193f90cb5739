/**
 * The BFD coupling on a fake clock: a real BfdManager (the node) against another (the
 * router) over the in-memory network; the speaker is a recorder. BFD Down tells the speaker
 * with the diagnostic in words; a remote AdminDown does not; the gate follows the session.
 */
import { describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { BfdManager } from '../../agent/bfd/manager.ts';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { BfdCoupling } from '../../agent/reconcile/bfd-coupling.ts';
import type { BfdPlan } from '../../agent/reconcile/plan/bfd-profiles.ts';
import { MemoryNet } from '../bfd/memory-net.ts';
import { missing } from '../support/env.ts';

const NODE = '192.0.2.10';
const ROUTER = '192.0.2.1';

function rig() {
  const clock = new FakeClock();
  const net = new MemoryNet(clock);
  let seed = 1;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const calls: string[] = [];
  const metrics = new Registry();
  const log = memoryLogger('debug');
  const coupling = new BfdCoupling({
    manager: new BfdManager({ clock, random, transport: net.transport(NODE) }),
    speaker: () => ({
      livenessUp: (a) => calls.push(`up ${a}`),
      livenessDown: (a, reason) => calls.push(`down ${a} ${reason}`),
    }),
    log,
    metrics,
    clock,
  });
  const router = new BfdManager({ clock, random, transport: net.transport(ROUTER) });
  router.add({ peer: NODE, profile: { ...DEFAULT_BFD_PROFILE } });
  const plan: BfdPlan = {
    peerId: ROUTER,
    peerAddress: ROUTER,
    multihop: false,
    profileName: 'fast',
    profile: { ...DEFAULT_BFD_PROFILE },
  };
  return { clock, net, coupling, router, calls, metrics, log, plan };
}

describe('BfdCoupling', () => {
  test('the gate follows the session; Up and Down reach the speaker with the diagnostic in words', () => {
    const r = rig();
    expect(r.coupling.gate.state(ROUTER)).toBeUndefined();
    r.coupling.setSessions([r.plan]);
    // Never Up yet: the first connect is not held (FRR registers multihop BFD only after BGP).
    expect(r.coupling.gate.state(ROUTER)).toBeUndefined();
    r.clock.advance(3000);
    expect(r.coupling.gate.state(ROUTER)).toBe('up');
    expect(r.calls).toEqual([`up ${ROUTER}`]);
    expect(r.coupling.status(ROUTER)).toMatchObject({
      profile: 'fast',
      state: 'Up',
      txIntervalMs: 300,
      rxIntervalMs: 300,
      multiplier: 3,
      flaps: 0,
    });
    r.net.up = false;
    r.clock.advance(1000);
    expect(r.calls[1]).toBe(`down ${ROUTER} BFD down: Control Detection Time Expired`);
    expect(r.coupling.gate.state(ROUTER)).toBe('down');
    expect(r.coupling.status(ROUTER)).toMatchObject({
      flaps: 1,
      lastDiagnostic: 'Control Detection Time Expired',
    });

    const text = r.metrics.render();
    expect(text).toContain(`edgelb_bfd_session_up{peer="${ROUTER}"} 0`);
    expect(text).toContain(`edgelb_bfd_session_flaps_total{peer="${ROUTER}"} 1`);
    expect(text).toContain(
      `edgelb_bfd_diagnostics_total{peer="${ROUTER}",diag="Control Detection Time Expired"} 1`,
    );
    expect(text).toMatch(/^edgelb_bfd_discarded_packets_total\{reason="bad-ttl"\} 0$/m);
    // The timer wheel woke at least once per second of the 1 s advanced above.
    expect(Number(/^edgelb_bfd_timer_wakeups_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    if (!missing({ tools: ['promtool'] })) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(check.stdout + check.stderr).toBe('');
      expect(check.status).toBe(0);
    }
    r.coupling.close();
    r.router.close();
  });

  test('a remote AdminDown never tells the speaker to go down', () => {
    const r = rig();
    r.coupling.setSessions([r.plan]);
    r.clock.advance(3000);
    r.router.adminDown(NODE);
    r.clock.advance(5000);
    expect(r.calls).toEqual([`up ${ROUTER}`]);
    r.coupling.close();
    r.router.close();
  });

  test('a new profile is a poll sequence (no flap); removing the plan ends the session silently', () => {
    const r = rig();
    r.coupling.setSessions([r.plan]);
    r.clock.advance(3000);
    r.coupling.setSessions([{ ...r.plan, profile: { ...r.plan.profile, transmitIntervalMs: 500 } }]);
    r.clock.advance(3000);
    expect(r.coupling.status(ROUTER)).toMatchObject({ state: 'Up', txIntervalMs: 500, flaps: 0 });
    r.coupling.setSessions([]);
    expect(r.coupling.gate.state(ROUTER)).toBeUndefined();
    expect(r.coupling.status(ROUTER)).toBeUndefined();
    // The router's Detection Time is now 3 x 500 ms.
    r.clock.advance(2000);
    expect(r.router.state(NODE)).toBe('Down');
    // No AdminDown was sent: the router's session times out with Control Detection Time Expired.
    expect(r.router.snapshot(NODE)?.lastDiagnostic).toBe('Control Detection Time Expired');
    expect(r.calls).toEqual([`up ${ROUTER}`]);
    r.coupling.close();
    r.router.close();
  });

  test('a router that never answers BFD: BGP is not held, and /status names the peer after 30 s', () => {
    const r = rig();
    r.router.remove(NODE);
    r.coupling.setSessions([r.plan]);
    expect(r.coupling.gate.state(ROUTER)).toBeUndefined();
    r.clock.advance(29_000);
    expect(r.coupling.problems().filter((p) => p.includes('not Up'))).toEqual([]);
    r.clock.advance(1000);
    expect(r.coupling.problems()).toContainEqual(
      expect.stringContaining(`BFD to ${ROUTER} not Up after 30 s`),
    );
    expect(r.coupling.gate.state(ROUTER)).toBeUndefined();
    // The router starts answering: the problem clears and from now on a failure holds BGP.
    r.router.add({ peer: NODE, profile: { ...DEFAULT_BFD_PROFILE } });
    r.clock.advance(3000);
    expect(r.coupling.problems().filter((p) => p.includes('not Up'))).toEqual([]);
    expect(r.coupling.gate.state(ROUTER)).toBe('up');
    r.net.up = false;
    r.clock.advance(1000);
    expect(r.coupling.gate.state(ROUTER)).toBe('down');
    r.coupling.close();
    r.router.close();
  });
});
