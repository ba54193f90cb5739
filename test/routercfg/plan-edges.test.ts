/**
 * planRouter at the edges: --router values that are not one address, no neighbor at all,
 * the no-pool warning with one family or both, the order of a dual-stack node's sessions,
 * and which families each session accepts when nodes differ in their families.
 */
import { describe, expect, test } from 'bun:test';
import type { BGPPeeringPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { validatePolicy, validatePool } from '../../agent/api/validate/resources.ts';
import { acceptedFamilies } from '../../agent/routercfg/filters.ts';
import { type PlanInput, planRouter } from '../../agent/routercfg/plan.ts';
import type { RouterNode } from '../../agent/routercfg/types.ts';

const ok = <T>(r: { ok: true; value: T } | { ok: false; problems: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
};
const meta = (name: string) => ({ apiVersion: 'edgelb.io/v1alpha1', metadata: { name } });
const pool = (name: string, blocks: object[]): LoadBalancerIPPool =>
  ok(validatePool({ ...meta(name), kind: 'LoadBalancerIPPool', spec: { blocks } }));
const policy = (name: string, spec: object): BGPPeeringPolicy =>
  ok(validatePolicy({ ...meta(name), kind: 'BGPPeeringPolicy', spec }));

const NODES: RouterNode[] = [
  { name: 'dual', labels: { stack: 'dual' }, addresses: { 4: '192.168.2.10', 6: 'fd00:2::10' } },
  { name: 'v4only', labels: { stack: 'v4' }, addresses: { 4: '192.168.2.11' } },
];

const BOTH = policy('p', {
  nodeSelector: { matchLabels: { stack: 'dual' } },
  virtualRouters: [
    {
      localASN: 65001,
      serviceSelector: {},
      neighbors: [
        { peerAddress: '192.168.2.1', peerASN: 65000 },
        { peerAddress: 'fd00:2::1', peerASN: 65000 },
      ],
    },
  ],
});

const V4 = policy('q', {
  nodeSelector: { matchLabels: { stack: 'v4' } },
  virtualRouters: [
    { localASN: 65001, serviceSelector: {}, neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000 }] },
  ],
});

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    policies: [BOTH, V4],
    pools: [pool('v4', [{ cidr: '10.0.0.0/30' }]), pool('v6', [{ cidr: 'fd00:9::/126' }])],
    bfdProfiles: [],
    nodes: NODES,
    router: [],
    defaultSecretNamespace: 'kube-system',
    ...over,
  };
}

describe('--router', () => {
  const cases: [string, string][] = [
    ['not-an-ip', '--router not-an-ip: not an IP address'],
    ['192.168.2.0/24', '--router 192.168.2.0/24: not an IP address'],
    ['fd00::/64', '--router fd00::/64: not an IP address'],
  ];
  for (const [given, error] of cases)
    test(`${given} is refused`, () => {
      expect(planRouter(input({ router: [given] }))).toEqual({ ok: false, errors: [error] });
    });
  test('an address with its host prefix is accepted', () => {
    const r = planRouter(input({ router: ['192.168.2.1/32', 'fd00:2::1/128'] }));
    expect(r.ok && r.plan.routerAddresses).toEqual({ 4: '192.168.2.1', 6: 'fd00:2::1' });
  });
});

test('no policy names a neighbor: that one error only', () => {
  expect(planRouter(input({ policies: [] }))).toEqual({
    ok: false,
    errors: ['no BGPPeeringPolicy names a neighbor'],
  });
});

describe('the no-pool warning', () => {
  test('none with a pool in each family', () => {
    const r = planRouter(input());
    expect(r.ok && r.warnings).toEqual([]);
  });
  test('given without any pool', () => {
    const r = planRouter(input({ pools: [] }));
    expect(r.ok && r.warnings).toEqual(['no LoadBalancerIPPool: the router will accept no route']);
  });
});

test('sessions sorted by node, then IPv4 before IPv6', () => {
  const r = planRouter(input());
  expect(r.ok && r.plan.sessions.map((s) => `${s.node}/${s.family}`)).toEqual([
    'dual/4',
    'dual/6',
    'v4only/4',
  ]);
});

test('accepted families: a node’s own family per session; a single-family node takes both on it', () => {
  const r = planRouter(input());
  if (!r.ok) throw new Error(r.errors.join('\n'));
  expect(r.plan.sessions.map((s) => [`${s.node}/${s.family}`, acceptedFamilies(r.plan, s)])).toEqual([
    ['dual/4', [4]],
    ['dual/6', [6]],
    ['v4only/4', [4, 6]],
  ]);
});

test('IPv4 before IPv6 even when the policy lists the IPv6 neighbor first', () => {
  const v6first = policy('p', {
    nodeSelector: { matchLabels: { stack: 'dual' } },
    virtualRouters: [
      {
        localASN: 65001,
        serviceSelector: {},
        neighbors: [
          { peerAddress: 'fd00:2::1', peerASN: 65000 },
          { peerAddress: '192.168.2.1', peerASN: 65000 },
        ],
      },
    ],
  });
  const r = planRouter(input({ policies: [v6first] }));
  expect(r.ok && r.plan.sessions.map((s) => `${s.node}/${s.family}`)).toEqual(['dual/4', 'dual/6']);
});

test('a bad --router stops the plan there: the node problems behind it are not reported', () => {
  const all = policy('all', {
    virtualRouters: [
      { localASN: 65001, serviceSelector: {}, neighbors: [{ peerAddress: 'fd00:2::1', peerASN: 65000 }] },
    ],
  });
  expect(planRouter(input({ policies: [all], router: ['bad', 'fd00:2::1'] }))).toEqual({
    ok: false,
    errors: ['--router bad: not an IP address'],
  });
});
