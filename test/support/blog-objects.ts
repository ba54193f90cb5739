/** The blog's pool and peering policy in edgelb's form, as typed objects for unit tests. */
import type { ServiceObject } from '../../agent/api/core.ts';
import type { BGPPeeringPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';

export const blogPool: LoadBalancerIPPool = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'nginx-ingress', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    blocks: [{ cidr: '172.198.1.0/30' }],
    serviceSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  },
};

export const blogPolicy: BGPPeeringPolicy = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BGPPeeringPolicy',
  metadata: { name: 'opensense' },
  spec: {
    nodeSelector: { matchLabels: { peering: 'yes' } },
    virtualRouters: [
      {
        localASN: 65001,
        serviceSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        neighbors: [{ peerAddress: '192.168.2.1/32', peerASN: 65000 }],
      },
    ],
  },
};

/** A Service the blog pool selects (namespace web, port 80), with `ips` in its status. */
export function blogService(
  name: string,
  ips: string[],
  created: string,
  annotations: Record<string, string> = {},
): ServiceObject {
  return {
    metadata: {
      name,
      namespace: 'web',
      creationTimestamp: created,
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      annotations,
    },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    status: { loadBalancer: ips.length ? { ingress: ips.map((ip) => ({ ip })) } : {} },
  };
}
