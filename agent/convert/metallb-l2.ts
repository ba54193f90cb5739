/**
 * PURE. MetalLB L2Advertisement (metallb.io/v1beta1) -> L2AnnouncementPolicy.
 *
 * - ipAddressPools -> pools (absent in both: every pool, as in MetalLB).
 * - nodeSelectors (ORed): one -> nodeSelector; several -> one policy per selector with the
 *   same other fields, which answers on the same nodes (an IP still has one owner).
 * - interfaces (names) -> anchored regular expressions, ^eth0$.
 * - ipAddressPoolSelectors (label selectors over pools) have no edgelb field. By default
 *   an error; with --allow-lossy each selector is resolved against the IPAddressPools of
 *   the same input (the pools they match now are listed by name; a pool labelled later is
 *   not picked up), and when none can be matched the advertisement is not converted
 *   rather than widened to every pool.
 */
import type { L2AnnouncementPolicy, LabelSelector } from '../api/v1alpha1.ts';
import { API_VERSION } from '../api/v1alpha1.ts';
import { matchesSelector } from '../ipam/selector.ts';
import type { Source } from './metallb.ts';
import { isEmptySelector, toSelector } from './selector.ts';
import { asList, at, isMap } from './types.ts';

/** A pool of the same input, for resolving ipAddressPoolSelectors. */
export interface PoolLabels {
  name: string;
  labels: Record<string, string>;
}

/** An interface name as a regular expression that matches exactly that name. */
export function exactInterface(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

const KNOWN = ['ipAddressPools', 'ipAddressPoolSelectors', 'nodeSelectors', 'interfaces'];

/** The pools the advertisement names; undefined = every pool; null = not convertible. */
export function poolsOf(s: Source, inputPools: PoolLabels[]): string[] | undefined | null {
  const { doc, notes } = s;
  const spec = isMap(doc.spec) ? doc.spec : {};
  const named = asList(spec.ipAddressPools).map(String);
  const selectors = asList(spec.ipAddressPoolSelectors);
  if (selectors.length === 0) return named.length > 0 ? named : undefined;
  const f = 'spec.ipAddressPoolSelectors';
  const parsed: LabelSelector[] = [];
  for (const [i, v] of selectors.entries()) {
    const sel = toSelector(v, at(f, i), notes);
    if (sel) parsed.push(sel);
  }
  if (parsed.length !== selectors.length) return null;
  if (!notes.allowLossy) {
    notes.lossy(
      f,
      'edgelb names pools, it does not select them by label; list them in ipAddressPools instead',
    );
    return null;
  }
  const matched = inputPools
    .filter((p) => parsed.some((sel) => matchesSelector(sel, p.labels)))
    .map((p) => p.name);
  const pools = [...new Set([...named, ...matched])];
  if (pools.length === 0) {
    notes.warn(
      f,
      inputPools.length === 0
        ? 'edgelb names pools, it does not select them by label, and the input holds no IPAddressPool to resolve the selectors against; not converted (write spec.pools yourself)'
        : 'edgelb names pools, it does not select them by label, and no IPAddressPool of the input matches; not converted (write spec.pools yourself)',
    );
    return null;
  }
  notes.lossy(
    f,
    `edgelb names pools, it does not select them by label: resolved against the pools of the input to ${matched.length > 0 ? matched.join(', ') : 'none'}; a pool labelled later is not announced`,
  );
  return pools;
}

export function convertMetalLBL2(s: Source, inputPools: PoolLabels[]): L2AnnouncementPolicy[] {
  const { doc, name, notes } = s;
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const pools = poolsOf(s, inputPools);
  const nodeSelectors: LabelSelector[] = [];
  for (const [i, v] of asList(spec.nodeSelectors).entries()) {
    const sel = toSelector(v, at('spec.nodeSelectors', i), notes);
    if (sel) nodeSelectors.push(sel);
  }
  const interfaces = asList(spec.interfaces).map((i) => exactInterface(String(i)));
  for (const key of Object.keys(spec))
    if (!KNOWN.includes(key)) notes.warn(at('spec', key), 'is not a field edgelb knows; dropped');
  if (pools === null || notes.errorCount() !== errors) return [];
  const base: L2AnnouncementPolicy['spec'] = {
    ...(pools ? { pools } : {}),
    ...(interfaces.length > 0 ? { interfaces } : {}),
  };
  const policy = (n: string, nodeSelector?: LabelSelector): L2AnnouncementPolicy => ({
    apiVersion: API_VERSION,
    kind: 'L2AnnouncementPolicy',
    metadata: { name: n },
    spec: nodeSelector ? { nodeSelector, ...base } : { ...base },
  });
  // An empty selector matches every node, and so does the OR it belongs to.
  if (nodeSelectors.length === 0 || nodeSelectors.some(isEmptySelector)) return [policy(name)];
  if (nodeSelectors.length === 1) return [policy(name, nodeSelectors[0])];
  return nodeSelectors.map((sel, i) => policy(`${name}-${i + 1}`, sel));
}
