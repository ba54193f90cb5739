/**
 * PURE. Kubernetes-shaped objects (from either source) into the IPAM's own types.
 * Kubernetes shapes stop here; the allocator never sees them.
 */
import type { ServiceObject } from '../../api/core.ts';
import type { LoadBalancerIPPool } from '../../api/v1alpha1.ts';
import type { IPFamilyName, PoolSpec, ServiceView } from '../../ipam/types.ts';

export function poolSpec(p: LoadBalancerIPPool): PoolSpec {
  return {
    name: p.metadata.name,
    creationOrder: p.metadata.creationTimestamp ?? '',
    blocks: p.spec.blocks.map((b) =>
      b.cidr !== undefined ? { cidr: b.cidr } : { start: b.start ?? '', stop: b.stop ?? '' },
    ),
    disabled: p.spec.disabled ?? false,
    allowFirstLastIPs: p.spec.allowFirstLastIPs ?? false,
    autoAssign: p.spec.autoAssign ?? true,
    ...(p.spec.serviceSelector ? { serviceSelector: p.spec.serviceSelector } : {}),
  };
}

export function statusIPs(s: ServiceObject): string[] {
  return (s.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
}

export function serviceView(s: ServiceObject): ServiceView {
  const families: IPFamilyName[] = s.spec.ipFamilies?.length ? [...s.spec.ipFamilies] : ['IPv4'];
  return {
    key: `${s.metadata.namespace}/${s.metadata.name}`,
    namespace: s.metadata.namespace,
    name: s.metadata.name,
    labels: { ...s.metadata.labels },
    annotations: { ...s.metadata.annotations },
    ...(s.spec.loadBalancerIP ? { loadBalancerIP: s.spec.loadBalancerIP } : {}),
    ipFamilies: families,
    ipFamilyPolicy: s.spec.ipFamilyPolicy ?? 'SingleStack',
    ports: (s.spec.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })),
    externalTrafficPolicy: s.spec.externalTrafficPolicy ?? 'Cluster',
    podSelector: { ...s.spec.selector },
    creationOrder: s.metadata.creationTimestamp ?? '',
    statusIPs: statusIPs(s),
  };
}

/** What in a view can change an allocation (status excluded: that is the allocator's own output). */
export function serviceFingerprint(v: ServiceView): string {
  const { statusIPs: _ignored, ...rest } = v;
  return JSON.stringify(rest);
}

export function poolFingerprint(p: PoolSpec): string {
  return JSON.stringify(p);
}
