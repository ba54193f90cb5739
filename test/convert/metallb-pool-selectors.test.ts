/** MetalLB pool selectors: namespaceSelectors carried over; what an edgelb pool cannot say is a lossy error naming the field. */
import { expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';

const pool = (serviceAllocation: Record<string, unknown>) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name: 'p', namespace: 'metallb-system' },
  spec: { addresses: ['10.0.0.0/28'], serviceAllocation },
});
const errors = (r: ReturnType<typeof convertManifests>) => r.errors.map((e) => `${e.object} ${e.field}`);

test('one namespaceSelector becomes the pool namespaceSelector', () => {
  const r = convertManifests([pool({ namespaceSelectors: [{ matchLabels: { zone: 'internal' } }] })]);
  expect(r.errors).toEqual([]);
  expect(r.objects[0]).toMatchObject({ spec: { namespaceSelector: { matchLabels: { zone: 'internal' } } } });
});

test('several ORed selectors, or namespaces OR a namespace selector: an error by default, narrowed with --allow-lossy', () => {
  const two = pool({ namespaceSelectors: [{ matchLabels: { a: '1' } }, { matchLabels: { b: '1' } }] });
  expect(errors(convertManifests([two]))).toEqual([
    'IPAddressPool/p spec.serviceAllocation.namespaceSelectors',
  ]);
  const svcs = pool({ serviceSelectors: [{ matchLabels: { a: '1' } }, { matchLabels: { b: '1' } }] });
  expect(errors(convertManifests([svcs]))).toEqual([
    'IPAddressPool/p spec.serviceAllocation.serviceSelectors',
  ]);
  const both = pool({ namespaces: ['shop'], namespaceSelectors: [{ matchLabels: { zone: 'internal' } }] });
  const r = convertManifests([both]);
  expect(errors(r)).toEqual(['IPAddressPool/p spec.serviceAllocation.namespaceSelectors']);
  expect(r.objects).toEqual([]);
  const lossy = convertManifests([both], { allowLossy: true });
  expect(lossy.errors).toEqual([]);
  expect(lossy.warnings.map((w) => w.field)).toEqual(['spec.serviceAllocation.namespaceSelectors']);
  expect(lossy.objects[0]).toMatchObject({
    spec: {
      serviceSelector: {
        matchExpressions: [{ key: 'io.kubernetes.service.namespace', operator: 'In', values: ['shop'] }],
      },
      namespaceSelector: { matchLabels: { zone: 'internal' } },
    },
  });
});

test('an unnumbered BGPPeer is an error naming the peer and what to write', () => {
  const r = convertManifests([
    {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'tor', namespace: 'metallb-system' },
      spec: { myASN: 65001, peerASN: 65000, interface: 'eth1' },
    },
  ]);
  expect(r.errors.map((e) => `${e.object} ${e.field}: ${e.message}`)).toEqual([
    "BGPPeer/tor spec.interface: BGPPeer tor is unnumbered (interface eth1): edgelb peers with an address; write spec.peerAddress (the router's address on eth1) and peerASN; --allow-lossy converts it anyway",
  ]);
  const peer = {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name: 'tor', namespace: 'metallb-system' },
    spec: { myASN: 65001, peerASN: 65000, interface: 'eth1' },
  };
  const lossy = convertManifests([peer], { allowLossy: true });
  expect([lossy.errors, lossy.objects]).toEqual([[], []]);
  expect(lossy.warnings.map((w) => w.field)).toEqual(['spec.interface']);
});

test('two MetalLB advertisements with different node selectors for one peer: one policy each, same neighbor', () => {
  const r = convertManifests([
    {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'r', namespace: 'metallb-system' },
      spec: { myASN: 65001, peerASN: 65000, peerAddress: '192.168.2.1' },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'a', namespace: 'metallb-system' },
      spec: { nodeSelectors: [{ matchLabels: { rack: '1' } }], communities: ['65000:1'] },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'b', namespace: 'metallb-system' },
      spec: { serviceSelectors: [{ matchLabels: { x: '1' } }, { matchLabels: { y: '1' } }] },
    },
  ]);
  expect(r.errors).toEqual([]);
  const policies = r.objects.filter((o) => o.kind === 'BGPPeeringPolicy');
  expect(policies.map((p) => [p.metadata.name, JSON.stringify(p.spec.nodeSelector ?? null)])).toEqual([
    ['r', JSON.stringify({ matchLabels: { rack: '1' } })],
    ['r-2', 'null'],
  ]);
  // Node rack=1 gets both advertisements (the second policy selects every node): the union.
  // The neighbor is the same in both (attributes in the advertisements), so a node in both
  // policies runs one session with every advertisement.
  const vr = (i: number) => {
    const p = policies[i];
    return p?.kind === 'BGPPeeringPolicy' ? p.spec.virtualRouters[0] : undefined;
  };
  expect(vr(0)?.neighbors).toEqual(vr(1)?.neighbors);
  expect(vr(0)?.advertisements).toEqual([
    { serviceSelector: {}, advertisedPathAttributes: { communities: { standard: ['65000:1'] } } },
  ]);
  expect(vr(1)?.advertisements?.map((a) => a.serviceSelector)).toEqual([
    { matchLabels: { x: '1' } },
    { matchLabels: { y: '1' } },
  ]);
});

test('dynamicASN external is handled as a Cilium peer without peerASN: a lossy error naming the peer', () => {
  const peer = {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name: 'isp', namespace: 'metallb-system' },
    spec: { myASN: 65001, dynamicASN: 'external', peerAddress: '192.168.2.1' },
  };
  const r = convertManifests([peer]);
  expect(r.errors.map((e) => `${e.object} ${e.field}: ${e.message}`)).toEqual([
    'BGPPeer/isp spec.dynamicASN: BGPPeer isp: edgelb needs the peer’s ASN (it does not learn it from the OPEN); write peerASN, or the peer is dropped; --allow-lossy converts it anyway',
  ]);
  const lossy = convertManifests([peer], { allowLossy: true });
  expect([lossy.errors, lossy.objects]).toEqual([[], []]);
});
