/**
 * PURE. The one vocabulary of why a Service has no IP: each IPAM failure has one CamelCase
 * reason, the same in the Service condition, its Warning Event and the
 * edgelb_ipam_errors_total label ("PoolExhausted" everywhere).
 */
import type { FailureReason } from '../../ipam/types.ts';

export const FAILURE_REASONS = {
  'invalid-request': 'InvalidRequest',
  'no-pool-for-ip': 'NoPoolForIp',
  'ip-in-use': 'IpInUse',
  'no-matching-pool': 'NoMatchingPool',
  'pool-exhausted': 'PoolExhausted',
  'sharing-conflict': 'SharingConflict',
  'dual-stack-unavailable': 'DualStackUnavailable',
  'ip-held': 'IpHeld',
} as const satisfies Record<FailureReason, string>;

export type ReasonName = (typeof FAILURE_REASONS)[FailureReason];

/** The reason of a failure, as conditions, Events and metrics spell it. */
export function failureReason(r: FailureReason): ReasonName {
  return FAILURE_REASONS[r];
}
