/**
 * Cilium BGPv2 field by field: the peer config's integer bounds (port 1..65535, timers 0..65535,
 * multihop 1..255, restart 1..4095), which advertisements a family selects, the address kinds
 * named in a warning, and local preference toward an eBGP peer (warned once, dropped, and no
 * empty attribute set left behind).
 */
import { describe, expect, test } from 'bun:test';
import type { BGPNeighbor, BGPVirtualRouter } from '../../agent/api/v1alpha1.ts';
import { convertManifests } from '../../agent/convert/convert.ts';

type Doc = Record<string, unknown>;

const cluster = (peers: Doc[], localASN: unknown = 65001): Doc => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumBGPClusterConfig',
  metadata: { name: 'c' },
  spec: { bgpInstances: [{ name: 'i', localASN, peers }] },
});

const peer = (peerASN = 65001, name = 'pc'): Doc => ({
  name: 'r',
  peerAddress: '10.0.0.1',
  peerASN,
  peerConfigRef: { name },
});

const peerConfig = (spec: Doc, name = 'pc'): Doc => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumBGPPeerConfig',
  metadata: { name },
  spec,
});

const BOTH = [
  { afi: 'ipv4', safi: 'unicast', advertisements: { matchLabels: { a: 'b' } } },
  { afi: 'ipv6', safi: 'unicast', advertisements: { matchLabels: { a: 'b' } } },
];

const advertisement = (ad: Doc, labels: Record<string, string> = { a: 'b' }, name = 'ad'): Doc => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumBGPAdvertisement',
  metadata: { name, labels },
  spec: {
    advertisements: [
      {
        advertisementType: 'Service',
        service: { addresses: ['LoadBalancerIP'] },
        selector: { matchLabels: { expose: 'bgp' } },
        ...ad,
      },
    ],
  },
});

function routers(r: ReturnType<typeof convertManifests>): BGPVirtualRouter[] {
  const p = r.objects[0];
  return p?.kind === 'BGPPeeringPolicy' ? p.spec.virtualRouters : [];
}

/** The one neighbor a peer config gives, with the notes. */
function neighborWith(spec: Doc): { n: BGPNeighbor | undefined; r: ReturnType<typeof convertManifests> } {
  const r = convertManifests([cluster([peer()]), peerConfig({ families: BOTH, ...spec })]);
  return { n: routers(r)[0]?.neighbors[0], r };
}

const BASE = { peerAddress: '10.0.0.1', peerASN: 65001 };

describe('peer config integers', () => {
  const cases: [string, Doc, Partial<BGPNeighbor>][] = [
    ['peer port 1', { transport: { peerPort: 1 } }, { peerPort: 1 }],
    ['peer port 65535', { transport: { peerPort: 65535 } }, { peerPort: 65535 }],
    ['peer port 0', { transport: { peerPort: 0 } }, { peerPort: undefined }],
    ['peer port 65536', { transport: { peerPort: 65536 } }, { peerPort: undefined }],
    ['hold time 0', { timers: { holdTimeSeconds: 0 } }, { holdTimeSeconds: 0 }],
    ['hold time 65535', { timers: { holdTimeSeconds: 65535 } }, { holdTimeSeconds: 65535 }],
    ['hold time -1', { timers: { holdTimeSeconds: -1 } }, { holdTimeSeconds: undefined }],
    ['hold time 65536', { timers: { holdTimeSeconds: 65536 } }, { holdTimeSeconds: undefined }],
    ['multihop 1', { ebgpMultihop: 1 }, { eBGPMultihopTTL: 1 }],
    ['multihop 255', { ebgpMultihop: 255 }, { eBGPMultihopTTL: 255 }],
    ['multihop 0', { ebgpMultihop: 0 }, { eBGPMultihopTTL: undefined }],
    ['multihop 256', { ebgpMultihop: 256 }, { eBGPMultihopTTL: undefined }],
    [
      'restart 1',
      { gracefulRestart: { restartTimeSeconds: 1 } },
      { gracefulRestart: { restartTimeSeconds: 1 } },
    ],
    [
      'restart 4095',
      { gracefulRestart: { enabled: true, restartTimeSeconds: 4095 } },
      { gracefulRestart: { enabled: true, restartTimeSeconds: 4095 } },
    ],
    ['restart 0', { gracefulRestart: { restartTimeSeconds: 0 } }, { gracefulRestart: {} }],
    ['restart 4096', { gracefulRestart: { restartTimeSeconds: 4096 } }, { gracefulRestart: {} }],
  ];
  for (const [name, spec, want] of cases)
    test(name, () => {
      const { n, r } = neighborWith(spec);
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]);
      // toStrictEqual: an out-of-range value leaves the key, undefined.
      expect(n).toStrictEqual({ ...BASE, ...want });
    });

  test('without a transport, no peerPort key at all', () => {
    const { n } = neighborWith({});
    expect(n).toStrictEqual(BASE);
  });
});

test('families that are not maps are named as given', () => {
  const { r } = neighborWith({ families: ['ipv4-unicast'] });
  expect(r.warnings).toEqual([
    {
      object: 'CiliumBGPPeerConfig/pc',
      field: 'spec.families',
      message: 'edgelb announces IPv4 and IPv6 unicast to every neighbor; [ipv4-unicast] not carried over',
    },
  ]);
});

