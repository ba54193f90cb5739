/**
 * PURE. `edgelb convert`: Cilium and MetalLB manifests (parsed YAML documents) -> edgelb's
 * LoadBalancerIPPool, BFDProfile, BGPPeeringPolicy and L2AnnouncementPolicy objects, with
 * a warning for each field that cannot be carried over and an error for each object that
 * cannot be converted (or whose loss would change what is announced or where, unless
 * allowLossy). Pools come first, then BFD profiles, BGP policies and L2 policies, each in
 * input order.
 */
import { API_VERSION } from '../api/v1alpha1.ts';
import { convertCiliumPeeringPolicy } from './cilium-bgp-v1.ts';
import { type BGPv2Inputs, convertBGPClusterConfig } from './cilium-bgp-v2.ts';
import { convertCiliumL2Policy } from './cilium-l2.ts';
import { convertCiliumPool } from './cilium-pool.ts';
import { convertKubeVipConfigMap, isKubeVipConfigMap } from './kube-vip.ts';
import { communityAliases, convertMetalLBBGP, convertMetalLBPool, type Source } from './metallb.ts';
import { convertMetalLBBFDProfile } from './metallb-bfd.ts';
import { convertMetalLBL2, type PoolLabels } from './metallb-l2.ts';
import {
  type ConvertOptions,
  type ConvertResult,
  type EdgelbObject,
  isMap,
  metaLabels,
  metaName,
  type Note,
  Notes,
  objectRef,
  type Rec,
} from './types.ts';

export type { ConvertOptions, ConvertResult, EdgelbObject, Note } from './types.ts';

/** edgelb's own kinds pass through unchanged, in the list of their place in the output. */
const OWN_KINDS = ['LoadBalancerIPPool', 'BFDProfile', 'BGPPeeringPolicy', 'L2AnnouncementPolicy'] as const;

const NOT_CONVERTED: Record<string, string> = {
  'cilium.io/CiliumBGPNodeConfigOverride':
    'per-node router ID and ports are bgp.routerId and bgp.listenPort in each node’s config',
  'cilium.io/CiliumBGPNodeConfig': 'it is status written by Cilium',
  'metallb.io/AddressPool': 'it is MetalLB’s removed v1beta1 pool; convert IPAddressPool objects',
};

function group(doc: Rec): string {
  return String(doc.apiVersion ?? '').split('/')[0] ?? '';
}

/** Flattens `kind: List` (kubectl get -o yaml) and drops empty documents. */
function flatten(docs: unknown[], result: ConvertResult): Rec[] {
  const out: Rec[] = [];
  docs.forEach((d, i) => {
    if (d === null || d === undefined) return;
    if (!isMap(d) || typeof d.kind !== 'string' || typeof d.apiVersion !== 'string') {
      result.errors.push({
        object: `document ${i + 1}`,
        field: '',
        message: 'is not a Kubernetes object (apiVersion and kind)',
      });
      return;
    }
    if (d.kind === 'List' || d.kind.endsWith('List')) {
      for (const item of Array.isArray(d.items) ? d.items : []) if (isMap(item)) out.push(item);
    } else out.push(d);
  });
  return out;
}

