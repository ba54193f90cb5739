/** PURE. What one session's Adj-RIB-Out encodes with: families, next hops, sizes, attribute policy. */
import type { SessionConfig } from './peer.ts';
import type { EncodeContext, Family } from './rib/encode-groups.ts';
import { type Negotiated, parseIPv6 } from './wire/index.ts';

/** What the negotiated session allows: families, next hops, sizes and the attribute policy. */
export interface RibOutContext extends EncodeContext {
  families: readonly Family[];
}

/** What the session knows to build a RibOutContext. */
export interface RibContextInput {
  config: SessionConfig;
  negotiated: Negotiated | undefined;
  remoteASN: number | undefined;
  /** The connection's local address (the next hop when none is configured). */
  localAddress: string | undefined;
}

/** Next hops, families and attribute policy of the session as negotiated now. */
export function ribContext(
  i: RibContextInput,
  configured: {
    nextHopV4?: string;
    nextHopV6?: string;
    /** The host's own address of a family when neither pinned nor the session's (agent.ts). */
    fallbackNextHop?: (family: 4 | 6, localAddress: string | undefined) => string | undefined;
  },
): RibOutContext {
  const local = i.localAddress?.replace(/^::ffff:/, '');
  const v4 =
    configured.nextHopV4 ??
    (local && !local.includes(':') ? local : undefined) ??
    configured.fallbackNextHop?.(4, local);
  const v6text =
    configured.nextHopV6 ??
    (local?.includes(':') && !local.startsWith('fe80') ? local : undefined) ??
    configured.fallbackNextHop?.(6, local);
  const v6 = v6text ? parseIPv6(v6text) : undefined;
  const c = i.config;
  return {
    families: i.negotiated?.families ?? [],
    ...(v4 ? { nextHopV4: v4 } : {}),
    ...(v6 ? { nextHopV6: v6 } : {}),
    as4: !!i.negotiated?.as4,
    extendedMessage: !!i.negotiated?.extendedMessage,
    localASN: c.localASN,
    peerASN: i.remoteASN ?? c.peerASN ?? c.localASN,
    communities: c.communities,
    largeCommunities: c.largeCommunities,
    ...(c.localPreference !== undefined ? { localPreference: c.localPreference } : {}),
    ...(c.med !== undefined ? { med: c.med } : {}),
    ...(c.asPathPrepend ? { asPathPrepend: c.asPathPrepend } : {}),
  };
}
