/**
 * The acceptance scenario's world: a LAN of network namespaces (router 192.168.2.1 with
 * FRR AS 65000 and multipath; nodes worker .10, pi4 .11, master .12), the test API server
 * on the test's own veth (192.168.2.250) with TLS and client certificates, and one edgelb
 * agent process per node, each with its own loopback for its HTTP endpoint.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import type { RequestRecord } from '../support/apiserver/server.ts';
import { BUN, MAIN } from '../support/cli.ts';
import { type Frr, startFrr } from '../support/frr.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import type { Proc } from '../support/proc.ts';

export const ROOT_ADDRESS = '192.168.2.250';
export const NODES = { worker: { peering: 'yes' }, pi4: { peering: 'yes' }, master: {} } as const;
export type NodeName = keyof typeof NODES;

export interface Cluster {
  lan: Lan;
  api: TestApiServer;
  frr: Frr;
  agents: Map<NodeName, Proc>;
  startAgent(node: NodeName): Proc;
  /** `edgelb status --json` inside the node's namespace. */
  status(node: NodeName): Promise<StatusJson | undefined>;
  /** The node currently holding the Lease, from the API server. */
  leaseHolder(): string;
  destroy(): Promise<void>;
}

export interface StatusJson {
  leader: { isLeader: boolean; holder: string };
  source: { synced: boolean };
  bgp: { peers: { address: string; state: string; advertised: number }[]; advertised: string[] };
  allocations: { namespace: string; name: string; ips: string[]; pool: string }[];
}

export function edgelbCli(args: string[]): string {
  const r = Bun.spawnSync([BUN, MAIN, ...args]);
  if (r.exitCode !== 0) throw new Error(`edgelb ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** Creates every document of a YAML stream through the store (CRDs register their resources). */
export function applyYaml(api: TestApiServer, text: string): void {
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS();
    if (obj) api.create(obj);
  }
}

export async function startCluster(
  family: string,
  opts: {
    lease?: { duration: number; renew: number; retry: number };
    /** agent log level (default debug) */
    logLevel?: string;
    /** every request the API server logs, synchronously (who wrote what, when) */
    onRequest?: (r: RequestRecord) => void;
  } = {},
): Promise<Cluster> {
  const lan = await createLan({
    family,
    hosts: { router: TOPOLOGY.router, worker: TOPOLOGY.worker, pi4: TOPOLOGY.pi4, master: TOPOLOGY.master },
    rootAddress: ROOT_ADDRESS,
  });
  const agents = new Map<NodeName, Proc>();
  let api: TestApiServer | undefined;
  try {
    api = await startApiServer({
      host: ROOT_ADDRESS,
      port: 0,
      sans: [ROOT_ADDRESS],
      bookmarkIntervalMs: 1000,
      ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
    });
    const frr = await startFrr(lan, 'router', {
      asn: 65000,
      routerId: TOPOLOGY.router.v4,
      neighbors: [
        {
          address: TOPOLOGY.worker.v4,
          remoteAs: 65001,
          timers: { keepalive: 3, hold: 9 },
          connectRetrySeconds: 1,
        },
        {
          address: TOPOLOGY.pi4.v4,
          remoteAs: 65001,
          timers: { keepalive: 3, hold: 9 },
          connectRetrySeconds: 1,
        },
        {
          address: TOPOLOGY.master.v4,
          remoteAs: 65001,
          timers: { keepalive: 3, hold: 9 },
          connectRetrySeconds: 1,
        },
      ],
    });
    applyYaml(api, edgelbCli(['manifests']));
    for (const ns of ['kube-system', 'ingress-nginx']) {
      if (!api.get('v1', 'Namespace', undefined, ns))
        api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    for (const [name, labels] of Object.entries(NODES)) {
      api.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
        status: { addresses: [{ type: 'InternalIP', address: TOPOLOGY[name as NodeName].v4 }] },
      });
    }
    const lease = opts.lease ?? { duration: 4, renew: 3, retry: 1 };
    const dir = join(lan.dir, 'agents');
    mkdirSync(dir, { recursive: true });
    const startAgent = (node: NodeName): Proc => {
      const cfg = join(dir, `${node}.yaml`);
      writeFileSync(
        cfg,
        [
          `nodeName: ${node}`,
          'source: kubernetes',
          'kubernetes:',
          `  kubeconfig: ${api!.kubeconfigCert}`,
          '  leaderElection:',
          `    leaseDurationSeconds: ${lease.duration}`,
          `    renewDeadlineSeconds: ${lease.renew}`,
          `    retryPeriodSeconds: ${lease.retry}`,
          'bgp:',
          '  shutdown: withdraw',
          'http:',
          '  listen: 127.0.0.1:9180',
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
    };
    const cluster: Cluster = {
      lan,
      api,
      frr,
      agents,
      startAgent,
      async status(node) {
        const r = await lan.exec(node, [BUN, MAIN, 'status', '--json', '--url', 'http://127.0.0.1:9180'], {
          allowFail: true,
          timeoutMs: 10_000,
        });
        try {
          return JSON.parse(r.stdout) as StatusJson;
        } catch {
          return undefined;
        }
      },
      leaseHolder() {
        return (
          api!.get('coordination.k8s.io/v1', 'Lease', 'kube-system', 'edgelb')?.spec?.holderIdentity ?? ''
        );
      },
      async destroy() {
        for (const p of agents.values()) await p.stop(3000);
        await frr.stop().catch(() => {});
        await api!.stop().catch(() => {});
        await lan.destroy();
      },
    };
    return cluster;
  } catch (err) {
    for (const p of agents.values()) await p.kill().catch(() => {});
    await api?.stop().catch(() => {});
    await lan.destroy();
    throw err;
  }
}

export function service(
  name: string,
  opts: { annotations?: Record<string, string>; etpLocal?: boolean; port?: number } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'ingress-nginx',
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      annotations: opts.annotations ?? {},
    },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ name: 'http', port: opts.port ?? 80, protocol: 'TCP' }],
      ...(opts.etpLocal ? { externalTrafficPolicy: 'Local' } : {}),
    },
  };
}

export function statusIPs(api: TestApiServer, name: string): string[] {
  const s = api.get('v1', 'Service', 'ingress-nginx', name);
  return (s?.status?.loadBalancer?.ingress ?? []).map((i: { ip: string }) => i.ip);
}

export function condition(
  api: TestApiServer,
  name: string,
): { status: string; reason: string; message: string } | undefined {
  const s = api.get('v1', 'Service', 'ingress-nginx', name);
  return s?.status?.conditions?.find((c: { type: string }) => c.type === 'edgelb.io/IPAMRequestSatisfied');
}
