/**
 * PURE. CiliumBGPPeeringPolicy (cilium.io/v2alpha1, "BGPv1") -> BGPPeeringPolicy. edgelb's
 * spec mirrors this one; what it has no room for (pod CIDRs, ClusterIP/ExternalIP
 * advertisements, per-selector path attributes, address families) gets a warning.
 */
import {
  API_VERSION,
  type BGPNeighbor,
  type BGPPeeringPolicy,
  type BGPVirtualRouter,
} from '../api/v1alpha1.ts';
import { ciliumCommunities, pathAttributes } from './communities.ts';
import { isEmptySelector, toSelector } from './selector.ts';
import { asList, at, intIn, isMap, metaLabels, type Notes, present, type Rec, UINT32_MAX } from './types.ts';

const NEIGHBOR_COPY = [
  'peerPort',
  'eBGPMultihopTTL',
  'connectRetryTimeSeconds',
  'holdTimeSeconds',
  'keepAliveTimeSeconds',
] as const;

/** Cilium's `authSecretRef: <name>` (key "password", in Cilium's BGP secrets namespace). */
export function ciliumAuthSecretRef(v: unknown, field: string, notes: Notes): BGPNeighbor['authSecretRef'] {
  const name = String(v);
  notes.warn(
    field,
    `Cilium reads Secret ${name} from its BGP secrets namespace (kube-system unless --bgp-secrets-namespace); converted to kube-system/${name} key "password", check it`,
  );
  return { name, namespace: 'kube-system', key: 'password' };
}

/** Warns unless families is absent or exactly IPv4 and IPv6 unicast (edgelb announces both). */
export function checkFamilies(v: unknown, field: string, notes: Notes): void {
  if (!present(v)) return;
  const fams = asList(v)
    .map((f) => (isMap(f) ? `${f.afi}/${f.safi}` : String(f)))
    .sort();
  if (fams.join(',') !== 'ipv4/unicast,ipv6/unicast') {
    notes.warn(
      field,
      `edgelb announces IPv4 and IPv6 unicast to every neighbor; [${fams.join(', ')}] not carried over`,
    );
  }
}

function neighbor(v: Rec, field: string, notes: Notes, localASN: number): BGPNeighbor | undefined {
  const peerASN = intIn(v.peerASN, 1, UINT32_MAX);
  if (typeof v.peerAddress !== 'string' || v.peerAddress === '')
    return void notes.error(at(field, 'peerAddress'), 'is required');
  if (peerASN === undefined) return void notes.error(at(field, 'peerASN'), `must be an ASN 1..${UINT32_MAX}`);
  const n: BGPNeighbor = { peerAddress: v.peerAddress, peerASN };
  for (const k of NEIGHBOR_COPY) {
    if (present(v[k])) {
      const x = intIn(v[k], 0, UINT32_MAX);
      if (x === undefined)
        notes.error(at(field, k), `must be a non-negative integer, got ${JSON.stringify(v[k])}`);
      else n[k] = x;
    }
  }
  if (isMap(v.gracefulRestart)) {
    const g: NonNullable<BGPNeighbor['gracefulRestart']> = {};
    if (present(v.gracefulRestart.enabled)) g.enabled = v.gracefulRestart.enabled === true;
    const t = intIn(v.gracefulRestart.restartTimeSeconds, 1, 4095);
    if (t !== undefined) g.restartTimeSeconds = t;
    n.gracefulRestart = g;
  }
  if (present(v.authSecretRef))
    n.authSecretRef = ciliumAuthSecretRef(v.authSecretRef, at(field, 'authSecretRef'), notes);
  checkFamilies(v.families, at(field, 'families'), notes);

  // advertisedPathAttributes: a list per selector in Cilium, one set per neighbor in edgelb.
  let taken = false;
  for (const [i, a] of asList(v.advertisedPathAttributes).entries()) {
    const f = at(at(field, 'advertisedPathAttributes'), i);
    if (!isMap(a)) continue;
    if (a.selectorType !== 'CiliumLoadBalancerIPPool') {
      notes.warn(
        f,
        `selectorType ${String(a.selectorType)}: edgelb announces only LoadBalancer IPs; dropped`,
      );
      continue;
    }
    const sel = present(a.selector) ? toSelector(a.selector, at(f, 'selector'), notes) : undefined;
    if (sel && !isEmptySelector(sel)) {
      notes.lossy(
        at(f, 'selector'),
        'path attributes for the selected pools only: a CiliumBGPPeeringPolicy neighbor has no per-pool attributes in edgelb, and dropping them changes what the router receives; write a BGPPeeringPolicy with advertisements[] (pools and advertisedPathAttributes) instead',
      );
      continue;
    }
    if (taken) {
      notes.warn(f, 'a second set of path attributes for every pool; only the first is kept');
      continue;
    }
    taken = true;
    const attrs = pathAttributes(
      ciliumCommunities(a.communities, at(f, 'communities'), notes),
      intIn(a.localPreference, 0, UINT32_MAX),
    );
    if (attrs?.localPreference !== undefined && peerASN !== localASN) {
      notes.warn(
        at(f, 'localPreference'),
        `LOCAL_PREF is sent to iBGP peers only, by Cilium and edgelb alike, and this neighbor is eBGP (AS ${peerASN}, local AS ${localASN}); dropped`,
      );
      delete attrs.localPreference;
    }
    if (attrs && Object.keys(attrs).length > 0) n.advertisedPathAttributes = attrs;
  }
  for (const key of Object.keys(v)) {
    if (
      ![
        ...NEIGHBOR_COPY,
        'peerAddress',
        'peerASN',
        'gracefulRestart',
        'authSecretRef',
        'families',
        'advertisedPathAttributes',
      ].includes(key)
    ) {
      notes.warn(at(field, key), 'is not a field edgelb knows; dropped');
    }
  }
  return n;
}