export function convertManifests(docs: unknown[], options: ConvertOptions = {}): ConvertResult {
  const result: ConvertResult = { objects: [], warnings: [], errors: [] };
  const out = new Map<string, EdgelbObject[]>(OWN_KINDS.map((k) => [k, []]));
  const pools = out.get('LoadBalancerIPPool') as EdgelbObject[];
  const bfdProfiles = out.get('BFDProfile') as EdgelbObject[];
  const policies = out.get('BGPPeeringPolicy') as EdgelbObject[];
  const l2Policies = out.get('L2AnnouncementPolicy') as EdgelbObject[];
  const v2: BGPv2Inputs = { peerConfigs: new Map(), advertisements: [], referenced: new Set() };
  const clusterConfigs: Source[] = [];
  const mlbPeers: Source[] = [];
  const mlbAds: Source[] = [];
  const mlbCommunities: Rec[] = [];
  const mlbPoolNames: string[] = [];
  const mlbPoolLabels: PoolLabels[] = [];
  const mlbL2: Source[] = [];

  for (const doc of flatten(docs, result)) {
    const notes = new Notes(objectRef(doc), result, options.allowLossy === true);
    const name = metaName(doc);
    const g = group(doc);
    const kind = String(doc.kind);
    const own = doc.apiVersion === API_VERSION ? out.get(kind) : undefined;
    if (own) {
      own.push(doc as unknown as EdgelbObject);
      continue;
    }
    if (isKubeVipConfigMap(doc)) {
      pools.push(...convertKubeVipConfigMap(doc, notes));
      continue;
    }
    const why = NOT_CONVERTED[`${g}/${kind}`];
    if (why) {
      notes.warn('', `not converted: ${why}`);
      continue;
    }
    const known = (g === 'cilium.io' && kind.startsWith('Cilium')) || g === 'metallb.io';
    if (!known) {
      notes.warn('', 'not a Cilium or MetalLB resource edgelb converts; skipped');
      continue;
    }
    if (!name) {
      notes.error('metadata.name', 'is required');
      continue;
    }
    const src: Source = { doc, name, notes };
    switch (`${g}/${kind}`) {
      case 'cilium.io/CiliumLoadBalancerIPPool': {
        const p = convertCiliumPool(doc, name, notes);
        if (p) pools.push(p);
        break;
      }
      case 'cilium.io/CiliumBGPPeeringPolicy': {
        const p = convertCiliumPeeringPolicy(doc, name, notes);
        if (p) policies.push(p);
        break;
      }
      case 'cilium.io/CiliumBGPClusterConfig':
        clusterConfigs.push(src);
        break;
      case 'cilium.io/CiliumBGPPeerConfig':
        v2.peerConfigs.set(name, { doc, notes });
        break;
      case 'cilium.io/CiliumBGPAdvertisement':
        v2.advertisements.push({ doc, notes });
        break;
      case 'metallb.io/IPAddressPool': {
        mlbPoolNames.push(name);
        mlbPoolLabels.push({ name, labels: metaLabels(doc) ?? {} });
        const p = convertMetalLBPool(src);
        if (p) pools.push(p);
        break;
      }
      case 'metallb.io/BGPPeer':
        mlbPeers.push(src);
        break;
      case 'metallb.io/BGPAdvertisement':
        mlbAds.push(src);
        break;
      case 'metallb.io/BFDProfile': {
        const p = convertMetalLBBFDProfile(src);
        if (p) bfdProfiles.push(p);
        break;
      }
      case 'metallb.io/L2Advertisement':
        mlbL2.push(src);
        break;
      case 'cilium.io/CiliumL2AnnouncementPolicy': {
        const p = convertCiliumL2Policy(doc, name, notes);
        if (p) l2Policies.push(p);
        break;
      }
      case 'metallb.io/Community':
        mlbCommunities.push(doc);
        break;
      default:
        notes.warn('', 'not a Cilium or MetalLB resource edgelb converts; skipped');
    }
  }

  const reported = new Set<string>();
  for (const c of clusterConfigs) {
    const p = convertBGPClusterConfig(c.doc, c.name, c.notes, v2, reported);
    if (p) policies.push(p);
  }
  for (const [name, pc] of v2.peerConfigs) {
    if (!v2.referenced.has(name))
      pc.notes.warn('', 'no CiliumBGPClusterConfig in the input refers to it; nothing converted');
  }
  const bfdNames = new Set(bfdProfiles.map((p) => p.metadata.name));
  policies.push(
    ...convertMetalLBBGP(mlbPeers, mlbAds, communityAliases(mlbCommunities), mlbPoolLabels, bfdNames),
  );
  for (const a of mlbL2) l2Policies.push(...convertMetalLBL2(a, mlbPoolLabels));

  // Names must be unique per kind (edgelb's resources are cluster-scoped).
  // A renamed BFDProfile keeps the references to the first one of that name.
  for (const list of out.values()) {
    const seen = new Set<string>();
    for (const o of list) {
      let n = o.metadata.name;
      for (let i = 2; seen.has(n); i++) n = `${o.metadata.name}-${i}`;
      if (n !== o.metadata.name) {
        result.warnings.push({
          object: `${o.kind}/${o.metadata.name}`,
          field: 'metadata.name',
          message: `another ${o.kind} has this name; renamed to ${n}`,
        });
        o.metadata.name = n;
      }
      seen.add(n);
    }
  }
  result.objects = [...out.values()].flat();
  // A shared source (a peer config used by several peers) reports each problem once.
  const once = (notes: Note[]) => {
    const seen = new Set<string>();
    return notes.filter((n) => {
      const key = `${n.object}\u0000${n.field}\u0000${n.message}`;
      return !seen.has(key) && seen.add(key) !== undefined;
    });
  };
  result.warnings = once(result.warnings);
  result.errors = once(result.errors);
  return result;
}
