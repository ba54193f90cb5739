import { describe, expect, test } from 'bun:test';
import type { EndpointObject, EndpointSliceObject, ServiceObject } from '../../agent/api/core.ts';
import type { L2AnnouncementPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import {
  EXCLUDE_LB_LABEL,
  endpointNodes,
  type L2PlanInput,
  ownedStatically,
  planL2,
} from '../../agent/reconcile/plan/l2.ts';

function svc(
  name: string,
  ips: string[],
  o: { ns?: string; labels?: Record<string, string>; local?: boolean } = {},
): ServiceObject {
  return {
    metadata: { name, namespace: o.ns ?? 'default', labels: o.labels ?? {} },
    spec: { type: 'LoadBalancer', ...(o.local ? { externalTrafficPolicy: 'Local' as const } : {}) },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) } },
  };
}

function policy(name: string, spec: L2AnnouncementPolicy['spec'] = {}): L2AnnouncementPolicy {
  return { apiVersion: 'edgelb.io/v1alpha1', kind: 'L2AnnouncementPolicy', metadata: { name }, spec };
}

function pool(name: string, cidr: string, created = '2026-01-01T00:00:00Z'): LoadBalancerIPPool {
  return {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'LoadBalancerIPPool',
    metadata: { name, creationTimestamp: created },
    spec: { blocks: [{ cidr }] },
  };
}

