/**
 * PURE. MetalLB (metallb.io) -> edgelb. IPAddressPool -> LoadBalancerIPPool. BGPPeer +
 * BGPAdvertisement -> BGPPeeringPolicy: each peer is a neighbor; the advertisements that
 * apply to it give the Service selector, the node selector (ANDed with the peer's) and
 * the path attributes; peers that end up with the same node selector, ASN and Service
 * selector share one policy.
 */
import {
  API_VERSION,
  type BGPNeighbor,
  type BGPPeeringPolicy,
  type IPBlock,
  type LabelSelector,
  type LoadBalancerIPPool,
  SERVICE_NAMESPACE_LABEL,
} from '../api/v1alpha1.ts';
import { metallbCommunities, pathAttributes } from './communities.ts';
import { ipBlockFromMetalLB, poolObject } from './ip-blocks.ts';
import { andSelectors, toSelector } from './selector.ts';
import { asList, at, intIn, isMap, type Notes, present, type Rec, UINT32_MAX } from './types.ts';

export interface Source {
  doc: Rec;
  name: string;
  notes: Notes;
}

function warnUnknown(spec: Rec, known: string[], notes: Notes): void {
  for (const key of Object.keys(spec))
    if (!known.includes(key)) notes.warn(at('spec', key), 'is not a field edgelb knows; dropped');
}

/** The first selector of a MetalLB selector list (ORed); a warning when there are more. */
function firstSelector(v: unknown, field: string, notes: Notes): LabelSelector | undefined {
  const list = asList(v);
  if (list.length > 1)
    notes.warn(
      field,
      `edgelb takes one selector here; only ${field}[0] is kept (MetalLB ORs all ${list.length})`,
    );
  return list.length > 0 ? toSelector(list[0], `${field}[0]`, notes) : undefined;
}

export function convertMetalLBPool(s: Source): LoadBalancerIPPool | undefined {
  const { doc, name, notes } = s;
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const blocks: IPBlock[] = [];
  for (const [i, a] of asList(spec.addresses).entries()) {
    const b = ipBlockFromMetalLB(String(a), at('spec.addresses', i), notes);
    if (b) blocks.push(b);
  }
  if (blocks.length === 0 && notes.errorCount() === errors)
    notes.error('spec.addresses', 'the pool has no addresses');
  const out = poolObject(name, blocks, doc);
  if (spec.autoAssign === false) out.spec.autoAssign = false;
  // MetalLB hands out every address of a CIDR, network and broadcast included, unless avoidBuggyIPs.
  if (spec.avoidBuggyIPs === true) {
    out.spec.allowFirstLastIPs = false;
    if (blocks.some((b) => b.start !== undefined || !/\/(2[4-9]|3[0-2])$/.test(b.cidr ?? ''))) {
      notes.warn(
        'spec.avoidBuggyIPs',
        'edgelb skips the first and last address of each CIDR, not every .0 and .255 inside larger blocks or ranges',
      );
    }
  } else out.spec.allowFirstLastIPs = true;
  const alloc = isMap(spec.serviceAllocation) ? spec.serviceAllocation : undefined;
  if (alloc) {
    const f = 'spec.serviceAllocation';
    const namespaces = asList(alloc.namespaces).map(String);
    const byNamespace: LabelSelector | undefined =
      namespaces.length > 0
        ? { matchExpressions: [{ key: SERVICE_NAMESPACE_LABEL, operator: 'In', values: namespaces }] }
        : undefined;
    const bySelector = firstSelector(alloc.serviceSelectors, at(f, 'serviceSelectors'), notes);
    const sel = andSelectors(byNamespace, bySelector);
    if (sel) out.spec.serviceSelector = sel;
    if (present(alloc.priority)) notes.warn(at(f, 'priority'), 'edgelb has no pool priority; dropped');
    if (asList(alloc.namespaceSelectors).length > 0) {
      notes.warn(
        at(f, 'namespaceSelectors'),
        'edgelb selects Services by their own labels and namespace name, not namespace labels; dropped (list the namespaces in serviceAllocation.namespaces instead)',
      );
    }
  }
  warnUnknown(spec, ['addresses', 'autoAssign', 'avoidBuggyIPs', 'serviceAllocation'], notes);
  return notes.errorCount() === errors ? out : undefined;
}

/** Go duration ("90s", "1m30s", "3m") in whole seconds. */
export function durationSeconds(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v !== 'string' || !/^((\d+(\.\d+)?)(h|m|s|ms))+$/.test(v.trim())) return undefined;
  let ms = 0;
  for (const m of v.trim().matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    ms += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
  }
  return Math.round(ms / 1000);
}

