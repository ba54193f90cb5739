/**
 * Proves the namespace harness and the daemon drivers without edgelb: BIRD 2 (worker) and
 * ExaBGP (pi4) announce the same host routes; FRR (router) must show both paths (ECMP),
 * BIRD must receive ExaBGP's routes and an ExaBGP receiver (api) must receive BIRD's.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { type Bird, startBird } from '../support/bird.ts';
import { missing } from '../support/env.ts';
import { type ExaBgp, startExaBgp } from '../support/exabgp.ts';
import { type Frr, startFrr } from '../support/frr.ts';
import { cleanStale, createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { run, waitFor } from '../support/proc.ts';

const why = missing({ root: true, tools: ['ip', 'bird', 'birdc', 'vtysh', 'exabgp', '/usr/lib/frr/bgpd'] });
const { router, worker, pi4, api } = TOPOLOGY;
const V4 = '172.198.1.1/32';
const V6 = '2001:db8:1::1/128';

describe.skipIf(!!why)('netns harness: FRR, BIRD and ExaBGP talk to each other', () => {
  let lan: Lan;
  let frr: Frr;
  let bird: Bird;
  let exaRx: ExaBgp;
  let exaTx: ExaBgp;

  beforeAll(async () => {
    lan = await createLan({ family: 'elbh', hosts: { router, worker, pi4, api } });
    frr = await startFrr(lan, 'router', {
      asn: 65000,
      routerId: router.v4,
      neighbors: [
        { address: worker.v4, remoteAs: 65001, timers: { keepalive: 1, hold: 3 } },
        { address: pi4.v4, remoteAs: 65002, timers: { keepalive: 1, hold: 3 } },
      ],
    });
    exaRx = await startExaBgp(lan, 'api', {
      asn: 65003,
      routerId: api.v4,
      localAddress: api.v4,
      neighbors: [{ address: worker.v4, remoteAs: 65001 }],
    });
    bird = await startBird(lan, 'worker', {
      asn: 65001,
      routerId: worker.v4,
      localAddress: worker.v4,
      neighbors: [
        { name: 'router', address: router.v4, remoteAs: 65000 },
        { name: 'api', address: api.v4, remoteAs: 65003 },
        { name: 'pi4', address: pi4.v4, remoteAs: 65002, passive: true },
      ],
      announce: { v4: [V4], v6: [V6] },
    });
    exaTx = await startExaBgp(lan, 'pi4', {
      asn: 65002,
      routerId: pi4.v4,
      localAddress: pi4.v4,
      neighbors: [
        { address: router.v4, remoteAs: 65000 },
        { address: worker.v4, remoteAs: 65001 },
      ],
      announce: { v4: [V4, '172.198.9.9/32'], v6: [V6], nextHopV4: pi4.v4, nextHopV6: pi4.v6 },
    });
  }, 30_000);

  afterAll(async () => {
    await lan?.destroy();
  });

  test('hosts reach each other over the bridge, v4 and v6', async () => {
    // bgpd listens on 179 in the router namespace: a TCP connect proves L2 + L3 both ways.
    for (const a of [router.v4, router.v6]) {
      await lan.exec('worker', ['bash', '-c', `exec 3<>/dev/tcp/${a}/179`], { timeoutMs: 5000 });
    }
    // Nothing listens on 178: refused at once, so the check above is not vacuous.
    const r = await lan.exec('worker', ['bash', '-c', `exec 3<>/dev/tcp/${router.v4}/178`], {
      allowFail: true,
      timeoutMs: 5000,
    });
    expect(r.code).not.toBe(0);
  }, 15_000);

  test('FRR holds both paths (ECMP) of the /32 and /128 with each node as next hop', async () => {
    await frr.waitState(worker.v4, 'Established');
    await frr.waitState(pi4.v4, 'Established');
    // Two paths, both used for forwarding (best + multipath).
    const p4 = await frr.waitPaths(V4, (p) => p.filter((x) => x.best || x.multipath).length === 2, 15_000);
    const byPeer = new Map(p4.map((p) => [p.peer, p]));
    expect(byPeer.get(worker.v4)).toMatchObject({ nextHop: worker.v4, asPath: '65001', valid: true });
    expect(byPeer.get(pi4.v4)).toMatchObject({ nextHop: pi4.v4, asPath: '65002', valid: true });
    const p6 = await frr.waitPaths(V6, (p) => p.length === 2);
    expect(p6.map((p) => p.nextHop).sort()).toEqual([worker.v6, pi4.v6].sort());
    expect(await frr.received(worker.v4)).toBe(1);
    expect(await frr.received(pi4.v4)).toBe(2);
  }, 30_000);

  test('BIRD receives ExaBGP routes with attributes parsed from birdc', async () => {
    await bird.waitEstablished('pi4');
    const routes = await waitFor('BIRD route from ExaBGP', async () => {
      const r = await bird.routes('172.198.9.9/32');
      return r.length ? r : undefined;
    });
    expect(routes[0]).toMatchObject({ prefix: '172.198.9.9/32', nextHop: pi4.v4, asPath: '65002' });
    await waitFor('all 3 ExaBGP routes in BIRD', async () => (await bird.count('pi4')) === 3);
  }, 20_000);

  test('an ExaBGP receiver sees BIRD routes through its API dump', async () => {
    await exaRx.waitUp(worker.v4);
    const rib = await waitFor('ExaBGP RIB', () => {
      const r = exaRx.routes();
      return r.has(V4) && r.has(V6) ? r : undefined;
    });
    expect(rib.get(V4)?.[0]).toMatchObject({ peer: worker.v4, nextHop: worker.v4, asPath: '65001' });
    // BIRD sends global + link-local next hops on a shared link; ExaBGP reports one of them.
    expect([worker.v6, 'fe80'] as string[]).toContain(
      rib.get(V6)?.[0]?.nextHop.replace(/^fe80:.*/, 'fe80') ?? '',
    );
  }, 20_000);

  test('a withdraw is seen everywhere once the announcer stops', async () => {
    await exaTx.stop();
    await frr.waitPaths(V4, (p) => p.length === 1);
    await waitFor('BIRD drops ExaBGP route', async () => (await bird.routes('172.198.9.9/32')).length === 0);
  }, 20_000);

  test('a process started in a namespace is stopped by PID', async () => {
    const p = lan.spawn('worker', ['sleep', '60'], { name: 'sleep' });
    expect(p.running()).toBe(true);
    await p.stop(500);
    expect(p.running()).toBe(false);
  });

  test('the opt-in root veth lets the test process reach a host, and goes away with the LAN', async () => {
    const small = await createLan({
      family: 'elbh',
      hosts: { a: { v4: '10.213.7.1' } },
      rootAddress: '10.213.7.250',
    });
    try {
      const srv = small.spawn('a', ['python3', '-m', 'http.server', '--bind', '10.213.7.1', '18080'], {
        name: 'http',
        cwd: small.dir,
      });
      const res = await waitFor('HTTP from the root namespace', async () => {
        const r = await fetch('http://10.213.7.1:18080/', { signal: AbortSignal.timeout(1000) });
        return r.status;
      });
      expect(res).toBe(200);
      await srv.stop();
    } finally {
      await small.destroy();
    }
    expect((await run(['ip', 'link', 'show', `${small.id}r`], { allowFail: true })).code).not.toBe(0);
  }, 20_000);

  test('destroy removes every namespace and is idempotent; stale LANs are cleaned', async () => {
    const extra = await createLan({ family: 'elbh', hosts: { a: { v4: '10.9.9.1' } } });
    const ns = extra.ns('a');
    await extra.destroy();
    await extra.destroy();
    const list = (await run(['ip', 'netns', 'list'])).stdout;
    expect(list).not.toContain(ns);
    expect(existsSync(extra.dir)).toBe(false);
    // A namespace of this family without a live owner (a crashed run) is removed; ours stays.
    await run(['ip', 'netns', 'add', 'elbhdead-x']);
    cleanStale('elbh');
    expect((await run(['ip', 'netns', 'list'])).stdout).not.toContain('elbhdead-x');
    expect((await run(['ip', 'netns', 'list'])).stdout).toContain(lan.ns('router'));
  });
});
