/**
 * CiliumBGPPeeringPolicy field by field: the bounds of each integer (ASNs from 1, timers from 0,
 * graceful restart 1..4095, local preference from 0), graceful restart's enabled flag, the
 * advertisement kinds, the labels, and the exact notes of a policy without a router.
 */
import { describe, expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';

const OBJ = 'CiliumBGPPeeringPolicy/p';

function policy(spec: unknown, labels?: Record<string, string>) {
  return {
    apiVersion: 'cilium.io/v2alpha1',
    kind: 'CiliumBGPPeeringPolicy',
    metadata: labels ? { name: 'p', labels } : { name: 'p' },
    spec,
  };
}

/** One virtual router (AS 65001) with one neighbor (AS 65000 unless given). */
function withNeighbor(n: Record<string, unknown>, vr: Record<string, unknown> = {}) {
  return policy({
    virtualRouters: [
      { localASN: 65001, neighbors: [{ peerAddress: '192.168.2.1/32', peerASN: 65000, ...n }], ...vr },
    ],
  });
}

const neighborOf = (r: ReturnType<typeof convertManifests>) => {
  const p = r.objects[0];
  return p?.kind === 'BGPPeeringPolicy' ? p.spec.virtualRouters[0]?.neighbors[0] : undefined;
};

describe('ASNs', () => {
  test('peer AS 1 and local AS 1 are the lowest accepted', () => {
    const r = convertManifests([
      policy({ virtualRouters: [{ localASN: 1, neighbors: [{ peerAddress: '10.0.0.1/32', peerASN: 1 }] }] }),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'p' },
        spec: { virtualRouters: [{ localASN: 1, neighbors: [{ peerAddress: '10.0.0.1/32', peerASN: 1 }] }] },
      },
    ]);
  });

  test('peer AS 0 is refused', () => {
    const r = convertManifests([withNeighbor({ peerASN: 0 })]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([
      {
        object: OBJ,
        field: 'spec.virtualRouters[0].neighbors[0].peerASN',
        message: 'must be an ASN 1..4294967295',
      },
    ]);
  });

  test('local AS 0 is refused', () => {
    const r = convertManifests([withNeighbor({}, { localASN: 0 })]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([
      { object: OBJ, field: 'spec.virtualRouters[0].localASN', message: 'must be an ASN 1..4294967295' },
    ]);
  });

  test('a missing or empty peer address is required', () => {
    for (const peerAddress of [undefined, '']) {
      const r = convertManifests([withNeighbor({ peerAddress })]);
      expect(r.objects).toEqual([]);
      expect(r.errors).toEqual([
        { object: OBJ, field: 'spec.virtualRouters[0].neighbors[0].peerAddress', message: 'is required' },
      ]);
    }
  });
});

describe('timers', () => {
  test('0 is a valid timer value and is copied', () => {
    const r = convertManifests([withNeighbor({ holdTimeSeconds: 0, keepAliveTimeSeconds: 0 })]);
    expect(r.errors).toEqual([]);
    expect(neighborOf(r)).toEqual({
      peerAddress: '192.168.2.1/32',
      peerASN: 65000,
      holdTimeSeconds: 0,
      keepAliveTimeSeconds: 0,
    });
  });

  test('a negative or non-numeric timer is an error naming the value', () => {
    const r = convertManifests([withNeighbor({ holdTimeSeconds: -1, peerPort: 'x' })]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([
      {
        object: OBJ,
        field: 'spec.virtualRouters[0].neighbors[0].peerPort',
        message: 'must be a non-negative integer, got "x"',
      },
      {
        object: OBJ,
        field: 'spec.virtualRouters[0].neighbors[0].holdTimeSeconds',
        message: 'must be a non-negative integer, got -1',
      },
    ]);
  });
});

describe('graceful restart', () => {
  const cases: [Record<string, unknown>, Record<string, unknown>][] = [
    [{}, {}],
    [{ enabled: true }, { enabled: true }],
    [{ enabled: false }, { enabled: false }],
    [{ enabled: 'true' }, { enabled: false }],
    [{ restartTimeSeconds: 1 }, { restartTimeSeconds: 1 }],
    [{ restartTimeSeconds: 4095 }, { restartTimeSeconds: 4095 }],
    [{ restartTimeSeconds: 0 }, {}],
    [{ restartTimeSeconds: 4096 }, {}],
    [
      { enabled: true, restartTimeSeconds: 120 },
      { enabled: true, restartTimeSeconds: 120 },
    ],
  ];
  for (const [given, want] of cases)
    test(`${JSON.stringify(given)} -> ${JSON.stringify(want)}`, () => {
      const r = convertManifests([withNeighbor({ gracefulRestart: given })]);
      expect(r.errors).toEqual([]);
      expect(neighborOf(r)?.gracefulRestart).toEqual(want);
    });
});

describe('advertised path attributes', () => {
  const attrs = (a: Record<string, unknown>, peerASN = 65001) =>
    convertManifests([
      withNeighbor({
        peerASN,
        advertisedPathAttributes: [{ selectorType: 'CiliumLoadBalancerIPPool', ...a }],
      }),
    ]);

  test('local preference 0 toward an iBGP peer is kept', () => {
    const r = attrs({ localPreference: 0 });
    expect(r.warnings).toEqual([]);
    expect(neighborOf(r)?.advertisedPathAttributes).toEqual({ localPreference: 0 });
  });

  test('a negative local preference is not carried over', () => {
    const r = attrs({ localPreference: -1 });
    expect(r.errors).toEqual([]);
    expect(neighborOf(r)).toEqual({ peerAddress: '192.168.2.1/32', peerASN: 65001 });
  });

  test('an entry without communities or local preference adds no attributes', () => {
    const r = attrs({});
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(neighborOf(r)).toEqual({ peerAddress: '192.168.2.1/32', peerASN: 65001 });
  });

  test('toward an eBGP peer, a lone local preference leaves no empty attribute set', () => {
    const r = attrs({ localPreference: 150 }, 65000);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.field)).toEqual([
      'spec.virtualRouters[0].neighbors[0].advertisedPathAttributes[0].localPreference',
    ]);
    expect(neighborOf(r)).toEqual({ peerAddress: '192.168.2.1/32', peerASN: 65000 });
  });
});

