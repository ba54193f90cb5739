/**
 * Story tables: which advertisements match a Service (selector, pools, Local endpoints), and the
 * attributes its routes carry (union of communities, highest local-pref, lowest MED, largest
 * prepend; annotations only where allowed; a bad annotation keeps the advertisement's).
 */
import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type {
  BGPAdvertisement,
  BGPPeeringPolicy,
  BGPVirtualRouter,
  LoadBalancerIPPool,
} from '../../agent/api/v1alpha1.ts';
import { validatePolicy } from '../../agent/api/validate/resources.ts';
import type { RouteAttributes } from '../../agent/bgp/rib/route-attributes.ts';
import { type AnnounceInput, planAnnouncements } from '../../agent/reconcile/plan/announce.ts';
import { mergeRouteAttributes, serviceAttributes } from '../../agent/reconcile/plan/route-attributes.ts';

const ROUTER = '192.168.2.1';

function svc(
  name: string,
  ips: string[],
  labels: Record<string, string> = {},
  annotations?: Record<string, string>,
): ServiceObject {
  return {
    metadata: { name, namespace: 'apps', labels, ...(annotations ? { annotations } : {}) },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) } },
  };
}

function pool(name: string, cidr: string): LoadBalancerIPPool {
  return {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'LoadBalancerIPPool',
    metadata: { name },
    spec: { blocks: [{ cidr }] },
  };
}

function policy(vr: Partial<BGPVirtualRouter>, peerASN = 65000): BGPPeeringPolicy {
  const raw = {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'BGPPeeringPolicy',
    metadata: { name: 'p' },
    spec: {
      virtualRouters: [{ localASN: 65001, neighbors: [{ peerAddress: ROUTER, peerASN }], ...vr }],
    },
  };
  const v = validatePolicy(raw);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.value;
}

const POOLS = [pool('public', '203.0.113.0/28'), pool('lan', '10.10.0.0/28'), pool('l2', '10.20.0.0/28')];

function plan(p: BGPPeeringPolicy, services: ServiceObject[], pools = POOLS) {
  const input: AnnounceInput = {
    nodeName: 'worker',
    nodeLabels: {},
    policies: [p],
    services,
    endpointSlices: [],
    secrets: new Map(),
    defaultSecretNamespace: 'kube-system',
    pools,
  };
  return planAnnouncements(input);
}

const ad = (a: Partial<BGPAdvertisement> & Record<string, unknown>) => ({ serviceSelector: {}, ...a });

describe('advertisement matching (story)', () => {
  const services = [
    svc('web', ['203.0.113.1'], { exposure: 'public' }),
    svc('dns', ['10.10.0.1'], { exposure: 'lan' }),
    svc('printer', ['10.20.0.1'], { exposure: 'lan' }),
    svc('dual', ['203.0.113.2', '10.10.0.2'], { exposure: 'public' }),
    svc('pending', []),
  ];
  const rows: [string, BGPAdvertisement[] | undefined, Record<string, unknown> | undefined, string[]][] = [
    ['no advertisements, no serviceSelector: nothing', undefined, undefined, []],
    [
      'the single serviceSelector form keeps working',
      undefined,
      { matchLabels: { exposure: 'lan' } },
      ['10.10.0.1/32', '10.20.0.1/32'],
    ],
    [
      'one advertisement with {} announces every Service with an IP',
      [ad({})],
      undefined,
      ['10.10.0.1/32', '10.10.0.2/32', '10.20.0.1/32', '203.0.113.1/32', '203.0.113.2/32'],
    ],
    [
      'limited to pools: the L2-only pool is never announced',
      [ad({ pools: ['public', 'lan'] })],
      undefined,
      ['10.10.0.1/32', '10.10.0.2/32', '203.0.113.1/32', '203.0.113.2/32'],
    ],
    [
      'selector and pool together: a dual-stack-like Service keeps only its IP of that pool',
      [ad({ serviceSelector: { matchLabels: { exposure: 'public' } }, pools: ['public'] })],
      undefined,
      ['203.0.113.1/32', '203.0.113.2/32'],
    ],
    [
      'two advertisements: the union of what each matches',
      [
        ad({ serviceSelector: { matchLabels: { exposure: 'public' } }, pools: ['public'] }),
        ad({ serviceSelector: { matchLabels: { exposure: 'lan' } }, pools: ['lan'] }),
      ],
      undefined,
      ['10.10.0.1/32', '203.0.113.1/32', '203.0.113.2/32'],
    ],
    [
      'serviceSelector and advertisements side by side: both announce',
      [ad({ pools: ['public'] })],
      { matchLabels: { exposure: 'lan' } },
      ['10.10.0.1/32', '10.20.0.1/32', '203.0.113.1/32', '203.0.113.2/32'],
    ],
    ['an unknown pool announces nothing', [ad({ pools: ['nope'] })], undefined, []],
  ];
  for (const [name, ads, selector, want] of rows)
    test(name, () => {
      const p = policy({
        ...(ads ? { advertisements: ads } : {}),
        ...(selector ? { serviceSelector: selector } : {}),
      });
      expect(plan(p, services).advertisements.get(ROUTER) ?? []).toEqual(want);
    });
});

