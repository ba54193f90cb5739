/**
 * An ObservedState for L2 tests and benchmarks at scale: one node, one pool over
 * 10.96.0.0/16, one L2AnnouncementPolicy, and one LoadBalancer Service holding each IP.
 */
import type { ServiceObject } from '../../agent/api/core.ts';
import type { L2AnnouncementPolicy } from '../../agent/api/l2-announcement-policy.ts';
import type { ObservedState } from '../../agent/source/types.ts';

/** The nth address of 10.96.0.0/16 (1-based, n < 65536). */
export const l2BenchIp = (n: number) => `10.96.${(n >> 8) & 255}.${n & 255}`;

export function l2ObservedState(o: {
  node: string;
  ips: readonly string[];
  namespace?: string;
  pool?: string;
  policy?: { name: string; spec: L2AnnouncementPolicy['spec'] };
}): ObservedState {
  const pool = o.pool ?? 'p';
  const services: ServiceObject[] = o.ips.map((ip, i) => ({
    metadata: { name: `svc-${i}`, namespace: o.namespace ?? 'default', uid: `uid-${i}` },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' as const }] } },
  }));
  return {
    synced: true,
    node: { metadata: { name: o.node, labels: {} } },
    nodes: [{ metadata: { name: o.node, labels: {} } }],
    pools: [
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'LoadBalancerIPPool',
        metadata: { name: pool },
        spec: { blocks: [{ cidr: '10.96.0.0/16' }] },
      },
    ],
    policies: [],
    l2Policies: [
      {
        apiVersion: 'edgelb.io/v1alpha1',
        kind: 'L2AnnouncementPolicy',
        metadata: { name: o.policy?.name ?? 'lan' },
        spec: o.policy?.spec ?? {},
      },
    ],
    services,
    endpointSlices: [],
    secrets: new Map(),
  };
}
