/**
 * `edgelb explain` as a pure function (agent/reconcile/plan/explain.ts): every fact and line for
 * one Service, exactly. Light: the end-to-end file (announce-reasons.test.ts) starts the CLI.
 */
import { describe, expect, test } from 'bun:test';
import type { EndpointSliceObject, ServiceObject } from '../../agent/api/core.ts';
import type { BGPPeeringPolicy, BGPVirtualRouter } from '../../agent/api/v1alpha1.ts';
import { announceReason } from '../../agent/reconcile/plan/announce-reasons.ts';
import {
  type ExplainInput,
  explainService,
  formatExplanation,
  ipOrigin,
} from '../../agent/reconcile/plan/explain.ts';

function service(
  o: { annotations?: Record<string, string>; lbIP?: string; local?: boolean; ips?: string[] } = {},
): ServiceObject {
  return {
    metadata: { name: 'web', namespace: 'ing', labels: { app: 'web' }, annotations: o.annotations ?? {} },
    spec: {
      type: 'LoadBalancer',
      ports: [{ port: 80, protocol: 'TCP' }],
      ...(o.lbIP ? { loadBalancerIP: o.lbIP } : {}),
      ...(o.local ? { externalTrafficPolicy: 'Local' as const } : {}),
    },
    status: { loadBalancer: { ingress: (o.ips ?? ['10.0.0.5']).map((ip) => ({ ip })) } },
  };
}

const policy = (
  name: string,
  nodeSelector: Record<string, string>,
  vrs: BGPVirtualRouter[],
): BGPPeeringPolicy => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BGPPeeringPolicy',
  metadata: { name },
  spec: { nodeSelector: { matchLabels: nodeSelector }, virtualRouters: vrs },
});

const web = { matchLabels: { app: 'web' } };
const base = (o: Partial<ExplainInput>): ExplainInput => ({
  nodeName: 'n1',
  nodeLabels: { peering: 'yes' },
  policies: [
    policy('p', { peering: 'yes' }, [
      {
        localASN: 65001,
        serviceSelector: web,
        neighbors: [{ peerAddress: '192.168.2.1/32', peerASN: 65000 }],
      },
    ]),
  ],
  service: service(),
  endpointSlices: [],
  peers: [{ id: '192.168.2.1', state: 'Established' }],
  ...o,
});

