/**
 * Issue 21 in the lab: the blog cluster (test API server over TLS, agents on worker and pi4,
 * FRR as the router). A Service deleted and re-created with a leader change in between gets
 * the same IP back (the hold lives in the pool's status.held); a full pool takes the oldest
 * hold with an Event; a Service annotated edgelb.io/announce-only-with-endpoints is withdrawn
 * at FRR when its last endpoint goes and announced again when one comes back.
 * Run under the lab lock.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUN, MAIN, ROOT } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { waitFor } from '../support/proc.ts';
import {
  applyYaml,
  type Cluster,
  edgelbCli,
  type NodeName,
  service,
  startCluster,
  statusIPs,
} from './cluster.ts';

const why = missing({ root: true, tools: ['ip', '/usr/lib/frr/bgpd', 'vtysh'] });
const LEASE = { duration: 4, renew: 3, retry: 1 };
const POOL = ['edgelb.io/v1alpha1', 'LoadBalancerIPPool', undefined] as const;

describe.skipIf(!!why)('lab: sticky IPs and health-gated anycast', () => {
  let c: Cluster;
  let poolName = '';
  const held = () =>
    (c.api.get(...POOL, poolName)?.status?.held ?? []).map(
      (h: { namespace: string; name: string; ip: string }) => `${h.ip}=${h.namespace}/${h.name}`,
    );

  beforeAll(async () => {
    c = await startCluster('e2es', { lease: LEASE, logLevel: 'info' });
    applyYaml(
      c.api,
      edgelbCli(['convert', '-f', join(ROOT, 'test', 'fixtures', 'convert', 'blog-cilium.yaml')]),
    );
    poolName = c.api.list('edgelb.io/v1alpha1', 'LoadBalancerIPPool')[0].metadata.name;
    for (const n of ['worker', 'pi4'] as const) c.startAgent(n);
  }, 60_000);

  afterAll(async () => {
    await c?.destroy();
  }, 30_000);

  test('delete, leader change, re-create: the same IP; a full pool then takes the oldest hold', async () => {
    c.api.create(service('web'));
    await waitFor('web gets .1', () => (statusIPs(c.api, 'web')[0] === '172.198.1.1' ? true : undefined), {
      timeoutMs: 20_000,
    });
    await c.frr.waitPaths('172.198.1.1/32', (p) => p.length === 2, 20_000);
    c.api.remove('v1', 'Service', 'ingress-nginx', 'web');
    await waitFor(
      'the hold in pool status',
      () => (held().includes('172.198.1.1=ingress-nginx/web') ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    expect(await c.frr.waitPaths('172.198.1.1/32', (p) => p.length === 0, 10_000)).toEqual([]);
    // Leader change between the delete and the re-create.
    const nodeOf = (identity: string) => identity.split('_')[0] as NodeName;
    const holderId = await waitFor('a leader', () => c.leaseHolder() || undefined, { timeoutMs: 10_000 });
    await c.agents.get(nodeOf(holderId))!.kill();
    await waitFor(
      'a new leader',
      () => {
        const h = c.leaseHolder();
        return h && h !== holderId ? true : undefined;
      },
      { timeoutMs: (LEASE.duration + LEASE.retry) * 1000 + 5000 },
    );
    // Another Service first: automatic allocation skips the held .1.
    c.api.create(service('other', { port: 8080 }));
    await waitFor(
      'other gets .2',
      () => (statusIPs(c.api, 'other')[0] === '172.198.1.2' ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    c.api.create(service('web'));
    await waitFor(
      'web gets .1 back',
      () => (statusIPs(c.api, 'web')[0] === '172.198.1.1' ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    await waitFor('the hold is gone', () => (held().length === 0 ? true : undefined), { timeoutMs: 10_000 });
    c.startAgent(nodeOf(holderId));
    // Pool full (.1 web, .2 other): delete other, and a new Service takes its hold, with an Event.
    c.api.remove('v1', 'Service', 'ingress-nginx', 'other');
    await waitFor(
      'other held',
      () => (held().includes('172.198.1.2=ingress-nginx/other') ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    c.api.create(
      service('anycast', { port: 9443, annotations: { 'edgelb.io/announce-only-with-endpoints': 'true' } }),
    );
    await waitFor(
      'anycast takes .2',
      () => (statusIPs(c.api, 'anycast')[0] === '172.198.1.2' ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    await waitFor('HeldIPTaken Event', () =>
      c.api
        .list('events.k8s.io/v1', 'Event', 'ingress-nginx')
        .some(
          (e) =>
            e.reason === 'HeldIPTaken' &&
            String(e.note).startsWith('Took 172.198.1.2, held for deleted Service ingress-nginx/other'),
        )
        ? true
        : undefined,
    );
  }, 90_000);

  test('announce-only-with-endpoints: withdrawn at FRR when the last endpoint goes, announced when one is back', async () => {
    // No endpoint yet: not announced, while web (no annotation, no endpoints) is.
    await c.frr.waitPaths('172.198.1.1/32', (p) => p.length === 2, 30_000);
    expect(await c.frr.paths('172.198.1.2/32')).toEqual([]);
    const endpoint = (ready: boolean) => ({
      addresses: ['10.42.1.5'],
      nodeName: 'pi4',
      conditions: { ready, serving: ready, terminating: false },
    });
    c.api.create({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'anycast-abcde',
        namespace: 'ingress-nginx',
        labels: { 'kubernetes.io/service-name': 'anycast' },
      },
      addressType: 'IPv4',
      endpoints: [endpoint(true)],
      ports: [{ name: 'https', port: 9443, protocol: 'TCP' }],
    });
    await c.frr.waitPaths('172.198.1.2/32', (p) => p.length === 2, 15_000);
    const set = (ready: boolean) => {
      const live = c.api.get('discovery.k8s.io/v1', 'EndpointSlice', 'ingress-nginx', 'anycast-abcde');
      live.endpoints = [endpoint(ready)];
      c.api.update(live);
    };
    let t0 = Date.now();
    set(false);
    expect(await c.frr.waitPaths('172.198.1.2/32', (p) => p.length === 0, 10_000)).toEqual([]);
    const withdrawMs = Date.now() - t0;
    t0 = Date.now();
    set(true);
    const back = await c.frr.waitPaths('172.198.1.2/32', (p) => p.length === 2, 15_000);
    const announceMs = Date.now() - t0;
    expect(back.length).toBe(2);
    // The ungated Service never moved.
    expect((await c.frr.paths('172.198.1.1/32')).length).toBe(2);
    console.log(`health gate at FRR: withdrawn in ${withdrawMs} ms, re-announced in ${announceMs} ms`);
  }, 60_000);

  test('edgelb plan against the cluster: a shrink lists the Service losing 172.198.1.2 (exit 3); a no-op exits 0', async () => {
    const dir = join(c.lan.dir, 'agents');
    const edit = async (blocks: string) => {
      const file = join(dir, 'edit.yaml');
      writeFileSync(
        file,
        `apiVersion: edgelb.io/v1alpha1\nkind: LoadBalancerIPPool\nmetadata: {name: ${poolName}}\nspec:\n  blocks: [${blocks}]\n  serviceSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}\n`,
      );
      // Asynchronously: the test API server runs in this process and must keep answering.
      const p = Bun.spawn([BUN, MAIN, 'plan', '-f', file, '--config', join(dir, 'worker.yaml')], {
        stdout: 'pipe',
        stderr: 'pipe',
      });
      const timer = setTimeout(() => p.kill(), 20_000);
      const [stdout, stderr, code] = await Promise.all([
        new Response(p.stdout).text(),
        new Response(p.stderr).text(),
        p.exited,
      ]);
      clearTimeout(timer);
      return { stdout, stderr, code };
    };
    const shrink = await edit('{start: 172.198.1.1, stop: 172.198.1.1}');
    expect(shrink.stderr).toBe('');
    expect(shrink.stdout).toContain(
      'ingress-nginx/anycast: 172.198.1.2 -> (none) (would be released: 172.198.1.2: no pool contains it any more)',
    );
    expect(shrink.stdout).toContain('node worker, peer 192.168.2.1: withdraw 172.198.1.2/32');
    expect(shrink.stdout).toContain('node pi4, peer 192.168.2.1: withdraw 172.198.1.2/32');
    expect(shrink.code).toBe(3);
    const same = await edit('{cidr: 172.198.1.0/30}');
    expect(same.stdout).toBe('Nothing would move: no Service IP and no announcement changes.\n');
    expect(same.code).toBe(0);
  }, 30_000);
});
