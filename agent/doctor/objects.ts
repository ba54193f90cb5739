/**
 * PURE. The objects doctor judges (pools, L2 and BGP policies), gathered from manifests
 * or API lists, each validated as the agent validates it; an invalid one is an error.
 */
import type { BGPPeeringPolicy, L2AnnouncementPolicy, LoadBalancerIPPool } from '../api/v1alpha1.ts';
import { formatProblem, validateL2Policy, validatePolicy, validatePool } from '../api/validate/resources.ts';
import { error, type Finding } from './findings.ts';

export interface Objects {
  pools: LoadBalancerIPPool[];
  l2Policies: L2AnnouncementPolicy[];
  bgpPolicies: BGPPeeringPolicy[];
}

export const noObjects = (): Objects => ({ pools: [], l2Policies: [], bgpPolicies: [] });

/** Validates raw API objects of one kind into `into`; each invalid one is an error finding. */
export function takeListed(
  kind: 'LoadBalancerIPPool' | 'L2AnnouncementPolicy' | 'BGPPeeringPolicy',
  items: unknown[],
  into: Objects,
): Finding[] {
  const out: Finding[] = [];
  for (const item of items) {
    const name = (item as { metadata?: { name?: string } })?.metadata?.name ?? '?';
    const raw = { ...(item as object), kind, apiVersion: 'edgelb.io/v1alpha1' };
    const r =
      kind === 'LoadBalancerIPPool'
        ? validatePool(raw)
        : kind === 'L2AnnouncementPolicy'
          ? validateL2Policy(raw)
          : validatePolicy(raw);
    if (!r.ok) {
      out.push(
        error(
          `${kind} ${name}`,
          `invalid, the agent ignores it: ${r.problems.map(formatProblem).join('; ')}`,
        ),
      );
      continue;
    }
    if (kind === 'LoadBalancerIPPool') into.pools.push(r.value as LoadBalancerIPPool);
    else if (kind === 'L2AnnouncementPolicy') into.l2Policies.push(r.value as L2AnnouncementPolicy);
    else into.bgpPolicies.push(r.value as BGPPeeringPolicy);
  }
  return out;
}
