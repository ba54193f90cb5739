/**
 * PURE. The edgelb.io/BGPAttributesValid condition of Services whose advertisement honours
 * their edgelb.io/bgp-* annotations: False naming each bad annotation (the Service is still
 * announced, with the advertisement's attributes), True again once fixed. Computed by the
 * leader over every policy, whichever nodes they select, so the verdict does not depend on
 * where the leader runs.
 */
import { type ServiceObject, serviceKey } from '../../api/core.ts';
import type { BGPPeeringPolicy, Condition, LoadBalancerIPPool } from '../../api/v1alpha1.ts';
import { compileSelector } from '../../ipam/selector.ts';
import { poolLookup } from './advertisements.ts';
import { serviceSelectorLabels, statusPrefixes } from './announce.ts';
import { serviceAttributes } from './route-attributes.ts';

export const BGP_ATTRIBUTES_CONDITION = 'edgelb.io/BGPAttributesValid';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** Whether any advertisement honours Service annotations (else there is nothing to check). */
export function honoursAnnotations(policies: readonly BGPPeeringPolicy[]): boolean {
  return policies.some((p) =>
    p.spec.virtualRouters.some((vr) => vr.advertisements?.some((a) => a.allowServiceAttributes)),
  );
}

/** Service key -> its bad annotations, for Services an honouring advertisement matches. */
export function annotationProblems(
  policies: readonly BGPPeeringPolicy[],
  services: readonly ServiceObject[],
  pools: readonly LoadBalancerIPPool[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const poolOf = poolLookup(pools);
  for (const p of policies)
    for (const vr of p.spec.virtualRouters)
      for (const ad of vr.advertisements ?? []) {
        if (!ad.allowServiceAttributes) continue;
        const sel = compileSelector(ad.serviceSelector);
        if (!sel.ok) continue;
        const limit = ad.pools ? new Set(ad.pools) : undefined;
        for (const s of services) {
          const an = s.metadata.annotations;
          if (!an || out.has(serviceKey(s))) continue;
          if (!sel.matches(serviceSelectorLabels(s))) continue;
          if (limit && !statusPrefixes(s).some((x) => limit.has(poolOf(x) ?? ''))) continue;
          const { problems } = serviceAttributes(s);
          if (problems.length) out.set(serviceKey(s), problems);
        }
      }
  return out;
}

/** The condition to write, or undefined when status already says it (or nothing needs saying). */
export function attributeCondition(
  svc: ServiceObject,
  problems: readonly string[] | undefined,
): ConditionInput | undefined {
  const current = svc.status?.conditions?.find((c) => c.type === BGP_ATTRIBUTES_CONDITION);
  const want: ConditionInput | undefined = problems?.length
    ? {
        type: BGP_ATTRIBUTES_CONDITION,
        status: 'False',
        reason: 'InvalidAnnotation',
        message: `${problems.join('; ')}; announced with the advertisement's attributes`,
      }
    : current
      ? {
          type: BGP_ATTRIBUTES_CONDITION,
          status: 'True',
          reason: 'Valid',
          message: 'the edgelb.io/bgp-* annotations are valid',
        }
      : undefined;
  if (!want) return undefined;
  if (
    current &&
    current.status === want.status &&
    current.reason === want.reason &&
    current.message === want.message
  )
    return undefined;
  return svc.metadata.generation !== undefined
    ? { ...want, observedGeneration: svc.metadata.generation }
    : want;
}
