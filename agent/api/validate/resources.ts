/**
 * PURE. The validators of edgelb's own kinds, derived from their definitions
 * (api/pool.ts, peering-policy.ts, bfd-profile.ts, l2-announcement-policy.ts): every
 * problem at once with its field path, unknown fields with a did-you-mean, and the
 * documented defaults applied. Both sources and the converter use these.
 */
import { type BFDProfile, bfdProfileResource } from '../bfd-profile.ts';
import { type L2AnnouncementPolicy, l2PolicyResource } from '../l2-announcement-policy.ts';
import { type BGPPeeringPolicy, policyResource } from '../peering-policy.ts';
import { type LoadBalancerIPPool, poolResource } from '../pool.ts';
import type { Validation } from './fields.ts';

export {
  type CoreOptions,
  type SecretData,
  validateEndpointSlice,
  validateNamespace,
  validateNode,
  validateSecret,
  validateService,
} from './core.ts';
export { formatProblem, type Problem, UINT32_MAX, type Validation } from './fields.ts';

export const validatePool = (input: unknown): Validation<LoadBalancerIPPool> => poolResource.validate(input);
export const validatePolicy = (input: unknown): Validation<BGPPeeringPolicy> =>
  policyResource.validate(input);
export const validateBfdProfile = (input: unknown): Validation<BFDProfile> =>
  bfdProfileResource.validate(input);
export const validateL2Policy = (input: unknown): Validation<L2AnnouncementPolicy> =>
  l2PolicyResource.validate(input);
