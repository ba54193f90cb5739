/**
 * PURE. MetalLB (metallb.io) -> edgelb. BGPPeer + BGPAdvertisement -> BGPPeeringPolicy: each
 * peer is a neighbor; the advertisements that apply to it give the Service selector, the node
 * selector (ANDed with the peer's) and the path attributes; peers that end up with the same
 * node selector, ASN and Service selector share one policy. The parts: metallb-pool.ts
 * (IPAddressPool -> LoadBalancerIPPool), metallb-peer.ts, metallb-advertisement.ts,
 * metallb-source.ts (shared helpers), metallb-l2.ts, metallb-bfd.ts.
 */
import {
  API_VERSION,
  type BGPAdvertisement,
  type BGPNeighbor,
  type BGPPathAttributes,
  type BGPPeeringPolicy,
  type BGPVirtualRouter,
  type LabelSelector,
} from '../api/v1alpha1.ts';
import { type AdPlan, adPlan } from './metallb-advertisement.ts';
import type { PoolLabels } from './metallb-l2.ts';
import { type PeerPlan, peerPlan } from './metallb-peer.ts';
import type { Source } from './metallb-source.ts';
import { andSelectors } from './selector.ts';

export { communityAliases } from './metallb-advertisement.ts';
export { convertMetalLBPool } from './metallb-pool.ts';
export type { Source } from './metallb-source.ts';

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
