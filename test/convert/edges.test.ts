/** convert: exact output at the edges (host-route aggregation kept silent, standard communities only, foreign kinds). */
import { expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';

test('aggregation at /32 and /128 is no loss; no large communities key; foreign kinds are skipped by name', () => {
  const r = convertManifests([
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'p', namespace: 'metallb-system' },
      spec: { addresses: ['10.0.0.0/30'] },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'a', namespace: 'metallb-system' },
      spec: {
        ipAddressPools: ['p'],
        aggregationLength: 32,
        aggregationLengthV6: 128,
        communities: ['65000:1'],
      },
    },
    {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'r', namespace: 'metallb-system' },
      spec: { myASN: 65001, peerASN: 65000, peerAddress: '192.168.2.1' },
    },
    { apiVersion: 'cilium.io/v2alpha1', kind: 'Foo', metadata: { name: 'x' }, spec: {} },
    { apiVersion: 'other.io/v1', kind: 'CiliumThing', metadata: { name: 'y' }, spec: {} },
  ]);
  expect(r).toEqual({
    objects: [
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'LoadBalancerIPPool',
        metadata: { name: 'p' },
        spec: { blocks: [{ cidr: '10.0.0.0/30' }], allowFirstLastIPs: true },
      },
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'r' },
        spec: {
          virtualRouters: [
            {
              localASN: 65001,
              serviceSelector: {},
              neighbors: [
                {
                  peerAddress: '192.168.2.1',
                  peerASN: 65000,
                  advertisedPathAttributes: { communities: { standard: ['65000:1'] } },
                },
              ],
            },
          ],
        },
      },
    ],
    warnings: [
      { object: 'Foo/x', field: '', message: 'not a Cilium or MetalLB resource edgelb converts; skipped' },
      {
        object: 'CiliumThing/y',
        field: '',
        message: 'not a Cilium or MetalLB resource edgelb converts; skipped',
      },
    ],
    errors: [],
  });
});

test('Cilium v1: the first set of path attributes for every pool is kept, a second one is dropped with a warning', () => {
  const attrs = (c: string) => ({ selectorType: 'CiliumLoadBalancerIPPool', communities: { standard: [c] } });
  const r = convertManifests([
    {
      apiVersion: 'cilium.io/v2alpha1',
      kind: 'CiliumBGPPeeringPolicy',
      metadata: { name: 'p' },
      spec: {
        virtualRouters: [
          {
            localASN: 65001,
            serviceSelector: {},
            neighbors: [
              {
                peerASN: 65000,
                peerAddress: '192.168.2.1/32',
                advertisedPathAttributes: [attrs('65000:1'), attrs('65000:2')],
              },
            ],
          },
        ],
      },
    },
  ]);
  const n =
    r.objects[0]?.kind === 'BGPPeeringPolicy' ? r.objects[0].spec.virtualRouters[0]?.neighbors[0] : undefined;
  expect(n?.advertisedPathAttributes).toEqual({ communities: { standard: ['65000:1'] } });
  expect(r.warnings.map((w) => `${w.field}: ${w.message}`)).toEqual([
    'spec.virtualRouters[0].neighbors[0].advertisedPathAttributes[1]: a second set of path attributes for every pool; only the first is kept',
  ]);
  expect(r.errors).toEqual([]);
});