test('local AS 1 is accepted, 0 refused', () => {
  expect(routers(convertManifests([cluster([peer(1)], 1)]))[0]?.localASN).toBe(1);
  const r = convertManifests([cluster([peer(1)], 0)]);
  expect(r.objects).toEqual([]);
  expect(r.errors).toEqual([
    {
      object: 'CiliumBGPClusterConfig/c',
      field: 'spec.bgpInstances[0].localASN',
      message: 'must be an ASN 1..4294967295',
    },
  ]);
});

describe('which advertisements a peer config selects', () => {
  test('a family without an advertisements selector selects none', () => {
    const r = convertManifests([
      cluster([peer()]),
      peerConfig({
        families: [
          { afi: 'ipv4', safi: 'unicast' },
          { afi: 'ipv6', safi: 'unicast' },
        ],
      }),
      advertisement({}),
    ]);
    expect(r.errors).toEqual([]);
    expect(routers(r)).toEqual([{ localASN: 65001, neighbors: [BASE] }]);
  });

  test('an advertisement whose labels do not match is not selected', () => {
    const r = convertManifests([
      cluster([peer()]),
      peerConfig({ families: BOTH }),
      advertisement({}),
      advertisement({ selector: { matchLabels: { other: 'x' } } }, { a: 'c' }, 'other'),
    ]);
    expect(r.errors).toEqual([]);
    expect(routers(r)).toEqual([
      { localASN: 65001, serviceSelector: { matchLabels: { expose: 'bgp' } }, neighbors: [BASE] },
    ]);
  });

  test('one address kind besides LoadBalancerIP is named', () => {
    const r = convertManifests([
      cluster([peer()]),
      peerConfig({ families: BOTH }),
      advertisement({ service: { addresses: ['LoadBalancerIP', 'ClusterIP'] } }),
    ]);
    expect(r.warnings).toEqual([
      {
        object: 'CiliumBGPAdvertisement/ad',
        field: 'spec.advertisements[0].service.addresses',
        message: 'edgelb announces only LoadBalancer IPs; ClusterIP dropped',
      },
    ]);
    expect(routers(r)[0]?.serviceSelector).toEqual({ matchLabels: { expose: 'bgp' } });
  });
});

describe('local preference', () => {
  const input = (peerASN: number, attributes: Doc) => [
    cluster([peer(peerASN)]),
    peerConfig({ families: BOTH }),
    advertisement({ attributes }),
  ];

  test('0 is kept toward an iBGP peer', () => {
    const r = convertManifests(input(65001, { localPreference: 0 }));
    expect(r.warnings).toEqual([]);
    expect(routers(r)[0]?.neighbors[0]).toEqual({
      ...BASE,
      advertisedPathAttributes: { localPreference: 0 },
    });
  });

  test('a negative value is not carried over', () => {
    const r = convertManifests(input(65001, { localPreference: -1 }));
    expect(r.warnings).toEqual([]);
    expect(routers(r)[0]?.neighbors[0]).toStrictEqual(BASE);
  });

  test('toward an eBGP peer: one warning, and no attribute set when nothing else is left', () => {
    const r = convertManifests(input(65000, { localPreference: 200 }));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      {
        object: 'CiliumBGPAdvertisement/ad',
        field: 'spec.advertisements[0].attributes.localPreference',
        message:
          'LOCAL_PREF is sent to iBGP peers only, by Cilium and edgelb alike; dropped for the eBGP peer 10.0.0.1',
      },
    ]);
    expect(routers(r)).toStrictEqual([
      {
        localASN: 65001,
        serviceSelector: { matchLabels: { expose: 'bgp' } },
        neighbors: [{ peerAddress: '10.0.0.1', peerASN: 65000 }],
      },
    ]);
  });

  test('toward an eBGP peer the communities stay', () => {
    const r = convertManifests(
      input(65000, { localPreference: 200, communities: { standard: ['65000:7'] } }),
    );
    expect(routers(r)[0]?.neighbors[0]).toEqual({
      peerAddress: '10.0.0.1',
      peerASN: 65000,
      advertisedPathAttributes: { communities: { standard: ['65000:7'] } },
    });
  });
});

describe('a peer', () => {
  test('without an address, or with an empty one, is an error', () => {
    for (const peerAddress of [undefined, '']) {
      const r = convertManifests([cluster([{ ...peer(), peerAddress }]), peerConfig({ families: BOTH })]);
      expect(r.objects).toEqual([]);
      expect(r.errors).toEqual([
        {
          object: 'CiliumBGPClusterConfig/c',
          field: 'spec.bgpInstances[0].peers[0].peerAddress',
          message: 'is required',
        },
      ]);
    }
  });

  test('peer AS 0 is no ASN: the peer is dropped, a lossy error', () => {
    const r = convertManifests([cluster([peer(0)]), peerConfig({ families: BOTH })]);
    expect(r.objects).toEqual([]);
    expect(r.errors.map((e) => e.field)).toEqual(['spec.bgpInstances[0].peers[0].peerASN']);
  });
});

test('a cluster config without BGP instances: one error, no policy', () => {
  const r = convertManifests([{ ...cluster([]), spec: { bgpInstances: [] } }]);
  expect(r).toStrictEqual({
    objects: [],
    warnings: [],
    errors: [
      {
        object: 'CiliumBGPClusterConfig/c',
        field: 'spec.bgpInstances',
        message: 'no BGP instance with a usable peer',
      },
    ],
  });
});
