/** MetalLB communities to edgelb: the 32-bit form, names, large ones, duplicates, and what is refused. */
import { expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';

function convert(communities: string[]) {
  return convertManifests([
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
      spec: { ipAddressPools: ['p'], communities },
    },
    {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'r', namespace: 'metallb-system' },
      spec: { myASN: 65001, peerASN: 65000, peerAddress: '192.168.2.1' },
    },
  ]);
}

test('valid communities: 32-bit numbers split, names resolved, duplicates dropped', () => {
  const r = convert([
    '4294967295',
    '65536',
    'large:1:2:3',
    'no-export',
    '65535:65535',
    'large:4294967295:0:1',
  ]);
  const n =
    r.objects[1]?.kind === 'BGPPeeringPolicy' ? r.objects[1].spec.virtualRouters[0]?.neighbors[0] : undefined;
  expect(n?.advertisedPathAttributes?.communities).toEqual({
    standard: ['65535:65535', '1:0', '65535:65281'],
    large: ['1:2:3', '4294967295:0:1'],
  });
  expect([r.warnings, r.errors]).toEqual([[], []]);
});

test('out-of-range or malformed communities are errors naming the entry', () => {
  const r = convert(['large:4294967296:1:1', 'large:x', '65536:1', '1:65536', '4294967296']);
  expect(r.errors.map((e) => `${e.field}: ${e.message}`)).toEqual([
    'spec.communities[0]: is not a community: "large:4294967296:1:1"',
    'spec.communities[1]: is not a community: "large:x"',
    'spec.communities[2]: is not a community: "65536:1"',
    'spec.communities[3]: is not a community: "1:65536"',
    'spec.communities[4]: is not a community: "4294967296"',
  ]);
});
