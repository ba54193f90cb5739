/**
 * An edgelb node that speaks BGP to one router, with or without BFD, for the BFD failover
 * tests and the failover benchmark: the agent from source in files mode (one Service pinned
 * to SERVICE_IP, so every node announces the same /32 and the router holds them as ECMP).
 *
 * BFD: the neighbor names a BFDProfile `fast` (300/300/3) and the agent runs the session
 * itself (single hop, or RFC 5883 multihop with eBGPMultihopTTL); without BFD the hold timer
 * (9 s by default here) is all the router has. The router side: startBfdRouter().
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import type { StatusDoc } from '../../agent/http/status-doc.ts';
import { BUN, MAIN } from './cli.ts';
import { type FrrBfd, startFrrBfd } from './frr-bfd.ts';
import type { Lan } from './netns.ts';
import { type Proc, waitFor } from './proc.ts';

export const SERVICE_IP = '172.198.1.1';
export const SERVICE_PREFIX = `${SERVICE_IP}/32`;
export const ROUTER_ASN = 65000;
export const NODE_ASN = 65001;
const HTTP = '127.0.0.1:9180';

export interface EdgeNodeOptions {
  lan: Lan;
  host: string;
  /** The router addresses this node peers with (one neighbor each, IPv4 or IPv6). */
  peers: string[];
  bfd: boolean;
  /** eBGP multihop TTL (absent: one hop). */
  multihopTtl?: number;
  holdSeconds?: number;
  keepaliveSeconds?: number;
  connectRetrySeconds?: number;
}

export interface EdgeNode {
  readonly host: string;
  readonly address: string;
  readonly agent: Proc;
  /** The agent's /status document (undefined while it does not answer). */
  status(): Promise<StatusDoc | undefined>;
  stop(): Promise<void>;
}

function manifests(o: EdgeNodeOptions): string {
  const n: string[] = [];
  for (const peer of o.peers) {
    n.push(
      `        - peerASN: ${ROUTER_ASN}`,
      `          peerAddress: ${peer}/${peer.includes(':') ? 128 : 32}`,
      `          connectRetryTimeSeconds: ${o.connectRetrySeconds ?? 1}`,
      `          holdTimeSeconds: ${o.holdSeconds ?? 9}`,
      `          keepAliveTimeSeconds: ${o.keepaliveSeconds ?? 3}`,
      '          gracefulRestart:',
      '            enabled: false',
    );
    if (o.multihopTtl) n.push(`          eBGPMultihopTTL: ${o.multihopTtl}`);
    if (o.bfd) n.push('          bfdProfile: fast');
  }
  return `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata:
  name: pool
spec:
  blocks:
    - cidr: 172.198.1.0/30
---
apiVersion: edgelb.io/v1alpha1
kind: BFDProfile
metadata:
  name: fast
spec:
  receiveIntervalMilliseconds: ${DEFAULT_BFD_PROFILE.receiveIntervalMs}
  transmitIntervalMilliseconds: ${DEFAULT_BFD_PROFILE.transmitIntervalMs}
  detectMultiplier: ${DEFAULT_BFD_PROFILE.detectMultiplier}
---
apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata:
  name: router
spec:
  virtualRouters:
    - localASN: ${NODE_ASN}
      serviceSelector: {}
      neighbors:
${n.join('\n')}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  annotations:
    io.cilium/lb-ipam-ips: ${SERVICE_IP}
spec:
  type: LoadBalancer
  ports:
    - name: http
      port: 80
      protocol: TCP
`;
}

