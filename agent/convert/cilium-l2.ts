/**
 * PURE. Cilium CiliumL2AnnouncementPolicy (cilium.io/v2alpha1) -> L2AnnouncementPolicy:
 * serviceSelector, nodeSelector and interfaces (regular expressions) carry over as they
 * are; Cilium's service pseudo-labels are edgelb's. Cilium announces LoadBalancer IPs
 * only with `loadBalancerIPs: true` (absent = false); edgelb always announces them, so a
 * policy without it would answer for more IPs: lossy. Service externalIPs are not
 * edgelb's to announce: a warning.
 */
import type { L2AnnouncementPolicy } from '../api/v1alpha1.ts';
import { API_VERSION } from '../api/v1alpha1.ts';
import { isEmptySelector, toSelector } from './selector.ts';
import { asList, at, isMap, type Notes, present, type Rec } from './types.ts';

const KNOWN = ['serviceSelector', 'nodeSelector', 'interfaces', 'externalIPs', 'loadBalancerIPs'];

export function convertCiliumL2Policy(
  doc: Rec,
  name: string,
  notes: Notes,
): L2AnnouncementPolicy | undefined {
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const out: L2AnnouncementPolicy = {
    apiVersion: API_VERSION,
    kind: 'L2AnnouncementPolicy',
    metadata: { name },
    spec: {},
  };
  for (const key of ['nodeSelector', 'serviceSelector'] as const) {
    if (!present(spec[key])) continue;
    const sel = toSelector(spec[key], at('spec', key), notes);
    if (sel && !isEmptySelector(sel)) out.spec[key] = sel;
  }
  const interfaces: string[] = [];
  for (const [i, v] of asList(spec.interfaces).entries()) {
    const field = at('spec.interfaces', i);
    try {
      new RegExp(String(v));
      interfaces.push(String(v));
    } catch {
      notes.error(field, `${JSON.stringify(v)} is not a regular expression edgelb (JavaScript) accepts`);
    }
  }
  if (interfaces.length > 0) out.spec.interfaces = interfaces;
  if (spec.loadBalancerIPs !== true) {
    notes.lossy(
      'spec.loadBalancerIPs',
      'Cilium announces no LoadBalancer IP with this policy (loadBalancerIPs is not true); edgelb would answer for every LoadBalancer IP it selects',
    );
  }
  if (spec.externalIPs === true)
    notes.warn(
      'spec.externalIPs',
      'edgelb announces LoadBalancer IPs only, not Service externalIPs; dropped',
    );
  for (const key of Object.keys(spec))
    if (!KNOWN.includes(key)) notes.warn(at('spec', key), 'is not a field edgelb knows; dropped');
  return notes.errorCount() === errors ? out : undefined;
}
