/**
 * PURE. The attributes of a Service's routes: what each advertisement that matches it adds,
 * what the Service's own edgelb.io/bgp-* annotations add where that advertisement allows them,
 * and how several advertisements combine. The neighbor's own attributes are the speaker's
 * (agent/bgp/adj-rib-out.ts puts a route's attributes on top of its peer's).
 */
import type { ServiceObject } from '../../api/core.ts';
import {
  type BGPPathAttributes,
  largeCommunity,
  MAX_AS_PATH_PREPEND,
  standardCommunity,
} from '../../api/peering-policy.ts';
import type { Problem } from '../../api/validate/fields.ts';
import type { RouteAttributes } from '../../bgp/rib/route-attributes.ts';

export const BGP_COMMUNITIES_ANNOTATION = 'edgelb.io/bgp-communities';
export const BGP_LARGE_COMMUNITIES_ANNOTATION = 'edgelb.io/bgp-large-communities';
export const BGP_LOCAL_PREF_ANNOTATION = 'edgelb.io/bgp-local-pref';
export const BGP_AS_PATH_PREPEND_ANNOTATION = 'edgelb.io/bgp-as-path-prepend';

/** LOCAL_PREF is a 32-bit unsigned integer (RFC 4271 §4.3). */
const UINT32_MAX = 4294967295;

export interface ServiceAttributes {
  attributes: RouteAttributes;
  /** One sentence per bad annotation, naming it; the Service keeps the advertisement's attributes. */
  problems: string[];
}

const NOTHING: ServiceAttributes = Object.freeze({ attributes: Object.freeze({}), problems: [] });

function list(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function integer(text: string, max: number): number | undefined {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) return undefined;
  const n = Number(t);
  return n <= max ? n : undefined;
}

/** The edgelb.io/bgp-* annotations of a Service; a bad one is left out and named in `problems`. */
export function serviceAttributes(svc: ServiceObject): ServiceAttributes {
  const an = svc.metadata.annotations;
  if (!an) return NOTHING;
  const c = an[BGP_COMMUNITIES_ANNOTATION];
  const l = an[BGP_LARGE_COMMUNITIES_ANNOTATION];
  const lp = an[BGP_LOCAL_PREF_ANNOTATION];
  const pp = an[BGP_AS_PATH_PREPEND_ANNOTATION];
  if (c === undefined && l === undefined && lp === undefined && pp === undefined) return NOTHING;
  const a: { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] } = {};
  const problems: string[] = [];
  const parsed = (name: string, text: string, parse: typeof standardCommunity): string[] | undefined => {
    const out: Problem[] = [];
    const values = list(text).map((s) => parse(s, name, out));
    if (out.length) {
      problems.push(`annotation ${name}: ${out.map((p) => p.message).join('; ')}`);
      return undefined;
    }
    return values as string[];
  };
  if (c !== undefined) {
    const v = parsed(BGP_COMMUNITIES_ANNOTATION, c, standardCommunity);
    if (v?.length) a.communities = v;
  }
  if (l !== undefined) {
    const v = parsed(BGP_LARGE_COMMUNITIES_ANNOTATION, l, largeCommunity);
    if (v?.length) a.largeCommunities = v;
  }
  if (lp !== undefined) {
    const v = integer(lp, UINT32_MAX);
    if (v === undefined)
      problems.push(
        `annotation ${BGP_LOCAL_PREF_ANNOTATION}: must be an integer 0..${UINT32_MAX}, got "${lp}"`,
      );
    else a.localPreference = v;
  }
  if (pp !== undefined) {
    const v = integer(pp, MAX_AS_PATH_PREPEND);
    if (v === undefined)
      problems.push(
        `annotation ${BGP_AS_PATH_PREPEND_ANNOTATION}: must be an integer 0..${MAX_AS_PATH_PREPEND}, got "${pp}"`,
      );
    else a.asPathPrepend = v;
  }
  return { attributes: a, problems };
}

/** An advertisement's attributes as a route carries them. */
export function advertisementAttributes(p: BGPPathAttributes | undefined): RouteAttributes {
  if (!p) return {};
  return {
    ...(p.communities?.standard?.length ? { communities: p.communities.standard } : {}),
    ...(p.communities?.large?.length ? { largeCommunities: p.communities.large } : {}),
    ...(p.localPreference !== undefined ? { localPreference: p.localPreference } : {}),
    ...(p.med !== undefined ? { med: p.med } : {}),
    ...(p.asPathPrepend !== undefined ? { asPathPrepend: p.asPathPrepend } : {}),
  };
}

/** A Service's annotations after its advertisement's: communities add, local-pref and prepend replace. */
export function withServiceAttributes(adv: RouteAttributes, own: RouteAttributes): RouteAttributes {
  const out: { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] } = { ...adv };
  if (own.communities?.length) out.communities = union(adv.communities, own.communities);
  if (own.largeCommunities?.length) out.largeCommunities = union(adv.largeCommunities, own.largeCommunities);
  if (own.localPreference !== undefined) out.localPreference = own.localPreference;
  if (own.asPathPrepend !== undefined) out.asPathPrepend = own.asPathPrepend;
  return out;
}

function union(a: readonly string[] | undefined, b: readonly string[] | undefined): readonly string[] {
  if (!a?.length) return b ?? [];
  if (!b?.length) return a;
  return [...new Set([...a, ...b])];
}

/**
 * A route matched by several advertisements (Cilium 1.18's rule for communities): the union
 * of the communities, the highest local-pref, the lowest MED, the largest prepend. An
 * advertisement that does not set an attribute takes no part in choosing it.
 */
export function mergeRouteAttributes(a: RouteAttributes, b: RouteAttributes): RouteAttributes {
  const out: { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] } = {};
  const c = union(a.communities, b.communities);
  if (c.length) out.communities = c;
  const l = union(a.largeCommunities, b.largeCommunities);
  if (l.length) out.largeCommunities = l;
  const pick = (x: number | undefined, y: number | undefined, better: (x: number, y: number) => number) =>
    x === undefined ? y : y === undefined ? x : better(x, y);
  const lp = pick(a.localPreference, b.localPreference, Math.max);
  if (lp !== undefined) out.localPreference = lp;
  const med = pick(a.med, b.med, Math.min);
  if (med !== undefined) out.med = med;
  const pp = pick(a.asPathPrepend, b.asPathPrepend, Math.max);
  if (pp !== undefined) out.asPathPrepend = pp;
  return out;
}
