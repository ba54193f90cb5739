/**
 * Smoke test of L2 mode's wiring in kubernetes mode: three agents against the test API server in
 * network namespaces (test/e2e/cluster.ts), one pool in the LAN's subnet and one
 * L2AnnouncementPolicy. Each IP is owned by exactly one node, which answers ARP with its own MAC;
 * every node renews its heartbeat Lease; the policy is Valid; SIGTERM of an owner hands its IP
 * over. (Failover timing, partitions and ETP=Local are the end-to-end suite's.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { applyYaml, type Cluster, type NodeName, service, startCluster } from '../e2e/cluster.ts';
import { missing } from '../support/env.ts';
import { waitFor } from '../support/proc.ts';

const why = missing({ root: true, tools: ['ip', 'arping', '/usr/lib/frr/bgpd', 'vtysh'] });
const NODE_NAMES: NodeName[] = ['worker', 'pi4', 'master'];
const IPS = ['192.168.2.200', '192.168.2.201'];

interface L2Json {
  l2?: { active: boolean; owned: { ip: string; interface: string }[]; problems: string[] };
}

describe.skipIf(!!why)('L2 mode in kubernetes mode (smoke)', () => {
  let c: Cluster;

  const owners = async (): Promise<Map<string, NodeName[]>> => {
    const out = new Map<string, NodeName[]>(IPS.map((ip) => [ip, []]));
    for (const n of NODE_NAMES) {
      if (!c.agents.has(n)) continue;
      const s = (await c.status(n)) as unknown as L2Json | undefined;
      for (const e of s?.l2?.owned ?? []) out.get(e.ip)?.push(n);
    }
    return out;
  };
  const macOf = async (n: NodeName) =>
    (await c.lan.exec(n, ['cat', '/sys/class/net/eth0/address'])).stdout.trim().toLowerCase();

  beforeAll(async () => {
    c = await startCluster('l2ks', { logLevel: 'info' });
    applyYaml(
      c.api,
      `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata: {name: lan}
spec:
  blocks: [{start: 192.168.2.200, stop: 192.168.2.203}]
---
apiVersion: edgelb.io/v1alpha1
kind: L2AnnouncementPolicy
metadata: {name: lan}
spec: {}
`,
    );
    c.api.create(service('web', { annotations: { 'edgelb.io/ips': IPS[0]! } }));
    c.api.create(service('api', { annotations: { 'edgelb.io/ips': IPS[1]! } }));
    for (const n of NODE_NAMES) c.startAgent(n);
  }, 90_000);

  afterAll(async () => {
    await c?.destroy();
  }, 30_000);

  test('every IP has exactly one owner, which answers ARP with its MAC', async () => {
    const o = await waitFor(
      'one owner per IP',
      async () => {
        const o = await owners();
        return [...o.values()].every((l) => l.length === 1) ? o : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    for (const ip of IPS) {
      const owner = o.get(ip)![0]!;
      const r = await c.lan.exec('router', ['arping', '-c', '2', '-w', '3', '-I', 'eth0', ip], {
        allowFail: true,
        timeoutMs: 6_000,
      });
      expect(r.code).toBe(0);
      expect(r.stdout.toLowerCase()).toContain(await macOf(owner));
      for (const other of NODE_NAMES.filter((n) => n !== owner))
        expect(r.stdout.toLowerCase()).not.toContain(await macOf(other));
    }
    for (const n of NODE_NAMES)
      expect(
        c.api.get('coordination.k8s.io/v1', 'Lease', 'kube-system', `edgelb-node-${n}`)?.spec?.holderIdentity,
      ).toBe(n);
    const policy = c.api.get('edgelb.io/v1alpha1', 'L2AnnouncementPolicy', undefined, 'lan');
    expect(policy?.status?.conditions?.[0]).toMatchObject({ type: 'Valid', status: 'True' });
  }, 60_000);

  test('SIGTERM of an owner: another node answers its IP', async () => {
    const before = await owners();
    const owner = before.get(IPS[0]!)![0]!;
    await c.agents.get(owner)!.stop(5000);
    c.agents.delete(owner);
    const after = await waitFor(
      'handed over',
      async () => {
        const o = await owners();
        const l = o.get(IPS[0]!)!;
        return l.length === 1 && l[0] !== owner ? o : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(after.get(IPS[0]!)).not.toContain(owner);
    expect(
      c.api.get('coordination.k8s.io/v1', 'Lease', 'kube-system', `edgelb-node-${owner}`)?.spec
        ?.holderIdentity,
    ).toBe('');
  }, 30_000);
});