function slice(service: string, endpoints: EndpointObject[], ns = 'default'): EndpointSliceObject {
  return {
    metadata: { name: `${service}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
    endpoints,
  };
}

const ep = (nodeName: string, conditions?: EndpointObject['conditions']): EndpointObject => ({
  addresses: ['10.0.0.1'],
  nodeName,
  ...(conditions ? { conditions } : {}),
});

const NODES = [
  { name: 'a', labels: { zone: 'lan' } },
  { name: 'b', labels: { zone: 'lan' } },
  { name: 'c', labels: { zone: 'dmz' } },
];

function input(over: Partial<L2PlanInput>): L2PlanInput {
  return {
    nodeName: 'a',
    nodes: NODES,
    policies: [policy('all')],
    pools: [pool('lan', '192.168.2.200/30'), pool('dmz', '10.9.0.0/24')],
    services: [],
    endpointSlices: [],
    ...over,
  };
}

describe('planL2: which IPs, which nodes', () => {
  const cases: {
    name: string;
    over: Partial<L2PlanInput>;
    want: { ip: string; eligible: string[]; group: string }[];
  }[] = [
    {
      name: 'no policy: nothing to place',
      over: { policies: [], services: [svc('web', ['192.168.2.201'])] },
      want: [],
    },
    {
      name: 'a policy with no fields selects every Service and every node',
      over: { services: [svc('web', ['192.168.2.201'])] },
      want: [{ ip: '192.168.2.201', eligible: ['a', 'b', 'c'], group: 'default/web' }],
    },
    {
      name: 'a Service with no IP yet is not a candidate',
      over: { services: [svc('web', [])] },
      want: [],
    },
    {
      name: 'nodeSelector narrows the eligible nodes',
      over: {
        policies: [policy('lan', { nodeSelector: { matchLabels: { zone: 'lan' } } })],
        services: [svc('web', ['192.168.2.201'])],
      },
      want: [{ ip: '192.168.2.201', eligible: ['a', 'b'], group: 'default/web' }],
    },
    {
      name: 'an excluded node is never eligible, whatever the policy',
      over: {
        nodes: [...NODES.slice(0, 2), { name: 'c', labels: { zone: 'dmz', [EXCLUDE_LB_LABEL]: '' } }],
        services: [svc('web', ['192.168.2.201'])],
      },
      want: [{ ip: '192.168.2.201', eligible: ['a', 'b'], group: 'default/web' }],
    },
    {
      name: 'serviceSelector with the namespace pseudo-label',
      over: {
        policies: [
          policy('ingress', {
            serviceSelector: { matchLabels: { 'io.kubernetes.service.namespace': 'ingress' } },
          }),
        ],
        services: [svc('web', ['192.168.2.201']), svc('nginx', ['192.168.2.202'], { ns: 'ingress' })],
      },
      want: [{ ip: '192.168.2.202', eligible: ['a', 'b', 'c'], group: 'ingress/nginx' }],
    },
    {
      name: 'pools picks IPs by the pool they belong to',
      over: {
        policies: [policy('lan-only', { pools: ['lan'] })],
        services: [svc('web', ['192.168.2.201']), svc('api', ['10.9.0.5'])],
      },
      want: [{ ip: '192.168.2.201', eligible: ['a', 'b', 'c'], group: 'default/web' }],
    },
    {
      name: 'pools set: an IP in no pool is not selected',
      over: { policies: [policy('lan-only', { pools: ['lan'] })], services: [svc('x', ['172.16.0.1'])] },
      want: [],
    },
    {
      name: 'two policies: eligible nodes are the union',
      over: {
        policies: [
          policy('p1', { nodeSelector: { matchLabels: { zone: 'dmz' } } }),
          policy('p2', {
            nodeSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] },
          }),
          policy('p3', { nodeSelector: { matchLabels: { zone: 'lan' } }, pools: ['dmz'] }),
        ],
        services: [svc('web', ['192.168.2.201'])],
      },
      want: [{ ip: '192.168.2.201', eligible: ['c'], group: 'default/web' }],
    },
    {
      name: 'selected but no node matches: a candidate nobody may answer',
      over: {
        policies: [policy('none', { nodeSelector: { matchLabels: { zone: 'mars' } } })],
        services: [svc('web', ['192.168.2.201'])],
      },
      want: [{ ip: '192.168.2.201', eligible: [], group: 'default/web' }],
    },
    {
      name: 'dual stack: both IPs in one group, canonical text',
      over: { services: [svc('web', ['192.168.2.201', 'FD00:0:0::0010'])] },
      want: [
        { ip: '192.168.2.201', eligible: ['a', 'b', 'c'], group: 'default/web' },
        { ip: 'fd00::10', eligible: ['a', 'b', 'c'], group: 'default/web' },
      ],
    },
    {
      name: 'ETP=Local: only nodes with a ready endpoint',
      over: {
        services: [svc('web', ['192.168.2.201'], { local: true })],
        endpointSlices: [slice('web', [ep('b'), ep('c', { ready: false })])],
      },
      want: [{ ip: '192.168.2.201', eligible: ['b'], group: 'default/web' }],
    },
    {
      name: 'ETP=Local with no endpoint anywhere: nobody',
      over: { services: [svc('web', ['192.168.2.201'], { local: true })] },
      want: [{ ip: '192.168.2.201', eligible: [], group: 'default/web' }],
    },
    {
      name: 'ETP=Local: endpoints of a same-named Service in another namespace do not count',
      over: {
        services: [svc('web', ['192.168.2.201'], { local: true })],
        endpointSlices: [slice('web', [ep('a')], 'other')],
      },
      want: [{ ip: '192.168.2.201', eligible: [], group: 'default/web' }],
    },
    {
      name: 'ETP=Cluster ignores endpoints',
      over: { services: [svc('web', ['192.168.2.201'])], endpointSlices: [slice('web', [ep('b')])] },
      want: [{ ip: '192.168.2.201', eligible: ['a', 'b', 'c'], group: 'default/web' }],
    },
  ];
  for (const c of cases)
    test(c.name, () => {
      const plan = planL2(input(c.over));
      expect(plan.candidates.map((x) => ({ ip: x.ip, eligible: x.eligibleNodes, group: x.group }))).toEqual(
        c.want,
      );
    });
});

describe('endpointNodes (ETP=Local)', () => {
  test('ready endpoints win; absent conditions count as ready', () => {
    expect([
      ...endpointNodes([slice('s', [ep('a'), ep('b', { ready: true }), ep('c', { ready: false })])]),
    ]).toEqual(['a', 'b']);
  });
  test('no ready endpoint anywhere: serving-terminating ones count, as kube-proxy does', () => {
    const s = slice('s', [
      ep('a', { ready: false, serving: true, terminating: true }),
      ep('b', { ready: false, serving: false, terminating: true }),
      ep('c', { ready: false }),
    ]);
    expect([...endpointNodes([s])]).toEqual(['a']);
  });
  test('a node whose endpoints are all terminating withdraws while another is ready', () => {
    const s = slice('s', [ep('a', { ready: false, serving: true, terminating: true }), ep('b')]);
    expect([...endpointNodes([s])]).toEqual(['b']);
  });
  test('endpoints without a nodeName are ignored', () => {
    expect(endpointNodes([slice('s', [{ addresses: ['10.0.0.9'] }])]).size).toBe(0);
  });
});

describe('planL2: this node\u2019s interfaces', () => {
  test('patterns of the selecting policies that match this node; no interfaces = on-link', () => {
    const plan = planL2(
      input({
        policies: [
          policy('eth', { interfaces: ['^eth[0-9]+$'] }),
          policy('lan-wifi', {
            nodeSelector: { matchLabels: { zone: 'lan' } },
            interfaces: ['^wlan0$', '^eth[0-9]+$'],
          }),
          policy('dmz', { nodeSelector: { matchLabels: { zone: 'dmz' } } }),
        ],
        services: [svc('web', ['192.168.2.201'])],
      }),
    );
    expect(plan.interfaces.get('192.168.2.201')).toEqual({
      patterns: ['^eth[0-9]+$', '^wlan0$'],
      onLink: false,
      policies: ['eth', 'lan-wifi'],
    });
  });
  test('a selecting policy without interfaces adds the on-link choice', () => {
    const plan = planL2(
      input({
        policies: [policy('eth', { interfaces: ['^eth0$'] }), policy('plain')],
        services: [svc('web', ['192.168.2.201'])],
      }),
    );
    expect(plan.interfaces.get('192.168.2.201')).toEqual({
      patterns: ['^eth0$'],
      onLink: true,
      policies: ['eth', 'plain'],
    });
  });
  test('no rule for an IP this node is not eligible for (ETP=Local elsewhere)', () => {
    const plan = planL2(
      input({
        services: [svc('web', ['192.168.2.201'], { local: true })],
        endpointSlices: [slice('web', [ep('b')])],
      }),
    );
    expect(plan.interfaces.size).toBe(0);
    expect(plan.candidates[0]?.eligibleNodes).toEqual(['b']);
  });
});

describe('ownedStatically (files mode)', () => {
  test('this node owns every IP it is eligible for', () => {
    const plan = planL2(
      input({
        nodes: [{ name: 'a', labels: { zone: 'lan' } }],
        policies: [policy('lan', { pools: ['lan'] })],
        services: [svc('web', ['192.168.2.201']), svc('api', ['10.9.0.5']), svc('ipv6', ['fd00::1'])],
      }),
    );
    expect([...ownedStatically(plan, 'a')]).toEqual(['192.168.2.201']);
  });
  test('a node its policies do not select owns nothing', () => {
    const plan = planL2(
      input({
        nodes: [{ name: 'a', labels: { zone: 'lan' } }],
        policies: [policy('dmz', { nodeSelector: { matchLabels: { zone: 'dmz' } } })],
        services: [svc('web', ['192.168.2.201'])],
      }),
    );
    expect(ownedStatically(plan, 'a').size).toBe(0);
  });
});
