/**
 * Next hops for both families by default (issue 16), files mode against FRR: one IPv4 session
 * per node with IPv6 unicast negotiated and no next-hop configuration. The node with IPv4 and
 * IPv6 addresses gets both the /32 and the /128 of a RequireDualStack Service to FRR, each with
 * its own address as next hop; the node without any IPv6 address cannot announce the /128:
 * /readyz is 503 naming the IP and `edgelb status` exits 1.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusDoc } from '../../agent/http/status-doc.ts';
import { BUN, MAIN } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { type Frr, startFrr } from '../support/frr.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type Proc, waitFor } from '../support/proc.ts';

const why = missing({
  root: true,
  tools: ['ip', 'curl', 'vtysh', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'],
});
const R = TOPOLOGY.router;
const DUAL = TOPOLOGY.worker;
/** No IPv6 address at all (only the kernel's link-local, which is no next hop). */
const V4ONLY = { v4: TOPOLOGY.pi4.v4 };
const NODES = { worker: DUAL, pi4: V4ONLY } as const;
type Node = keyof typeof NODES;

const MANIFESTS = `apiVersion: edgelb.io/v1alpha1
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
  virtualRouters:
    - localASN: 65001
      neighbors:
        - peerASN: 65000
          peerAddress: ${R.v4}/32
          connectRetryTimeSeconds: 1
      serviceSelector: {}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  type: LoadBalancer
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  ports:
    - port: 80
`;

describe.skipIf(!!why)('dual-stack next hops against FRR (files mode, one IPv4 session)', () => {
  let lan: Lan;
  let frr: Frr;
  let dir: string;
  const agents: Proc[] = [];

  const curl = (node: Node, path: string) =>
    lan.exec(node, ['curl', '-s', '-w', '\n%{http_code}', `http://127.0.0.1:9180${path}`], {
      allowFail: true,
    });
  const status = async (node: Node): Promise<StatusDoc> =>
    JSON.parse((await lan.exec(node, ['curl', '-sf', 'http://127.0.0.1:9180/status'])).stdout) as StatusDoc;
  const ipsOf = async (node: Node): Promise<string[]> =>
    waitFor(
      `${node} allocation`,
      async () => {
        const s = await status(node).catch(() => undefined);
        const ips = s?.allocations[0]?.ips ?? [];
        return ips.length === 2 ? ips : undefined;
      },
      { timeoutMs: 20_000 },
    );

  beforeAll(async () => {
    lan = await createLan({ family: 'dsnh', hosts: { router: R, ...NODES } });
    dir = join(lan.dir, 'edge');
    const manifests = join(dir, 'manifests');
    mkdirSync(manifests, { recursive: true });
    writeFileSync(join(manifests, 'all.yaml'), MANIFESTS);
    frr = await startFrr(lan, 'router', {
      asn: 65000,
      routerId: R.v4,
      // IPv4 sessions with IPv6 unicast activated (frr.ts default).
      neighbors: Object.values(NODES).map((n) => ({
        address: n.v4,
        remoteAs: 65001,
        timers: { keepalive: 3, hold: 9 },
        connectRetrySeconds: 1,
      })),
    });
    for (const node of Object.keys(NODES) as Node[]) {
      const home = join(dir, node);
      mkdirSync(home, { recursive: true });
      writeFileSync(
        join(home, 'config.yaml'),
        `source: files\nnodeName: ${node}\nfiles:\n  manifests: ${manifests}\n  state: ${join(home, 'state.json')}\nhttp:\n  listen: 127.0.0.1:9180\nlog:\n  level: debug\n`,
      );
      agents.push(
        lan.spawn(node, [BUN, MAIN, 'run', '--config', join(home, 'config.yaml')], {
          name: `edgelb@${node}`,
          logPath: join(home, 'agent.log'),
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) await a.stop(3000);
    await frr?.stop().catch(() => {});
    await lan?.destroy();
  }, 30_000);

  test('FRR holds the /32 and the /128 with the dual-stack node’s own next hops', async () => {
    const ips = await ipsOf('worker');
    const v4 = ips.find((ip) => !ip.includes(':'))!;
    const v6 = ips.find((ip) => ip.includes(':'))!;
    const fromWorker = (p: { peer: string }[]) => p.filter((x) => x.peer === DUAL.v4);
    const p4 = await frr.waitPaths(`${v4}/32`, (p) => fromWorker(p).length === 1, 20_000);
    expect(fromWorker(p4)[0]).toMatchObject({ nextHop: DUAL.v4, valid: true });
    const p6 = await frr.waitPaths(`${v6}/128`, (p) => fromWorker(p).length === 1, 20_000);
    expect(fromWorker(p6)[0]).toMatchObject({ nextHop: DUAL.v6, valid: true });
    expect((await curl('worker', '/readyz')).stdout.trim().split('\n').at(-1)).toBe('200');
  }, 50_000);

  test('the node without IPv6: /readyz 503 naming the IP, edgelb status exits 1', async () => {
    const ips = await ipsOf('pi4');
    const v6 = ips.find((ip) => ip.includes(':'))!;
    await frr.waitState(V4ONLY.v4, 'Established', 20_000);
    const ready = await waitFor(
      'pi4 /readyz names the IPv6',
      async () => {
        const r = await curl('pi4', '/readyz');
        return r.stdout.includes(v6) ? r.stdout : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(ready.trim().split('\n').at(-1)).toBe('503');
    expect(ready).toContain(`IP ${v6} cannot be announced to BGP peer`);
    expect(ready).toContain('no IPv6 next hop');
    const s = await status('pi4');
    expect(s.problems.some((p) => p.includes(v6))).toBe(true);
    const cli = await lan.exec('pi4', [BUN, MAIN, 'status'], { allowFail: true });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(v6);
    // Its IPv4 still goes out with its own next hop.
    const v4 = ips.find((ip) => !ip.includes(':'))!;
    const paths = await frr.waitPaths(`${v4}/32`, (p) => p.some((x) => x.peer === V4ONLY.v4), 10_000);
    expect(paths.find((x) => x.peer === V4ONLY.v4)?.nextHop).toBe(V4ONLY.v4);
  }, 50_000);
});