const PEER_DROPPED: Record<string, string> = {
  vrf: 'edgelb peers in the default VRF only',
  sourceAddress: 'edgelb picks the source address by the route to the peer',
  routerID: 'the router ID is bgp.routerId in the node config',
  localASN: 'edgelb announces with myASN',
  interface: 'edgelb has no BGP unnumbered; set peerAddress',
  disableMP: 'edgelb always negotiates IPv4 and IPv6 unicast',
  dualStackAddressFamily: 'edgelb always negotiates IPv4 and IPv6 unicast',
};

interface PeerPlan {
  peer: Source;
  localASN: number;
  neighbor: BGPNeighbor;
  nodeSelector?: LabelSelector;
}

function peerPlan(s: Source, bfdNames: ReadonlySet<string>): PeerPlan | undefined {
  const { doc, notes } = s;
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const localASN = intIn(spec.myASN, 1, UINT32_MAX);
  if (localASN === undefined) notes.error('spec.myASN', `must be an ASN 1..${UINT32_MAX}`);
  let peerASN = intIn(spec.peerASN, 1, UINT32_MAX);
  if (peerASN === undefined && spec.dynamicASN === 'internal' && localASN !== undefined) peerASN = localASN;
  if (peerASN === undefined) {
    notes.error(
      present(spec.dynamicASN) ? 'spec.dynamicASN' : 'spec.peerASN',
      'edgelb needs the peer’s ASN: set peerASN',
    );
  }
  if (typeof spec.peerAddress !== 'string' || spec.peerAddress === '')
    notes.error('spec.peerAddress', 'is required');
  if (notes.errorCount() !== errors || localASN === undefined || peerASN === undefined) return undefined;
  const n: BGPNeighbor = { peerAddress: String(spec.peerAddress), peerASN };
  if (present(spec.peerPort)) n.peerPort = intIn(spec.peerPort, 1, 65535);
  for (const [from, to] of [
    ['holdTime', 'holdTimeSeconds'],
    ['keepaliveTime', 'keepAliveTimeSeconds'],
    ['connectTime', 'connectRetryTimeSeconds'],
  ] as const) {
    if (!present(spec[from])) continue;
    const sec = durationSeconds(spec[from]);
    if (sec === undefined)
      notes.error(at('spec', from), `must be a duration such as "90s", got ${JSON.stringify(spec[from])}`);
    else n[to] = sec;
  }
  // FRR's "neighbor X ebgp-multihop" without a TTL means 255 hops, which is what MetalLB configures.
  if (spec.ebgpMultiHop === true) n.eBGPMultihopTTL = 255;
  if (spec.enableGracefulRestart === true) n.gracefulRestart = { enabled: true };
  if (typeof spec.bfdProfile === 'string' && spec.bfdProfile !== '') {
    n.bfdProfile = spec.bfdProfile;
    if (!bfdNames.has(spec.bfdProfile))
      notes.warn(
        'spec.bfdProfile',
        `no BFDProfile "${spec.bfdProfile}" in the input: edgelb runs this neighbor without BFD until one with that name exists`,
      );
  }
  if (isMap(spec.passwordSecret)) {
    const ns =
      spec.passwordSecret.namespace ??
      (isMap(doc.metadata) ? doc.metadata.namespace : undefined) ??
      'metallb-system';
    n.authSecretRef = { name: String(spec.passwordSecret.name), namespace: String(ns), key: 'password' };
  }
  if (present(spec.password)) {
    notes.warn(
      'spec.password',
      'edgelb reads BGP passwords from Secrets only; create one (key "password") and set authSecretRef',
    );
  }
  for (const [k, why] of Object.entries(PEER_DROPPED)) {
    if (present(spec[k]) && spec[k] !== false && spec[k] !== '') notes.warn(at('spec', k), `${why}; dropped`);
  }
  warnUnknown(
    spec,
    [
      'myASN',
      'peerASN',
      'dynamicASN',
      'peerAddress',
      'peerPort',
      'holdTime',
      'keepaliveTime',
      'connectTime',
      'ebgpMultiHop',
      'enableGracefulRestart',
      'passwordSecret',
      'password',
      'nodeSelectors',
      'bfdProfile',
      ...Object.keys(PEER_DROPPED),
    ],
    notes,
  );
  const nodeSelector = firstSelector(spec.nodeSelectors, 'spec.nodeSelectors', notes);
  return { peer: s, localASN, neighbor: n, ...(nodeSelector ? { nodeSelector } : {}) };
}

interface AdPlan {
  ad: Source;
  peers: string[];
  serviceSelector: LabelSelector;
  nodeSelector?: LabelSelector;
  attributes?: BGPNeighbor['advertisedPathAttributes'];
}

