/** Small edges of the announcement plan files (agent/reconcile/plan/) the stories leave open. */
import { expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { BFDProfile, BGPNeighbor, BGPPeeringPolicy } from '../../agent/api/v1alpha1.ts';
import { planAnnouncements } from '../../agent/reconcile/plan/announce.ts';
import {
  attributeCondition,
  BGP_ATTRIBUTES_CONDITION,
} from '../../agent/reconcile/plan/attribute-conditions.ts';
import { bfdFor, isMultihop, profilesByName } from '../../agent/reconcile/plan/bfd-profiles.ts';
import { heldList } from '../../agent/reconcile/plan/held-status.ts';

const policy = (neighbors: BGPNeighbor[]): BGPPeeringPolicy => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BGPPeeringPolicy',
  metadata: { name: 'p' },
  spec: { virtualRouters: [{ localASN: 65001, neighbors }] },
});

test('a planned peer carries eBGPMultihopTTL and gtsm only when the neighbor sets them', () => {
  const plan = planAnnouncements({
    nodeName: 'n1',
    nodeLabels: {},
    policies: [
      policy([
        { peerAddress: '192.168.2.1/32', peerASN: 65000 },
        { peerAddress: '192.168.2.2/32', peerASN: 65000, eBGPMultihopTTL: 3 },
        { peerAddress: '192.168.2.3/32', peerASN: 65000, gtsm: true },
      ]),
    ],
    services: [],
    endpointSlices: [],
    secrets: new Map(),
    defaultSecretNamespace: 'edgelb',
  });
  expect(
    plan.peers.map((p) => [p.id, p.eBGPMultihopTTL, p.gtsm, 'eBGPMultihopTTL' in p, 'gtsm' in p]),
  ).toEqual([
    ['192.168.2.1', undefined, undefined, false, false],
    ['192.168.2.2', 3, undefined, true, false],
    ['192.168.2.3', undefined, true, false, true],
  ]);
});

test('BFD is multihop only past one hop', () => {
  const n = (eBGPMultihopTTL?: number): BGPNeighbor => ({
    peerAddress: '192.168.2.1/32',
    peerASN: 65000,
    ...(eBGPMultihopTTL !== undefined ? { eBGPMultihopTTL } : {}),
  });
  expect([undefined, 0, 1, 2, 255].map((t) => isMultihop(n(t)))).toEqual([false, false, false, true, true]);
  const profile = {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'BFDProfile',
    metadata: { name: 'fast' },
    spec: {},
  } as BFDProfile;
  const at = { id: '192.168.2.1', peerAddress: '192.168.2.1' };
  expect(bfdFor({ ...n(2), bfdProfile: 'fast' }, at, profilesByName([profile]))?.multihop).toBe(true);
  expect(bfdFor({ ...n(1), bfdProfile: 'fast' }, at, profilesByName([profile]))?.multihop).toBe(false);
});

test('the attribute condition has observedGeneration only when the Service has a generation', () => {
  const svc = (generation?: number): ServiceObject => ({
    metadata: { name: 's', namespace: 'default', ...(generation !== undefined ? { generation } : {}) },
    spec: { type: 'LoadBalancer' },
  });
  const want = {
    type: BGP_ATTRIBUTES_CONDITION,
    status: 'False' as const,
    reason: 'InvalidAnnotation',
    message: "bad; announced with the advertisement's attributes",
  };
  expect(attributeCondition(svc(), ['bad'])).toStrictEqual(want);
  expect(attributeCondition(svc(4), ['bad'])).toStrictEqual({ ...want, observedGeneration: 4 });
});

test('heldList: the first max holds, the count of all', () => {
  const rec = (i: number) => ({
    namespace: 'ns',
    name: `s${i}`,
    ip: `10.0.0.${i}`,
    pool: 'p',
    expires: 'T',
    since: 'S',
  });
  expect(heldList([rec(1), rec(2), rec(3)], 2)).toStrictEqual({
    held: [
      { namespace: 'ns', name: 's1', ip: '10.0.0.1', expires: 'T', since: 'S' },
      { namespace: 'ns', name: 's2', ip: '10.0.0.2', expires: 'T', since: 'S' },
    ],
    heldCount: 3,
  });
  expect(heldList([])).toStrictEqual({});
});
