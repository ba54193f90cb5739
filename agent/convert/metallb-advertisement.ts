/**
 * PURE. One MetalLB BGPAdvertisement -> what it announces (Service and node selectors, pools,
 * path attributes) and to which peers; Community objects -> the aliases its communities name.
 */
import type { BGPPathAttributes, LabelSelector } from '../api/v1alpha1.ts';
import { metallbCommunities, pathAttributes } from './communities.ts';
import { type PoolLabels, poolsOf } from './metallb-l2.ts';
import { orSelectors, type Source, warnUnknown } from './metallb-source.ts';
import { asList, intIn, isMap, present, type Rec, UINT32_MAX } from './types.ts';

export interface AdPlan {
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

export function adPlan(s: Source, aliases: Map<string, string>, pools: PoolLabels[]): AdPlan | undefined {
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
