/**
 * PURE. Kubernetes-shaped objects (from either source) into the IPAM's own types.
 * Kubernetes shapes stop here; the allocator never sees them.
 */
import type { NamespaceObject, ServiceObject } from '../../api/core.ts';
import { DEFAULT_RELEASE_DELAY_SECONDS } from '../../api/defaults.ts';
import { type LabelSelector, type LoadBalancerIPPool, SERVICE_NAMESPACE_LABEL } from '../../api/v1alpha1.ts';
import { compileSelector } from '../../ipam/selector.ts';
import type { IPFamilyName, PoolSpec, ServicePort, ServiceView } from '../../ipam/types.ts';
import { sameEntries } from '../../lib/records.ts';

/**
 * A pool's namespaceSelector as a term of its serviceSelector: the names of the namespaces
 * whose labels it matches, on the namespace pseudo-label. An unknown namespace list, or none
 * matching, serves no Service (a selector that cannot be checked never widens a pool).
 */
function withNamespaces(
  p: LoadBalancerIPPool,
  namespaces: readonly NamespaceObject[] | undefined,
): LabelSelector | undefined {
  const sel = p.spec.serviceSelector;
  if (!p.spec.namespaceSelector) return sel;
  const c = compileSelector(p.spec.namespaceSelector);
  const names = c.ok
    ? (namespaces ?? []).filter((n) => c.matches(n.metadata.labels ?? {})).map((n) => n.metadata.name)
    : [];
  // No namespace is named "": an In over it alone matches nothing.
  const term = {
    key: SERVICE_NAMESPACE_LABEL,
    operator: 'In' as const,
    values: names.length ? names.sort() : [''],
  };
  return { ...sel, matchExpressions: [...(sel?.matchExpressions ?? []), term] };
}

/** The IPAM's pool; without the namespaces, a pool with a namespaceSelector serves no Service. */
export function poolSpec(p: LoadBalancerIPPool): PoolSpec {
  return poolSpecIn(p, undefined);
}

/** The IPAM's pool, its namespaceSelector resolved against these namespaces. */
export function poolSpecIn(
  p: LoadBalancerIPPool,
  namespaces: readonly NamespaceObject[] | undefined,
): PoolSpec {
  const serviceSelector = withNamespaces(p, namespaces);
  return {
    name: p.metadata.name,
    creationOrder: p.metadata.creationTimestamp ?? '',
    blocks: p.spec.blocks.map((b) =>
      b.cidr !== undefined ? { cidr: b.cidr } : { start: b.start ?? '', stop: b.stop ?? '' },
    ),
    disabled: p.spec.disabled ?? false,
    allowFirstLastIPs: p.spec.allowFirstLastIPs ?? false,
    autoAssign: p.spec.autoAssign ?? true,
    ...(serviceSelector ? { serviceSelector } : {}),
    ...(p.spec.releaseDelaySeconds !== undefined ? { releaseDelaySeconds: p.spec.releaseDelaySeconds } : {}),
  };
}

/**
 * The pool as the agent's IPAM runs it: an absent releaseDelaySeconds is the API default (600 s);
 * its namespaceSelector resolved against these namespaces (absent: it serves no Service).
 */
export function ipamPoolSpec(p: LoadBalancerIPPool, namespaces?: readonly NamespaceObject[]): PoolSpec {
  const s = poolSpecIn(p, namespaces);
  return s.releaseDelaySeconds === undefined
    ? { ...s, releaseDelaySeconds: DEFAULT_RELEASE_DELAY_SECONDS }
    : s;
}

const NONE: readonly string[] = Object.freeze([]);
const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

export function statusIPs(s: ServiceObject): string[] {
  const ingress = s.status?.loadBalancer?.ingress;
  if (!ingress?.length) return NONE as string[];
  return ingress.flatMap((i) => (i.ip ? [i.ip] : []));
}

/**
 * The allocator's view of a Service. Labels, annotations and the pod selector are shared with
 * the object, not copied (the allocator only reads them; Kubernetes objects are replaced, never
 * edited, by both sources), so 10,000 views cost little beyond the objects themselves.
 */
/** Shared, read-only arrays for the common family lists and port lists (the IPAM never edits a view). */
const FAMILIES = new Map<string, IPFamilyName[]>();
const PORTS = new Map<string, ServicePort[]>();
const MAX_SHARED = 4096;

function familiesOf(s: ServiceObject): IPFamilyName[] {
  const f = s.spec.ipFamilies;
  const key = f?.length ? f.join(',') : 'IPv4';
  let out = FAMILIES.get(key);
  if (!out) {
    out = f?.length ? [...f] : ['IPv4'];
    if (FAMILIES.size < 16) FAMILIES.set(key, out);
  }
  return out;
}

