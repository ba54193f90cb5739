/**
 * PURE. The routes of a virtual router's advertisements[]: which Services each one matches
 * (its serviceSelector, then its pools), and the attributes each route carries on top of the
 * neighbor's. A Service matched by several advertisements gets their merge (route-attributes.ts).
 */
import { type ServiceObject, serviceKey } from '../../api/core.ts';
import type { BGPAdvertisement, LoadBalancerIPPool } from '../../api/v1alpha1.ts';
import type { RouteAttributes } from '../../bgp/rib/route-attributes.ts';
import { type CompiledPool, compilePool, contains, poolOrder } from '../../ipam/pools.ts';
import { compileSelector, matchesAll } from '../../ipam/selector.ts';
import { parseIP } from '../../net/ip.ts';
import {
  advertisementAttributes,
  mergeRouteAttributes,
  type ServiceAttributes,
  withServiceAttributes,
} from './route-attributes.ts';
import { poolSpec } from './to-domain.ts';

/** What the announce plan already knows about each Service (computed once per plan). */
export interface AdvertiseContext {
  services: readonly ServiceObject[];
  prefixes(svc: ServiceObject): string[];
  labels(svc: ServiceObject): Record<string, string>;
  announceable(svc: ServiceObject): boolean;
  /** The pool that owns the address of a host prefix (undefined: none). */
  poolOf(prefix: string): string | undefined;
  /** The Service's edgelb.io/bgp-* annotations (parsed once). */
  serviceAttributes(svc: ServiceObject): ServiceAttributes;
  /** Service key -> the bad annotations of a Service whose advertisement honours them. */
  serviceProblems: Map<string, string[]>;
}

/** prefix -> the attributes its route carries beyond the neighbor's ({} = none). */
export function advertisedRoutes(
  ads: readonly BGPAdvertisement[],
  ctx: AdvertiseContext,
): Map<string, RouteAttributes> {
  const routes = new Map<string, RouteAttributes>();
  for (const ad of ads) {
    const sel = compileSelector(ad.serviceSelector);
    if (!sel.ok) continue; // an invalid selector matches nothing (validation reports it)
    const all = sel.matches === matchesAll;
    const pools = ad.pools ? new Set(ad.pools) : undefined;
    const base = advertisementAttributes(ad.advertisedPathAttributes);
    for (const s of ctx.services) {
      if (s.status?.loadBalancer?.ingress === undefined) continue;
      if (!all && !sel.matches(ctx.labels(s))) continue;
      if (!ctx.announceable(s)) continue;
      let attrs = base;
      if (ad.allowServiceAttributes) {
        const own = ctx.serviceAttributes(s);
        if (own.problems.length) ctx.serviceProblems.set(serviceKey(s), own.problems);
        attrs = withServiceAttributes(base, own.attributes);
      }
      for (const p of ctx.prefixes(s)) {
        // A dual-stack Service may hold IPs of two pools: each route is checked on its own.
        if (pools) {
          const pool = ctx.poolOf(p);
          if (pool === undefined || !pools.has(pool)) continue;
        }
        const before = routes.get(p);
        routes.set(p, before ? mergeRouteAttributes(before, attrs) : attrs);
      }
    }
  }
  return routes;
}

/** The owner pool of an address: the oldest pool whose usable ranges hold it (as the IPAM decides). */
export function poolLookup(pools: readonly LoadBalancerIPPool[]): (prefix: string) => string | undefined {
  let compiled: CompiledPool[] | undefined;
  return (prefix) => {
    compiled ??= pools
      .map(poolSpec)
      .sort(poolOrder)
      .map((p) => compilePool(p));
    const ip = parseIP(prefix.split('/')[0] ?? '');
    if (!ip.ok) return undefined;
    for (const p of compiled) if (contains(p, ip.value.family, ip.value.value)) return p.name;
    return undefined;
  };
}
