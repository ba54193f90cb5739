/**
 * Health-gated anycast (issue 21): edgelb.io/announce-only-with-endpoints withdraws a Service
 * on every node, BGP and L2, while it has no ready endpoint in the cluster; the plan says why
 * (NoReadyEndpoints), and lists addresses held for deleted Services (ServiceHeld).
 */
import { describe, expect, test } from 'bun:test';
import type { EndpointSliceObject, ServiceObject } from '../../agent/api/core.ts';
import type { L2AnnouncementPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { planAnnouncements } from '../../agent/reconcile/plan/announce.ts';
import { planL2 } from '../../agent/reconcile/plan/l2.ts';
import { blogPolicy, blogPool } from '../support/blog-objects.ts';

function svc(name: string, ip: string, gated: boolean, etp: 'Cluster' | 'Local' = 'Cluster'): ServiceObject {
  return {
    metadata: {
      name,
      namespace: 'web',
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      annotations: gated ? { 'edgelb.io/announce-only-with-endpoints': 'true' } : {},
    },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: etp },
    status: { loadBalancer: { ingress: [{ ip }] } },
  };
}

function slice(service: string, endpoints: { node: string; ready: boolean }[]): EndpointSliceObject {
  return {
    metadata: { name: `${service}-x`, namespace: 'web', labels: { 'kubernetes.io/service-name': service } },
    endpoints: endpoints.map((e) => ({
      addresses: ['10.1.0.1'],
      nodeName: e.node,
      conditions: { ready: e.ready },
    })),
  } as EndpointSliceObject;
}

function adverts(services: ServiceObject[], slices: EndpointSliceObject[], pools: LoadBalancerIPPool[] = []) {
  const plan = planAnnouncements({
    nodeName: 'worker',
    nodeLabels: { peering: 'yes' },
    policies: [blogPolicy],
    services,
    endpointSlices: slices,
    secrets: new Map(),
    defaultSecretNamespace: 'kube-system',
    pools,
  });
  return { prefixes: plan.advertisements.get('192.168.2.1') ?? [], withheld: plan.withheldServices };
}

describe('health gate', () => {
  const gatedSvc = svc('anycast', '172.198.1.1', true);
  const plain = svc('plain', '172.198.1.2', false);

  test('no endpoint ready anywhere: withdrawn, with NoReadyEndpoints; an ungated Service stays', () => {
    const r = adverts([gatedSvc, plain], [slice('anycast', [{ node: 'pi4', ready: false }])]);
    expect(r.prefixes).toEqual(['172.198.1.2/32']);
    expect(r.withheld).toEqual([
      {
        service: 'web/anycast',
        ips: ['172.198.1.1'],
        reason: 'NoReadyEndpoints',
        message:
          'withdrawn everywhere: edgelb.io/announce-only-with-endpoints is "true" and no endpoint of the Service is ready in the cluster',
      },
    ]);
    // No slice at all is no endpoint too.
    expect(adverts([gatedSvc], []).prefixes).toEqual([]);
  });

  test('one ready endpoint on another node: announced from this node too (Cluster)', () => {
    const r = adverts([gatedSvc, plain], [slice('anycast', [{ node: 'pi4', ready: true }])]);
    expect(r.prefixes).toEqual(['172.198.1.1/32', '172.198.1.2/32']);
    expect(r.withheld).toBeUndefined();
  });

  test('gated and Local: still only where the ready endpoint runs', () => {
    const local = svc('anycast', '172.198.1.1', true, 'Local');
    expect(adverts([local], [slice('anycast', [{ node: 'pi4', ready: true }])]).prefixes).toEqual([]);
    expect(adverts([local], [slice('anycast', [{ node: 'worker', ready: true }])]).prefixes).toEqual([
      '172.198.1.1/32',
    ]);
  });

  test('the annotation must say "true"', () => {
    const other = {
      ...gatedSvc,
      metadata: { ...gatedSvc.metadata, annotations: { 'edgelb.io/announce-only-with-endpoints': 'false' } },
    };
    expect(adverts([other], []).prefixes).toEqual(['172.198.1.1/32']);
  });

  test('held addresses are listed as ServiceHeld', () => {
    const pool: LoadBalancerIPPool = {
      ...blogPool,
      status: {
        held: [{ namespace: 'web', name: 'gone', ip: '172.198.1.2', expires: '2026-06-01T00:10:00Z' }],
      },
    };
    expect(adverts([], [], [pool]).withheld).toEqual([
      {
        service: 'web/gone',
        ips: ['172.198.1.2'],
        reason: 'ServiceHeld',
        message:
          'held in pool nginx-ingress for the deleted Service until 2026-06-01T00:10:00Z; not announced',
      },
    ]);
  });

  test('L2 mode: no owner candidate while nothing is ready', () => {
    const policy: L2AnnouncementPolicy = {
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'L2AnnouncementPolicy',
      metadata: { name: 'all' },
      spec: {},
    };
    const plan = (slices: EndpointSliceObject[]) =>
      planL2({
        nodeName: 'worker',
        nodes: [{ name: 'worker', labels: {} }],
        policies: [policy],
        pools: [blogPool],
        services: [gatedSvc],
        endpointSlices: slices,
      }).candidates.map((c) => c.ip);
    expect(plan([])).toEqual([]);
    expect(plan([slice('anycast', [{ node: 'pi4', ready: true }])])).toEqual(['172.198.1.1']);
  });
});
