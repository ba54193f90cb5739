/**
 * The world `bench:agent` measures the compiled binary in: a LAN of network namespaces on
 * 192.168.77.0/24 (its own subnet, so it never collides with the e2e tests' 192.168.2.0/24
 * root veth), FRR (bgpd + zebra, AS 65000) at .1, the edgelb node at .10, and a veth into
 * the root namespace (.250) where this process serves the test API server and polls the
 * agent's HTTP endpoint on 192.168.77.10:9180. Everything is stopped by PID and the
 * namespaces are deleted by destroy(), also after a failure (and stale ones at the next start).
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyYaml } from '../../e2e/cluster.ts';
import { startApiServer, type TestApiServer } from '../../support/apiserver/index.ts';
import { ROOT } from '../../support/cli.ts';
import { type Frr, startFrr } from '../../support/frr.ts';
import { createLan, type Lan } from '../../support/netns.ts';
import { type Proc, run } from '../../support/proc.ts';

export const BINARY = join(ROOT, 'dist', 'edgelb-linux-x64');
export const NET = {
  router: { v4: '192.168.77.1' },
  node: { v4: '192.168.77.10' },
  root: '192.168.77.250',
} as const;
export const HTTP_URL = `http://${NET.node.v4}:9180`;
export const NODE_NAME = 'bench';
export const NAMESPACE = 'bench';
export const ROUTER_ASN = 65000;
export const NODE_ASN = 65001;

export interface World {
  lan: Lan;
  frr: Frr;
  /** Present in kubernetes mode. */
  api: TestApiServer | undefined;
  /** The agent's config file. */
  config: string;
  dir: string;
  /** Starts the compiled binary with `run --config` in the node's namespace. */
  startAgent(tag: string): Proc;
  destroy(): Promise<void>;
}

export function binaryMissing(): string | undefined {
  return existsSync(BINARY)
    ? undefined
    : `${BINARY} does not exist: build it with EDGELB_TARGETS=linux-x64 bash scripts/build.sh`;
}

async function lanWithFrr(family: string): Promise<{ lan: Lan; frr: Frr }> {
  const lan = await createLan({
    family,
    hosts: { router: NET.router, node: NET.node },
    rootAddress: NET.root,
  });
  try {
    const frr = await startFrr(lan, 'router', {
      asn: ROUTER_ASN,
      routerId: NET.router.v4,
      neighbors: [
        {
          address: NET.node.v4,
          remoteAs: NODE_ASN,
          timers: { keepalive: 3, hold: 9 },
          connectRetrySeconds: 1,
          ipv6: false,
        },
      ],
    });
    return { lan, frr };
  } catch (err) {
    await lan.destroy();
    throw err;
  }
}

function spawner(lan: Lan, dir: string, config: string) {
  return (tag: string): Proc =>
    lan.spawn('node', [BINARY, 'run', '--config', config], {
      name: `edgelb@${tag}`,
      logPath: join(dir, `agent-${tag}.log`),
    });
}

/**
 * BFD and L2 mode on, as a node would run them: a BFDProfile on the FRR neighbor (FRR runs no
 * bfdd here, so the agent's session stays Down, transmitting at the slow rate; BGP is not held
 * by a BFD session that was never Up) and an L2AnnouncementPolicy answering ARP for every IP of
 * the pool on the node's eth0 (heartbeat Leases in kubernetes mode).
 */
export const BFD_PROFILE = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BFDProfile',
  metadata: { name: 'bench' },
  spec: { receiveIntervalMilliseconds: 300, transmitIntervalMilliseconds: 300, detectMultiplier: 3 },
};

function l2Policy(pool: string) {
  return {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'L2AnnouncementPolicy',
    metadata: { name: 'bench' },
    spec: { pools: [pool], interfaces: ['^eth0$'] },
  };
}

const COMMON = [
  'bgp:',
  '  shutdown: withdraw',
  'http:',
  `  listen: ${NET.node.v4}:9180`,
  'log:',
  '  level: info',
  '  format: json',
  '',
];

/**
 * Files mode with the demo's manifests, except the peer: FRR at 192.168.77.1:179 instead of
 * `edgelb bgp listen` on 127.0.0.1:1179 (same AS, same timers).
 */
