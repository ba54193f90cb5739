/**
 * Objects of every edgelb kind, valid and invalid, for the agreement test: the test API
 * server's schema check (the CRDs from `edgelb manifests`) and the validators must say
 * the same. `only` marks what a CRD schema cannot say and the validator does, with why.
 */
export type Kind = 'LoadBalancerIPPool' | 'BGPPeeringPolicy' | 'BFDProfile' | 'L2AnnouncementPolicy';

export interface Case {
  name: string;
  kind: Kind;
  spec: unknown;
  valid: boolean;
  /** The schema accepts it and only the validator refuses it: the reason. */
  only?: string;
}

/** A base object of each kind that every check accepts; generated cases mutate it. */
export const BASE: Record<Kind, Record<string, unknown>> = {
  LoadBalancerIPPool: {
    blocks: [{ cidr: '172.198.1.0/30' }, { start: '10.0.0.10', stop: '10.0.0.20' }],
    disabled: false,
    serviceSelector: {
      matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }],
    },
    allowFirstLastIPs: false,
    autoAssign: true,
  },
  BGPPeeringPolicy: {
    nodeSelector: { matchLabels: { peering: 'yes' } },
    virtualRouters: [
      {
        localASN: 65001,
        serviceSelector: {},
        neighbors: [
          {
            peerAddress: '192.168.2.1/32',
            peerASN: 65000,
            peerPort: 179,
            eBGPMultihopTTL: 2,
            connectRetryTimeSeconds: 5,
            holdTimeSeconds: 9,
            keepAliveTimeSeconds: 3,
            gracefulRestart: { enabled: true, restartTimeSeconds: 120 },
            advertisedPathAttributes: {
              communities: { standard: ['65000:100', 'no-export'], large: ['65000:1:2'] },
              localPreference: 100,
            },
            authSecretRef: { name: 'bgp-auth', namespace: 'kube-system', key: 'password' },
            bfdProfile: 'fast',
          },
        ],
      },
    ],
  },
  BFDProfile: {
    receiveIntervalMilliseconds: 300,
    transmitIntervalMilliseconds: 300,
    detectMultiplier: 3,
    passiveMode: false,
    minimumTtl: 254,
  },
  L2AnnouncementPolicy: {
    nodeSelector: {
      matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }],
    },
    serviceSelector: { matchLabels: { 'io.kubernetes.service.namespace': 'web' } },
    pools: ['lan'],
    interfaces: ['^eth[0-9]+$', 'br0'],
  },
};

const neighbor = (n: Record<string, unknown>) => ({
  virtualRouters: [{ localASN: 65001, neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000, ...n }] }],
});
const pool = (blocks: unknown[]) => ({ blocks });

