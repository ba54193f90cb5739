/**
 * PURE. Splits the observed pools and policies into valid ones (defaults applied) and
 * invalid ones with their problems. Invalid objects are not used; their status says why.
 */
import type { BGPPeeringPolicy, L2AnnouncementPolicy, LoadBalancerIPPool } from '../../api/v1alpha1.ts';
import {
  formatProblem,
  validateL2Policy,
  validatePolicy,
  validatePool,
} from '../../api/validate/resources.ts';

export interface ValidObjects {
  pools: LoadBalancerIPPool[];
  policies: BGPPeeringPolicy[];
  /** pool -> problems */
  invalidPools: Map<LoadBalancerIPPool, string[]>;
  invalidPolicyObjects: Map<BGPPeeringPolicy, string[]>;
  /** by name, for /status */
  invalidPolicies: Map<string, string[]>;
  l2Policies: L2AnnouncementPolicy[];
  invalidL2PolicyObjects: Map<L2AnnouncementPolicy, string[]>;
}

export function validObjects(o: {
  pools: readonly LoadBalancerIPPool[];
  policies: readonly BGPPeeringPolicy[];
  l2Policies?: readonly L2AnnouncementPolicy[];
}): ValidObjects {
  const out: ValidObjects = {
    pools: [],
    policies: [],
    invalidPools: new Map(),
    invalidPolicyObjects: new Map(),
    invalidPolicies: new Map(),
    l2Policies: [],
    invalidL2PolicyObjects: new Map(),
  };
  for (const p of o.pools) {
    const v = validatePool(p);
    if (v.ok) out.pools.push({ ...v.value, metadata: { ...p.metadata, ...v.value.metadata } });
    else out.invalidPools.set(p, v.problems.map(formatProblem));
  }
  for (const p of o.policies) {
    const v = validatePolicy(p);
    if (v.ok) out.policies.push({ ...v.value, metadata: { ...p.metadata, ...v.value.metadata } });
    else {
      const problems = v.problems.map(formatProblem);
      out.invalidPolicyObjects.set(p, problems);
      out.invalidPolicies.set(p.metadata?.name ?? '(unnamed)', problems);
    }
  }
  for (const p of o.l2Policies ?? []) {
    const v = validateL2Policy(p);
    if (v.ok) out.l2Policies.push({ ...v.value, metadata: { ...p.metadata, ...v.value.metadata } });
    else out.invalidL2PolicyObjects.set(p, v.problems.map(formatProblem));
  }
  return out;
}
