/** The leader's writes against the TLS test API server: change-only, conflict retry, class guard, Events aggregation. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import { SERVICE_CONDITION } from '../../agent/api/v1alpha1.ts';
import { metaTime } from '../../agent/kube/conditions.ts';
import { EventRecorder } from '../../agent/kube/events.ts';
import { loadKubeconfig } from '../../agent/kube/kubeconfig.ts';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';
import { KubeStatusWriter, NotLeaderError } from '../../agent/kube/status-writer.ts';
import { KubeClient } from '../../agent/kube/transport.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

const CLASSES = { loadBalancerClass: 'edgelb.io/bgp', claimServicesWithoutClass: false };

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Bun.sleep(5);
}

describe('KubeStatusWriter and EventRecorder', () => {
  let server: TestApiServer;
  let client: KubeClient;
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  let leader = true;
  let events: EventRecorder;
  let writer: KubeStatusWriter;

  const puts = (name: string) =>
    server.requests.filter(
      (r) => r.method === 'PUT' && r.path.includes(`/${name}/status`) && r.status === 200,
    ).length;
  const fresh = (name: string, ns = 'default'): ServiceObject => server.get('v1', 'Service', ns, name);

  beforeAll(async () => {
    server = await startApiServer();
    for (const crd of customResourceDefinitions()) server.create(crd);
    client = new KubeClient(loadKubeconfig({ path: server.kubeconfigToken }), { log: memoryLogger() });
    events = new EventRecorder({
      client,
      clock,
      log: memoryLogger(),
      instance: 'node-a',
      burst: 5,
      refillMs: 10_000,
    });
    writer = new KubeStatusWriter({
      client,
      clock,
      log: memoryLogger(),
      leadership: { isLeader: () => leader },
      classes: CLASSES,
      events,
    });
    for (const [name, cls] of [
      ['web', 'edgelb.io/bgp'],
      ['foreign', 'other.io/lb'],
      ['stale', 'edgelb.io/bgp'],
    ] as const) {
      server.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'default' },
        spec: { type: 'LoadBalancer', loadBalancerClass: cls, ports: [{ port: 80, protocol: 'TCP' }] },
      });
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  const ok = (message: string, status: 'True' | 'False' = 'True') => ({
    type: SERVICE_CONDITION,
    status,
    reason: status === 'True' ? 'Allocated' : 'PoolExhausted',
    message,
  });

  test('writes ingress with ipMode VIP and the condition; nothing when unchanged', async () => {
    const svc = fresh('web');
    expect(
      await writer.writeServiceStatus(svc, {
        ips: ['172.198.1.1'],
        condition: { ...ok('from blog-pool'), observedGeneration: 1 },
      }),
    ).toBe(true);
    const after = fresh('web');
    expect(after.status?.loadBalancer?.ingress).toEqual([{ ip: '172.198.1.1', ipMode: 'VIP' }]);
    const cond = after.status?.conditions?.find((c) => c.type === SERVICE_CONDITION);
    expect(cond).toMatchObject({
      status: 'True',
      reason: 'Allocated',
      message: 'from blog-pool',
      observedGeneration: 1,
    });
    expect(cond?.lastTransitionTime).toBe(metaTime(clock.now()));
    expect(puts('web')).toBe(1);
    await writer.writeServiceStatus(fresh('web'), {
      ips: ['172.198.1.1'],
      condition: { ...ok('from blog-pool'), observedGeneration: 1 },
    });
    expect(puts('web')).toBe(1);
  });

  test('lastTransitionTime changes only when status changes', async () => {
    const t0 = fresh('web').status!.conditions![0]!.lastTransitionTime;
    clock.advance(60_000);
    await writer.writeServiceStatus(fresh('web'), { ips: ['172.198.1.1'], condition: ok('reworded') });
    const c1 = fresh('web').status!.conditions![0]!;
    expect([c1.message, c1.lastTransitionTime]).toEqual(['reworded', t0]);
    clock.advance(60_000);
    await writer.writeServiceStatus(fresh('web'), { ips: [], condition: ok('pool exhausted', 'False') });
    const c2 = fresh('web').status!.conditions![0]!;
    expect(c2.status).toBe('False');
    expect(c2.lastTransitionTime).toBe(metaTime(clock.now()));
    expect(fresh('web').status?.loadBalancer?.ingress ?? []).toEqual([]);
  });

  test('a 409 re-reads and retries, keeping conditions other controllers wrote', async () => {
    const stale = fresh('stale');
    const other = {
      type: 'example.com/Other',
      status: 'True',
      reason: 'X',
      message: '',
      lastTransitionTime: metaTime(0),
    };
    server.update({ ...fresh('stale'), status: { conditions: [other] } }); // bumps resourceVersion
    const conflicts = server.requests.filter((r) => r.status === 409).length;
    expect(await writer.writeServiceStatus(stale, { ips: ['172.198.1.2'], condition: ok('x') })).toBe(true);
    expect(server.requests.filter((r) => r.status === 409).length).toBe(conflicts + 1);
    const after = fresh('stale');
    expect(after.status?.loadBalancer?.ingress?.[0]?.ip).toBe('172.198.1.2');
    expect(after.status?.conditions?.map((c) => c.type)).toEqual(['example.com/Other', SERVICE_CONDITION]);
  });

  test('never touches a Service of another class; nothing at all when not leader; false when gone', async () => {
    await writer.writeServiceStatus(fresh('foreign'), { ips: ['172.198.1.3'], condition: ok('x') });
    expect(puts('foreign')).toBe(0);
    leader = false;
    const err = await writer
      .writeServiceStatus(fresh('web'), { ips: ['172.198.1.9'], condition: ok('y') })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NotLeaderError);
    leader = true;
    const gone = { ...fresh('web'), metadata: { ...fresh('web').metadata, name: 'deleted' } };
    expect(await writer.writeServiceStatus(gone, { ips: ['172.198.1.9'], condition: ok('y') })).toBe(false);
  });

  test('a write in flight is abandoned when the term ends; resourceVersion fences it if it lands late', async () => {
    const term = new AbortController();
    const w = new KubeStatusWriter({
      client,
      clock,
      log: memoryLogger(),
      leadership: { isLeader: () => true, termSignal: () => term.signal },
      classes: CLASSES,
      events,
    });
    server.faults.hang(true, { path: '/services/web/status' });
    const pending = w
      .writeServiceStatus(fresh('web'), { ips: ['172.198.1.7'], condition: ok('late') })
      .catch((e) => e);
    await Bun.sleep(50);
    const t0 = performance.now();
    term.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(Error);
    expect(performance.now() - t0).toBeLessThan(100);
    // a new leader writes meanwhile (in-process, not held by the partition)
    const cur = fresh('web');
    server.update({
      ...cur,
      status: { ...cur.status, loadBalancer: { ingress: [{ ip: '172.198.1.2', ipMode: 'VIP' }] } },
    });
    // the partition heals: the old request, already on the wire, reaches the server with a stale resourceVersion
    server.faults.hang(false);
    server.faults.reset();
    await Bun.sleep(100);
    expect(fresh('web').status?.loadBalancer?.ingress).toEqual([{ ip: '172.198.1.2', ipMode: 'VIP' }]);
  });

  test('pool and policy status: conditions with observedGeneration, counts, change-only', async () => {
    const pool = server.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'blog-pool' },
      spec: { blocks: [{ cidr: '172.198.1.0/30' }] },
    });
    const w = {
      conditions: [{ type: 'Ready', status: 'True' as const, reason: 'Ready', message: '' }],
      ipsTotal: '2',
      ipsUsed: '1',
      ipsAvailable: '1',
    };
    await writer.writePoolStatus(pool, w);
    const p = server.get('edgelb.io/v1alpha1', 'LoadBalancerIPPool', undefined, 'blog-pool');
    expect(p.status).toMatchObject({ ipsTotal: '2', ipsUsed: '1', ipsAvailable: '1' });
    expect(p.status.conditions[0]).toMatchObject({
      type: 'Ready',
      observedGeneration: p.metadata.generation,
    });
    await writer.writePoolStatus(p, w);
    expect(puts('blog-pool')).toBe(1);
    const policy = server.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BGPPeeringPolicy',
      metadata: { name: 'blog' },
      spec: {
        virtualRouters: [{ localASN: 65001, neighbors: [{ peerAddress: '192.168.2.1/32', peerASN: 65000 }] }],
      },
    });
    await writer.writePolicyStatus(policy, { type: 'Valid', status: 'True', reason: 'Valid', message: '' });
    const pol = server.get('edgelb.io/v1alpha1', 'BGPPeeringPolicy', undefined, 'blog');
    expect(pol.status.conditions[0]).toMatchObject({ type: 'Valid', status: 'True' });
  });

  test('pool status.held: written with heldCount, replaced as a whole, removed when nothing is held (issue 21)', async () => {
    const pool = server.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'held-pool' },
      spec: { blocks: [{ cidr: '172.198.2.0/30' }] },
    });
    const base = {
      conditions: [{ type: 'Ready', status: 'True' as const, reason: 'Ready', message: '' }],
      ipsTotal: '2',
      ipsUsed: '1',
      ipsAvailable: '1',
    };
    const hold = { namespace: 'shop', name: 'web', ip: '172.198.2.1', expires: '2026-01-01T00:10:00Z' };
    await writer.writePoolStatus(pool, { ...base, held: [hold], heldCount: 1 });
    const get = () => server.get('edgelb.io/v1alpha1', 'LoadBalancerIPPool', undefined, 'held-pool');
    expect(get().status).toMatchObject({ held: [hold], heldCount: 1, ipsUsed: '1' });
    await writer.writePoolStatus(get(), { ...base, held: [hold], heldCount: 1 });
    expect(puts('held-pool')).toBe(1);
    await writer.writePoolStatus(get(), { ...base, ipsUsed: '0', ipsAvailable: '2' });
    expect(get().status.held).toBeUndefined();
    expect(get().status.heldCount).toBeUndefined();
    expect(get().status.ipsUsed).toBe('0');
  });

  test('Events: a loop of repeats is one Event with a series; new Events are rate limited', async () => {
    const svc = fresh('web');
    for (let i = 0; i < 1000; i++)
      writer.event(svc, 'PoolExhausted', 'Warning', 'pool blog-pool is exhausted');
    await flush();
    const list = () => server.list('events.k8s.io/v1', 'Event', 'default');
    expect(list().length).toBe(1);
    const ev = list()[0];
    expect(ev).toMatchObject({
      reason: 'PoolExhausted',
      type: 'Warning',
      reportingController: 'edgelb.io/controller',
    });
    expect(ev.eventTime).toMatch(/\.\d{6}Z$/);
    expect(ev.regarding).toMatchObject({ kind: 'Service', name: 'web', namespace: 'default' });
    clock.advance(30_000);
    await flush();
    expect(list()[0].series.count).toBe(1000);
    expect(events.stats.seriesWrites).toBe(1);
    // distinct notes: at most the burst (5) become Events
    for (let i = 0; i < 50; i++) writer.event(svc, 'Allocated', 'Normal', `Assigned 10.0.0.${i}`);
    await flush();
    expect(list().length).toBe(1 + 5); // the bucket refilled while the clock advanced
    expect(events.stats.dropped).toBe(45);
    // a Service edgelb does not own gets no Event
    writer.event(fresh('foreign'), 'Allocated', 'Normal', 'x');
    await flush();
    expect(list().some((e: { regarding: { name: string } }) => e.regarding.name === 'foreign')).toBe(false);
  });
});
