/**
 * Regression (chaos seed 965304269): the leader wrote an IP into a new Service's status while the
 * write releasing it from its old holder failed (500), so the API showed one IP on two
 * incompatible Services. A release must be written before the IP's reuse; a failed release defers it.
 */
import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { FakeSource, FakeSpeaker } from '../support/fake-source.ts';

const pool: LoadBalancerIPPool = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'tiny', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { blocks: [{ cidr: '10.0.0.0/30' }] },
};

function svc(name: string, created: string, annotations: Record<string, string> = {}): ServiceObject {
  return {
    metadata: { name, namespace: 'default', creationTimestamp: created, annotations },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

const ips = (s: FakeSource, name: string) =>
  (s.state.services.find((x) => x.metadata.name === name)?.status?.loadBalancer?.ingress ?? []).map(
    (i) => i.ip,
  );

describe('status write order', () => {
  test('a failed release defers the reuse of its IP; the next pass writes both in order', async () => {
    const source = new FakeSource();
    source.state.pools = [pool];
    source.state.services = [
      svc('a', '2026-01-02T00:00:00Z', { 'edgelb.io/ips': '10.0.0.1' }),
      svc('b', '2026-01-03T00:00:00Z'),
      svc('c', '2026-01-04T00:00:00Z'),
    ];
    const r = new Reconciler({
      source,
      speaker: () => new FakeSpeaker(),
      nodeName: 'worker',
      defaultSecretNamespace: 'kube-system',
      clock: new FakeClock(),
      log: memoryLogger(),
      metrics: new Registry(),
    });
    await r.runNow();
    expect([ips(source, 'a'), ips(source, 'b'), ips(source, 'c')]).toEqual([['10.0.0.1'], ['10.0.0.2'], []]);

    // b now asks for a's IP: it loses 10.0.0.2 (ip-in-use), which c may then take.
    source.state.services[1]!.metadata.annotations = { 'edgelb.io/ips': '10.0.0.1' };
    const write = source.writer.writeServiceStatus;
    const order: string[] = [];
    let failB = true;
    source.writer.writeServiceStatus = async (s, w) => {
      if (s.metadata.name === 'b' && failB) {
        failB = false;
        throw new Error('500 injected');
      }
      order.push(`${s.metadata.name}:${w.ips.join(',')}`);
      return write(s, w);
    };
    await r.runNow();
    // b's release failed: c must not get 10.0.0.2 while b's status still holds it.
    expect(ips(source, 'b')).toEqual(['10.0.0.2']);
    expect(ips(source, 'c')).toEqual([]);
    await r.runNow();
    expect(order).toEqual(['b:', 'c:10.0.0.2']);
    expect([ips(source, 'b'), ips(source, 'c')]).toEqual([[], ['10.0.0.2']]);
  });
});