describe('attribute merging (story)', () => {
  const rows: [string, RouteAttributes, RouteAttributes, RouteAttributes][] = [
    ['nothing and nothing', {}, {}, {}],
    [
      'communities: the union',
      { communities: ['65000:1', '65535:65281'] },
      { communities: ['65000:2', '65000:1'] },
      { communities: ['65000:1', '65535:65281', '65000:2'] },
    ],
    [
      'large communities: the union',
      { largeCommunities: ['65000:1:1'] },
      { largeCommunities: ['65000:1:2'] },
      { largeCommunities: ['65000:1:1', '65000:1:2'] },
    ],
    ['local-pref: the highest', { localPreference: 50 }, { localPreference: 200 }, { localPreference: 200 }],
    ['MED: the lowest', { med: 50 }, { med: 10 }, { med: 10 }],
    ['prepend: the largest', { asPathPrepend: 1 }, { asPathPrepend: 3 }, { asPathPrepend: 3 }],
    ['unset takes no part', { med: 50, localPreference: 10 }, {}, { med: 50, localPreference: 10 }],
  ];
  for (const [name, a, b, want] of rows)
    test(name, () => {
      expect(mergeRouteAttributes(a, b)).toEqual(want);
      expect(mergeRouteAttributes(b, a).localPreference).toEqual(want.localPreference);
    });

  test('the same pool range to one peer with two community sets from two advertisements', () => {
    const p = policy({
      advertisements: [
        ad({
          serviceSelector: { matchLabels: { exposure: 'public' } },
          advertisedPathAttributes: { communities: { standard: ['65000:100'] } },
        }),
        ad({
          serviceSelector: { matchLabels: { exposure: 'lan' } },
          advertisedPathAttributes: { communities: { standard: ['no-export'], large: ['65000:0:7'] } },
        }),
      ],
    });
    const out = plan(p, [
      svc('web', ['203.0.113.1'], { exposure: 'public' }),
      svc('intranet', ['203.0.113.2'], { exposure: 'lan' }),
    ]);
    expect(out.advertisements.get(ROUTER)).toEqual(['203.0.113.1/32', '203.0.113.2/32']);
    expect(out.attributes.get(ROUTER)).toEqual(
      new Map<string, RouteAttributes>([
        ['203.0.113.1/32', { communities: ['65000:100'] }],
        ['203.0.113.2/32', { communities: ['65535:65281'], largeCommunities: ['65000:0:7'] }],
      ]),
    );
  });

  test('a Service matched by two advertisements gets their merge', () => {
    const p = policy(
      {
        // An iBGP and an eBGP neighbor: local-pref and prepend are both valid here.
        neighbors: [
          { peerAddress: ROUTER, peerASN: 65001 },
          { peerAddress: '192.168.2.2', peerASN: 65000 },
        ],
        advertisements: [
          ad({
            advertisedPathAttributes: {
              communities: { standard: ['65000:1'] },
              med: 20,
              localPreference: 150,
            },
          }),
          ad({
            serviceSelector: { matchLabels: { tier: 'gold' } },
            advertisedPathAttributes: { communities: { standard: ['65000:2'] }, med: 5, asPathPrepend: 2 },
          }),
        ],
      },
      65001,
    );
    const out = plan(p, [svc('gold', ['203.0.113.3'], { tier: 'gold' })]);
    expect(out.attributes.get(ROUTER)?.get('203.0.113.3/32')).toEqual({
      communities: ['65000:1', '65000:2'],
      localPreference: 150,
      med: 5,
      asPathPrepend: 2,
    });
  });

  test('annotations count only where the advertisement allows them', () => {
    const annotated = svc(
      'web',
      ['203.0.113.1'],
      { exposure: 'public' },
      {
        'edgelb.io/bgp-communities': '65000:666, no-advertise',
        'edgelb.io/bgp-large-communities': '65000:9:9',
        'edgelb.io/bgp-as-path-prepend': '3',
      },
    );
    const base = { communities: { standard: ['65000:100'] }, asPathPrepend: 1 };
    const closed = plan(policy({ advertisements: [ad({ advertisedPathAttributes: base })] }), [annotated]);
    expect(closed.attributes.get(ROUTER)?.get('203.0.113.1/32')).toEqual({
      communities: ['65000:100'],
      asPathPrepend: 1,
    });
    const open = plan(
      policy({ advertisements: [ad({ advertisedPathAttributes: base, allowServiceAttributes: true })] }),
      [annotated],
    );
    expect(open.attributes.get(ROUTER)?.get('203.0.113.1/32')).toEqual({
      communities: ['65000:100', '65000:666', '65535:65282'],
      largeCommunities: ['65000:9:9'],
      asPathPrepend: 3,
    });
    expect(open.serviceProblems.size).toBe(0);
  });

  test('a bad annotation: named in the Service problems, announced with the advertisement attributes', () => {
    const bad = svc(
      'web',
      ['203.0.113.1'],
      {},
      {
        'edgelb.io/bgp-communities': '65000:1,70000:1',
        'edgelb.io/bgp-as-path-prepend': '11',
        'edgelb.io/bgp-local-pref': '200',
      },
    );
    const p = policy(
      {
        advertisements: [
          ad({
            advertisedPathAttributes: { communities: { standard: ['65000:100'] } },
            allowServiceAttributes: true,
          }),
        ],
      },
      65001,
    );
    const out = plan(p, [bad]);
    expect(out.advertisements.get(ROUTER)).toEqual(['203.0.113.1/32']);
    expect(out.attributes.get(ROUTER)?.get('203.0.113.1/32')).toEqual({
      communities: ['65000:100'],
      localPreference: 200,
    });
    const problems = out.serviceProblems.get('apps/web') ?? [];
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('edgelb.io/bgp-communities');
    expect(problems[0]).toContain('70000:1');
    expect(problems[1]).toContain('edgelb.io/bgp-as-path-prepend');
  });

  test('serviceAttributes: no annotations, nothing to parse', () => {
    expect(serviceAttributes(svc('x', []))).toEqual({ attributes: {}, problems: [] });
  });

  test('routes without attributes of their own carry none in the plan (the neighbor’s apply)', () => {
    const out = plan(policy({ serviceSelector: {}, advertisements: [ad({ pools: ['lan'] })] }), [
      svc('dns', ['10.10.0.1']),
    ]);
    expect(out.attributes.size).toBe(0);
  });
});

