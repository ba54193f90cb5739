/**
 * PURE. MetalLB (metallb.io) -> edgelb. IPAddressPool -> LoadBalancerIPPool. BGPPeer +
 * BGPAdvertisement -> BGPPeeringPolicy: each peer is a neighbor; the advertisements that
 * apply to it give the Service selector, the node selector (ANDed with the peer's) and
 * the path attributes; peers that end up with the same node selector, ASN and Service
 * selector share one policy.
 */
import {
  API_VERSION,
  type BGPAdvertisement,
  type BGPNeighbor,
  type BGPPathAttributes,
  type BGPPeeringPolicy,
  type BGPVirtualRouter,
  type IPBlock,
  type LabelSelector,
  type LoadBalancerIPPool,
  SERVICE_NAMESPACE_LABEL,
} from '../api/v1alpha1.ts';
import { metallbCommunities, pathAttributes } from './communities.ts';
import { ipBlockFromMetalLB, poolObject } from './ip-blocks.ts';
import { type PoolLabels, poolsOf } from './metallb-l2.ts';
import { andSelectors, isEmptySelector, toSelector } from './selector.ts';
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

/**
 * A pool's one selector. MetalLB ORs a list; edgelb's pool takes one, and dropping the others
 * would change which Services get an IP from it: lossy (the first is kept with --allow-lossy).
 */
