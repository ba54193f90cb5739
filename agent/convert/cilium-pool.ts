/**
 * PURE. CiliumLoadBalancerIPPool (cilium.io/v2alpha1 with `cidrs` or `blocks`, cilium.io/v2
 * with `blocks`) -> LoadBalancerIPPool. Field names are the same; allowFirstLastIPs goes
 * from "Yes"/"No" to a boolean, keeping each Cilium version's default.
 */
import type { IPBlock, LoadBalancerIPPool } from '../api/v1alpha1.ts';
import { ipBlockFromCidr, ipBlockFromRange, poolObject } from './ip-blocks.ts';
import { toSelector } from './selector.ts';
import { asList, at, isMap, type Notes, present, type Rec } from './types.ts';

const KNOWN = ['cidrs', 'blocks', 'disabled', 'serviceSelector', 'allowFirstLastIPs'];

export function convertCiliumPool(doc: Rec, name: string, notes: Notes): LoadBalancerIPPool | undefined {
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const blocks: IPBlock[] = [];
  for (const [i, b] of asList(spec.cidrs).entries()) {
    const field = at(at('spec.cidrs', i), 'cidr');
    const cidr = isMap(b) ? b.cidr : undefined;
    const block = ipBlockFromCidr(String(cidr ?? ''), field, notes);
    if (block) blocks.push(block);
  }
  for (const [i, b] of asList(spec.blocks).entries()) {
    const field = at('spec.blocks', i);
    if (!isMap(b)) {
      notes.error(field, 'must be {cidr} or {start, stop}');
      continue;
    }
    const block = present(b.cidr)
      ? ipBlockFromCidr(String(b.cidr), at(field, 'cidr'), notes)
      : ipBlockFromRange(String(b.start ?? ''), String(b.stop ?? b.start ?? ''), field, notes);
    if (block) blocks.push(block);
  }
  if (blocks.length === 0 && notes.errorCount() === errors)
    notes.error('spec.blocks', 'the pool has no cidrs or blocks');
  for (const key of Object.keys(spec)) {
    if (!KNOWN.includes(key)) notes.warn(at('spec', key), 'is not a field edgelb knows; dropped');
  }

  const out = poolObject(name, blocks, doc);
  if (present(spec.disabled)) out.spec.disabled = spec.disabled === true || spec.disabled === 'true';
  if (present(spec.serviceSelector)) {
    const s = toSelector(spec.serviceSelector, 'spec.serviceSelector', notes);
    if (s) out.spec.serviceSelector = s;
  }
  const first = spec.allowFirstLastIPs;
  if (present(first)) {
    if (first !== 'Yes' && first !== 'No')
      notes.error('spec.allowFirstLastIPs', `must be Yes or No, got ${JSON.stringify(first)}`);
    else out.spec.allowFirstLastIPs = first === 'Yes';
  } else if (doc.apiVersion === 'cilium.io/v2') {
    // Cilium v2 (1.18+): "Yes or undefined" allocates the first and last IPs; edgelb's default is not to.
    out.spec.allowFirstLastIPs = true;
  } else if (present(spec.blocks)) {
    notes.warn(
      'spec.allowFirstLastIPs',
      'is unset: Cilium 1.16+ then allocates the network and broadcast addresses, edgelb does not; set allowFirstLastIPs: true to keep 1.16+ behaviour',
    );
  }
  return notes.errorCount() === errors ? out : undefined;
}
