/** Edges of the L2 plan (agent/reconcile/plan/l2.ts) the stories leave open. */
import { expect, test } from 'bun:test';
import type { EndpointObject, EndpointSliceObject, ServiceObject } from '../../agent/api/core.ts';
import type { L2AnnouncementPolicy } from '../../agent/api/v1alpha1.ts';
import { endpointNodes, type L2PlanInput, planL2 } from '../../agent/reconcile/plan/l2.ts';

function svc(name: string, ips: string[]): ServiceObject {
  return {
    metadata: { name, namespace: 'default', labels: {} },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) } },
  };
}

const policy = (name: string, spec: L2AnnouncementPolicy['spec'] = {}): L2AnnouncementPolicy => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'L2AnnouncementPolicy',
  metadata: { name },
  spec,
});

const input = (over: Partial<L2PlanInput>): L2PlanInput => ({
  nodeName: 'a',
  nodes: [
    { name: 'a', labels: { zone: 'lan' } },
    { name: 'b', labels: { zone: 'lan' } },
  ],
  policies: [policy('all')],
  pools: [],
  services: [],
  endpointSlices: [],
  ...over,
});

test('candidates come sorted by IP text whatever the Service order; a shared IP belongs to the first Service', () => {
  const plan = planL2(
    input({
      services: [
        svc('z', ['10.0.0.9', 'junk', '10.0.0.2']),
        svc('y', ['10.0.0.5']),
        svc('x', ['10.0.0.9', '10.0.0.1']),
      ],
    }),
  );
  expect(plan.candidates.map((c) => [c.ip, c.group])).toEqual([
    ['10.0.0.1', 'default/x'],
    ['10.0.0.2', 'default/z'],
    ['10.0.0.5', 'default/y'],
    ['10.0.0.9', 'default/z'],
  ]);
});

test('a policy with an invalid nodeSelector selects no node; an empty interfaces list means the on-link interface', () => {
  const bad = policy('bad', {
    nodeSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] },
  });
  const plan = planL2(input({ policies: [bad], services: [svc('s', ['10.0.0.1'])] }));
  expect(plan.candidates).toEqual([{ ip: '10.0.0.1', eligibleNodes: [], group: 'default/s' }]);
  expect(plan.interfaces.size).toBe(0);
  const empty = planL2(
    input({ policies: [policy('p', { interfaces: [] })], services: [svc('s', ['10.0.0.1'])] }),
  );
  expect(empty.interfaces.get('10.0.0.1')).toEqual({ patterns: [], onLink: true, policies: ['p'] });
});

test('endpointNodes: a terminating endpoint counts only when it says it is serving', () => {
  const slice = (endpoints: EndpointObject[]): EndpointSliceObject => ({
    metadata: { name: 's-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 's' } },
    endpoints,
  });
  const ep = (nodeName: string, conditions: EndpointObject['conditions']): EndpointObject => ({
    addresses: ['10.1.0.1'],
    nodeName,
    conditions,
  });
  expect([...endpointNodes([slice([ep('a', { ready: false, terminating: true })])])]).toEqual([]);
  expect([...endpointNodes([slice([ep('a', { ready: false, terminating: true, serving: true })])])]).toEqual([
    'a',
  ]);
  expect([...endpointNodes([slice([ep('a', { ready: false, terminating: true, serving: false })])])]).toEqual(
    [],
  );
});
