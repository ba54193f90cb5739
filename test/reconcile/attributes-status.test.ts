/** /status names the Services whose honoured edgelb.io/bgp-* annotations are bad; health is not affected. */
import { expect, test } from 'bun:test';
import type { BGPPeeringPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { buildStatus } from '../../agent/reconcile/status.ts';
import { FakeSource } from '../support/fake-source.ts';

test('bgp.invalidServiceAttributes lists each bad annotation by Service', async () => {
  const source = new FakeSource();
  const pool: LoadBalancerIPPool = {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'LoadBalancerIPPool',
    metadata: { name: 'p' },
    spec: { blocks: [{ cidr: '10.9.0.0/28' }] },
  };
  const policy: BGPPeeringPolicy = {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'BGPPeeringPolicy',
    metadata: { name: 'r' },
    spec: {
      virtualRouters: [
        {
          localASN: 65001,
          neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000 }],
          advertisements: [{ serviceSelector: {}, allowServiceAttributes: true }],
        },
      ],
    },
  };
  source.state = {
    ...source.state,
    pools: [pool],
    policies: [policy],
    services: [
      {
        metadata: {
          namespace: 'default',
          name: 'web',
          annotations: { 'edgelb.io/ips': '10.9.0.5', 'edgelb.io/bgp-as-path-prepend': '99' },
        },
        spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
      },
    ],
  };
  const reconciler = new Reconciler({
    source,
    speaker: () => undefined,
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock: new FakeClock(),
    log: memoryLogger('error'),
    metrics: new Registry(),
  });
  await reconciler.runNow();
  const inputs = {
    node: 'worker',
    version: 't',
    routerId: () => '192.168.2.10',
    source,
    reconciler,
    speaker: () => undefined,
  };
  const doc = buildStatus(inputs);
  expect(doc.allocations.map((a) => a.ips)).toEqual([['10.9.0.5']]);
  expect(doc.bgp.invalidServiceAttributes).toEqual([
    {
      service: 'default/web',
      problems: ['annotation edgelb.io/bgp-as-path-prepend: must be an integer 0..10, got "99"'],
    },
  ]);
  // The bad annotation adds no problem: the only one is that no speaker runs in this test.
  expect(doc.problems).toEqual([
    '1 IP(s) not announced (PeersDown): 10.9.0.5: BGP peer 192.168.2.1: no session (the BGP speaker is not running yet)',
  ]);
  reconciler.stop();
});

test('the leader writes BGPAttributesValid through the source writer; a follower does not', async () => {
  const source = new FakeSource();
  const written: string[] = [];
  (source.writer as { writeServiceCondition?: unknown }).writeServiceCondition = async (
    svc: { metadata: { name: string } },
    c: { type: string; status: string },
  ) => {
    written.push(`${svc.metadata.name} ${c.type}=${c.status}`);
    return true;
  };
  source.state = {
    ...source.state,
    pools: [
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'LoadBalancerIPPool',
        metadata: { name: 'p' },
        spec: { blocks: [{ cidr: '10.9.0.0/28' }] },
      },
    ],
    policies: [
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'r' },
        // Selects no node here: the leader judges the annotations anyway.
        spec: {
          nodeSelector: { matchLabels: { rack: 'elsewhere' } },
          virtualRouters: [
            {
              localASN: 65001,
              neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000 }],
              advertisements: [{ serviceSelector: {}, allowServiceAttributes: true }],
            },
          ],
        },
      },
    ],
    services: [
      {
        metadata: { namespace: 'default', name: 'web', annotations: { 'edgelb.io/bgp-local-pref': '-1' } },
        spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
      },
    ],
  };
  const make = () =>
    new Reconciler({
      source,
      speaker: () => undefined,
      nodeName: 'worker',
      defaultSecretNamespace: 'kube-system',
      clock: new FakeClock(),
      log: memoryLogger('error'),
      metrics: new Registry(),
    });
  source.leader = false;
  const follower = make();
  await follower.runNow();
  expect(written).toEqual([]);
  follower.stop();
  source.leader = true;
  const leader = make();
  await leader.runNow();
  expect(written).toEqual(['web edgelb.io/BGPAttributesValid=False']);
  leader.stop();
});
