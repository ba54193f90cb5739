/**
 * Large communities: each of the three parts is checked against 2^32 - 1; a lone large
 * community gives a communities block with no standard list. And the documents convert
 * skips (null, empty) or refuses (no kind, no apiVersion).
 */
import { describe, expect, test } from 'bun:test';
import { ciliumCommunities } from '../../agent/convert/communities.ts';
import { convertManifests } from '../../agent/convert/convert.ts';
import { type ConvertResult, Notes } from '../../agent/convert/types.ts';

const policy = (communities: Record<string, unknown>) => ({
  apiVersion: 'cilium.io/v2alpha1',
  kind: 'CiliumBGPPeeringPolicy',
  metadata: { name: 'p' },
  spec: {
    virtualRouters: [
      {
        localASN: 65001,
        neighbors: [
          {
            peerAddress: '10.0.0.1/32',
            peerASN: 65001,
            advertisedPathAttributes: [{ selectorType: 'CiliumLoadBalancerIPPool', communities }],
          },
        ],
      },
    ],
  },
});

describe('large communities', () => {
  const bad = ['4294967296:1:1', '1:4294967296:1', '1:1:4294967296'];
  for (const c of bad)
    test(`${c}: one part over 2^32 - 1 is refused`, () => {
      const result: ConvertResult = { objects: [], warnings: [], errors: [] };
      const out = ciliumCommunities({ large: [c] }, 'c', new Notes('X/y', result));
      expect(out).toEqual({ standard: [], large: [] });
      expect(result.errors).toEqual([
        { object: 'X/y', field: 'c.large[0]', message: `is not a large community: ${JSON.stringify(c)}` },
      ]);
    });

  test('4294967295 in every part is accepted', () => {
    const result: ConvertResult = { objects: [], warnings: [], errors: [] };
    const c = '4294967295:4294967295:4294967295';
    expect(ciliumCommunities({ large: [c] }, 'c', new Notes('X/y', result))).toEqual({
      standard: [],
      large: [c],
    });
    expect(result.errors).toEqual([]);
  });

  test('a lone large community: no standard list in the attributes', () => {
    const r = convertManifests([policy({ large: ['65000:1:2'] })]);
    expect(r.errors).toEqual([]);
    const p = r.objects[0];
    expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters[0]?.neighbors[0]).toStrictEqual({
      peerAddress: '10.0.0.1/32',
      peerASN: 65001,
      advertisedPathAttributes: { communities: { large: ['65000:1:2'] } },
    });
  });

  test('a lone standard community: no large list', () => {
    const r = convertManifests([policy({ standard: ['65000:1'] })]);
    const p = r.objects[0];
    expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters[0]?.neighbors[0]).toStrictEqual({
      peerAddress: '10.0.0.1/32',
      peerASN: 65001,
      advertisedPathAttributes: { communities: { standard: ['65000:1'] } },
    });
  });
});

describe('documents', () => {
  test('null and undefined documents are skipped silently', () => {
    expect(convertManifests([null, undefined])).toStrictEqual({ objects: [], warnings: [], errors: [] });
  });

  test('a map without kind, or without apiVersion, is not a Kubernetes object', () => {
    const r = convertManifests([
      { apiVersion: 'cilium.io/v2' },
      { kind: 'CiliumLoadBalancerIPPool' },
      'text',
    ]);
    expect(r).toStrictEqual({
      objects: [],
      warnings: [],
      errors: [1, 2, 3].map((i) => ({
        object: `document ${i}`,
        field: '',
        message: 'is not a Kubernetes object (apiVersion and kind)',
      })),
    });
  });

  test('a typed list (kind ending in List) is flattened like kind: List', () => {
    const item = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumLoadBalancerIPPool',
      metadata: { name: 'p' },
      spec: { blocks: [{ cidr: '10.0.0.0/30' }] },
    };
    const r = convertManifests([
      { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPoolList', items: [item] },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['LoadBalancerIPPool/p']);
  });
});
