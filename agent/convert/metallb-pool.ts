/**
 * PURE. MetalLB IPAddressPool (metallb.io) -> LoadBalancerIPPool: addresses, autoAssign,
 * avoidBuggyIPs and serviceAllocation (namespaces, Service and namespace selectors).
 */
import {
  type IPBlock,
  type LabelSelector,
  type LoadBalancerIPPool,
  SERVICE_NAMESPACE_LABEL,
} from '../api/v1alpha1.ts';
import { ipBlockFromMetalLB, poolObject } from './ip-blocks.ts';
import { type Source, warnUnknown } from './metallb-source.ts';
import { andSelectors, isEmptySelector, toSelector } from './selector.ts';
import { asList, at, isMap, type Notes, present } from './types.ts';

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