export async function filesWorld(): Promise<World> {
  const { lan, frr } = await lanWithFrr('bagf');
  const dir = join(lan.dir, 'files');
  const manifests = join(dir, 'manifests');
  mkdirSync(manifests, { recursive: true });
  for (const f of ['pool.yaml', 'services.yaml'])
    cpSync(join(ROOT, 'scripts', 'demo', 'manifests', f), join(manifests, f));
  const policy = Bun.file(join(ROOT, 'scripts', 'demo', 'manifests', 'policy.yaml'));
  writeFileSync(
    join(manifests, 'policy.yaml'),
    (await policy.text())
      .replace(
        'peerAddress: 127.0.0.1/32',
        `peerAddress: ${NET.router.v4}/32\n          bfdProfile: ${BFD_PROFILE.metadata.name}`,
      )
      .replace('peerPort: 1179', 'peerPort: 179'),
  );
  writeFileSync(
    join(manifests, 'bfd-l2.yaml'),
    [BFD_PROFILE, l2Policy('nginx-ingress')].map((o) => JSON.stringify(o)).join('\n---\n'),
  );
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'source: files',
      `nodeName: ${NODE_NAME}`,
      'files:',
      `  manifests: ${manifests}`,
      `  state: ${join(dir, 'state.json')}`,
      '  nodeLabels:',
      '    peering: "yes"',
      ...COMMON,
    ]
      .join('\n')
      .replace('bgp:\n', `bgp:\n  routerId: ${NET.node.v4}\n`),
  );
  return {
    lan,
    frr,
    api: undefined,
    config,
    dir,
    startAgent: spawner(lan, dir, config),
    destroy: async () => {
      await frr.stop().catch(() => {});
      await lan.destroy();
    },
  };
}

/**
 * Kubernetes mode: the test API server over TLS (client certificate), edgelb's CRDs, a Node
 * `bench` (InternalIP 192.168.77.10, peering=yes), a pool 10.96.0.0/16 for every Service, a
 * policy announcing every Service to FRR, and the default leader election timings.
 */
export async function kubeWorld(): Promise<World> {
  const { lan, frr } = await lanWithFrr('bagk');
  let api: TestApiServer | undefined;
  try {
    // Bookmarks as a real API server sends them (about once a minute), not the tests' 1 s.
    api = await startApiServer({ host: NET.root, port: 0, sans: [NET.root], bookmarkIntervalMs: 60_000 });
    const manifests = await run([BINARY, 'manifests'], { timeoutMs: 20_000 });
    applyYaml(api, manifests.stdout);
    api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    api.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, peering: 'yes' } },
      status: { addresses: [{ type: 'InternalIP', address: NET.node.v4 }] },
    });
    api.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'LoadBalancerIPPool',
      metadata: { name: 'bench' },
      spec: { blocks: [{ cidr: '10.96.0.0/16' }] },
    });
    api.create({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BGPPeeringPolicy',
      metadata: { name: 'bench' },
      spec: {
        nodeSelector: { matchLabels: { peering: 'yes' } },
        virtualRouters: [
          {
            localASN: NODE_ASN,
            serviceSelector: {},
            neighbors: [
              {
                peerAddress: `${NET.router.v4}/32`,
                peerASN: ROUTER_ASN,
                bfdProfile: BFD_PROFILE.metadata.name,
                connectRetryTimeSeconds: 1,
                holdTimeSeconds: 9,
                keepAliveTimeSeconds: 3,
              },
            ],
          },
        ],
      },
    });
    api.create(BFD_PROFILE);
    api.create(l2Policy('bench'));
    const dir = join(lan.dir, 'kube');
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        `nodeName: ${NODE_NAME}`,
        'source: kubernetes',
        'kubernetes:',
        `  kubeconfig: ${api.kubeconfigCert}`,
        ...COMMON,
      ].join('\n'),
    );
    const server = api;
    return {
      lan,
      frr,
      api,
      config,
      dir,
      startAgent: spawner(lan, dir, config),
      destroy: async () => {
        await frr.stop().catch(() => {});
        await server.stop().catch(() => {});
        await lan.destroy();
      },
    };
  } catch (err) {
    await api?.stop().catch(() => {});
    await frr.stop().catch(() => {});
    await lan.destroy();
    throw err;
  }
}

export function benchService(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE, labels: { app: 'bench' } },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    },
  };
}
