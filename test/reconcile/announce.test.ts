import { describe, expect, test } from 'bun:test';
import type { EndpointSliceObject, ServiceObject } from '../../agent/api/core.ts';
import type { BGPPeeringPolicy } from '../../agent/api/v1alpha1.ts';
import {
  type AnnounceInput,
  hasLocalEndpoint,
  planAnnouncements,
} from '../../agent/reconcile/plan/announce.ts';
import { blogPolicy } from '../support/blog-objects.ts';

function svc(
  name: string,
  ips: string[],
  extra: Partial<ServiceObject['spec']> = {},
  labels: Record<string, string> = { 'app.kubernetes.io/name': 'ingress-nginx' },
): ServiceObject {
  return {
    metadata: { name, namespace: 'ingress-nginx', labels },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...extra },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) } },
  };
}

function slice(service: string, endpoints: EndpointSliceObject['endpoints']): EndpointSliceObject {
  return {
    metadata: {
      name: `${service}-abc`,
      namespace: 'ingress-nginx',
      labels: { 'kubernetes.io/service-name': service },
    },
    addressType: 'IPv4',
    endpoints,
  };
}

function input(over: Partial<AnnounceInput>): AnnounceInput {
  return {
    nodeName: 'worker',
    nodeLabels: { peering: 'yes' },
    policies: [blogPolicy],
    services: [],
    endpointSlices: [],
    secrets: new Map(),
    defaultSecretNamespace: 'kube-system',
    ...over,
  };
}

describe('planAnnouncements', () => {
  test('the blog: a labelled node peers with the router and announces the ingress IP as a /32', () => {
    const plan = planAnnouncements(input({ services: [svc('ingress-nginx', ['172.198.1.1'])] }));
    expect(plan.peers).toEqual([
      {
        id: '192.168.2.1',
        peerAddress: '192.168.2.1',
        peerPort: 179,
        localASN: 65001,
        peerASN: 65000,
        holdTimeSeconds: 90,
        keepAliveTimeSeconds: 30,
        connectRetryTimeSeconds: 120,
        gracefulRestart: { enabled: false, restartTimeSeconds: 120 },
        communities: [],
        largeCommunities: [],
      },
    ]);
    expect(plan.advertisements).toEqual(new Map([['192.168.2.1', ['172.198.1.1/32']]]));
  });

  test("a node the nodeSelector does not match opens no session (the blog's master)", () => {
    const plan = planAnnouncements(
      input({ nodeName: 'master', nodeLabels: {}, services: [svc('a', ['172.198.1.1'])] }),
    );
    expect(plan.peers).toEqual([]);
    expect(plan.advertisements.size).toBe(0);
  });

  test('absent serviceSelector announces nothing, {} announces everything, with IPv6 as /128', () => {
    const base = blogPolicy.spec.virtualRouters[0]!;
    const none = { ...blogPolicy, spec: { virtualRouters: [{ ...base, serviceSelector: undefined }] } };
    const all = { ...blogPolicy, spec: { virtualRouters: [{ ...base, serviceSelector: {} }] } };
    const services = [svc('a', ['172.198.1.1']), svc('b', ['fd00::5', '172.198.1.2'], {}, { app: 'other' })];
    expect(
      planAnnouncements(input({ policies: [none], services })).advertisements.get('192.168.2.1'),
    ).toEqual([]);
    expect(planAnnouncements(input({ policies: [all], services })).advertisements.get('192.168.2.1')).toEqual(
      ['172.198.1.1/32', '172.198.1.2/32', 'fd00::5/128'],
    );
  });

  test('pseudo-labels select by namespace and name', () => {
    const base = blogPolicy.spec.virtualRouters[0]!;
    const p = {
      ...blogPolicy,
      spec: {
        virtualRouters: [
          { ...base, serviceSelector: { matchLabels: { 'io.kubernetes.service.name': 'b' } } },
        ],
      },
    };
    const plan = planAnnouncements(
      input({ policies: [p], services: [svc('a', ['10.0.0.1']), svc('b', ['10.0.0.2'])] }),
    );
    expect(plan.advertisements.get('192.168.2.1')).toEqual(['10.0.0.2/32']);
  });

  test('a Service without status IPs announces nothing', () => {
    const plan = planAnnouncements(input({ services: [svc('a', [])] }));
    expect(plan.advertisements.get('192.168.2.1')).toEqual([]);
  });

  test('path attributes, timers and the TCP-MD5 password from the Secret', () => {
    const n = {
      peerAddress: '192.168.2.1',
      peerPort: 1179,
      peerASN: 65001,
      holdTimeSeconds: 9,
      keepAliveTimeSeconds: 3,
      gracefulRestart: { enabled: true, restartTimeSeconds: 60 },
      advertisedPathAttributes: {
        communities: { standard: ['65000:100'], large: ['65000:1:2'] },
        localPreference: 200,
      },
      authSecretRef: { name: 'bgp-auth' },
    };
    const p = {
      ...blogPolicy,
      spec: { virtualRouters: [{ localASN: 65001, serviceSelector: {}, neighbors: [n] }] },
    };
    const secrets = new Map([['kube-system/bgp-auth', { password: 's3cret' }]]);
    const plan = planAnnouncements(input({ policies: [p], secrets, services: [svc('a', ['10.0.0.1'])] }));
    expect(plan.peers[0]).toMatchObject({
      id: '192.168.2.1:1179',
      peerPort: 1179,
      holdTimeSeconds: 9,
      keepAliveTimeSeconds: 3,
      password: 's3cret',
      gracefulRestart: { enabled: true, restartTimeSeconds: 60 },
      communities: ['65000:100'],
      largeCommunities: ['65000:1:2'],
      localPreference: 200,
    });
    const missingSecret = planAnnouncements(input({ policies: [p], services: [] }));
    expect(missingSecret.peers).toEqual([]);
    expect(missingSecret.problems.get('opensense')).toEqual([
      'neighbor 192.168.2.1: authSecretRef kube-system/bgp-auth not found; session not started',
    ]);
  });

  test('the same neighbor from two policies with different settings: the first by name wins, the other is reported', () => {
    const other: BGPPeeringPolicy = {
      ...blogPolicy,
      metadata: { name: 'z-other' },
      spec: {
        virtualRouters: [
          {
            localASN: 65009,
            serviceSelector: {},
            neighbors: [{ peerAddress: '192.168.2.1', peerASN: 65000 }],
          },
        ],
      },
    };
    const plan = planAnnouncements(
      input({ policies: [other, blogPolicy], services: [svc('a', ['10.0.0.1'])] }),
    );
    expect(plan.peers.map((p) => p.localASN)).toEqual([65001]);
    expect(plan.problems.get('z-other')![0]).toContain('already configured by policy opensense');
  });
});

