/**
 * The L2 lab (issue 15): a flat LAN of network namespaces (test/support/netns.ts) with three
 * nodes (worker .10, pi4 .11, master .12 on 192.168.2.0/24 and fd00:2::/64), a client (.50), the
 * test API server on the test's own veth (192.168.2.250), and one edgelb agent per node in
 * kubernetes mode with L2 mode on: a pool carved from the LAN (192.168.2.200–203 and
 * fd00:2::200–203) and one L2AnnouncementPolicy.
 *
 * The nodes accept traffic for the pool's IPs the way kube-proxy (IPVS) does: every IP on `lo`,
 * `arp_ignore=1` and `arp_announce=2`, so the kernel never answers ARP/NDP for them; a tiny TCP
 * "Service" on port 8080 in each node answers with the node's name. The client runs
 * l2-client-main.ts: a witness that reports every MAC answering each ARP request / Neighbor
 * Solicitation, and a TCP prober.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiServer, type TestApiServer } from './apiserver/index.ts';
import type { RequestRecord } from './apiserver/server.ts';
import { BUN, MAIN } from './cli.ts';
import { L2Client } from './l2-client.ts';
import { createLan, type Lan, TOPOLOGY } from './netns.ts';
import { type Proc, waitFor } from './proc.ts';

export const L2_NODES = ['worker', 'pi4', 'master'] as const;
export type L2Node = (typeof L2_NODES)[number];
export const API_ADDRESS = '192.168.2.250';
export const CLIENT = { v4: '192.168.2.50', v6: 'fd00:2::50' } as const;
export const VIPS4 = ['192.168.2.200', '192.168.2.201', '192.168.2.202', '192.168.2.203'] as const;
export const VIPS6 = ['fd00:2::200', 'fd00:2::201', 'fd00:2::202', 'fd00:2::203'] as const;
export const SERVICE_PORT = 8080;
export const HTTP_PORT = 9180;
const NAMESPACE = 'default';
const HERE = import.meta.dir;

export interface L2LabOptions {
  /** The L2 heartbeat settings; absent = the agent's defaults (the failover target's). */
  l2?: { leaseDurationSeconds: number; renewIntervalSeconds: number };
  /** The IPAM leader election (default 4/3/1 s, as in blog.test.ts). */
  leaderElection?: { duration: number; renew: number; retry: number };
  logLevel?: string;
  onRequest?: (r: RequestRecord) => void;
  /** The witness's request interval (default 100 ms). */
  witnessIntervalMs?: number;
}

export interface L2Lab {
  lan: Lan;
  api: TestApiServer;
  client: L2Client;
  agents: Map<L2Node, Proc>;
  macs: Map<L2Node, string>;
  nodeOfMac(mac: string): L2Node | undefined;
  startAgent(node: L2Node): Proc;
  /** GET /status of a node's agent (on its LAN address), undefined if it does not answer in 2 s. */
  status(node: L2Node): Promise<L2Status | undefined>;
  /** The node whose MAC alone answers ip now (the witness's latest settled request). */
  owner(ip: string): L2Node | undefined;
  /** Waits until exactly one node answers ip and pred accepts it. */
  waitOwner(ip: string, pred?: (n: L2Node) => boolean, timeoutMs?: number): Promise<L2Node>;
  /** Waits until every node's agent sees all of `nodes` (default: all three) live. */
  waitAllLive(nodes?: readonly L2Node[], timeoutMs?: number): Promise<void>;
  /** Silent death: eth0 down, then the agent SIGKILLed. Returns the fault's time (epoch ms). */
  die(node: L2Node): Promise<number>;
  /** eth0 up again (its IPv6 address re-added) and the agent restarted. */
  revive(node: L2Node): Promise<void>;
  /** Cuts (or restores) the node's path to the API server: a blackhole route in its namespace. */
  cutApi(node: L2Node, cut: boolean): Promise<void>;
  destroy(): Promise<void>;
}

export interface L2Status {
  ready: boolean;
  l2?: {
    active: boolean;
    owned: { ip: string; interface: string; since: string }[];
    problems: string[];
    ownership?: { live: boolean; liveNodes: string[]; pending: string[]; heartbeatWrites: number };
  };
}

