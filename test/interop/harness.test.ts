/**
 * Proves the namespace harness without edgelb: BIRD 2 on a node announces host routes to
 * FRR on the router, both ways of querying (vtysh json, birdc) agree with what was sent.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { type Bird, startBird } from '../support/bird.ts';
import { missing } from '../support/env.ts';
import { type Frr, startFrr } from '../support/frr.ts';
import { cleanStale, createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { run } from '../support/proc.ts';

const why = missing({ root: true, tools: ['ip', 'bird', 'birdc', 'vtysh', '/usr/lib/frr/bgpd'] });

describe.skipIf(!!why)('netns harness: BIRD announces to FRR', () => {
  let lan: Lan;
  let frr: Frr;
  let bird: Bird;

  beforeAll(async () => {
    lan = await createLan({
      family: 'elbh',
      hosts: { router: TOPOLOGY.router, worker: TOPOLOGY.worker },
    });
    frr = await startFrr(lan, 'router', {
      asn: 65000,
      routerId: TOPOLOGY.router.v4,
      neighbors: [{ address: TOPOLOGY.worker.v4, remoteAs: 65001, timers: { keepalive: 1, hold: 3 } }],
    });
    bird = await startBird(lan, 'worker', {
      asn: 65001,
      routerId: TOPOLOGY.worker.v4,
      localAddress: TOPOLOGY.worker.v4,
      neighbors: [{ name: 'router', address: TOPOLOGY.router.v4, remoteAs: 65000 }],
      announce: { v4: ['172.198.1.1/32'], v6: ['2001:db8:1::1/128'] },
    });
  }, 30_000);

  afterAll(async () => {
    await lan?.destroy();
  });

  test('hosts reach each other over the bridge, v4 and v6', async () => {
    // bgpd listens on 179 in the router namespace: a TCP connect proves L2 + L3 both ways.
    for (const a of [TOPOLOGY.router.v4, TOPOLOGY.router.v6]) {
      await lan.exec('worker', ['bash', '-c', `exec 3<>/dev/tcp/${a}/179`], { timeoutMs: 5000 });
    }
    // Nothing listens on 178: refused at once, so the check above is not vacuous.
    const r = await lan.exec('worker', ['bash', '-c', `exec 3<>/dev/tcp/${TOPOLOGY.router.v4}/178`], {
      allowFail: true,
      timeoutMs: 5000,
    });
    expect(r.code).not.toBe(0);
  }, 15_000);

  test('FRR holds the /32 and /128 from BIRD with the node as next hop', async () => {
    await frr.waitState(TOPOLOGY.worker.v4, 'Established');
    await bird.waitEstablished('router');
    const [p4] = await frr.waitPaths('172.198.1.1/32', (p) => p.length === 1);
    expect(p4).toMatchObject({ nextHop: TOPOLOGY.worker.v4, asPath: '65001', valid: true });
    const [p6] = await frr.waitPaths('2001:db8:1::1/128', (p) => p.length === 1);
    expect(p6?.asPath).toBe('65001');
    expect(p6?.nextHop).toBe(TOPOLOGY.worker.v6);
    expect(await frr.received(TOPOLOGY.worker.v4)).toBe(1);
  }, 30_000);

  test('a process started in a namespace is stopped by PID', async () => {
    const p = lan.spawn('worker', ['sleep', '60'], { name: 'sleep' });
    expect(p.running()).toBe(true);
    await p.stop(500);
    expect(p.running()).toBe(false);
  });

  test('destroy removes every namespace and is idempotent; stale LANs are cleaned', async () => {
    const extra = await createLan({ family: 'elbh', hosts: { a: { v4: '10.9.9.1' } } });
    const ns = extra.ns('a');
    await extra.destroy();
    await extra.destroy();
    const list = (await run(['ip', 'netns', 'list'])).stdout;
    expect(list).not.toContain(ns);
    expect(existsSync(extra.dir)).toBe(false);
    // A LAN whose owner is gone (simulated: owner file points at a dead PID) is removed.
    await run(['ip', 'netns', 'add', 'elbhdead-x']);
    cleanStale('elbh');
    expect((await run(['ip', 'netns', 'list'])).stdout).not.toContain('elbhdead-x');
    expect((await run(['ip', 'netns', 'list'])).stdout).toContain(lan.ns('router'));
  });
});