describe('externalTrafficPolicy: Local', () => {
  const local = svc('web', ['172.198.1.2'], { externalTrafficPolicy: 'Local' });
  const ep = (nodeName: string, c: { ready?: boolean; serving?: boolean; terminating?: boolean }) => ({
    addresses: ['10.42.0.5'],
    nodeName,
    conditions: c,
  });

  test('announced only from nodes with a ready local endpoint', () => {
    const slices = [slice('web', [ep('pi4', { ready: true })])];
    expect(hasLocalEndpoint(local, slices, 'pi4')).toBe(true);
    expect(hasLocalEndpoint(local, slices, 'worker')).toBe(false);
    const plan = planAnnouncements(input({ nodeName: 'worker', services: [local], endpointSlices: slices }));
    expect(plan.advertisements.get('192.168.2.1')).toEqual([]);
    const pi = planAnnouncements(input({ nodeName: 'pi4', services: [local], endpointSlices: slices }));
    expect(pi.advertisements.get('192.168.2.1')).toEqual(['172.198.1.2/32']);
  });

  test('a node whose local endpoints are all terminating withdraws while another node has a ready one', () => {
    const slices = [
      slice('web', [
        ep('pi4', { ready: false, serving: true, terminating: true }),
        ep('worker', { ready: true }),
      ]),
    ];
    expect(hasLocalEndpoint(local, slices, 'pi4')).toBe(false);
    expect(hasLocalEndpoint(local, slices, 'worker')).toBe(true);
  });

  test('when no node has a ready endpoint, serving-terminating ones count', () => {
    const slices = [slice('web', [ep('pi4', { ready: false, serving: true, terminating: true })])];
    expect(hasLocalEndpoint(local, slices, 'pi4')).toBe(true);
    const notServing = [slice('web', [ep('pi4', { ready: false, serving: false, terminating: true })])];
    expect(hasLocalEndpoint(local, notServing, 'pi4')).toBe(false);
  });

  test('unset ready means ready; slices of other Services or namespaces do not count', () => {
    expect(
      hasLocalEndpoint(local, [slice('web', [{ addresses: ['10.1.1.1'], nodeName: 'pi4' }])], 'pi4'),
    ).toBe(true);
    expect(hasLocalEndpoint(local, [slice('other', [ep('pi4', { ready: true })])], 'pi4')).toBe(false);
    const elsewhere = slice('web', [ep('pi4', { ready: true })]);
    elsewhere.metadata.namespace = 'default';
    expect(hasLocalEndpoint(local, [elsewhere], 'pi4')).toBe(false);
  });
});