describe('explainService', () => {
  test('every policy, virtual router and neighbor, with the extra and L2 facts first', () => {
    const e = explainService({
      ...base({}),
      service: service({ ips: ['10.0.0.5', 'fd00::5'] }),
      policies: [
        policy('b-other', { zone: 'x' }, []),
        policy('a-main', { peering: 'yes' }, [
          {
            localASN: 65001,
            serviceSelector: web,
            neighbors: [
              { peerAddress: '192.168.2.1/32', peerASN: 65000 },
              { peerAddress: '10.9.9.0/24', peerASN: 65000 },
              { peerAddress: '192.168.2.2', peerPort: 1790, peerASN: 65000 },
            ],
          },
          { localASN: 65002, neighbors: [{ peerAddress: '192.168.2.3/32', peerASN: 65000 }] },
          {
            localASN: 65003,
            serviceSelector: { matchLabels: { app: 'other' } },
            neighbors: [{ peerAddress: '192.168.2.4/32', peerASN: 65000 }],
          },
        ]),
      ],
      l2Owned: [
        { ip: '10.0.0.5', interface: 'eth0' },
        { ip: '10.0.0.99', interface: 'eth1' },
      ],
      extraReasons: [announceReason('NodeDrained', 'drained')],
    });
    expect([e.service, e.node, e.ips, e.origin]).toEqual(['ing/web', 'n1', ['10.0.0.5', 'fd00::5'], []]);
    const perIP = (ip: string) => [
      `${ip}: not announced (node n1): intended NodeDrained: drained`,
      ...(ip === '10.0.0.5' ? [`${ip}: announced (node n1, L2 on eth0)`] : []),
      `${ip}: announced (node n1, peer 192.168.2.1)`,
      `${ip}: not announced (node n1, peer 192.168.2.2:1790): blocked PeersDown: BGP peer 192.168.2.2:1790: no session (the BGP speaker is not running yet)`,
      `${ip}: not announced (node n1, peer 192.168.2.3): intended ServiceNotSelected: policy a-main, virtual router AS 65002: it has no serviceSelector, so it announces no Service ({} would select all)`,
      `${ip}: not announced (node n1, peer 192.168.2.4): intended ServiceNotSelected: policy a-main, virtual router AS 65003: its serviceSelector does not match the Service`,
      `${ip}: not announced (node n1): intended NodeNotSelected: policy b-other: its nodeSelector does not select node n1`,
    ];
    expect(formatExplanation(e)).toEqual([...perIP('10.0.0.5'), ...perIP('fd00::5')]);
    expect(e.facts.slice(0, 7).map((f) => [Object.keys(f).join(','), f.policy ?? '-', f.announced])).toEqual([
      ['ip,announced,reason', '-', false],
      ['ip,interface,announced', '-', true],
      ['ip,policy,peer,announced', 'a-main', true],
      ['ip,policy,peer,announced,reason', 'a-main', false],
      ['ip,policy,peer,announced,reason', 'a-main', false],
      ['ip,policy,peer,announced,reason', 'a-main', false],
      ['ip,policy,announced,reason', 'b-other', false],
    ]);
  });

  test('no policy: one NoPeeringPolicy fact per IP', () => {
    const e = explainService(base({ policies: [] }));
    expect(formatExplanation(e)).toEqual([
      '10.0.0.5: not announced (node n1): intended NoPeeringPolicy: no BGPPeeringPolicy exists: nothing is announced over BGP',
    ]);
    expect(e.facts[0]?.announced).toBe(false);
  });

  test('externalTrafficPolicy Local: announced only with a ready endpoint on this node', () => {
    const slice = (nodeName: string): EndpointSliceObject =>
      ({
        metadata: { name: 'web-x', namespace: 'ing', labels: { 'kubernetes.io/service-name': 'web' } },
        endpoints: [{ addresses: ['10.1.0.1'], nodeName, conditions: { ready: true } }],
      }) as EndpointSliceObject;
    const none = explainService(base({ service: service({ local: true }), endpointSlices: [slice('n2')] }));
    expect(formatExplanation(none)).toEqual([
      '10.0.0.5: not announced (node n1, peer 192.168.2.1): intended NoLocalEndpoint: externalTrafficPolicy: Local and no ready endpoint of ing/web runs on node n1',
    ]);
    const here = explainService(base({ service: service({ local: true }), endpointSlices: [slice('n1')] }));
    expect(formatExplanation(here)).toEqual(['10.0.0.5: announced (node n1, peer 192.168.2.1)']);
    // Cluster ignores the endpoints.
    expect(formatExplanation(explainService(base({ endpointSlices: [slice('n2')] })))).toEqual([
      '10.0.0.5: announced (node n1, peer 192.168.2.1)',
    ]);
  });

  test('a peer that is down: the peer verdict', () => {
    const e = explainService(base({ peers: [{ id: '192.168.2.1', state: 'Active' }] }));
    expect(e.facts).toStrictEqual([
      {
        ip: '10.0.0.5',
        policy: 'p',
        peer: '192.168.2.1',
        announced: false,
        reason: announceReason('PeersDown', 'BGP peer 192.168.2.1 is Active'),
      },
    ]);
  });
});

describe('ipOrigin', () => {
  test('the first set annotation of each kind, the pool, or spec.loadBalancerIP', () => {
    const cases: [Parameters<typeof service>[0], string | undefined, string[]][] = [
      [{}, undefined, []],
      [{}, 'blue', ['pool blue']],
      [
        {
          annotations: {
            'lbipam.cilium.io/ips': '10.0.0.5',
            'metallb.io/address-pool': 'blue',
            'io.cilium/lb-ipam-sharing-key': 'k',
          },
        },
        'blue',
        [
          'pool blue',
          'requested by annotation lbipam.cilium.io/ips: 10.0.0.5',
          'pool asked for by annotation metallb.io/address-pool: blue',
          'sharing key k (annotation io.cilium/lb-ipam-sharing-key)',
        ],
      ],
      [{ lbIP: '10.0.0.7' }, undefined, ['requested by spec.loadBalancerIP: 10.0.0.7']],
      [
        { lbIP: '10.0.0.7', annotations: { 'edgelb.io/ips': '10.0.0.8' } },
        undefined,
        ['requested by annotation edgelb.io/ips: 10.0.0.8'],
      ],
      [
        {
          annotations: {
            'edgelb.io/pool': 'red',
            'metallb.io/address-pool': 'blue',
            'edgelb.io/sharing-key': 's',
          },
        },
        undefined,
        [
          'pool asked for by annotation edgelb.io/pool: red',
          'sharing key s (annotation edgelb.io/sharing-key)',
        ],
      ],
    ];
    for (const [o, pool, want] of cases)
      expect({ o, got: ipOrigin(service(o), pool) }).toEqual({ o, got: want });
  });
});
