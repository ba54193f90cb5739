import { describe, expect, test } from 'bun:test';
import {
  formatProblem,
  type Validation,
  validatePolicy,
  validatePool,
} from '../../agent/api/validate/resources.ts';

const pool = (spec: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'blog' },
  spec,
  ...extra,
});

const neighbor = (n: Record<string, unknown>) => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BGPPeeringPolicy',
  metadata: { name: 'rack0' },
  spec: {
    virtualRouters: [{ localASN: 65001, neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000, ...n }] }],
  },
});

function messages<T>(r: Validation<T>): string[] {
  return r.ok ? [] : r.problems.map(formatProblem);
}

function value<T>(r: Validation<T>): T {
  if (!r.ok) throw new Error(`expected valid, got ${messages(r).join('; ')}`);
  return r.value;
}

describe('validatePool', () => {
  test('applies the defaults and normalizes blocks', () => {
    const p = value(
      validatePool(
        pool({
          blocks: [
            { cidr: '172.198.1.0/30' },
            { start: '10.0.0.10', stop: '10.0.0.20' },
            { cidr: '2001:DB8::/64' },
          ],
          serviceSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        }),
      ),
    );
    expect(p.spec).toEqual({
      blocks: [
        { cidr: '172.198.1.0/30' },
        { start: '10.0.0.10', stop: '10.0.0.20' },
        { cidr: '2001:db8::/64' },
      ],
      disabled: false,
      allowFirstLastIPs: false,
      autoAssign: true,
      serviceSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
    });
  });

  test('keeps explicit booleans', () => {
    const p = value(
      validatePool(pool({ blocks: [{ cidr: '10.0.0.0/24' }], disabled: true, autoAssign: false })),
    );
    expect([p.spec.disabled, p.spec.autoAssign, p.spec.allowFirstLastIPs]).toEqual([true, false, false]);
  });

  const bad: [string, unknown, string[]][] = [
    [
      'CIDR prefix too long',
      pool({ blocks: [{ cidr: '10.0.0.0/33' }] }),
      ['spec.blocks[0].cidr: "10.0.0.0/33" is not a valid CIDR: prefix length must be 0..32'],
    ],
    [
      'host bits set',
      pool({ blocks: [{ cidr: '10.0.0.1/24' }] }),
      ['spec.blocks[0].cidr: "10.0.0.1/24" has host bits set (network is 10.0.0.0/24)'],
    ],
    [
      'every problem at once, with did-you-mean',
      pool({
        blocks: [{ cidr: '10.0.0.0/24', stop: '10.0.0.9' }, { start: '10.0.0.9' }],
        autoasign: true,
        disabled: 'no',
      }),
      [
        'spec.autoasign: unknown field (did you mean "autoAssign"?)',
        'spec.blocks[0]: must have either cidr or start/stop, not both',
        'spec.blocks[1].stop: is required with start',
        'spec.disabled: must be true or false, got "no"',
      ],
    ],
    [
      'start after stop, mixed families',
      pool({
        blocks: [
          { start: '10.0.0.9', stop: '10.0.0.1' },
          { start: '10.0.0.1', stop: '::1' },
        ],
      }),
      [
        'spec.blocks[0]: start 10.0.0.9 must not be after stop 10.0.0.1',
        'spec.blocks[1]: start 10.0.0.1 and stop ::1 must be of the same IP family',
      ],
    ],
    [
      'overlapping blocks',
      pool({ blocks: [{ cidr: '10.0.0.0/24' }, { start: '10.0.0.200', stop: '10.0.1.5' }] }),
      ['spec.blocks[1]: overlaps spec.blocks[0]'],
    ],
    ['no blocks', pool({ blocks: [] }), ['spec.blocks: must hold at least one block']],
    ['no spec', pool(undefined), ['spec: is required']],
    [
      'bad name, wrong kind, unknown top-level key',
      {
        kind: 'CiliumLoadBalancerIPPool',
        metadata: { name: 'Blog' },
        spec: { blocks: [{ cidr: '10.0.0.0/8' }] },
        sepc: 1,
      },
      [
        'sepc: unknown field (did you mean "spec"?)',
        'kind: must be "LoadBalancerIPPool", got "CiliumLoadBalancerIPPool"',
        'metadata.name: must be a lowercase RFC 1123 name (a-z, 0-9, "-", "."), got "Blog"',
      ],
    ],
    [
      'selector problems',
      pool({
        blocks: [{ cidr: '10.0.0.0/8' }],
        serviceSelector: {
          matchLabels: { enabled: true },
          matchExpressions: [
            { key: 'a', operator: 'In' },
            { key: 'b', operator: 'Exists', values: ['x'] },
            { key: 'c', operator: 'Has' },
          ],
        },
      }),
      [
        'spec.serviceSelector.matchLabels.enabled: must be a string, got true (quote it in YAML)',
        'spec.serviceSelector.matchExpressions[0].values: must not be empty for operator In',
        'spec.serviceSelector.matchExpressions[1].values: must be empty for operator Exists',
        'spec.serviceSelector.matchExpressions[2].operator: must be one of In, NotIn, Exists, DoesNotExist, got "Has"',
      ],
    ],
    ['not a mapping', 'pool', ['must be a mapping, got "pool"']],
  ];
  test.each(bad)('%s', (_name, input, expected) => {
    expect(messages(validatePool(input))).toEqual(expected);
  });
});

