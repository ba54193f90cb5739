/**
 * PURE. kube-vip's cloud provider ConfigMap (kube-system/kubevip) -> LoadBalancerIPPools.
 * `cidr-global` / `range-global` serve every namespace without a range of its own;
 * `cidr-<ns>` / `range-<ns>` serve that namespace only (kube-vip looks there first and never
 * falls back to the global range for it). Values are comma-separated CIDRs or "a-b" ranges.
 * kube-vip's BGP and ARP settings live in its DaemonSet's environment, which is not a
 * resource: the README says what to write for them.
 */
import { type IPBlock, type LoadBalancerIPPool, SERVICE_NAMESPACE_LABEL } from '../api/v1alpha1.ts';
import { ipBlockFromMetalLB, poolObject } from './ip-blocks.ts';
import { at, isMap, type Notes, type Rec } from './types.ts';

/** The ConfigMap kube-vip's cloud provider reads. */
export function isKubeVipConfigMap(doc: Rec): boolean {
  const meta = isMap(doc.metadata) ? doc.metadata : {};
  return doc.apiVersion === 'v1' && doc.kind === 'ConfigMap' && meta.name === 'kubevip';
}

const KEY = /^(cidr|range)-(.+)$/;
const GLOBAL = 'global';

export function convertKubeVipConfigMap(doc: Rec, notes: Notes): LoadBalancerIPPool[] {
  const data = isMap(doc.data) ? doc.data : {};
  const blocks = new Map<string, IPBlock[]>();
  const errors = notes.errorCount();
  for (const [key, value] of Object.entries(data)) {
    const m = KEY.exec(key);
    if (!m) {
      notes.warn(
        at('data', key),
        key.startsWith('allow-share-')
          ? 'edgelb shares an IP only between Services with the same edgelb.io/sharing-key; dropped'
          : 'is not a kube-vip range edgelb converts; dropped',
      );
      continue;
    }
    const scope = m[2]!;
    const list = blocks.get(scope) ?? [];
    for (const [i, part] of String(value).split(',').entries()) {
      if (part.trim() === '') continue;
      // kube-vip's "a-b" is MetalLB's notation too.
      const b = ipBlockFromMetalLB(part, `${at('data', key)}[${i}]`, notes);
      if (b) list.push(b);
    }
    blocks.set(scope, list);
  }
  if (notes.errorCount() !== errors) return [];
  const namespaces = [...blocks.keys()].filter((s) => s !== GLOBAL).sort();
  const out: LoadBalancerIPPool[] = [];
  for (const ns of namespaces) {
    const p = poolObject(`kubevip-${ns}`, blocks.get(ns)!, doc);
    p.spec.serviceSelector = { matchLabels: { [SERVICE_NAMESPACE_LABEL]: ns } };
    out.push(p);
  }
  const global = blocks.get(GLOBAL);
  if (global) {
    const p = poolObject('kubevip-global', global, doc);
    if (namespaces.length > 0)
      p.spec.serviceSelector = {
        matchExpressions: [{ key: SERVICE_NAMESPACE_LABEL, operator: 'NotIn', values: namespaces }],
      };
    out.push(p);
  }
  if (out.length === 0) notes.warn('data', 'holds no cidr-* or range-* key: no pool converted');
  return out;
}