function virtualRouter(v: Rec, field: string, notes: Notes): BGPVirtualRouter | undefined {
  const localASN = intIn(v.localASN, 1, UINT32_MAX);
  if (localASN === undefined)
    return void notes.error(at(field, 'localASN'), `must be an ASN 1..${UINT32_MAX}`);
  let serviceSelector = present(v.serviceSelector)
    ? toSelector(v.serviceSelector, at(field, 'serviceSelector'), notes)
    : undefined;
  const neighbors: BGPNeighbor[] = [];
  if (v.exportPodCIDR === true)
    notes.warn(at(field, 'exportPodCIDR'), 'edgelb does not announce pod CIDRs; dropped');
  if (present(v.podIPPoolSelector))
    notes.warn(at(field, 'podIPPoolSelector'), 'edgelb does not announce pod IP pools; dropped');
  if (present(v.serviceAdvertisements)) {
    const other = asList(v.serviceAdvertisements).filter((a) => a !== 'LoadBalancerIP');
    if (other.length > 0)
      notes.warn(
        at(field, 'serviceAdvertisements'),
        `edgelb announces only LoadBalancer IPs; ${other.join(', ')} dropped`,
      );
    if (!asList(v.serviceAdvertisements).includes('LoadBalancerIP')) {
      serviceSelector = undefined; // Cilium announced no LoadBalancer IP here; neither will edgelb.
    }
  }
  for (const [i, n] of asList(v.neighbors).entries()) {
    if (!isMap(n)) {
      notes.error(at(at(field, 'neighbors'), i), 'must be a neighbor');
      continue;
    }
    const out = neighbor(n, at(at(field, 'neighbors'), i), notes, localASN);
    if (out) neighbors.push(out);
  }
  for (const key of Object.keys(v)) {
    if (
      ![
        'localASN',
        'serviceSelector',
        'exportPodCIDR',
        'podIPPoolSelector',
        'serviceAdvertisements',
        'neighbors',
      ].includes(key)
    ) {
      notes.warn(at(field, key), 'is not a field edgelb knows; dropped');
    }
  }
  return serviceSelector ? { localASN, serviceSelector, neighbors } : { localASN, neighbors };
}

/** A BGPPeeringPolicy with the source's name, labels and nodeSelector, and no virtual routers yet. */
export function policySkeleton(doc: Rec, spec: Rec, name: string, notes: Notes): BGPPeeringPolicy {
  const out: BGPPeeringPolicy = {
    apiVersion: API_VERSION,
    kind: 'BGPPeeringPolicy',
    metadata: { name },
    spec: { virtualRouters: [] },
  };
  const labels = metaLabels(doc);
  if (labels) out.metadata.labels = labels;
  if (present(spec.nodeSelector)) {
    const s = toSelector(spec.nodeSelector, 'spec.nodeSelector', notes);
    // nodeSelector first, as people write it.
    if (s) out.spec = { nodeSelector: s, virtualRouters: out.spec.virtualRouters };
  }
  return out;
}

export function convertCiliumPeeringPolicy(
  doc: Rec,
  name: string,
  notes: Notes,
): BGPPeeringPolicy | undefined {
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const out = policySkeleton(doc, spec, name, notes);
  for (const [i, vr] of asList(spec.virtualRouters).entries()) {
    if (!isMap(vr)) {
      notes.error(at('spec.virtualRouters', i), 'must be a virtual router');
      continue;
    }
    const r = virtualRouter(vr, at('spec.virtualRouters', i), notes);
    if (r) out.spec.virtualRouters.push(r);
  }
  if (out.spec.virtualRouters.length === 0 && notes.errorCount() === errors) {
    notes.error('spec.virtualRouters', 'the policy has no virtual routers');
  }
  return notes.errorCount() === errors ? out : undefined;
}
