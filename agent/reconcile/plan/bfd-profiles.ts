/**
 * PURE. BFD for BGP neighbors: each neighbor's `bfdProfile` resolved against the BFDProfiles
 * (found: the session runs with the profile's timers; missing: the neighbor runs without BFD
 * until it appears), and the `BFDProfileResolved` condition of a peering policy that names one.
 * A missing profile never makes the policy invalid.
 */
import type { BFDProfile } from '../../api/bfd-profile.ts';
import {
  DEFAULT_BFD_DETECT_MULTIPLIER,
  DEFAULT_BFD_MINIMUM_TTL,
  DEFAULT_BFD_PASSIVE_MODE,
  DEFAULT_BFD_RECEIVE_INTERVAL_MS,
  DEFAULT_BFD_TRANSMIT_INTERVAL_MS,
} from '../../api/defaults.ts';
import type { BGPNeighbor, BGPPeeringPolicy, Condition } from '../../api/v1alpha1.ts';
import type { BfdProfile } from '../../bfd/profile.ts';

export const BFD_PROFILE_RESOLVED = 'BFDProfileResolved';

/** One BFD session the plan asks for, keyed by the BGP peer it guards. */
export interface BfdPlan {
  /** The BGP peer id (speaker's key). */
  peerId: string;
  peerAddress: string;
  /** RFC 5883 multihop (UDP 4784) for a neighbor with eBGPMultihopTTL > 1; else RFC 5881 single hop. */
  multihop: boolean;
  profileName: string;
  profile: BfdProfile;
}

export function profileTimers(p: BFDProfile): BfdProfile {
  const s = p.spec ?? {};
  return {
    receiveIntervalMs: s.receiveIntervalMilliseconds ?? DEFAULT_BFD_RECEIVE_INTERVAL_MS,
    transmitIntervalMs: s.transmitIntervalMilliseconds ?? DEFAULT_BFD_TRANSMIT_INTERVAL_MS,
    detectMultiplier: s.detectMultiplier ?? DEFAULT_BFD_DETECT_MULTIPLIER,
    passiveMode: s.passiveMode ?? DEFAULT_BFD_PASSIVE_MODE,
    minimumTtl: s.minimumTtl ?? DEFAULT_BFD_MINIMUM_TTL,
  };
}

export function profilesByName(profiles: readonly BFDProfile[] | undefined): Map<string, BFDProfile> {
  return new Map((profiles ?? []).map((p) => [p.metadata.name, p]));
}

export function isMultihop(n: BGPNeighbor): boolean {
  return n.eBGPMultihopTTL !== undefined && n.eBGPMultihopTTL > 1;
}

/** The BFD session for one planned peer, or undefined (no bfdProfile, or the profile is missing). */
export function bfdFor(
  n: BGPNeighbor,
  peer: { id: string; peerAddress: string },
  profiles: ReadonlyMap<string, BFDProfile>,
): BfdPlan | undefined {
  if (!n.bfdProfile) return undefined;
  const p = profiles.get(n.bfdProfile);
  if (!p) return undefined;
  return {
    peerId: peer.id,
    peerAddress: peer.peerAddress,
    multihop: isMultihop(n),
    profileName: n.bfdProfile,
    profile: profileTimers(p),
  };
}

/**
 * BFDProfileResolved for a policy whose neighbors name a profile; undefined when none does
 * and the policy never had the condition. One that had it and names none any more gets
 * True/NotUsed, so a stale "not found" does not stay behind.
 */
export function bfdProfileCondition(
  policy: BGPPeeringPolicy,
  profiles: ReadonlyMap<string, BFDProfile>,
): Omit<Condition, 'lastTransitionTime'> | undefined {
  const named = new Set<string>();
  for (const vr of policy.spec.virtualRouters ?? [])
    for (const n of vr.neighbors ?? []) if (n.bfdProfile) named.add(n.bfdProfile);
  if (named.size === 0) {
    const had = policy.status?.conditions?.some((c) => c.type === BFD_PROFILE_RESOLVED);
    return had
      ? {
          type: BFD_PROFILE_RESOLVED,
          status: 'True',
          reason: 'NotUsed',
          message: 'no neighbor names a BFDProfile',
        }
      : undefined;
  }
  const missing = [...named].filter((n) => !profiles.has(n)).sort();
  if (missing.length === 0)
    return {
      type: BFD_PROFILE_RESOLVED,
      status: 'True',
      reason: 'Resolved',
      message: `BFDProfile ${[...named].sort().join(', ')} found`,
    };
  return {
    type: BFD_PROFILE_RESOLVED,
    status: 'False',
    reason: 'ProfileNotFound',
    message: `BFDProfile ${missing.join(', ')} not found; its neighbors run without BFD until it exists`,
  };
}