describe('validatePolicy', () => {
  test('applies the defaults and accepts the CIDR form of peerAddress', () => {
    const p = value(validatePolicy(neighbor({ peerAddress: '192.168.2.1/32' })));
    expect(p.spec.virtualRouters[0]!.neighbors[0]).toEqual({
      peerAddress: '192.168.2.1',
      peerPort: 179,
      peerASN: 65000,
      connectRetryTimeSeconds: 120,
      holdTimeSeconds: 90,
      keepAliveTimeSeconds: 30,
      gracefulRestart: { enabled: false, restartTimeSeconds: 120 },
    });
  });

  test('normalizes IPv6 peers, communities and fills authSecretRef.key', () => {
    const p = value(
      validatePolicy(
        neighbor({
          peerAddress: '2001:DB8::0001/128',
          holdTimeSeconds: 0,
          keepAliveTimeSeconds: 60,
          gracefulRestart: { enabled: true },
          advertisedPathAttributes: {
            communities: { standard: ['65000:100', 'no-export', '4259840100'], large: ['65000:1:02'] },
            localPreference: 4294967295,
          },
          authSecretRef: { name: 'bgp-auth' },
        }),
      ),
    );
    const n = p.spec.virtualRouters[0]!.neighbors[0]!;
    expect(n.peerAddress).toBe('2001:db8::1');
    expect(n.holdTimeSeconds).toBe(0);
    expect(n.gracefulRestart).toEqual({ enabled: true, restartTimeSeconds: 120 });
    expect(n.advertisedPathAttributes).toEqual({
      // 4259840100 is 65000:100 written as one 32-bit number: normalized, then deduplicated.
      communities: { standard: ['65000:100', '65535:65281'], large: ['65000:1:2'] },
      localPreference: 4294967295,
    });
    expect(n.authSecretRef).toEqual({ name: 'bgp-auth', key: 'password' });
  });

  const bad: [string, unknown, string[]][] = [
    [
      'ASN not a number',
      neighbor({ peerASN: 'x' }),
      ['spec.virtualRouters[0].neighbors[0].peerASN: must be an integer 1..4294967295, got "x"'],
    ],
    [
      'ASN out of range',
      neighbor({ peerASN: 4294967296 }),
      ['spec.virtualRouters[0].neighbors[0].peerASN: must be an integer 1..4294967295, got 4294967296'],
    ],
    [
      'keepalive not below hold',
      neighbor({ holdTimeSeconds: 9, keepAliveTimeSeconds: 9 }),
      [
        'spec.virtualRouters[0].neighbors[0].keepAliveTimeSeconds: must be less than holdTimeSeconds (9), got 9',
      ],
    ],
    [
      'keepalive above default hold',
      neighbor({ keepAliveTimeSeconds: 120 }),
      [
        'spec.virtualRouters[0].neighbors[0].keepAliveTimeSeconds: must be less than holdTimeSeconds (90), got 120',
      ],
    ],
    [
      'hold 1 or 2',
      neighbor({ holdTimeSeconds: 2 }),
      ['spec.virtualRouters[0].neighbors[0].holdTimeSeconds: must be 0 or an integer 3..65535, got 2'],
    ],
    [
      'peer address a network, not a host',
      neighbor({ peerAddress: '192.168.2.0/24' }),
      [
        'spec.virtualRouters[0].neighbors[0].peerAddress: must be an IP address or a host prefix (/32 or /128), got "192.168.2.0/24"',
      ],
    ],
    [
      'bad communities and local preference',
      neighbor({
        advertisedPathAttributes: {
          communities: { standard: ['65536:1', 'x'], large: ['1:2', '1:2:4294967296'] },
          localPreference: -1,
        },
      }),
      [
        'spec.virtualRouters[0].neighbors[0].advertisedPathAttributes.localPreference: must be an integer 0..4294967295, got -1',
        'spec.virtualRouters[0].neighbors[0].advertisedPathAttributes.communities.standard[0]: must be a community "a:b" with a and b in 0..65535 (or a well-known name such as no-export), got "65536:1"',
        'spec.virtualRouters[0].neighbors[0].advertisedPathAttributes.communities.standard[1]: must be a community "a:b" with a and b in 0..65535 (or a well-known name such as no-export), got "x"',
        'spec.virtualRouters[0].neighbors[0].advertisedPathAttributes.communities.large[0]: must be a large community "a:b:c" with each part in 0..4294967295, got "1:2"',
        'spec.virtualRouters[0].neighbors[0].advertisedPathAttributes.communities.large[1]: must be a large community "a:b:c" with each part in 0..4294967295, got "1:2:4294967296"',
      ],
    ],
    [
      'unknown neighbor field, missing peerASN, bad port, restart time too long',
      {
        ...neighbor({}),
        spec: {
          virtualRouters: [
            {
              localASN: 65001,
              neighbors: [
                { peerAdress: '1.2.3.4', peerPort: 0, gracefulRestart: { restartTimeSeconds: 5000 } },
                { peerAddress: '10.0.0.1', peerASN: 1 },
                { peerAddress: '10.0.0.1/32', peerASN: 2 },
              ],
            },
          ],
        },
      },
      [
        'spec.virtualRouters[0].neighbors[0].peerAdress: unknown field (did you mean "peerAddress"?)',
        'spec.virtualRouters[0].neighbors[0].peerAddress: is required',
        'spec.virtualRouters[0].neighbors[0].peerASN: is required',
        'spec.virtualRouters[0].neighbors[0].peerPort: must be an integer 1..65535, got 0',
        'spec.virtualRouters[0].neighbors[0].gracefulRestart.restartTimeSeconds: must be an integer 1..4095, got 5000',
        'spec.virtualRouters[0].neighbors[2].peerAddress: duplicates spec.virtualRouters[0].neighbors[1] (10.0.0.1)',
      ],
    ],
    [
      'router without localASN and neighbors, wrong apiVersion',
      {
        apiVersion: 'cilium.io/v2alpha1',
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'x' },
        spec: { nodeSelector: { matchLabels: { peering: 'yes' } }, virtualRouters: [{ neighbours: [] }] },
      },
      [
        'apiVersion: must be "edgelb.io/v1alpha1", got "cilium.io/v2alpha1"',
        'spec.virtualRouters[0].neighbours: unknown field (did you mean "neighbors"?)',
        'spec.virtualRouters[0].localASN: is required',
        'spec.virtualRouters[0].neighbors: is required (a list of peers)',
      ],
    ],
    [
      'authSecretRef without name',
      neighbor({ authSecretRef: { key: '' } }),
      [
        'spec.virtualRouters[0].neighbors[0].authSecretRef.name: is required',
        'spec.virtualRouters[0].neighbors[0].authSecretRef.key: must not be empty',
      ],
    ],
    [
      'no virtual routers',
      { ...neighbor({}), spec: { virtualRouters: [] } },
      ['spec.virtualRouters: must hold at least one virtual router'],
    ],
  ];
  test.each(bad)('%s', (_name, input, expected) => {
    expect(messages(validatePolicy(input))).toEqual(expected);
  });
});
