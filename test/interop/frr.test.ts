/**
 * edgelb against FRR bgpd (+ zebra) with the accept route-map and maximum-paths 8: the shared
 * conformance suite, then FRR-only behaviour: ECMP from two nodes, 4-byte ASN, TCP-MD5,
 * graceful restart after SIGKILL, clean withdraw on stop, hold-timer expiry after SIGSTOP.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { missing } from '../support/env.ts';
import { type Frr, startFrr } from '../support/frr.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { sleep, waitFor } from '../support/proc.ts';
import { type PeerConfig, peer, type SpeakerProcess, startSpeaker } from '../support/speaker-main.ts';
import { NODE_ASN, ROUTER_ASN, runConformance } from './conformance.ts';

const why = missing({ root: true, tools: ['ip', 'vtysh', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'] });

runConformance({
  skip: why,
  name: 'FRR',
  family: 'elbc',
  async startReceiver(lan, neighbors) {
    const frr = await startFrr(lan, 'router', {
      asn: ROUTER_ASN,
      routerId: TOPOLOGY.router.v4,
      neighbors: neighbors.map((n) => ({ address: n.address, remoteAs: n.asn })),
    });
    return {
      async routes(prefix) {
        return (await frr.paths(prefix)).map((p) => ({
          from: p.peer,
          nextHop: p.nextHop,
          asPath: p.asPath,
          communities: p.communities,
          largeCommunities: p.largeCommunities,
          localPref: p.localPref,
        }));
      },
      waitEstablished: async (a, ms) => void (await frr.waitState(a, 'Established', ms)),
      stop: () => frr.stop(),
    };
  },
});

const { router, worker, pi4 } = TOPOLOGY;
const ASN4 = 4200000001;
const MD5 = { v4: '192.168.2.14', v6: 'fd00:2::14' };
const WIDE = { v4: '192.168.2.13', v6: 'fd00:2::13' };
const PASSWORD = 'edgelb-md5-secret';
const VIP = '172.198.1.1/32';
const VIP6 = '2001:db8:1::1/128';

describe.skipIf(!!why)('FRR only: ECMP, 4-byte ASN, MD5, graceful restart, stop, hold timer', () => {
  let lan: Lan;
  let frr: Frr;
  const speakers: SpeakerProcess[] = [];
  let workerSp: SpeakerProcess;
  let pi4Sp: SpeakerProcess;

  const node = (host: 'worker' | 'pi4', extra: Partial<PeerConfig> = {}, ads = [VIP, VIP6]) => {
    const a = TOPOLOGY[host];
    const sp = startSpeaker(lan, host, {
      routerId: a.v4,
      hostname: host,
      nextHopV4: a.v4,
      nextHopV6: a.v6,
      peers: [
        peer({
          id: 'router',
          peerAddress: router.v4,
          localAddress: a.v4,
          localASN: NODE_ASN,
          peerASN: ROUTER_ASN,
          holdTimeSeconds: 3,
          keepAliveTimeSeconds: 1,
          ...extra,
        }),
      ],
      advertisements: { router: ads },
    });
    speakers.push(sp);
    return sp;
  };

  beforeAll(async () => {
    lan = await createLan({ family: 'elbf', hosts: { router, worker, pi4, wide: WIDE, md5: MD5 } });
    frr = await startFrr(lan, 'router', {
      asn: ROUTER_ASN,
      routerId: router.v4,
      neighbors: [
        { address: worker.v4, remoteAs: NODE_ASN, timers: { keepalive: 1, hold: 3 } },
        { address: pi4.v4, remoteAs: NODE_ASN, timers: { keepalive: 1, hold: 3 } },
        { address: WIDE.v4, remoteAs: ASN4 },
        { address: MD5.v4, remoteAs: NODE_ASN, password: PASSWORD },
      ],
    });
  }, 30_000);

  afterAll(async () => {
    for (const s of speakers) await s.proc.stop(1000);
    await lan?.destroy();
  }, 30_000);

  test('two nodes announcing the same /32 give FRR two ECMP paths', async () => {
    workerSp = node('worker');
    pi4Sp = node('pi4');
    await workerSp.waitEstablished('router');
    await pi4Sp.waitEstablished('router');
    const paths = await frr.waitPaths(
      VIP,
      (x) => x.filter((y) => y.best || y.multipath).length === 2,
      15_000,
    );
    expect(paths.map((x) => x.nextHop).sort()).toEqual([worker.v4, pi4.v4]);
    // The hostname capability names the node in `show bgp neighbors`.
    expect((await frr.neighbor(worker.v4))?.hostname).toBe('worker');
    expect(paths.every((x) => x.asPath === String(NODE_ASN))).toBe(true);
    const p6 = await frr.waitPaths(VIP6, (x) => x.length === 2);
    expect(p6.map((x) => x.nextHop).sort()).toEqual([worker.v6, pi4.v6]);
    // zebra got both next hops for the /32 (ECMP in the router's kernel table).
    const rt = await lan.exec('router', ['ip', '-j', 'route', 'show', VIP]);
    const hops = (JSON.parse(rt.stdout) as { nexthops?: { gateway: string }[] }[])[0]?.nexthops ?? [];
    expect(hops.map((h) => h.gateway).sort()).toEqual([worker.v4, pi4.v4]);
  }, 30_000);

  test('a 4-byte local ASN (4200000001) shows in the AS path and the neighbour', async () => {
    const sp = startSpeaker(lan, 'wide', {
      routerId: WIDE.v4,
      nextHopV4: WIDE.v4,
      peers: [
        peer({
          id: 'router',
          peerAddress: router.v4,
          localAddress: WIDE.v4,
          localASN: ASN4,
          peerASN: ROUTER_ASN,
        }),
      ],
      advertisements: { router: ['172.198.4.4/32'] },
    });
    speakers.push(sp);
    const n = await frr.waitState(WIDE.v4, 'Established');
    expect(n.remoteAs).toBe(ASN4);
    const [p] = await frr.waitPaths('172.198.4.4/32', (x) => x.length === 1);
    expect(p?.asPath).toBe(String(ASN4));
    await sp.stop('withdraw');
  }, 20_000);

  test('TCP-MD5: a wrong password never establishes, the right one does', async () => {
    const bad = startSpeaker(lan, 'md5', {
      routerId: MD5.v4,
      nextHopV4: MD5.v4,
      peers: [
        peer({
          id: 'router',
          peerAddress: router.v4,
          localAddress: MD5.v4,
          localASN: NODE_ASN,
          peerASN: ROUTER_ASN,
          password: 'wrong-password',
        }),
      ],
      advertisements: { router: ['172.198.5.5/32'] },
    });
    speakers.push(bad);
    // Unsigned/mis-signed SYNs are dropped silently: nothing can happen, so a bounded wait is the check.
    await sleep(2500); // connect retry is 1 s: several attempts fit in this window
    expect((await frr.neighbor(MD5.v4))?.state).not.toBe('Established');
    expect(bad.last()?.peers[0]?.state).not.toBe('Established');
    await bad.stop('withdraw');
    const good = startSpeaker(
      lan,
      'md5',
      {
        routerId: MD5.v4,
        nextHopV4: MD5.v4,
        peers: [
          peer({
            id: 'router',
            peerAddress: router.v4,
            localAddress: MD5.v4,
            localASN: NODE_ASN,
            peerASN: ROUTER_ASN,
            password: PASSWORD,
          }),
        ],
        advertisements: { router: ['172.198.5.5/32'] },
      },
      'edgelb2',
    );
    speakers.push(good);
    await frr.waitState(MD5.v4, 'Established');
    await frr.waitPaths('172.198.5.5/32', (x) => x.length === 1);
    await good.stop('withdraw');
  }, 30_000);

  test('SIGKILL: FRR keeps the routes as stale; after a restart End-of-RIB refreshes them', async () => {
    await frr.waitPaths(VIP, (x) => x.length === 2);
    await workerSp.proc.kill();
    const stale = await frr.waitPaths(VIP, (x) => x.some((p) => p.peer === worker.v4 && p.stale), 10_000);
    expect(stale.find((p) => p.peer === worker.v4)?.nextHop).toBe(worker.v4);
    // The restarted agent no longer announces the /128: only End-of-RIB can tell FRR to drop the
    // stale copy, while the /32 is refreshed (stale flag cleared) by the new UPDATE.
    workerSp = node('worker', {}, [VIP]);
    await workerSp.waitEstablished('router');
    const fresh = await frr.waitPaths(VIP, (x) => x.length === 2 && !x.some((p) => p.stale), 10_000);
    expect(fresh.map((p) => p.nextHop).sort()).toEqual([worker.v4, pi4.v4]);
    const v6 = await frr.waitPaths(VIP6, (x) => x.length === 1, 10_000);
    expect(v6[0]).toMatchObject({ nextHop: pi4.v6, stale: false });
    const n = await frr.neighbor(worker.v4);
    expect(n?.connectionsEstablished).toBeGreaterThanOrEqual(2);
  }, 30_000);

  test('SIGSTOP of the router expires the hold timer; after SIGCONT the session comes back', async () => {
    const w = workerSp;
    await w.waitEstablished('router');
    const from = w.out.all().length;
    const t0 = performance.now();
    frr.proc.signal('SIGSTOP');
    try {
      // Hold time 3 s: the speaker must leave Established after ~3 s, saying why.
      const down = await w.waitPeer('router', (p) => p.state !== 'Established', 6000, from);
      const ms = performance.now() - t0;
      expect(ms).toBeGreaterThan(2000);
      expect(ms).toBeLessThan(5000);
      expect(String(down.lastNotificationSent)).toMatch(/hold timer expired/i);
    } finally {
      frr.proc.signal('SIGCONT');
    }
    await w.waitEstablished('router', 20_000);
    await frr.waitState(worker.v4, 'Established', 20_000);
    await frr.waitPaths(VIP, (x) => x.some((p) => p.peer === worker.v4 && !p.stale), 10_000);
  }, 40_000);

  test('a stop in keep mode closes without NOTIFICATION: FRR keeps the routes as stale', async () => {
    await frr.waitPaths(VIP, (x) => x.some((y) => y.peer === worker.v4 && !y.stale), 10_000);
    await workerSp.stop('keep');
    const paths = await frr.waitPaths(VIP, (x) => x.some((y) => y.peer === worker.v4 && y.stale), 5000);
    expect(paths.find((y) => y.peer === worker.v4)?.nextHop).toBe(worker.v4);
    const n = await frr.neighbor(worker.v4);
    expect(n?.lastReset ?? '').not.toMatch(/notification/i);
  }, 20_000);

  test('a clean stop in withdraw mode removes the routes at FRR within 1 s', async () => {
    const p = pi4Sp;
    await p.waitEstablished('router', 20_000);
    await frr.waitState(pi4.v4, 'Established', 20_000);
    await frr.waitPaths(VIP, (x) => x.some((y) => y.peer === pi4.v4 && !y.stale));
    const t0 = performance.now();
    const stopped = p.stop('withdraw');
    await waitFor('pi4 paths gone', async () => !(await frr.paths(VIP)).some((y) => y.peer === pi4.v4), {
      timeoutMs: 1000,
      intervalMs: 20,
    });
    const ms = performance.now() - t0;
    await stopped;
    expect(ms).toBeLessThan(1000);
    expect((await frr.paths(VIP6)).some((y) => y.nextHop === pi4.v6)).toBe(false);
    // FRR saw a Cease / Administrative Shutdown (RFC 8203), not a dropped connection.
    const n = await frr.neighbor(pi4.v4);
    expect(n?.lastReset).toBe('BGP Notification received');
    expect(String(n?.raw.lastNotificationReason)).toMatch(/Cease\/Administrative Shutdown/);
  }, 15_000);
});
