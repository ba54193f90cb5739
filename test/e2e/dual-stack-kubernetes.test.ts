/**
 * Next hops for both families by default in kubernetes mode (issue 16): the Node lists only its
 * IPv4 InternalIP (the usual single-address kubelet on a dual-stack LAN), the host has an IPv6
 * address on the same interface; one IPv4 session with IPv6 unicast. FRR holds the /32 and the
 * /128 of a RequireDualStack Service, each with the node's own address as next hop.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { missing } from '../support/env.ts';
import { TOPOLOGY } from '../support/netns.ts';
import { waitFor } from '../support/proc.ts';
import { applyYaml, type Cluster, startCluster, statusIPs } from './cluster.ts';

const why = missing({ root: true, tools: ['ip', '/usr/lib/frr/bgpd', 'vtysh'] });
const W = TOPOLOGY.worker;

const OBJECTS = `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata:
  name: web
spec:
  blocks:
    - cidr: 172.198.1.0/30
    - cidr: fd00:198::/126
---
apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata:
  name: router
spec:
  nodeSelector:
    matchLabels:
      kubernetes.io/hostname: worker
  virtualRouters:
    - localASN: 65001
      neighbors:
        - peerASN: 65000
          peerAddress: ${TOPOLOGY.router.v4}/32
          connectRetryTimeSeconds: 1
      serviceSelector: {}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ingress-nginx
spec:
  type: LoadBalancer
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  ports:
    - port: 80
      protocol: TCP
`;

describe.skipIf(!!why)('dual-stack next hops in kubernetes mode (Node lists only IPv4)', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await startCluster('e2ek');
    applyYaml(c.api, OBJECTS);
    c.startAgent('worker');
  }, 60_000);

  afterAll(async () => {
    await c?.destroy();
  }, 30_000);

  test('FRR holds the /32 and the /128 with the node’s own next hops', async () => {
    const ips = await waitFor(
      'two IPs in status',
      () => {
        const s = statusIPs(c.api, 'web');
        return s.length === 2 ? s : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const v4 = ips.find((ip) => !ip.includes(':'))!;
    const v6 = ips.find((ip) => ip.includes(':'))!;
    const p4 = await c.frr.waitPaths(`${v4}/32`, (p) => p.length === 1, 20_000);
    expect(p4[0]).toMatchObject({ peer: W.v4, nextHop: W.v4 });
    const p6 = await c.frr.waitPaths(`${v6}/128`, (p) => p.length === 1, 20_000);
    expect(p6[0]).toMatchObject({ peer: W.v4, nextHop: W.v6, valid: true });
  }, 60_000);
});
