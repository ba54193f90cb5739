/**
 * PURE. The path attributes one route carries on top of its peer's (an advertisement's and a
 * Service's): communities add to the peer's, localPreference, med and asPathPrepend replace
 * them. Routes whose attributes have the same key share one attribute block and pack together.
 */
export interface RouteAttributes {
  communities?: readonly string[];
  largeCommunities?: readonly string[];
  localPreference?: number;
  med?: number;
  asPathPrepend?: number;
}

/** A canonical text of the attributes: equal attributes, equal keys ('' = nothing extra). */
export function routeAttributesKey(a: RouteAttributes): string {
  const parts: string[] = [];
  if (a.communities?.length) parts.push(`c=${[...new Set(a.communities)].sort().join(',')}`);
  if (a.largeCommunities?.length) parts.push(`l=${[...new Set(a.largeCommunities)].sort().join(',')}`);
  if (a.localPreference !== undefined) parts.push(`lp=${a.localPreference}`);
  if (a.med !== undefined) parts.push(`med=${a.med}`);
  if (a.asPathPrepend) parts.push(`pp=${a.asPathPrepend}`);
  return parts.join(' ');
}
