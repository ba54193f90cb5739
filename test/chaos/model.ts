// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * PURE. The chaos harness's own model of the world it drives: the Services it created (spec
 * only — status is what edgelb writes), the pools, and what that spec allows: which IP a
 * Service may hold, which Services may share an IP, and which routes FRR should end up with.
 * It is deliberately simpler than edgelb's allocator: it judges results, it does not allocate.
 */

export const NS = ['chaos-a', 'chaos-b'] as const;
export const EDGELB_CLASS = 'edgelb.io/bgp';
export const OTHER_CLASS = 'example.com/other-lb';
export const SHARING_KEYS = ['k1', 'k2'] as const;
export const PEERING_NODES = ['worker', 'pi4'] as const;
export const ALL_NODES = ['worker', 'pi4', 'master'] as const;
export type Node = (typeof ALL_NODES)[number];

/** The big pool's states: /26 normally, widened to /25, shrunk to /27 (the soak uses a /24). */
export type ChaosBlock = 24 | 25 | 26 | 27;
export const CHAOS_NET = '10.77.0';
export const BLOG_IPS = ['172.198.1.1', '172.198.1.2'];
export const BLOG_LABEL = { 'app.kubernetes.io/name': 'ingress-nginx' };

export interface SvcSpec {
  name: string;
  ns: (typeof NS)[number];
  /** unique per Service, so Services sharing an IP never collide on ports */
  port: number;
  cls: 'none' | 'edgelb' | 'other';
  requestIp?: string;
  sharingKey?: string;
  etpLocal: boolean;
  blogLabel: boolean;
  /** nodes with a ready endpoint (EndpointSlice) */
  endpoints: Node[];
  touch: number;
}

export interface PoolState {
  block: ChaosBlock;
  disabled: boolean;
}

export const owned = (s: SvcSpec) => s.cls !== 'other';

export function serviceObject(s: SvcSpec): any {
  const annotations: Record<string, string> = { 'chaos/touch': String(s.touch) };
  if (s.requestIp) annotations['edgelb.io/ips'] = s.requestIp;
  if (s.sharingKey) annotations['edgelb.io/sharing-key'] = s.sharingKey;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name,
      namespace: s.ns,
      labels: s.blogLabel ? { ...BLOG_LABEL } : { app: 'chaos' },
      annotations,
    },
    spec: {
      type: 'LoadBalancer',
      selector: { app: s.sharingKey ?? s.name },
      ports: [{ name: 'p', port: s.port, protocol: 'TCP' }],
      externalTrafficPolicy: s.etpLocal ? 'Local' : 'Cluster',
      ...(s.cls === 'edgelb' ? { loadBalancerClass: EDGELB_CLASS } : {}),
      ...(s.cls === 'other' ? { loadBalancerClass: OTHER_CLASS } : {}),
    },
  };
}

/** Applies the spec to the live object (keeps status, clusterIP, uid...). */
export function applySpec(live: any, s: SvcSpec): any {
  const want = serviceObject(s);
  const next = structuredClone(live);
  next.metadata.labels = want.metadata.labels;
  next.metadata.annotations = want.metadata.annotations;
  next.spec.selector = want.spec.selector;
  next.spec.ports = want.spec.ports;
  next.spec.externalTrafficPolicy = want.spec.externalTrafficPolicy;
  if (!s.etpLocal) delete next.spec.healthCheckNodePort;
  return next;
}

export function endpointSliceObject(s: SvcSpec): any {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${s.name}-eps`,
      namespace: s.ns,
      labels: { 'kubernetes.io/service-name': s.name },
    },
    addressType: 'IPv4',
    endpoints: s.endpoints.map((node, i) => ({
      addresses: [`10.42.${ALL_NODES.indexOf(node)}.${10 + i}`],
      nodeName: node,
      conditions: { ready: true, serving: true, terminating: false },
    })),
    ports: [{ name: 'p', port: s.port, protocol: 'TCP' }],
  };
}

export function chaosPoolObject(p: PoolState): any {
  return {
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'LoadBalancerIPPool',
    metadata: { name: 'chaos' },
    spec: { blocks: [{ cidr: `${CHAOS_NET}.0/${p.block}` }], disabled: p.disabled },
  };
}

export const BLOG_POOL = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name: 'nginx-ingress' },
  spec: { blocks: [{ cidr: '172.198.1.0/30' }], serviceSelector: { matchLabels: BLOG_LABEL } },
};

export const POLICY = {
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BGPPeeringPolicy',
  metadata: { name: 'chaos' },
  spec: {
    nodeSelector: { matchLabels: { peering: 'yes' } },
    virtualRouters: [
      {
        localASN: 65001,
        serviceSelector: {},
        neighbors: [
          {
            peerAddress: '192.168.2.1/32',
            peerASN: 65000,
            connectRetryTimeSeconds: 1,
            holdTimeSeconds: 9,
            keepAliveTimeSeconds: 3,
          },
        ],
      },
    ],
  },
};

/** Last octet range of the usable addresses of the chaos pool in this state (network/broadcast skipped). */
export function chaosRange(block: ChaosBlock): [number, number] {
  const size = 2 ** (32 - block);
  return [1, size - 2];
}

/** Is `ip` an address some pool hands to this Service (ignoring disabled, which keeps holders)? */
export function inEligiblePool(ip: string, s: SvcSpec, pool: PoolState): boolean {
  if (s.blogLabel && BLOG_IPS.includes(ip)) return true;
  if (!ip.startsWith(`${CHAOS_NET}.`)) return false;
  const last = Number(ip.slice(CHAOS_NET.length + 1));
  const [lo, hi] = chaosRange(pool.block);
  return last >= lo && last <= hi;
}

/** May a and b hold one IP (edgelb's rules for what the harness generates)? */
export function compatible(a: SvcSpec, b: SvcSpec): boolean {
  if (!a.sharingKey || a.sharingKey !== b.sharingKey) return false;
  if (a.ns !== b.ns) return false;
  if (a.port === b.port) return false;
  if (a.etpLocal !== b.etpLocal) return false;
  // ETP Local sharers must select the same pods: the harness's selector is the key.
  return true;
}

/** Why `ip` is not valid for `s` under its current spec and pools (undefined: valid). */
export function invalidWhy(ip: string, s: SvcSpec, pool: PoolState, holders: SvcSpec[]): string | undefined {
  if (s.requestIp && s.requestIp !== ip) return `requests ${s.requestIp}`;
  if (!inEligiblePool(ip, s, pool)) return 'outside its pools';
  for (const o of holders) if (o !== s && !compatible(s, o)) return `incompatible with ${o.ns}/${o.name}`;
  return undefined;
}

/** Routes FRR should hold once converged: prefix -> sorted next hops. */
export function expectedRoutes(
  specs: SvcSpec[],
  statusIps: (s: SvcSpec) => string[],
  addrOf: (n: Node) => string,
): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const s of specs) {
    if (!owned(s)) continue;
    for (const ip of statusIps(s)) {
      const from = PEERING_NODES.filter((n) => !s.etpLocal || s.endpoints.includes(n));
      let set = out.get(`${ip}/32`);
      if (from.length === 0) continue;
      if (!set) {
        set = new Set();
        out.set(`${ip}/32`, set);
      }
      for (const n of from) set.add(addrOf(n));
    }
  }
  return new Map([...out].map(([p, s]) => [p, [...s].sort()]));
}