export const CORPUS: Case[] = [
  { name: 'pool: minimal', kind: 'LoadBalancerIPPool', spec: pool([{ cidr: '10.0.0.0/24' }]), valid: true },
  {
    name: 'pool: IPv6 /64',
    kind: 'LoadBalancerIPPool',
    spec: pool([{ cidr: '2001:db8::/64' }]),
    valid: true,
  },
  { name: 'pool: no blocks', kind: 'LoadBalancerIPPool', spec: pool([]), valid: false },
  { name: 'pool: no spec', kind: 'LoadBalancerIPPool', spec: undefined, valid: false },
  {
    name: 'pool: misspelt field',
    kind: 'LoadBalancerIPPool',
    spec: { ...pool([{ cidr: '10.0.0.0/8' }]), autoasign: true },
    valid: false,
  },
  {
    name: 'pool: boolean as string',
    kind: 'LoadBalancerIPPool',
    spec: { ...pool([{ cidr: '10.0.0.0/8' }]), disabled: 'no' },
    valid: false,
  },
  {
    name: 'pool: start with a letter',
    kind: 'LoadBalancerIPPool',
    spec: pool([{ start: 'x', stop: '10.0.0.1' }]),
    valid: false,
  },
  {
    name: 'pool: selector operator unknown',
    kind: 'LoadBalancerIPPool',
    spec: {
      ...pool([{ cidr: '10.0.0.0/8' }]),
      serviceSelector: { matchExpressions: [{ key: 'a', operator: 'Has' }] },
    },
    valid: false,
  },
  ...(
    [
      ['host bits set', [{ cidr: '10.0.0.1/24' }], 'IP arithmetic (format: cidr does not check host bits)'],
      ['prefix too long', [{ cidr: '10.0.0.0/33' }], 'the test server does not check format: cidr'],
      [
        'overlapping blocks',
        [{ cidr: '10.0.0.0/24' }, { start: '10.0.0.200', stop: '10.0.1.5' }],
        'compares items',
      ],
      ['start after stop', [{ start: '10.0.0.9', stop: '10.0.0.1' }], 'IP arithmetic'],
      ['mixed families', [{ start: '10.0.0.1', stop: '::1' }], 'IP arithmetic'],
      [
        'cidr and start',
        [{ cidr: '10.0.0.0/24', start: '10.0.0.1' }],
        'a CEL rule (a real API server runs it)',
      ],
      ['start without stop', [{ start: '10.0.0.1' }], 'a CEL rule (a real API server runs it)'],
    ] as const
  ).map(
    ([name, blocks, only]): Case => ({
      name: `pool: ${name}`,
      kind: 'LoadBalancerIPPool',
      spec: pool([...blocks]),
      valid: false,
      only,
    }),
  ),
  {
    name: 'pool: In without values',
    kind: 'LoadBalancerIPPool',
    spec: {
      ...pool([{ cidr: '10.0.0.0/8' }]),
      serviceSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] },
    },
    valid: false,
    only: 'depends on another field (the operator)',
  },

  { name: 'policy: minimal', kind: 'BGPPeeringPolicy', spec: neighbor({}), valid: true },
  {
    name: 'policy: hold 0, IPv6 peer',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ peerAddress: '2001:db8::1/128', holdTimeSeconds: 0 }),
    valid: true,
  },
  { name: 'policy: ASN 0', kind: 'BGPPeeringPolicy', spec: neighbor({ peerASN: 0 }), valid: false },
  {
    name: 'policy: ASN over 32 bits',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ peerASN: 4294967296 }),
    valid: false,
  },
  {
    name: 'policy: hold over 16 bits',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ holdTimeSeconds: 70000 }),
    valid: false,
  },
  {
    name: 'policy: peer a name',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ peerAddress: 'router.lan' }),
    valid: false,
  },
  {
    name: 'policy: peer a network',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ peerAddress: '192.168.2.0/24' }),
    valid: false,
  },
  {
    name: 'policy: large community of two parts',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ advertisedPathAttributes: { communities: { large: ['1:2'] } } }),
    valid: false,
  },
  {
    name: 'policy: misspelt neighbor field',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ peerAdress: '1.2.3.4' }),
    valid: false,
  },
  {
    name: 'policy: no virtual routers',
    kind: 'BGPPeeringPolicy',
    spec: { virtualRouters: [] },
    valid: false,
  },
  {
    name: 'policy: bfdProfile not a name',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ bfdProfile: 'Fast Profile' }),
    valid: false,
  },
  {
    name: 'policy: hold 2',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ holdTimeSeconds: 2 }),
    valid: false,
    only: 'a CEL rule (a real API server runs it)',
  },
  {
    name: 'policy: keepalive not below hold',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ holdTimeSeconds: 9, keepAliveTimeSeconds: 9 }),
    valid: false,
    only: 'depends on another field (the hold time)',
  },
  {
    name: 'policy: community 65536:1',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ advertisedPathAttributes: { communities: { standard: ['65536:1'] } } }),
    valid: false,
    only: 'number ranges inside a string',
  },
  {
    name: 'policy: unknown community name',
    kind: 'BGPPeeringPolicy',
    spec: neighbor({ advertisedPathAttributes: { communities: { standard: ['no-such'] } } }),
    valid: false,
    only: 'the list of well-known names',
  },
  {
    name: 'policy: the same peer twice',
    kind: 'BGPPeeringPolicy',
    spec: {
      virtualRouters: [
        {
          localASN: 1,
          neighbors: [
            { peerAddress: '10.0.0.1', peerASN: 2 },
            { peerAddress: '10.0.0.1/32', peerASN: 3 },
          ],
        },
      ],
    },
    valid: false,
    only: 'compares items (and normalizes the address first)',
  },

  { name: 'bfd: all defaults', kind: 'BFDProfile', spec: {}, valid: true },
  { name: 'bfd: no spec', kind: 'BFDProfile', spec: undefined, valid: true },
  {
    name: 'bfd: fastest, multiplier 1',
    kind: 'BFDProfile',
    spec: { receiveIntervalMilliseconds: 10, transmitIntervalMilliseconds: 10, detectMultiplier: 1 },
    valid: true,
  },
  { name: 'bfd: interval 9 ms', kind: 'BFDProfile', spec: { receiveIntervalMilliseconds: 9 }, valid: false },
  { name: 'bfd: multiplier 0', kind: 'BFDProfile', spec: { detectMultiplier: 0 }, valid: false },
  { name: 'bfd: minimum TTL 255', kind: 'BFDProfile', spec: { minimumTtl: 255 }, valid: false },
  { name: 'bfd: interval in seconds', kind: 'BFDProfile', spec: { receiveInterval: 1 }, valid: false },

  { name: 'l2: everything', kind: 'L2AnnouncementPolicy', spec: {}, valid: true },
  { name: 'l2: no spec', kind: 'L2AnnouncementPolicy', spec: undefined, valid: true },
  { name: 'l2: pool not a name', kind: 'L2AnnouncementPolicy', spec: { pools: ['LAN pool'] }, valid: false },
  {
    name: 'l2: interfaces a string',
    kind: 'L2AnnouncementPolicy',
    spec: { interfaces: 'eth0' },
    valid: false,
  },
  {
    name: 'l2: empty interface pattern',
    kind: 'L2AnnouncementPolicy',
    spec: { interfaces: [''] },
    valid: false,
  },
  {
    name: 'l2: pattern does not compile',
    kind: 'L2AnnouncementPolicy',
    spec: { interfaces: ['eth[0-9'] },
    valid: false,
    only: 'compiling a regular expression',
  },
];
