import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { reasonName } from '../../agent/reconcile/plan/service-status.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { blogPolicy, blogPool } from '../support/blog-objects.ts';
import { FakeSource, FakeSpeaker } from '../support/fake-source.ts';

const pool = blogPool;
const policy = blogPolicy;

function svc(name: string, created: string, annotations: Record<string, string> = {}): ServiceObject {
  return {
    metadata: {
      name,
      namespace: 'ingress-nginx',
      creationTimestamp: created,
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      annotations,
    },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

function setup(source = new FakeSource()) {
  const speaker = new FakeSpeaker();
  const metrics = new Registry();
  const r = new Reconciler({
    source,
    speaker: () => speaker,
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock: new FakeClock(),
    log: memoryLogger(),
    metrics,
  });
  return { source, speaker, r, metrics };
}

function blogSource(): FakeSource {
  const s = new FakeSource();
  s.state.pools = [pool];
  s.state.policies = [policy];
  s.state.services = [
    svc('third', '2026-01-03T00:00:00Z'),
    svc('ingress-nginx-controller', '2026-01-02T00:00:00Z', { 'io.cilium/lb-ipam-ips': '172.198.1.1' }),
    svc('second', '2026-01-02T12:00:00Z'),
  ];
  return s;
}

const ips = (s: FakeSource, name: string) =>
  s.state.services.find((x) => x.metadata.name === name)?.status?.loadBalancer?.ingress?.map((i) => i.ip);

describe('Reconciler', () => {
  test('the blog: pinned .1, next .2, third exhausted; status, events, pool status and announcements follow', async () => {
    const { source, speaker, r, metrics } = setup(blogSource());
    await r.runNow();
    expect(ips(source, 'ingress-nginx-controller')).toEqual(['172.198.1.1']);
    expect(ips(source, 'second')).toEqual(['172.198.1.2']);
    expect(ips(source, 'third')).toEqual([]);
    const third = source.state.services.find((x) => x.metadata.name === 'third')!;
    expect(third.status?.conditions?.[0]).toMatchObject({
      type: 'edgelb.io/IPAMRequestSatisfied',
      status: 'False',
      reason: 'PoolExhausted',
    });
    expect(
      source.events
        .filter((e) => e.kind === 'Allocated')
        .map((e) => e.key)
        .sort(),
    ).toEqual(['ingress-nginx/ingress-nginx-controller', 'ingress-nginx/second']);
    expect(source.poolWrites.at(-1)?.status).toMatchObject({
      ipsTotal: '2',
      ipsUsed: '2',
      ipsAvailable: '0',
    });
    expect(speaker.peers.map((p) => p.id)).toEqual(['192.168.2.1']);
    expect(speaker.adverts.get('192.168.2.1')).toEqual(['172.198.1.1/32', '172.198.1.2/32']);
    expect(metrics.render()).toContain('edgelb_leader 1');
    expect(metrics.render()).toContain('edgelb_ipam_pool_ips{pool="nginx-ingress",state="used"} 2');
    expect(metrics.render()).toContain('edgelb_ipam_errors_total{reason="PoolExhausted"} 1');
  });

  test('a second pass with nothing changed writes nothing', async () => {
    const { source, r } = setup(blogSource());
    await r.runNow();
    const writes = source.serviceWrites.length;
    await r.runNow();
    expect(source.serviceWrites.length).toBe(writes);
  });

  test('a new leader (restart) restores from status and moves no IP', async () => {
    const first = setup(blogSource());
    await first.r.runNow();
    const before = first.source.state.services.map((s) => [
      s.metadata.name,
      ips(first.source, s.metadata.name),
    ]);
    first.source.serviceWrites = [];
    // Same observed state, fresh process, Services listed in another order.
    first.source.state.services.reverse();
    const second = setup(first.source);
    await second.r.runNow();
    expect(first.source.serviceWrites).toEqual([]);
    expect(
      first.source.state.services.map((s) => [s.metadata.name, ips(first.source, s.metadata.name)]),
    ).toEqual(before.reverse());
  });

  test('deleting a Service frees its IP for the one waiting', async () => {
    const { source, speaker, r } = setup(blogSource());
    await r.runNow();
    source.state.services = source.state.services.filter((s) => s.metadata.name !== 'second');
    await r.runNow();
    expect(ips(source, 'third')).toEqual(['172.198.1.2']);
    expect(speaker.adverts.get('192.168.2.1')).toEqual(['172.198.1.1/32', '172.198.1.2/32']);
  });

  test('a follower writes nothing and announces what status says', async () => {
    const leader = setup(blogSource());
    await leader.r.runNow();
    const writes = leader.source.serviceWrites.length;
    leader.source.leader = false;
    const follower = setup(leader.source);
    await follower.r.runNow();
    expect(leader.source.serviceWrites.length).toBe(writes);
    expect(follower.speaker.adverts.get('192.168.2.1')).toEqual(['172.198.1.1/32', '172.198.1.2/32']);
    expect(follower.r.results()).toEqual([]);
  });

  test('an unsynced source is left alone', async () => {
    const s = blogSource();
    s.state.synced = false;
    const { speaker, r } = setup(s);
    await r.runNow();
    expect(s.serviceWrites).toEqual([]);
    expect(speaker.peers).toEqual([]);
  });

  test('an invalid pool is not used and is reported', async () => {
    const s = blogSource();
    s.state.pools = [{ ...pool, spec: { blocks: [{ cidr: '172.198.1.0/33' }] } }];
    const { r } = setup(s);
    await r.runNow();
    expect(ips(s, 'second')).toEqual([]);
    expect(r.problems().join('\n')).toContain('pool nginx-ingress: spec.blocks[0].cidr');
    expect(s.poolWrites.at(-1)?.status.conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'False',
      reason: 'Invalid',
    });
  });

  test('condition reasons are CamelCase', () => {
    expect(reasonName('pool-exhausted')).toBe('PoolExhausted');
    expect(reasonName('invalid-request')).toBe('InvalidRequest');
  });

  test('triggers in a burst coalesce into one pass after the debounce', async () => {
    const clock = new FakeClock();
    const source = blogSource();
    const r = new Reconciler({
      source,
      speaker: () => undefined,
      nodeName: 'worker',
      defaultSecretNamespace: 'kube-system',
      clock,
      log: memoryLogger(),
      metrics: new Registry(),
      debounceMs: 10,
    });
    for (let i = 0; i < 50; i++) r.trigger();
    expect(r.passCount).toBe(0);
    clock.advance(10);
    await Bun.sleep(0);
    for (let i = 0; i < 20 && !r.isIdle; i++) await Bun.sleep(1);
    expect(r.passCount).toBe(1);
  });
});
