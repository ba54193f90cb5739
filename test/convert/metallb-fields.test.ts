/**
 * MetalLB field by field: Go durations to whole seconds (each unit exact, rounding at half a
 * second), the pool's empty-address error and avoidBuggyIPs warning, and the BGPPeer's ASN
 * bounds.
 */
import { describe, expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';
import { durationSeconds } from '../../agent/convert/metallb-peer.ts';

const NS = 'metallb-system';

describe('durationSeconds', () => {
  const cases: [unknown, number | undefined][] = [
    [90, 90],
    [0, 0],
    [1.5, undefined],
    ['abc', undefined],
    ['90', undefined],
    [' 90s ', 90],
    ['1m30s', 90],
    ['1000h', 3_600_000],
    ['1000m', 60_000],
    ['1000s', 1000],
    ['1000ms', 1],
    ['500ms', 1],
    ['499ms', 0],
    ['1.5s', 2],
    ['1h1m1s1ms', 3661],
  ];
  for (const [given, want] of cases)
    test(`${JSON.stringify(given)} -> ${want}`, () => {
      expect(durationSeconds(given)).toBe(want);
    });
});

const pool = (spec: Record<string, unknown>) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name: 'p', namespace: NS },
  spec,
});

describe('IPAddressPool', () => {
  test('no addresses: one error', () => {
    for (const spec of [{}, { addresses: [] }]) {
      const r = convertManifests([pool(spec)]);
      expect(r.objects).toEqual([]);
      expect(r.errors).toEqual([
        { object: 'IPAddressPool/p', field: 'spec.addresses', message: 'the pool has no addresses' },
      ]);
    }
  });

  test('a bad address is its own error, without the no-addresses one', () => {
    const r = convertManifests([pool({ addresses: ['10.0.0.300/30'] })]);
    expect(r.objects).toEqual([]);
    expect(r.errors.map((e) => e.field)).toEqual(['spec.addresses[0]']);
  });

  const BUGGY =
    'edgelb skips the first and last address of each CIDR, not every .0 and .255 inside larger blocks or ranges';
  const cases: [string, string[], boolean][] = [
    ['a /24', ['10.0.0.0/24'], false],
    ['a /32', ['10.0.0.7/32'], false],
    ['a /16', ['10.0.0.0/16'], true],
    ['a range', ['10.0.0.10-10.0.0.20'], true],
    ['a /24 and a range', ['10.0.1.0/24', '10.0.0.10-10.0.0.20'], true],
  ];
  for (const [name, addresses, warned] of cases)
    test(`avoidBuggyIPs with ${name}: ${warned ? 'a warning' : 'silent'}`, () => {
      const r = convertManifests([pool({ addresses, avoidBuggyIPs: true })]);
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual(
        warned ? [{ object: 'IPAddressPool/p', field: 'spec.avoidBuggyIPs', message: BUGGY }] : [],
      );
      const p = r.objects[0];
      expect(p?.kind === 'LoadBalancerIPPool' && p.spec.allowFirstLastIPs).toBe(false);
    });
});

const peer = (spec: Record<string, unknown>) => ({
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: { name: 'r', namespace: NS },
  spec: { myASN: 65001, peerASN: 65000, peerAddress: '192.168.2.1', ...spec },
});

describe('BGPPeer ASNs', () => {
  test('AS 1 on both sides is accepted', () => {
    const r = convertManifests([peer({ myASN: 1, peerASN: 1 })]);
    expect(r.errors).toEqual([]);
    const p = r.objects[0];
    expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters[0]).toEqual({
      localASN: 1,
      neighbors: [{ peerAddress: '192.168.2.1', peerASN: 1 }],
    });
  });

  test('myASN 0 is refused', () => {
    const r = convertManifests([peer({ myASN: 0 })]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([
      { object: 'BGPPeer/r', field: 'spec.myASN', message: 'must be an ASN 1..4294967295' },
    ]);
  });

  test('peerASN 0 is refused', () => {
    const r = convertManifests([peer({ peerASN: 0 })]);
    expect(r.objects).toEqual([]);
    expect(r.errors).toEqual([
      { object: 'BGPPeer/r', field: 'spec.peerASN', message: 'edgelb needs the peer’s ASN: set peerASN' },
    ]);
  });
});