describe('advertisement validation, the field named', () => {
  const check = (vr: Record<string, unknown>, peerASN = 65000) =>
    validatePolicy({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BGPPeeringPolicy',
      metadata: { name: 'p' },
      spec: { virtualRouters: [{ localASN: 65001, neighbors: [{ peerAddress: ROUTER, peerASN }], ...vr }] },
    });
  const rows: [string, Record<string, unknown>, number, string | undefined][] = [
    [
      'bad community syntax',
      { advertisements: [ad({ advertisedPathAttributes: { communities: { standard: ['1:2:3'] } } })] },
      65000,
      'spec.virtualRouters[0].advertisements[0].advertisedPathAttributes.communities.standard[0]',
    ],
    [
      'bad large community',
      { advertisements: [ad({}), ad({ advertisedPathAttributes: { communities: { large: ['1:2'] } } })] },
      65000,
      'spec.virtualRouters[0].advertisements[1].advertisedPathAttributes.communities.large[0]',
    ],
    [
      'prepend above 10',
      { advertisements: [ad({ advertisedPathAttributes: { asPathPrepend: 11 } })] },
      65000,
      'spec.virtualRouters[0].advertisements[0].advertisedPathAttributes.asPathPrepend',
    ],
    [
      'local-pref where every neighbor is eBGP',
      { advertisements: [ad({ advertisedPathAttributes: { localPreference: 200 } })] },
      65000,
      'spec.virtualRouters[0].advertisements[0].advertisedPathAttributes.localPreference',
    ],
    [
      'local-pref with an iBGP neighbor is fine',
      { advertisements: [ad({ advertisedPathAttributes: { localPreference: 200 } })] },
      65001,
      undefined,
    ],
    [
      'prepend where every neighbor is iBGP',
      { advertisements: [ad({ advertisedPathAttributes: { asPathPrepend: 2 } })] },
      65001,
      'spec.virtualRouters[0].advertisements[0].advertisedPathAttributes.asPathPrepend',
    ],
    [
      'a missing serviceSelector',
      { advertisements: [{ pools: ['x'] }] },
      65000,
      'spec.virtualRouters[0].advertisements[0].serviceSelector',
    ],
  ];
  for (const [name, vr, peerASN, path] of rows)
    test(name, () => {
      const v = check(vr, peerASN);
      if (path === undefined) expect(v.ok).toBe(true);
      else {
        expect(v.ok).toBe(false);
        expect(v.ok ? [] : v.problems.map((p) => p.path)).toEqual([path]);
      }
    });
});