function onlySelector(v: unknown, field: string, notes: Notes, what: string): LabelSelector | undefined {
  const list = asList(v);
  if (list.length > 1)
    notes.lossy(
      field,
      `MetalLB ORs these ${list.length} selectors, an edgelb pool takes one (ANDed terms): only the ${what} ${field}[0] matches would get IPs from it; split the pool, or merge the selectors into one`,
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
    const bySelector = onlySelector(alloc.serviceSelectors, at(f, 'serviceSelectors'), notes, 'Services');
    const sel = andSelectors(byNamespace, bySelector);
    if (sel) out.spec.serviceSelector = sel;
    if (present(alloc.priority)) notes.warn(at(f, 'priority'), 'edgelb has no pool priority; dropped');
    const byNamespaceLabels = onlySelector(
      alloc.namespaceSelectors,
      at(f, 'namespaceSelectors'),
      notes,
      'namespaces',
    );
    if (byNamespaceLabels && !isEmptySelector(byNamespaceLabels)) {
      // MetalLB takes a Service whose namespace is listed OR whose Namespace matches; an edgelb
      // pool ANDs its selectors, so both together would narrow the pool.
      if (namespaces.length > 0)
        notes.lossy(
          at(f, 'namespaceSelectors'),
          'MetalLB serves the listed namespaces OR those the selector matches; an edgelb pool ANDs them (only listed namespaces that also match would get IPs): list every namespace in serviceAllocation.namespaces, or label them all and keep only namespaceSelectors',
        );
      out.spec.namespaceSelector = byNamespaceLabels;
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
  disableMP: 'edgelb always negotiates IPv4 and IPv6 unicast',
  dualStackAddressFamily: 'edgelb always negotiates IPv4 and IPv6 unicast',
};

interface PeerPlan {
  peer: Source;
  localASN: number;
  neighbor: BGPNeighbor;
  /** ORed ([undefined]: every node). */
  nodeSelectors: (LabelSelector | undefined)[];
}

function peerPlan(s: Source, bfdNames: ReadonlySet<string>): PeerPlan | undefined {
  const { doc, notes } = s;
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const localASN = intIn(spec.myASN, 1, UINT32_MAX);
  if (localASN === undefined) notes.error('spec.myASN', `must be an ASN 1..${UINT32_MAX}`);
  let peerASN = intIn(spec.peerASN, 1, UINT32_MAX);
  if (peerASN === undefined && spec.dynamicASN === 'internal' && localASN !== undefined) peerASN = localASN;
  if (peerASN === undefined && spec.dynamicASN === 'external') {
    // The ASN is learnt from the peer's OPEN: handled as Cilium's peer without peerASN.
    notes.lossy(
      'spec.dynamicASN',
      `BGPPeer ${s.name}: edgelb needs the peer’s ASN (it does not learn it from the OPEN); write peerASN, or the peer is dropped`,
    );
    return undefined;
  }
  if (peerASN === undefined) {
    notes.error(
      present(spec.dynamicASN) ? 'spec.dynamicASN' : 'spec.peerASN',
      'edgelb needs the peer’s ASN: set peerASN',
    );
  }
  if (present(spec.interface) && spec.interface !== '') {
    // BGP unnumbered: the peer is whoever answers on that interface. Converting it without an
    // address would peer with nobody (or, with a guess, with the wrong router).
    notes.lossy(
      'spec.interface',
      `BGPPeer ${s.name} is unnumbered (interface ${String(spec.interface)}): edgelb peers with an address; write spec.peerAddress (the router's address on ${String(spec.interface)}) and peerASN`,
    );
    return undefined;
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
      'interface',
      ...Object.keys(PEER_DROPPED),
    ],
    notes,
  );
  const nodeSelectors = orSelectors(spec.nodeSelectors, 'spec.nodeSelectors', notes);
  return { peer: s, localASN, neighbor: n, nodeSelectors };
}

interface AdPlan {
  ad: Source;
  peers: string[];
  /** MetalLB ORs its serviceSelectors: one edgelb advertisement each ([{}] when none). */
  serviceSelectors: LabelSelector[];
  /** ORed node selectors ([undefined] when none: every node). */
  nodeSelectors: (LabelSelector | undefined)[];
  /** undefined = every pool. */
  pools?: string[];
  attributes?: BGPPathAttributes;
  /** eBGP peers its localPref was dropped for (one warning per advertisement). */
  ebgpPeers: string[];
}

/** ORed selectors: every one of them ([undefined] when none; an empty one matches everything). */
function orSelectors(v: unknown, field: string, notes: Notes): (LabelSelector | undefined)[] {
  const out: LabelSelector[] = [];
  for (const [i, x] of asList(v).entries()) {
    const sel = toSelector(x, at(field, i), notes);
    if (sel) out.push(sel);
  }
  if (out.length === 0 || out.some(isEmptySelector)) return [undefined];
  return out;
}

function adPlan(s: Source, aliases: Map<string, string>, pools: PoolLabels[]): AdPlan | undefined {
  const { doc, notes } = s;
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  if (present(spec.aggregationLength) && spec.aggregationLength !== 32) {
    notes.warn('spec.aggregationLength', 'edgelb announces /32 host routes only; aggregation dropped');
  }
  if (present(spec.aggregationLengthV6) && spec.aggregationLengthV6 !== 128) {
    notes.warn('spec.aggregationLengthV6', 'edgelb announces /128 host routes only; aggregation dropped');
  }
  const limited = poolsOf(s, pools);
  const serviceSelectors = orSelectors(spec.serviceSelectors, 'spec.serviceSelectors', notes).map(
    (x) => x ?? {},
  );
  const nodeSelectors = orSelectors(spec.nodeSelectors, 'spec.nodeSelectors', notes);
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
  if (limited === null || notes.errorCount() !== errors) return undefined;
  return {
    ad: s,
    peers: asList(spec.peers).map(String),
    serviceSelectors,
    nodeSelectors,
    ...(limited ? { pools: limited } : {}),
    ...(attributes ? { attributes } : {}),
    ebgpPeers: [],
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

/** The attributes an advertisement gives one peer: localPref only toward iBGP (as MetalLB's FRR does). */
function attributesFor(ad: AdPlan, peer: PeerPlan): BGPPathAttributes | undefined {
  const a = ad.attributes;
  if (a?.localPreference === undefined || peer.neighbor.peerASN === peer.localASN) return a;
  if (!ad.ebgpPeers.includes(peer.peer.name)) ad.ebgpPeers.push(peer.peer.name);
  const { localPreference: _, ...rest } = a;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** One node selector's worth of what a peer announces. */
interface PeerPart {
  nodeSelector: LabelSelector | undefined;
  vr: Omit<BGPVirtualRouter, 'neighbors'>;
  neighbor: BGPNeighbor;
  ads: string[];
}

/**
 * What one peer announces, per node selector. The simplest form that says the same thing:
 * one advertisement over every pool is the virtual router's serviceSelector with the
 * attributes on the neighbor (the form MetalLB users see first); anything more is
 * advertisements[], each with its pools and attributes.
 */
function peerParts(plan: PeerPlan, applicable: AdPlan[], inputPools: readonly string[]): PeerPart[] {
  const bySelector = new Map<string, { nodeSelector?: LabelSelector; ads: AdPlan[] }>();
  for (const peerSel of plan.nodeSelectors) {
    for (const ad of applicable) {
      for (const adSel of ad.nodeSelectors) {
        const nodeSelector = andSelectors(peerSel, adSel);
        const key = JSON.stringify(nodeSelector ?? null);
        let g = bySelector.get(key);
        if (!g) {
          g = { ...(nodeSelector ? { nodeSelector } : {}), ads: [] };
          bySelector.set(key, g);
        }
        if (!g.ads.includes(ad)) g.ads.push(ad);
      }
    }
  }
  const parts: PeerPart[] = [];
  for (const g of bySelector.values()) {
    const advertisements: BGPAdvertisement[] = [];
    for (const ad of g.ads) {
      const attributes = attributesFor(ad, plan);
      for (const serviceSelector of ad.serviceSelectors) {
        const a: BGPAdvertisement = { serviceSelector };
        if (ad.pools) a.pools = ad.pools;
        if (attributes) a.advertisedPathAttributes = attributes;
        if (!advertisements.some((x) => JSON.stringify(x) === JSON.stringify(a))) advertisements.push(a);
      }
    }
    const [only] = advertisements;
    // Naming every pool of the input announces what "every pool" does for that input.
    const everyPool = (p: string[] | undefined) =>
      p === undefined || (inputPools.length > 0 && inputPools.every((x) => p.includes(x)));
    // The short form puts the attributes on the neighbor: only while the peer is in one
    // policy, or a node in two would see one neighbor with two settings.
    const simple = bySelector.size === 1 && advertisements.length === 1 && only && everyPool(only.pools);
    parts.push({
      nodeSelector: g.nodeSelector,
      vr: simple
        ? { localASN: plan.localASN, serviceSelector: only.serviceSelector }
        : { localASN: plan.localASN, advertisements },
      neighbor:
        simple && only.advertisedPathAttributes
          ? { ...plan.neighbor, advertisedPathAttributes: only.advertisedPathAttributes }
          : plan.neighbor,
      ads: g.ads.map((a) => a.ad.name),
    });
  }
  return parts;
}

export function convertMetalLBBGP(
  peers: Source[],
  ads: Source[],
  aliases: Map<string, string>,
  pools: PoolLabels[],
  bfdNames: ReadonlySet<string> = new Set(),
): BGPPeeringPolicy[] {
  const adPlans = ads.map((a) => adPlan(a, aliases, pools)).filter((a): a is AdPlan => a !== undefined);
  const groups = new Map<string, { policy: BGPPeeringPolicy; names: string[]; ads: Set<string> }>();
  const add = (
    name: string,
    nodeSelector: LabelSelector | undefined,
    part: PeerPart['vr'],
    n: BGPNeighbor,
    adNames: string[],
  ) => {
    const key = JSON.stringify([nodeSelector ?? null, part]);
    let g = groups.get(key);
    if (!g) {
      const policy: BGPPeeringPolicy = {
        apiVersion: API_VERSION,
        kind: 'BGPPeeringPolicy',
        metadata: { name },
        spec: {
          ...(nodeSelector ? { nodeSelector } : {}),
          virtualRouters: [{ ...part, neighbors: [] }],
        },
      };
      g = { policy, names: [], ads: new Set() };
      groups.set(key, g);
    }
    g.names.push(name);
    for (const a of adNames) g.ads.add(a);
    g.policy.spec.virtualRouters[0]?.neighbors.push(n);
  };
  for (const p of peers) {
    const plan = peerPlan(p, bfdNames);
    if (!plan) continue;
    const applicable = adPlans.filter((a) => a.peers.length === 0 || a.peers.includes(p.name));
    if (applicable.length === 0) {
      p.notes.warn(
        '',
        'no BGPAdvertisement applies to this peer: MetalLB announces nothing to it, and neither does edgelb',
      );
      for (const sel of plan.nodeSelectors) add(p.name, sel, { localASN: plan.localASN }, plan.neighbor, []);
      continue;
    }
    for (const part of peerParts(
      plan,
      applicable,
      pools.map((x) => x.name),
    ))
      add(p.name, part.nodeSelector, part.vr, part.neighbor, part.ads);
  }
  for (const ad of adPlans)
    if (ad.ebgpPeers.length > 0)
      ad.ad.notes.warn(
        'spec.localPref',
        `LOCAL_PREF is sent to iBGP peers only, by MetalLB and edgelb alike; dropped for the eBGP peer(s) ${ad.ebgpPeers.join(', ')}`,
      );
  // A policy for several peers is named after its one advertisement, else its first peer.
  return [...groups.values()].map((g) => {
    if (g.names.length > 1 && g.ads.size === 1)
      g.policy.metadata.name = [...g.ads][0] ?? g.policy.metadata.name;
    return g.policy;
  });
}