function adPlan(s: Source, aliases: Map<string, string>, poolNames: string[]): AdPlan | undefined {
  const { doc, notes } = s;
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  if (present(spec.aggregationLength) && spec.aggregationLength !== 32) {
    notes.warn('spec.aggregationLength', 'edgelb announces /32 host routes only; aggregation dropped');
  }
  if (present(spec.aggregationLengthV6) && spec.aggregationLengthV6 !== 128) {
    notes.warn('spec.aggregationLengthV6', 'edgelb announces /128 host routes only; aggregation dropped');
  }
  const pools = asList(spec.ipAddressPools).map(String);
  if (pools.length > 0 && !poolNames.every((p) => pools.includes(p))) {
    notes.warn(
      'spec.ipAddressPools',
      'edgelb cannot limit announcements to some pools; it announces every Service the selector matches, whatever its pool',
    );
  }
  if (asList(spec.ipAddressPoolSelectors).length > 0) {
    notes.warn(
      'spec.ipAddressPoolSelectors',
      'edgelb cannot limit announcements to some pools; it announces every Service the selector matches, whatever its pool',
    );
  }
  const serviceSelector = firstSelector(spec.serviceSelectors, 'spec.serviceSelectors', notes) ?? {};
  const nodeSelector = firstSelector(spec.nodeSelectors, 'spec.nodeSelectors', notes);
  const attributes = pathAttributes(
    metallbCommunities(spec.communities, 'spec.communities', notes, aliases),
    intIn(spec.localPref, 0, UINT32_MAX),
  );
  warnUnknown(
    spec,
    [
      'aggregationLength',
      'aggregationLengthV6',
      'localPref',
      'communities',
      'ipAddressPools',
      'ipAddressPoolSelectors',
      'nodeSelectors',
      'peers',
      'serviceSelectors',
    ],
    notes,
  );
  if (notes.errorCount() !== errors) return undefined;
  return {
    ad: s,
    peers: asList(spec.peers).map(String),
    serviceSelector,
    ...(nodeSelector ? { nodeSelector } : {}),
    ...(attributes ? { attributes } : {}),
  };
}

/** Community objects: alias name -> value. */
export function communityAliases(docs: Rec[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of docs) {
    const spec = isMap(d.spec) ? d.spec : {};
    for (const c of asList(spec.communities))
      if (isMap(c) && typeof c.name === 'string') out.set(c.name, String(c.value));
  }
  return out;
}

export function convertMetalLBBGP(
  peers: Source[],
  ads: Source[],
  aliases: Map<string, string>,
  poolNames: string[],
  bfdNames: ReadonlySet<string> = new Set(),
): BGPPeeringPolicy[] {
  const adPlans = ads.map((a) => adPlan(a, aliases, poolNames)).filter((a): a is AdPlan => a !== undefined);
  const groups = new Map<string, { policy: BGPPeeringPolicy; names: string[]; ads: Set<string> }>();
  for (const p of peers) {
    const plan = peerPlan(p, bfdNames);
    if (!plan) continue;
    const applicable = adPlans.filter((a) => a.peers.length === 0 || a.peers.includes(p.name));
    const [ad, ...rest] = applicable;
    for (const r of rest) {
      const same =
        JSON.stringify([r.serviceSelector, r.nodeSelector, r.attributes]) ===
        JSON.stringify([ad?.serviceSelector, ad?.nodeSelector, ad?.attributes]);
      if (!same)
        r.ad.notes.warn(
          'spec',
          `BGPPeer ${p.name} already announces by BGPAdvertisement ${ad?.ad.name}; edgelb takes one advertisement per peer, this one is dropped for it`,
        );
    }
    if (!ad)
      p.notes.warn(
        '',
        'no BGPAdvertisement applies to this peer: MetalLB announces nothing to it, and neither does edgelb',
      );
    const neighbor = ad?.attributes
      ? { ...plan.neighbor, advertisedPathAttributes: ad.attributes }
      : plan.neighbor;
    const nodeSelector = andSelectors(plan.nodeSelector, ad?.nodeSelector);
    const key = JSON.stringify([nodeSelector ?? null, plan.localASN, ad?.serviceSelector ?? null]);
    let g = groups.get(key);
    if (!g) {
      const policy: BGPPeeringPolicy = {
        apiVersion: API_VERSION,
        kind: 'BGPPeeringPolicy',
        metadata: { name: p.name },
        spec: {
          ...(nodeSelector ? { nodeSelector } : {}),
          virtualRouters: [
            ad
              ? { localASN: plan.localASN, serviceSelector: ad.serviceSelector, neighbors: [] }
              : { localASN: plan.localASN, neighbors: [] },
          ],
        },
      };
      g = { policy, names: [], ads: new Set() };
      groups.set(key, g);
    }
    g.names.push(p.name);
    if (ad) g.ads.add(ad.ad.name);
    g.policy.spec.virtualRouters[0]?.neighbors.push(neighbor);
  }
  // A policy for several peers is named after its one advertisement, else its first peer.
  return [...groups.values()].map((g) => {
    if (g.names.length > 1 && g.ads.size === 1)
      g.policy.metadata.name = [...g.ads][0] ?? g.policy.metadata.name;
    return g.policy;
  });
}