function portsOf(s: ServiceObject): ServicePort[] {
  const ports = s.spec.ports ?? [];
  let key = '';
  for (const p of ports) key += `${p.port}/${p.protocol ?? 'TCP'},`;
  let out = PORTS.get(key);
  if (!out) {
    out = ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }));
    if (PORTS.size >= MAX_SHARED) PORTS.clear();
    PORTS.set(key, out);
  }
  return out;
}

export function serviceView(s: ServiceObject): ServiceView {
  const families = familiesOf(s);
  return {
    key: `${s.metadata.namespace}/${s.metadata.name}`,
    namespace: s.metadata.namespace,
    name: s.metadata.name,
    labels: (s.metadata.labels ?? EMPTY) as Record<string, string>,
    annotations: (s.metadata.annotations ?? EMPTY) as Record<string, string>,
    ...(s.spec.loadBalancerIP ? { loadBalancerIP: s.spec.loadBalancerIP } : {}),
    ipFamilies: families,
    ipFamilyPolicy: s.spec.ipFamilyPolicy ?? 'SingleStack',
    ports: portsOf(s),
    externalTrafficPolicy: s.spec.externalTrafficPolicy ?? 'Cluster',
    podSelector: (s.spec.selector ?? EMPTY) as Record<string, string>,
    creationOrder: s.metadata.creationTimestamp ?? '',
    statusIPs: statusIPs(s),
  };
}

/** Equal records; an absent one is an empty one. */
export function sameRecord(a: Readonly<Record<string, string>> | undefined, b: typeof a): boolean {
  return a === b || sameEntries(a ?? EMPTY, b ?? EMPTY);
}

/**
 * What of a Service the allocator reads, apart from its key and status: a small record that
 * holds no version of the object itself (so an old version is not kept alive by it).
 */
export interface ServiceInputs {
  created: string;
  labels: Readonly<Record<string, string>> | undefined;
  annotations: Readonly<Record<string, string>> | undefined;
  spec: ServiceObject['spec'];
}

export function serviceInputs(s: ServiceObject): ServiceInputs {
  return {
    created: s.metadata.creationTimestamp ?? '',
    labels: s.metadata.labels,
    annotations: s.metadata.annotations,
    spec: s.spec,
  };
}

function sameSpecInputs(as: ServiceObject['spec'], bs: ServiceObject['spec']): boolean {
  if (as === bs) return true;
  if (
    (as.loadBalancerIP || undefined) !== (bs.loadBalancerIP || undefined) ||
    (as.ipFamilyPolicy ?? 'SingleStack') !== (bs.ipFamilyPolicy ?? 'SingleStack') ||
    (as.externalTrafficPolicy ?? 'Cluster') !== (bs.externalTrafficPolicy ?? 'Cluster')
  )
    return false;
  const af = as.ipFamilies?.length ? as.ipFamilies : undefined;
  const bf = bs.ipFamilies?.length ? bs.ipFamilies : undefined;
  if ((af?.length ?? 0) !== (bf?.length ?? 0)) return false;
  if (af && bf) for (let i = 0; i < af.length; i++) if (af[i] !== bf[i]) return false;
  const ap = as.ports ?? [];
  const bp = bs.ports ?? [];
  if (ap.length !== bp.length) return false;
  for (let i = 0; i < ap.length; i++) {
    const x = ap[i]!;
    const y = bp[i]!;
    if (x.port !== y.port || (x.protocol ?? 'TCP') !== (y.protocol ?? 'TCP')) return false;
  }
  return sameRecord(as.selector, bs.selector);
}

/**
 * True when `b` gives the same view as the Service `a` was recorded from, apart from its
 * key and status IPs, i.e. the same serviceFingerprint, without building a view. The echo
 * of the leader's own status write is such a change.
 */
export function sameInputs(a: ServiceInputs, b: ServiceObject): boolean {
  const bm = b.metadata;
  return (
    a.created === (bm.creationTimestamp ?? '') &&
    sameSpecInputs(a.spec, b.spec) &&
    sameRecord(a.labels, bm.labels) &&
    sameRecord(a.annotations, bm.annotations)
  );
}

/** sameInputs for two versions of a Service (names included). */
export function sameServiceInputs(a: ServiceObject, b: ServiceObject): boolean {
  if (a === b) return true;
  if (a.metadata.name !== b.metadata.name || a.metadata.namespace !== b.metadata.namespace) return false;
  return sameInputs(serviceInputs(a), b);
}

/** What in a view can change an allocation (status excluded: that is the allocator's own output). */
export function serviceFingerprint(v: ServiceView): string {
  const { statusIPs: _ignored, ...rest } = v;
  return JSON.stringify(rest);
}

export function poolFingerprint(p: PoolSpec): string {
  return JSON.stringify(p);
}
