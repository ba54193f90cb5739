/**
 * PURE. Health-gated anycast and held addresses: why a prefix is intentionally not announced.
 *
 * A Service annotated `edgelb.io/announce-only-with-endpoints: "true"` is withdrawn on every
 * node (BGP and L2) while no endpoint of it is ready anywhere in the cluster, so a second site
 * announcing the same anycast IP takes the traffic; it is announced again as soon as one is
 * ready. An address held for a deleted Service (pool status.held) is never announced.
 * Both are listed in the plan with a stable reason code (`edgelb explain` reads them).
 */
import { type EndpointSliceObject, SERVICE_NAME_SLICE_LABEL, type ServiceObject } from '../../api/core.ts';
import type { LoadBalancerIPPool } from '../../api/pool.ts';
import { ANNOUNCE_ONLY_WITH_ENDPOINTS_ANNOTATION } from '../../api/v1alpha1.ts';

/** The intended reasons a prefix is not announced (stable codes). */
export type WithheldReason = 'NoReadyEndpoints' | 'ServiceHeld';

export interface Withheld {
  /** "namespace/name" of the Service (for ServiceHeld: the deleted one). */
  service: string;
  /** The addresses concerned. */
  ips: string[];
  reason: WithheldReason;
  message: string;
}

/** The Service opted in to the health gate. */
export function gated(svc: ServiceObject): boolean {
  return svc.metadata.annotations?.[ANNOUNCE_ONLY_WITH_ENDPOINTS_ANNOTATION]?.trim().toLowerCase() === 'true';
}

/** Some endpoint in these slices is ready (an absent ready condition counts as ready, as in the API). */
export function anyReady(slices: readonly EndpointSliceObject[]): boolean {
  for (const s of slices) for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) return true;
  return false;
}

/** The slices of each Service, by "namespace/name". */
export function slicesByService(slices: readonly EndpointSliceObject[]): Map<string, EndpointSliceObject[]> {
  const out = new Map<string, EndpointSliceObject[]>();
  for (const s of slices) {
    const owner = s.metadata.labels?.[SERVICE_NAME_SLICE_LABEL];
    if (owner === undefined) continue;
    const k = `${s.metadata.namespace}/${owner}`;
    const list = out.get(k);
    if (list) list.push(s);
    else out.set(k, [s]);
  }
  return out;
}

/**
 * The gate for a set of Services: `open(svc)` is false for a gated Service without a ready
 * endpoint. Slices are indexed on first need only (most Services are not gated).
 */
export function healthGate(endpointSlices: readonly EndpointSliceObject[]): (svc: ServiceObject) => boolean {
  let bySvc: Map<string, EndpointSliceObject[]> | undefined;
  return (svc) => {
    if (!gated(svc)) return true;
    bySvc ??= slicesByService(endpointSlices);
    return anyReady(bySvc.get(`${svc.metadata.namespace}/${svc.metadata.name}`) ?? []);
  };
}

/** Why each gated-and-closed Service and each held address is not announced. */
export function withheldReasons(
  services: readonly ServiceObject[],
  endpointSlices: readonly EndpointSliceObject[],
  pools: readonly LoadBalancerIPPool[] = [],
): Withheld[] {
  const out: Withheld[] = [];
  const open = healthGate(endpointSlices);
  for (const svc of services) {
    if (!gated(svc) || open(svc)) continue;
    const ips = (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
    out.push({
      service: `${svc.metadata.namespace}/${svc.metadata.name}`,
      ips,
      reason: 'NoReadyEndpoints',
      message: `withdrawn everywhere: ${ANNOUNCE_ONLY_WITH_ENDPOINTS_ANNOTATION} is "true" and no endpoint of the Service is ready in the cluster`,
    });
  }
  for (const p of pools)
    for (const h of p.status?.held ?? [])
      out.push({
        service: `${h.namespace}/${h.name}`,
        ips: [h.ip],
        reason: 'ServiceHeld',
        message: `held in pool ${p.metadata.name} for the deleted Service until ${h.expires}; not announced`,
      });
  return out;
}
