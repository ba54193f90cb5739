/**
 * The acceptance scenario from DESIGN.md, end to end: the blog's Cilium manifests converted
 * with `edgelb convert`, three agents (master, worker, pi4) against the test API server over
 * TLS with a client certificate, and FRR (AS 65000, multipath) as the OPNsense router.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { ROOT } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { TOPOLOGY } from '../support/netns.ts';
import { waitFor } from '../support/proc.ts';
import {
  applyYaml,
  type Cluster,
  condition,
  edgelbCli,
  type NodeName,
  service,
  startCluster,
  statusIPs,
} from './cluster.ts';

const why = missing({ root: true, tools: ['ip', '/usr/lib/frr/bgpd', 'vtysh'] });
const LEASE = { duration: 4, renew: 3, retry: 1 };

describe.skipIf(!!why)('acceptance: the blog, converted', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await startCluster('e2eb', { lease: LEASE });
    applyYaml(
      c.api,
      edgelbCli(['convert', '-f', join(ROOT, 'test', 'fixtures', 'convert', 'blog-cilium.yaml')]),
    );
    c.api.create(
      service('ingress-nginx-controller', { annotations: { 'io.cilium/lb-ipam-ips': '172.198.1.1' } }),
    );
    for (const n of ['worker', 'pi4', 'master'] as const) c.startAgent(n);
  }, 60_000);

  afterAll(async () => {
    await c?.destroy();
  }, 30_000);

  test('the pinned Service gets 172.198.1.1, the next .2, a third none with PoolExhausted', async () => {
    await waitFor(
      '172.198.1.1 in status',
      () => (statusIPs(c.api, 'ingress-nginx-controller')[0] === '172.198.1.1' ? true : undefined),
      {
        timeoutMs: 20_000,
      },
    );
    c.api.create(service('second', { port: 8080 }));
    await waitFor(
      '.2 in status',
      () => (statusIPs(c.api, 'second')[0] === '172.198.1.2' ? true : undefined),
      { timeoutMs: 10_000 },
    );
    c.api.create(service('third', { port: 9090 }));
    const cond = await waitFor('third condition', () => condition(c.api, 'third'), { timeoutMs: 10_000 });
    expect(statusIPs(c.api, 'third')).toEqual([]);
    expect(cond).toMatchObject({ status: 'False', reason: 'PoolExhausted' });
    const svc = c.api.get('v1', 'Service', 'ingress-nginx', 'ingress-nginx-controller');
    expect(svc.status.loadBalancer.ingress).toEqual([{ ip: '172.198.1.1', ipMode: 'VIP' }]);
  }, 40_000);

  test('FRR receives 172.198.1.1/32 from worker and pi4 (ECMP), AS path 65001; master opens no session', async () => {
    const ecmp = (p: { best: boolean; multipath: boolean }[]) =>
      p.length === 2 && p.filter((x) => x.best || x.multipath).length === 2;
    const paths = await c.frr.waitPaths('172.198.1.1/32', ecmp, 20_000);
    expect(paths.map((p) => p.nextHop).sort()).toEqual([TOPOLOGY.worker.v4, TOPOLOGY.pi4.v4]);
    for (const p of paths) expect(p.asPath).toBe('65001');
    // The README's router checks as a user types them: vtysh's text, not its JSON.
    const route = await c.frr.vtysh('show bgp ipv4 unicast 172.198.1.1/32');
    expect(route).toContain('multipath');
    for (const n of [TOPOLOGY.worker.v4, TOPOLOGY.pi4.v4]) expect(route).toContain(n);
    const summary = await c.frr.vtysh('show bgp summary');
    expect(summary).toContain(TOPOLOGY.worker.v4);
    expect(summary).not.toContain('(Policy)');
    await c.frr.waitPaths('172.198.1.2/32', (p) => p.length === 2, 10_000);
    expect((await c.frr.neighbor(TOPOLOGY.master.v4))?.state).not.toBe('Established');
    const master = await waitFor('master status', () => c.status('master'), { timeoutMs: 10_000 });
    expect(master.bgp.peers).toEqual([]);
    const worker = await waitFor('worker status', () => c.status('worker'), { timeoutMs: 10_000 });
    expect(worker.bgp.peers.map((p) => [p.address, p.state])).toEqual([[TOPOLOGY.router.v4, 'Established']]);
    expect(worker.bgp.advertised.sort()).toEqual(['172.198.1.1/32', '172.198.1.2/32']);
  }, 40_000);

  test('killing the leader moves leadership within the lease duration; no IP changes', async () => {
    const before = ['ingress-nginx-controller', 'second', 'third'].map((n) => statusIPs(c.api, n));
    // The Lease holder identity is "<node>_<random>", new per process.
    const nodeOf = (identity: string) => identity.split('_')[0] as NodeName;
    const holderId = await waitFor('a leader', () => c.leaseHolder() || undefined, { timeoutMs: 10_000 });
    const holder = nodeOf(holderId);
    const t0 = Date.now();
    await c.agents.get(holder)!.kill();
    const next = await waitFor(
      'a new leader',
      () => {
        const h = c.leaseHolder();
        return h && h !== holderId ? nodeOf(h) : undefined;
      },
      { timeoutMs: (LEASE.duration + LEASE.retry) * 1000 + 5000 },
    );
    const took = Date.now() - t0;
    expect(next).not.toBe(holder);
    expect(took).toBeLessThan((LEASE.duration + LEASE.retry) * 1000 + 2000);
    // The new leader restores from status: a new Service still gets no IP, nothing moves.
    await Bun.sleep(1500);
    expect(['ingress-nginx-controller', 'second', 'third'].map((n) => statusIPs(c.api, n))).toEqual(before);
    c.startAgent(holder);
  }, 40_000);

  test("stopping a node's agent withdraws its routes at once", async () => {
    await c.frr.waitPaths('172.198.1.1/32', (p) => p.length === 2, 30_000);
    const t0 = Date.now();
    await c.agents.get('pi4')!.stop(5000);
    const paths = await c.frr.waitPaths('172.198.1.1/32', (p) => p.length === 1, 5000);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(paths[0]!.nextHop).toBe(TOPOLOGY.worker.v4);
    c.startAgent('pi4');
    await c.frr.waitPaths('172.198.1.1/32', (p) => p.length === 2, 30_000);
  }, 60_000);

  test('deleting the Service withdraws the route everywhere', async () => {
    c.api.remove('v1', 'Service', 'ingress-nginx', 'third');
    await c.frr.waitPaths('172.198.1.2/32', (p) => p.length === 2, 10_000);
    c.api.remove('v1', 'Service', 'ingress-nginx', 'second');
    expect(await c.frr.waitPaths('172.198.1.2/32', (p) => p.length === 0, 10_000)).toEqual([]);
    expect((await c.frr.paths('172.198.1.1/32')).length).toBe(2);
  }, 30_000);

  test('externalTrafficPolicy Local: only the node with the endpoint announces; a terminating endpoint withdraws first', async () => {
    c.api.create(service('web', { etpLocal: true, port: 8443 }));
    await waitFor('web gets .2', () => (statusIPs(c.api, 'web')[0] === '172.198.1.2' ? true : undefined), {
      timeoutMs: 10_000,
    });
    const endpoint = (node: string, ip: string, conditions: Record<string, boolean>) => ({
      addresses: [ip],
      nodeName: node,
      conditions,
    });
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'web-abcde',
        namespace: 'ingress-nginx',
        labels: { 'kubernetes.io/service-name': 'web' },
      },
      addressType: 'IPv4',
      endpoints: [endpoint('pi4', '10.42.1.5', { ready: true, serving: true, terminating: false })],
      ports: [{ name: 'http', port: 8443, protocol: 'TCP' }],
    };
    c.api.create(slice);
    const onPi = await c.frr.waitPaths('172.198.1.2/32', (p) => p.length === 1, 15_000);
    expect(onPi[0]!.nextHop).toBe(TOPOLOGY.pi4.v4);
    // Rolling update: the pod on pi4 terminates (still serving) while a new one is ready on worker.
    const live = c.api.get('discovery.k8s.io/v1', 'EndpointSlice', 'ingress-nginx', 'web-abcde');
    live.endpoints = [
      endpoint('pi4', '10.42.1.5', { ready: false, serving: true, terminating: true }),
      endpoint('worker', '10.42.2.7', { ready: true, serving: true, terminating: false }),
    ];
    c.api.update(live);
    const moved = await c.frr.waitPaths(
      '172.198.1.2/32',
      (p) => p.length === 1 && p[0]!.nextHop === TOPOLOGY.worker.v4,
      15_000,
    );
    expect(moved.map((p) => p.nextHop)).toEqual([TOPOLOGY.worker.v4]);
  }, 45_000);
});
