/**
 * Interop with FRR 8.4 bfdd (research note l2-and-bfd.md §4): FRR's zebra + bfdd as the
 * router at 192.168.2.1 / fd00:2::1 with static `peer` sessions at 300/300/3, edgelb's
 * BfdManager in its own process in the worker namespace (192.168.2.10 / fd00:2::10).
 * Silent death: the worker's eth0 goes down (the router's side of the bridge stays up), so
 * only BFD can notice; FRR must report Down within 1 s (detection time 900 ms).
 * Hostile: malformed and spoofed packets from the router namespace are discarded, counted,
 * and the sessions stay Up.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { missing } from '../support/env.ts';
import { type FrrBfd, startFrrBfd } from '../support/frr-bfd.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type BfdProcess, startBfdMain } from './bfd-main.ts';

const skip = missing({ root: true, tools: ['ip', 'vtysh', '/usr/lib/frr/bfdd'] });
const R4 = TOPOLOGY.router.v4;
const R6 = TOPOLOGY.router.v6;
const W4 = TOPOLOGY.worker.v4;
const W6 = TOPOLOGY.worker.v6;
/** 3 × 300 ms, the budget the issue sets for FRR to notice. */
const DETECT_BUDGET_MS = 1000;

describe.skipIf(!!skip)('BFD interop with FRR bfdd', () => {
  let lan: Lan;
  let frr: FrrBfd;
  let edge: BfdProcess;
  /** What both sides saw, for a failure message: a flap names its side and reason here. */
  const seen = () =>
    [
      `edgelb events: ${JSON.stringify(edge.events())}`,
      `edgelb sessions: ${JSON.stringify(
        Object.fromEntries(
          Object.entries(edge.last()?.peers ?? {}).map(([p, x]) => [
            p,
            { state: x.state, flaps: x.flaps, last: x.lastDiagnostic, remote: x.remoteDiagnostic },
          ]),
        ),
      )}`,
      `edgelb discards: ${JSON.stringify(edge.last()?.counters.discards)}`,
      'bfdd state changes:',
      ...frr
        .log()
        .split('\n')
        .filter((l) => / -> /.test(l))
        .slice(-12),
    ].join('\n');

  beforeAll(async () => {
    lan = await createLan({ family: 'bfdi', hosts: { router: TOPOLOGY.router, worker: TOPOLOGY.worker } });
    frr = await startFrrBfd(lan, 'router', {
      peers: [
        { address: W4, receiveMs: 300, transmitMs: 300, detectMultiplier: 3 },
        { address: W6, receiveMs: 300, transmitMs: 300, detectMultiplier: 3 },
      ],
    });
    edge = startBfdMain(lan, 'worker', {
      peers: [
        { peer: R4, profile: { ...DEFAULT_BFD_PROFILE } },
        { peer: R6, profile: { ...DEFAULT_BFD_PROFILE } },
      ],
    });
  }, 30_000);

  afterAll(async () => {
    await edge?.stop();
    await frr?.stop();
    await lan?.destroy();
  }, 20_000);

  test('both sessions come Up on both sides with 300/300/3 negotiated', async () => {
    for (const [peer, mine] of [
      [W4, R4],
      [W6, R6],
    ] as const) {
      const p = await frr.waitPeer(
        peer,
        (s) => s.status === 'up' && s['remote-transmit-interval'] === 300,
        'up at 300 ms',
      );
      expect(p['remote-receive-interval']).toBe(300);
      expect(p['remote-detect-multiplier']).toBe(3);
      // Echo is never offered.
      expect(p['remote-echo-receive-interval'] ?? 0).toBe(0);
      const s = await edge.waitPeer(mine, (x) => x.state === 'Up' && x.txIntervalMs === 300, 'Up at 300 ms');
      expect(s.rxIntervalMs).toBe(300);
      expect(s.detectionTimeMs).toBe(900);
      expect(s.flaps).toBe(0);
    }
    expect(edge.events().filter((e) => e.event === 'up').length).toBe(2);
  }, 30_000);

  test('hostile packets (wrong TTL, unknown discriminator, bad length, version 0, truncated) are dropped, counted, and the sessions stay Up', async () => {
    const s = edge.last()?.peers[R4];
    const s6 = edge.last()?.peers[R6];
    expect(s?.state).toBe('Up');
    expect(s6?.state).toBe('Up');
    const before = edge.last()!.counters.discards;
    // An otherwise valid Up packet from FRR's session to ours...
    const good = (o: { version?: number; length?: number; your?: number }, session = s) => {
      const b = Buffer.alloc(24);
      b[0] = ((o.version ?? 1) << 5) | 0;
      b[1] = 3 << 6;
      b[2] = 3;
      b[3] = o.length ?? 24;
      b.writeUInt32BE(session!.remoteDiscriminator, 4);
      b.writeUInt32BE(o.your ?? session!.localDiscriminator, 8);
      b.writeUInt32BE(300_000, 12);
      b.writeUInt32BE(300_000, 16);
      return b.toString('hex');
    };
    // One sender process for all of them (each process start is CPU the sessions compete with).
    const spec = (ttl: number, hex: string[], family: 4 | 6 = 4) => ({
      family,
      to: family === 4 ? W4 : W6,
      port: 3784,
      ttl,
      hex,
    });
    const out = await lan.exec('router', [
      process.execPath,
      `${import.meta.dir}/send-main.ts`,
      JSON.stringify([
        // ...but with TTL 254 (one hop away: RFC 5881 §5 GTSM).
        spec(254, [good({}), good({})]),
        spec(255, [
          good({ your: (s!.localDiscriminator + 1) >>> 0 || 1 }),
          good({ length: 23 }),
          good({ length: 200 }),
          good({ version: 0 }),
          good({}).slice(0, 40),
        ]),
        // IPv6: Hop Limit 64 (a remote sender), and version 0.
        spec(64, [good({}, s6)], 6),
        spec(255, [good({ version: 0 }, s6)], 6),
      ]),
    ]);
    expect(out.stdout).toContain('{"sent":9}');
    const after = await edge.waitPeer(
      R4,
      () => (edge.last()?.counters.discards['bad-version'] ?? 0) >= before['bad-version'] + 2,
      'the hostile packets counted',
      5000,
    );
    const d = edge.last()!.counters.discards;
    expect(d['bad-ttl'] - before['bad-ttl'], seen()).toBe(3);
    expect(d['unknown-your-discriminator'] - before['unknown-your-discriminator']).toBe(1);
    expect(d['bad-length'] - before['bad-length']).toBe(2);
    expect(d['bad-version'] - before['bad-version']).toBe(2);
    expect(d.truncated - before.truncated).toBe(1);
    expect(after.state, seen()).toBe('Up');
    expect(after.flaps, seen()).toBe(0);
    expect(edge.last()!.peers[R6], seen()).toMatchObject({ state: 'Up', flaps: 0 });
    expect((await frr.peer(W4))?.status, seen()).toBe('up');
    expect((await frr.peer(W6))?.status, seen()).toBe('up');
  }, 20_000);

  test('silent death: eth0 down in the worker, FRR reports both sessions Down within 1 s; link up brings them back', async () => {
    // A pulled cable (carrier loss) keeps the addresses; `ip link set down` would flush the
    // static IPv6 one unless told not to.
    await lan.exec('worker', ['sysctl', '-qw', 'net.ipv6.conf.eth0.keep_addr_on_down=1']);
    const downsBefore = frr.downTimes(W4).length + frr.downTimes(W6).length;
    const wall0 = Date.now();
    const t0 = performance.now();
    await lan.exec('worker', ['ip', 'link', 'set', 'eth0', 'down']);
    const down: Record<string, number> = {};
    // Poll FRR as fast as vtysh answers (bounded); the time is when FRR first shows it Down.
    for (let i = 0; i < 200 && (down[W4] === undefined || down[W6] === undefined); i++) {
      const peers = await frr.peers();
      const now = performance.now() - t0;
      for (const p of peers) if (p.status !== 'up' && down[p.peer] === undefined) down[p.peer] = now;
      if (now > 5000) break;
    }
    const v4 = await frr.peer(W4);
    const v6 = await frr.peer(W6);
    expect(v4?.status).toBe('down');
    expect(v4?.diagnostic).toBe('control detection time expired');
    expect(v6?.status).toBe('down');
    // bfdd's own millisecond log timestamp of up -> down, against the moment before `ip link set down`
    // (vtysh polling adds its own latency on a loaded machine, so it is only printed).
    const logged = [frr.downTimes(W4).at(-1) ?? 0, frr.downTimes(W6).at(-1) ?? 0].map((t) => t - wall0);
    expect(frr.downTimes(W4).length + frr.downTimes(W6).length, seen()).toBe(downsBefore + 2);
    for (const ms of logged) {
      expect(ms, seen()).toBeGreaterThan(0);
      expect(ms, seen()).toBeLessThanOrEqual(DETECT_BUDGET_MS);
    }
    console.log(
      `FRR declared the silent death after v4 ${logged[0]} ms, v6 ${logged[1]} ms (bfdd log); ` +
        `first seen by vtysh polling after ${down[W4]?.toFixed(0)} / ${down[W6]?.toFixed(0)} ms`,
    );
    // edgelb saw it too, by its own detection timer, and said so by name.
    await edge.waitPeer(R4, (x) => x.state === 'Down', 'Down', 3000);
    const ev = edge.events().find((e) => e.event === 'down' && e.peer === R4);
    expect(ev?.diagnosticName).toBe('Control Detection Time Expired');
    expect(ev?.remote).toBe(false);

    await lan.exec('worker', ['ip', 'link', 'set', 'eth0', 'up']);
    await frr.waitPeer(W4, (p) => p.status === 'up', 'up again', 15_000);
    await frr.waitPeer(W6, (p) => p.status === 'up', 'up again', 15_000);
    for (const peer of [R4, R6]) {
      const s = await edge.waitPeer(
        peer,
        (x) => x.state === 'Up' && x.txIntervalMs === 300,
        'Up again',
        15_000,
      );
      expect(s.flaps, seen()).toBe(1);
    }
  }, 40_000);

  test("FRR's AdminDown (`shutdown` on its peer) is reported as adminDown, never down (RFC 5882 §3.2)", async () => {
    await edge.waitPeer(R4, (x) => x.state === 'Up', 'Up', 15_000);
    const from = edge.events().length;
    await frr.vtysh('configure terminal', 'bfd', `peer ${W4}`, 'shutdown');
    const s = await edge.waitPeer(R4, (x) => x.remoteState === 'AdminDown', 'peer AdminDown', 5000);
    expect(s.state).toBe('Down');
    const evs = edge
      .events()
      .slice(from)
      .filter((e) => e.peer === R4);
    expect(evs.map((e) => [e.event, e.remote])).toEqual([['adminDown', true]]);
    await frr.vtysh('configure terminal', 'bfd', `peer ${W4}`, 'no shutdown');
    await edge.waitPeer(R4, (x) => x.state === 'Up', 'Up again', 15_000);
    expect(
      edge
        .events()
        .slice(from)
        .filter((e) => e.peer === R4 && e.event === 'down'),
    ).toEqual([]);
  }, 30_000);
});
