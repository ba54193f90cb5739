/**
 * The whole agent in files mode with an L2AnnouncementPolicy, in network namespaces: it answers
 * ARP and NDP for its Services' IPs on the on-link interface (the real AF_PACKET sockets), shows
 * them in /status, and stops answering on SIGTERM. (Kubernetes mode with several nodes and
 * failover is the end-to-end suite's.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUN, MAIN } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { createLan, type Lan } from '../support/netns.ts';
import { type Proc, waitFor } from '../support/proc.ts';

const why = missing({ root: true, tools: ['ip', 'arping', 'ndisc6', 'curl'] });

const MANIFESTS = `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata: {name: lan}
spec:
  blocks:
    - {start: 192.168.2.200, stop: 192.168.2.203}
    - {cidr: "fd00:2::200/126"}
---
apiVersion: edgelb.io/v1alpha1
kind: L2AnnouncementPolicy
metadata: {name: lan}
spec: {}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: LoadBalancer
  ipFamilies: [IPv4]
  ports: [{port: 80, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: web6, namespace: default}
spec:
  type: LoadBalancer
  ipFamilies: [IPv6]
  ipFamilyPolicy: SingleStack
  ports: [{port: 80, protocol: TCP}]
`;

interface Status {
  l2?: { active: boolean; owned: { ip: string; interface: string; since: string }[]; problems: string[] };
  allocations: { name: string; ips: string[] }[];
}

describe.skipIf(!!why)('files mode answers ARP and NDP for its L2 IPs', () => {
  let lan: Lan;
  let agent: Proc | undefined;
  let dir: string;

  const status = async (): Promise<Status | undefined> => {
    const r = await lan.exec('edge', ['curl', '-sf', 'http://127.0.0.1:9180/status'], { allowFail: true });
    return r.code === 0 ? (JSON.parse(r.stdout) as Status) : undefined;
  };
  const arping = (ip: string) =>
    lan.exec('client', ['arping', '-c', '1', '-w', '2', '-I', 'eth0', ip], {
      allowFail: true,
      timeoutMs: 5_000,
    });
  const ndisc = (ip: string) =>
    lan.exec('client', ['ndisc6', '-1', '-r', '2', '-w', '500', ip, 'eth0'], {
      allowFail: true,
      timeoutMs: 5_000,
    });

  beforeAll(async () => {
    lan = await createLan({
      family: 'l2fm',
      hosts: {
        client: { v4: '192.168.2.20', v6: 'fd00:2::20' },
        edge: { v4: '192.168.2.10', v6: 'fd00:2::10' },
      },
    });
    dir = join(lan.dir, 'edge');
    mkdirSync(join(dir, 'manifests'), { recursive: true });
    writeFileSync(join(dir, 'manifests', 'l2.yaml'), MANIFESTS);
    writeFileSync(
      join(dir, 'config.yaml'),
      `source: files
nodeName: edge
files:
  manifests: ${join(dir, 'manifests')}
  state: ${join(dir, 'state.json')}
http:
  listen: 127.0.0.1:9180
log:
  level: debug
`,
    );
    agent = lan.spawn('edge', [BUN, MAIN, 'run', '--config', join(dir, 'config.yaml')], {
      name: 'edgelb@edge',
      logPath: join(dir, 'agent.log'),
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop(3000);
    await lan?.destroy();
  }, 30_000);

  test('the IPs are owned on eth0 and answered with the edge MAC', async () => {
    const s = await waitFor(
      'both IPs owned',
      async () => {
        const s = await status();
        return s?.l2?.owned.length === 2 ? s : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(s.l2!.owned.map((e) => [e.ip, e.interface])).toEqual([
      ['192.168.2.200', 'eth0'],
      ['fd00:2::200', 'eth0'],
    ]);
    expect(s.l2!.problems).toEqual([]);
    const mac = (await lan.exec('edge', ['cat', '/sys/class/net/eth0/address'])).stdout.trim().toLowerCase();
    const a = await arping('192.168.2.200');
    expect(a.code).toBe(0);
    expect(a.stdout.toLowerCase()).toContain(mac);
    const n = await ndisc('fd00:2::200');
    expect(n.code).toBe(0);
    expect(n.stdout.toLowerCase()).toContain(mac.toLowerCase());
    // an IP nobody owns stays unanswered
    expect((await arping('192.168.2.203')).code).not.toBe(0);
  }, 40_000);

  test('SIGTERM: answers stop', async () => {
    await agent!.stop(5000);
    agent = undefined;
    expect((await arping('192.168.2.200')).code).not.toBe(0);
  }, 20_000);
});