describe('BGPPeer address and port', () => {
  test('a missing or empty peerAddress is an error, and no policy is made', () => {
    for (const peerAddress of [undefined, '']) {
      const r = convertManifests([peer({ peerAddress })]);
      expect(r.objects).toEqual([]);
      expect(r.errors).toEqual([{ object: 'BGPPeer/r', field: 'spec.peerAddress', message: 'is required' }]);
    }
  });

  const cases: [number, number | undefined][] = [
    [1, 1],
    [65535, 65535],
    [0, undefined],
    [65536, undefined],
  ];
  for (const [given, want] of cases)
    test(`peerPort ${given} -> ${want}`, () => {
      const r = convertManifests([peer({ peerPort: given })]);
      const p = r.objects[0];
      expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters[0]?.neighbors[0]).toStrictEqual({
        peerAddress: '192.168.2.1',
        peerASN: 65000,
        peerPort: want,
      });
    });
});

describe('BGPPeer secrets and dropped fields', () => {
  test('a passwordSecret without a namespace is read from the peer’s namespace', () => {
    const r = convertManifests([
      { ...peer({ passwordSecret: { name: 's' } }), metadata: { name: 'r', namespace: 'bgp' } },
    ]);
    const p = r.objects[0];
    expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters[0]?.neighbors[0]?.authSecretRef).toEqual({
      name: 's',
      namespace: 'bgp',
      key: 'password',
    });
  });

  test('disableMP true is named; false and empty are silent', () => {
    expect(convertManifests([peer({ disableMP: true })]).warnings.filter((w) => w.field !== '')).toEqual([
      {
        object: 'BGPPeer/r',
        field: 'spec.disableMP',
        message: 'edgelb always negotiates IPv4 and IPv6 unicast; dropped',
      },
    ]);
    for (const v of [false, ''])
      expect(
        convertManifests([peer({ disableMP: v, vrf: v })]).warnings.filter((w) => w.field !== ''),
      ).toEqual([]);
  });
});

test('BGPAdvertisement localPref: 0 is kept toward iBGP, a negative value is not carried over', () => {
  const ad = (localPref: number) => ({
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPAdvertisement',
    metadata: { name: 'a', namespace: NS },
    spec: { localPref },
  });
  const neighbor = (localPref: number) => {
    const r = convertManifests([peer({ peerASN: 65001 }), ad(localPref)]);
    expect(r.errors).toEqual([]);
    const p = r.objects[0];
    return p?.kind === 'BGPPeeringPolicy' ? p.spec.virtualRouters[0]?.neighbors[0] : undefined;
  };
  expect(neighbor(0)).toEqual({
    peerAddress: '192.168.2.1',
    peerASN: 65001,
    advertisedPathAttributes: { localPreference: 0 },
  });
  expect(neighbor(-1)).toStrictEqual({ peerAddress: '192.168.2.1', peerASN: 65001 });
});

test('a BGPAdvertisement whose pool selector matches no pool is not converted, never widened to every pool', () => {
  const r = convertManifests(
    [
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'p', namespace: NS },
        spec: { addresses: ['10.0.0.0/30'] },
      },
      peer({}),
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: { name: 'a', namespace: NS },
        spec: { ipAddressPoolSelectors: [{ matchLabels: { tier: 'web' } }] },
      },
    ],
    { allowLossy: true },
  );
  expect(r.errors).toEqual([]);
  const p = r.objects.find((o) => o.kind === 'BGPPeeringPolicy');
  expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters).toEqual([
    { localASN: 65001, neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000 }] },
  ]);
  expect(r.warnings.map((w) => `${w.object} ${w.field}`)).toEqual([
    'BGPAdvertisement/a spec.ipAddressPoolSelectors',
    'BGPPeer/r ',
  ]);
});

test('an advertisement naming pools absent from the input keeps its pools (not the every-pool short form)', () => {
  const r = convertManifests([
    peer({}),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'a', namespace: NS },
      spec: { ipAddressPools: ['elsewhere'] },
    },
  ]);
  expect(r.errors).toEqual([]);
  const p = r.objects[0];
  expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters).toEqual([
    {
      localASN: 65001,
      advertisements: [{ serviceSelector: {}, pools: ['elsewhere'] }],
      neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000 }],
    },
  ]);
});

test('Community entries that are not {name, value} are skipped', () => {
  const r = convertManifests([
    peer({}),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'Community',
      metadata: { name: 'c', namespace: NS },
      spec: { communities: [null, 'x', { value: '65000:9' }, { name: 'web', value: '65000:1' }] },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'a', namespace: NS },
      spec: { communities: ['web'] },
    },
  ]);
  expect(r.errors).toEqual([]);
  const p = r.objects[0];
  expect(p?.kind === 'BGPPeeringPolicy' && p.spec.virtualRouters[0]?.neighbors[0]).toEqual({
    peerAddress: '192.168.2.1',
    peerASN: 65000,
    advertisedPathAttributes: { communities: { standard: ['65000:1'] } },
  });
});