/** A LoadBalancer Service with one IPv4 and one IPv6 address from the lab's pool. */
export function dualStackService(name: string, o: { etpLocal?: boolean } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE, labels: { app: name } },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ipFamilyPolicy: 'RequireDualStack',
      ipFamilies: ['IPv4', 'IPv6'],
      ports: [{ name: 'http', port: SERVICE_PORT, protocol: 'TCP' }],
      ...(o.etpLocal ? { externalTrafficPolicy: 'Local' } : {}),
    },
  };
}

export function serviceIPs(api: TestApiServer, name: string): string[] {
  const s = api.get('v1', 'Service', NAMESPACE, name);
  return (s?.status?.loadBalancer?.ingress ?? []).map((i: { ip: string }) => i.ip);
}

/** An EndpointSlice of a Service with one ready endpoint per node given. */
export function endpointSlice(service: string, nodes: L2Node[], family: 'IPv4' | 'IPv6' = 'IPv4') {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service}-${family.toLowerCase()}`,
      namespace: NAMESPACE,
      labels: { 'kubernetes.io/service-name': service },
    },
    addressType: family,
    endpoints: nodes.map((n, i) => ({
      addresses: [family === 'IPv4' ? `10.42.${i}.5` : `fd00:42::${i + 5}`],
      nodeName: n,
      conditions: { ready: true, serving: true, terminating: false },
    })),
    ports: [{ name: 'http', port: SERVICE_PORT, protocol: 'TCP' }],
  };
}

/** The home-lab objects: one pool carved from the LAN, one L2AnnouncementPolicy. */
export function labObjects() {
  return [
    {
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'lan' },
      spec: {
        blocks: [
          { start: VIPS4[0], stop: VIPS4[VIPS4.length - 1] },
          { start: VIPS6[0], stop: VIPS6[VIPS6.length - 1] },
        ],
      },
    },
    {
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'L2AnnouncementPolicy',
      metadata: { name: 'lan' },
      spec: { pools: ['lan'] },
    },
  ];
}

export async function startL2Lab(family: string, opts: L2LabOptions = {}): Promise<L2Lab> {
  const lan = await createLan({
    family,
    hosts: {
      worker: TOPOLOGY.worker,
      pi4: TOPOLOGY.pi4,
      master: TOPOLOGY.master,
      client: CLIENT,
    },
    rootAddress: API_ADDRESS,
  });
  let api: TestApiServer | undefined;
  try {
    api = await startApiServer({
      host: API_ADDRESS,
      port: 0,
      sans: [API_ADDRESS],
      bookmarkIntervalMs: 1000,
      ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
    });
    const manifests = Bun.spawnSync([BUN, MAIN, 'manifests']);
    if (manifests.exitCode !== 0) throw new Error(`edgelb manifests: ${manifests.stderr}`);
    const { parseAllDocuments } = await import('yaml');
    for (const doc of parseAllDocuments(manifests.stdout.toString())) {
      const obj = doc.toJS();
      if (obj) api.create(obj);
    }
    for (const name of L2_NODES) {
      api.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name } },
        status: { addresses: [{ type: 'InternalIP', address: TOPOLOGY[name].v4 }] },
      });
    }
    for (const o of labObjects()) api.create(o);

    const macs = new Map<L2Node, string>();
    for (const n of L2_NODES) {
      await lan.exec(n, [
        'sysctl',
        '-qw',
        'net.ipv4.conf.all.arp_ignore=1',
        'net.ipv4.conf.all.arp_announce=2',
      ]);
      for (const ip of VIPS4) await lan.exec(n, ['ip', 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
      for (const ip of VIPS6) await lan.exec(n, ['ip', '-6', 'addr', 'add', `${ip}/128`, 'dev', 'lo']);
      macs.set(n, (await lan.exec(n, ['cat', '/sys/class/net/eth0/address'])).stdout.trim());
      lan.spawn(n, [BUN, join(HERE, 'node-echo-main.ts'), n, String(SERVICE_PORT)], {
        name: `echo@${n}`,
        logPath: join(lan.dir, `echo-${n}.log`),
      });
    }
    const clientMac = (await lan.exec('client', ['cat', '/sys/class/net/eth0/address'])).stdout.trim();
    const client = new L2Client(
      lan.spawn(
        'client',
        [
          BUN,
          join(HERE, 'l2-client-main.ts'),
          JSON.stringify({
            ifname: 'eth0',
            mac: clientMac,
            tag4: '192.168.2.100',
            tag6: 'fd00:2::1:0',
            tags: 50,
            ips: [...VIPS4, ...VIPS6],
            intervalMs: opts.witnessIntervalMs ?? 100,
          }),
        ],
        { name: 'l2-client', pipe: true, logPath: join(lan.dir, 'client.log') },
      ),
    );
    await client.ready();

    const agents = new Map<L2Node, Proc>();
    const dir = join(lan.dir, 'agents');
    mkdirSync(dir, { recursive: true });
    const le = opts.leaderElection ?? { duration: 4, renew: 3, retry: 1 };
    const byMac = new Map([...macs].map(([n, m]) => [m, n]));
    const theApi = api;

    const lab: L2Lab = {
      lan,
      api,
      client,
      agents,
      macs,
      nodeOfMac: (mac) => byMac.get(mac),
      startAgent(node) {
        const cfg = join(dir, `${node}.yaml`);
        writeFileSync(
          cfg,
          [
            `nodeName: ${node}`,
            'source: kubernetes',
            'kubernetes:',
            `  kubeconfig: ${theApi.kubeconfigCert}`,
            '  leaderElection:',
            `    leaseDurationSeconds: ${le.duration}`,
            `    renewDeadlineSeconds: ${le.renew}`,
            `    retryPeriodSeconds: ${le.retry}`,
            ...(opts.l2
              ? [
                  'l2:',
                  `  leaseDurationSeconds: ${opts.l2.leaseDurationSeconds}`,
                  `  renewIntervalSeconds: ${opts.l2.renewIntervalSeconds}`,
                ]
              : []),
            'http:',
            `  listen: ${TOPOLOGY[node].v4}:${HTTP_PORT}`,
            'log:',
            `  level: ${opts.logLevel ?? 'debug'}`,
            '',
          ].join('\n'),
        );
        const p = lan.spawn(node, [BUN, MAIN, 'run', '--config', cfg], {
          name: `edgelb@${node}`,
          logPath: join(dir, `${node}.log`),
        });
        agents.set(node, p);
        return p;
      },
      async status(node) {
        try {
          const r = await fetch(`http://${TOPOLOGY[node].v4}:${HTTP_PORT}/status`, {
            signal: AbortSignal.timeout(2000),
          });
          return (await r.json()) as L2Status;
        } catch {
          return undefined;
        }
      },
      owner(ip) {
        const macs = client.latest(ip)?.macs ?? [];
        return macs.length === 1 ? byMac.get(macs[0]!) : undefined;
      },
      waitOwner(ip, pred = () => true, timeoutMs = 20_000) {
        return waitFor(
          `one node answering ${ip}`,
          () => {
            const o = lab.owner(ip);
            return o && pred(o) ? o : undefined;
          },
          { timeoutMs, intervalMs: 20 },
        );
      },
      async waitAllLive(nodes = L2_NODES, timeoutMs = 30_000) {
        const want = [...nodes].sort().join(',');
        for (const n of nodes) {
          await waitFor(
            `${n} sees ${want} live`,
            async () => {
              const o = (await lab.status(n))?.l2?.ownership;
              return o?.live && [...o.liveNodes].sort().join(',') === want;
            },
            { timeoutMs, intervalMs: 200 },
          );
        }
      },
      async die(node) {
        const at = Date.now();
        await lan.exec(node, ['ip', 'link', 'set', 'eth0', 'down']);
        await agents.get(node)?.kill();
        return at;
      },
      async revive(node) {
        await lan.exec(node, ['ip', 'link', 'set', 'eth0', 'up']);
        // Linux drops static IPv6 addresses when a link goes down (keep_addr_on_down=0).
        await lan.exec(node, [
          'ip',
          '-6',
          'addr',
          'replace',
          `${TOPOLOGY[node].v6}/64`,
          'dev',
          'eth0',
          'nodad',
        ]);
        lab.startAgent(node);
      },
      async cutApi(node, cut) {
        await lan.exec(node, ['ip', 'route', cut ? 'add' : 'del', 'blackhole', `${API_ADDRESS}/32`]);
      },
      async destroy() {
        for (const p of agents.values()) await p.stop(3000);
        await client.stop();
        await theApi.stop().catch(() => {});
        await lan.destroy();
      },
    };
    return lab;
  } catch (err) {
    await api?.stop().catch(() => {});
    await lan.destroy();
    throw err;
  }
}