export async function startEdgeNode(o: EdgeNodeOptions): Promise<EdgeNode> {
  const dir = join(o.lan.dir, `edge-${o.host}`);
  const mdir = join(dir, 'manifests');
  mkdirSync(mdir, { recursive: true });
  writeFileSync(join(mdir, 'all.yaml'), manifests(o));
  writeFileSync(
    join(dir, 'config.yaml'),
    `source: files
nodeName: ${o.host}
files:
  manifests: ${mdir}
  state: ${join(dir, 'state.json')}
http:
  listen: ${HTTP}
log:
  level: info
`,
  );
  const agent = o.lan.spawn(o.host, [BUN, MAIN, 'run', '--config', join(dir, 'config.yaml')], {
    name: `edgelb@${o.host}`,
    logPath: join(dir, 'agent.log'),
  });
  const status = async (): Promise<StatusDoc | undefined> => {
    const r = await o.lan.exec(o.host, ['curl', '-s', '--max-time', '2', `http://${HTTP}/status`], {
      allowFail: true,
    });
    try {
      return r.code === 0 ? (JSON.parse(r.stdout) as StatusDoc) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    host: o.host,
    address: o.lan.addr(o.host).v4,
    agent,
    status,
    async stop() {
      await agent.stop(3000);
    },
  };
}

export interface BfdRouterOptions {
  lan: Lan;
  host: string;
  /** The router's own IPv4 address (router id, and update-source for multihop). */
  address: string;
  /** Node addresses, one passive neighbor each (IPv4 or IPv6). */
  nodes: string[];
  bfd: boolean;
  multihopTtl?: number;
  holdSeconds?: number;
  keepaliveSeconds?: number;
}

/**
 * FRR zebra + bfdd + bgpd as the router: passive eBGP neighbors (one per node address), no
 * graceful restart (a dead node's path must go, not turn stale), connect-retry 1 s, and
 * `neighbor X bfd` (bfdd's default 300/300/3) when asked; multihop adds ebgp-multihop,
 * update-source and a static multihop bfdd peer per node.
 */
export async function startBfdRouter(o: BfdRouterOptions): Promise<FrrBfd> {
  const extra: string[] = [];
  for (const n of o.nodes) {
    if (o.multihopTtl)
      extra.push(`neighbor ${n} ebgp-multihop ${o.multihopTtl}`, `neighbor ${n} update-source ${o.address}`);
    if (o.bfd) extra.push(`neighbor ${n} bfd`);
  }
  const frr = await startFrrBfd(o.lan, o.host, {
    // FRR 8.4's bgpd asks bfdd for a multihop session only once the BGP session is up, and
    // edgelb connects only once BFD is Up (or after its 30 s wait): a static bfdd peer breaks
    // the tie (bgpd then shares it).
    peers:
      o.bfd && o.multihopTtl ? o.nodes.map((address) => ({ address, local: o.address, multihop: true })) : [],
    bgp: {
      asn: ROUTER_ASN,
      routerId: o.address,
      neighbors: o.nodes.map((address) => ({
        address,
        remoteAs: NODE_ASN,
        // One family per session, as router-config writes it (edgelb sends each family it has a next hop for).
        ipv6: address.includes(':'),
        ipv4: !address.includes(':'),
        timers: { keepalive: o.keepaliveSeconds ?? 3, hold: o.holdSeconds ?? 9 },
        connectRetrySeconds: 1,
        gracefulRestart: false,
      })),
      extra,
    },
  });
  await waitFor(
    'bgpd vty',
    async () =>
      existsSync(join(frr.dir, 'bgpd.vty')) && (await frr.vtysh('show bgp summary json')).includes('{'),
    {
      timeoutMs: 10_000,
    },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nbgpd log:\n${frr.bgpd?.log().slice(-2000)}`);
  });
  return frr;
}

/** Something that runs a vtysh command and returns its text (vtysh itself, or a FrrVty). */
export type VtyCommand = (cmd: string) => Promise<string>;

/** The peers (node addresses) FRR holds a path from for one IPv4 prefix. */
export async function pathPeers(vty: VtyCommand, prefix = SERVICE_PREFIX): Promise<string[]> {
  const d = JSON.parse(await vty(`show bgp ipv4 unicast ${prefix} json`)) as {
    paths?: { peer?: { peerId?: string }; nexthops?: { ip?: string }[] }[];
  };
  return (d.paths ?? []).map((p) => p.peer?.peerId ?? p.nexthops?.[0]?.ip ?? '').sort();
}