describe('virtual router fields', () => {
  test('exportPodCIDR true warns; false and absent are silent', () => {
    expect(convertManifests([withNeighbor({}, { exportPodCIDR: true })]).warnings).toEqual([
      {
        object: OBJ,
        field: 'spec.virtualRouters[0].exportPodCIDR',
        message: 'edgelb does not announce pod CIDRs; dropped',
      },
    ]);
    expect(convertManifests([withNeighbor({}, { exportPodCIDR: false })]).warnings).toEqual([]);
  });

  test('LoadBalancerIP alone keeps the service selector, silently', () => {
    const r = convertManifests([
      withNeighbor(
        {},
        { serviceSelector: { matchLabels: { a: 'b' } }, serviceAdvertisements: ['LoadBalancerIP'] },
      ),
    ]);
    expect(r.warnings).toEqual([]);
    const p = r.objects[0];
    expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters[0]?.serviceSelector).toEqual({
      matchLabels: { a: 'b' },
    });
  });

  test('other advertisement kinds are named in a warning; without LoadBalancerIP nothing is announced', () => {
    const r = convertManifests([
      withNeighbor(
        {},
        { serviceSelector: { matchLabels: { a: 'b' } }, serviceAdvertisements: ['ClusterIP', 'ExternalIP'] },
      ),
    ]);
    expect(r.warnings).toEqual([
      {
        object: OBJ,
        field: 'spec.virtualRouters[0].serviceAdvertisements',
        message: 'edgelb announces only LoadBalancer IPs; ClusterIP, ExternalIP dropped',
      },
    ]);
    const p = r.objects[0];
    expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters[0]).toEqual({
      localASN: 65001,
      neighbors: [{ peerAddress: '192.168.2.1/32', peerASN: 65000 }],
    });
  });

  test('with LoadBalancerIP among others, the selector stays and the others are named', () => {
    const r = convertManifests([
      withNeighbor({}, { serviceSelector: {}, serviceAdvertisements: ['LoadBalancerIP', 'PodIP'] }),
    ]);
    expect(r.warnings.map((w) => w.message)).toEqual([
      'edgelb announces only LoadBalancer IPs; PodIP dropped',
    ]);
    const p = r.objects[0];
    expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters[0]?.serviceSelector).toEqual({});
  });
});

describe('the policy', () => {
  test('labels are copied', () => {
    const r = convertManifests([
      policy({ virtualRouters: [{ localASN: 65001, neighbors: [] }] }, { team: 'net' }),
    ]);
    expect(r.objects[0]?.metadata).toEqual({ name: 'p', labels: { team: 'net' } });
  });

  test('no virtual routers: one error', () => {
    const r = convertManifests([policy({ virtualRouters: [] })]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([
      { object: OBJ, field: 'spec.virtualRouters', message: 'the policy has no virtual routers' },
    ]);
  });

  test('only a broken virtual router: its error alone', () => {
    const r = convertManifests([policy({ virtualRouters: ['x'] })]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([
      { object: OBJ, field: 'spec.virtualRouters[0]', message: 'must be a virtual router' },
    ]);
  });
});
