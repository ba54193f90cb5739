/**
 * Issue 21 through the reconcile loop: a deleted Service's IP is written into its pool's
 * status.held, a new leader restores it from there, re-creating the Service gives the same IP,
 * an explicit request waits with a condition saying until when, and the hold's expiry runs a
 * pass by itself (injected clock).
 */
import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { blogPolicy, blogPool } from '../support/blog-objects.ts';
import { FakeSource, FakeSpeaker } from '../support/fake-source.ts';

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

const T0 = Date.parse('2026-06-01T00:00:00Z');

function setup(source: FakeSource, clock: FakeClock) {
  const speaker = new FakeSpeaker();
  const metrics = new Registry();
  const r = new Reconciler({
    source,
    speaker: () => speaker,
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock,
    log: memoryLogger(),
    metrics,
  });
  return { speaker, r, metrics };
}

/** What the API server would now hold as the pool's status (the last write). */
function applyPoolStatus(s: FakeSource): void {
  const w = s.poolWrites.at(-1);
  if (!w) return;
  s.state.pools = s.state.pools.map((p) =>
    p.metadata.name === w.name ? { ...p, status: { ...w.status, conditions: [] } } : p,
  );
}

const ips = (s: FakeSource, name: string) =>
  s.state.services.find((x) => x.metadata.name === name)?.status?.loadBalancer?.ingress?.map((i) => i.ip);
const cond = (s: FakeSource, name: string) =>
  s.state.services.find((x) => x.metadata.name === name)?.status?.conditions?.[0];

describe('held IPs through the loop', () => {
  test('delete, leader change, re-create: the same IP; the pool status lists the hold meanwhile', async () => {
    const clock = new FakeClock(T0);
    const s = new FakeSource();
    s.state.pools = [blogPool];
    s.state.policies = [blogPolicy];
    s.state.services = [svc('web', '2026-01-02T00:00:00Z')];
    const a = setup(s, clock);
    await a.r.runNow();
    expect(ips(s, 'web')).toEqual(['172.198.1.1']);
    s.state.services = [];
    await a.r.runNow();
    const last = s.poolWrites.at(-1)!.status;
    expect(last.held).toEqual([
      {
        namespace: 'ingress-nginx',
        name: 'web',
        ip: '172.198.1.1',
        expires: '2026-06-01T00:10:00Z',
        since: '2026-06-01T00:00:00Z',
      },
    ]);
    expect(last.heldCount).toBe(1);
    expect(a.r.poolResults().map((p) => [p.name, p.used, p.held])).toEqual([['nginx-ingress', '1', 1]]);
    expect(a.metrics.render()).toContain('edgelb_ipam_pool_held_ips{pool="nginx-ingress"} 1');
    expect(a.speaker.adverts.get('192.168.2.1')).toEqual([]);
    // Leader change: the old leader stops, a new one restores from status alone.
    a.r.stop();
    applyPoolStatus(s);
    clock.advance(120_000);
    const b = setup(s, clock);
    s.state.services = [svc('other', '2026-06-01T00:01:00Z'), svc('web', '2026-06-01T00:02:00Z')];
    await b.r.runNow();
    expect(ips(s, 'web')).toEqual(['172.198.1.1']);
    expect(ips(s, 'other')).toEqual(['172.198.1.2']);
    expect(s.poolWrites.at(-1)!.status.held).toBeUndefined();
    b.r.stop();
  });

  test('an explicit request for a held IP waits (IpHeld, until when), and gets it when the hold expires', async () => {
    const clock = new FakeClock(T0);
    const s = new FakeSource();
    s.state.pools = [{ ...blogPool, spec: { ...blogPool.spec, releaseDelaySeconds: 60 } }];
    s.state.policies = [blogPolicy];
    s.state.services = [svc('web', '2026-01-02T00:00:00Z', { 'edgelb.io/ips': '172.198.1.2' })];
    const { r } = setup(s, clock);
    await r.runNow();
    expect(ips(s, 'web')).toEqual(['172.198.1.2']);
    s.state.services = [svc('thief', '2026-06-01T00:00:10Z', { 'edgelb.io/ips': '172.198.1.2' })];
    await r.runNow();
    expect(ips(s, 'thief')).toEqual([]);
    expect(cond(s, 'thief')).toMatchObject({
      status: 'False',
      reason: 'IpHeld',
      message:
        '172.198.1.2 is held for ingress-nginx/web until 2026-06-01T00:01:00Z (that Service was deleted; it gets the address back if re-created before then)',
    });
    expect(s.events.filter((e) => e.key === 'ingress-nginx/thief').map((e) => e.kind)).toEqual(['IpHeld']);
    clock.advance(60_000); // the expiry timer runs a pass by itself
    await r.runNow();
    expect(ips(s, 'thief')).toEqual(['172.198.1.2']);
    r.stop();
  });

  test('a full pool takes the oldest hold, with a HeldIPTaken Event', async () => {
    const clock = new FakeClock(T0);
    const s = new FakeSource();
    s.state.pools = [blogPool];
    s.state.policies = [blogPolicy];
    s.state.services = [svc('a', '2026-01-02T00:00:00Z'), svc('b', '2026-01-03T00:00:00Z')];
    const { r } = setup(s, clock);
    await r.runNow();
    s.state.services = [svc('a', '2026-01-02T00:00:00Z')];
    await r.runNow();
    s.state.services = [svc('a', '2026-01-02T00:00:00Z'), svc('c', '2026-06-01T00:00:30Z')];
    await r.runNow();
    expect(ips(s, 'c')).toEqual(['172.198.1.2']);
    expect(s.events.filter((e) => e.key === 'ingress-nginx/c').map((e) => [e.kind, e.message])).toEqual([
      ['Allocated', 'Assigned 172.198.1.2 from pool nginx-ingress'],
      [
        'HeldIPTaken',
        'Took 172.198.1.2, held for deleted Service ingress-nginx/b until 2026-06-01T00:10:00Z: the pool had no other free address',
      ],
    ]);
    r.stop();
  });
});
