/**
 * Two edgelb BfdManagers on real sockets in two namespaces (the same scenario the FakeClock
 * pair in manager.test.ts runs in memory): Up at 300 ms on IPv4 and IPv6, then a silent
 * death on one side is detected by the other by name, and the link back brings both Up.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { missing } from '../support/env.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type BfdProcess, startBfdMain } from './bfd-main.ts';

const skip = missing({ root: true, tools: ['ip'] });
const W = TOPOLOGY.worker;
const P = TOPOLOGY.pi4;

describe.skipIf(!!skip)('edgelb to edgelb over UDP', () => {
  let lan: Lan;
  let w: BfdProcess;
  let p: BfdProcess;

  beforeAll(async () => {
    lan = await createLan({ family: 'bfdp', hosts: { worker: W, pi4: P } });
    const profile = { ...DEFAULT_BFD_PROFILE };
    w = startBfdMain(lan, 'worker', {
      peers: [
        { peer: P.v4, profile },
        { peer: P.v6, profile },
      ],
    });
    p = startBfdMain(lan, 'pi4', {
      peers: [
        { peer: W.v4, profile },
        { peer: W.v6, profile },
      ],
    });
  }, 20_000);

  afterAll(async () => {
    await w?.stop();
    await p?.stop();
    await lan?.destroy();
  }, 20_000);

  test('Up on both families, then a silent death is detected by the other side and healed', async () => {
    for (const [proc, peer] of [
      [w, P.v4],
      [w, P.v6],
      [p, W.v4],
      [p, W.v6],
    ] as const) {
      await proc.waitPeer(
        peer,
        (s) => s.state === 'Up' && s.txIntervalMs === 300 && s.detectionTimeMs === 900,
        'Up',
      );
    }
    await lan.exec('pi4', ['sysctl', '-qw', 'net.ipv6.conf.eth0.keep_addr_on_down=1']);
    const t0 = performance.now();
    await lan.exec('pi4', ['ip', 'link', 'set', 'eth0', 'down']);
    await w.waitPeer(P.v4, (s) => s.state === 'Down', 'Down', 3000);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1500);
    await w.waitPeer(P.v6, (s) => s.state === 'Down', 'Down', 3000);
    expect(w.last()!.peers[P.v4]!.lastDiagnostic).toBe('Control Detection Time Expired');
    expect(
      w
        .events()
        .filter((e) => e.event === 'down')
        .map((e) => e.diagnosticName),
    ).toEqual(['Control Detection Time Expired', 'Control Detection Time Expired']);
    await lan.exec('pi4', ['ip', 'link', 'set', 'eth0', 'up']);
    for (const peer of [P.v4, P.v6])
      await w.waitPeer(peer, (s) => s.state === 'Up' && s.flaps === 1, 'Up again', 15_000);
    expect(
      w.last()!.counters.discards['no-session'] + w.last()!.counters.discards['unknown-your-discriminator'],
    ).toBe(0);
  }, 40_000);
});
