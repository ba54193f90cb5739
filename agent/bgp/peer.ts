/**
 * PURE. The one description of a BGP peer: what reconcile/plan builds, the speaker runs and
 * the session drives. The neighbor defaults come from agent/api/defaults.ts, written once.
 */

import {
  DEFAULT_CONNECT_RETRY_TIME_SECONDS,
  DEFAULT_HOLD_TIME_SECONDS,
  DEFAULT_KEEPALIVE_TIME_SECONDS,
  DEFAULT_PEER_PORT,
  DEFAULT_RESTART_TIME_SECONDS,
} from '../api/defaults.ts';
import type { FsmConfig } from './fsm/types.ts';
import type { DialOptions } from './transport.ts';

/** The BGP port (RFC 4271 §8.2.1). */
export const BGP_PORT = DEFAULT_PEER_PORT;

/** The resource defaults (agent/api/defaults.ts) plus the speaker's own. */
export const PEER_DEFAULTS = {
  peerPort: BGP_PORT,
  /** 0 disables keepalives and the hold timer. */
  holdTimeSeconds: DEFAULT_HOLD_TIME_SECONDS,
  keepAliveTimeSeconds: DEFAULT_KEEPALIVE_TIME_SECONDS,
  connectRetryTimeSeconds: DEFAULT_CONNECT_RETRY_TIME_SECONDS,
  gracefulRestart: { enabled: false, restartTimeSeconds: DEFAULT_RESTART_TIME_SECONDS },
  /** iBGP LOCAL_PREF when the neighbor sets none (RFC 4271 §5.1.5; the common default). */
  localPreference: 100,
  /** First reconnect delay after a failure, doubling up to connectRetryTime. */
  idleHoldBaseMs: 1000,
} as const;

/** One peer as a session runs it. */
export interface SessionConfig {
  id: string;
  peerAddress: string;
  peerPort: number;
  localASN: number;
  /** Expected peer ASN; undefined accepts any (the collector). */
  peerASN?: number;
  localAddress?: string;
  holdTimeSeconds: number;
  keepAliveTimeSeconds: number;
  connectRetryTimeSeconds: number;
  eBGPMultihopTTL?: number;
  gtsm?: boolean;
  /** Accept a 127/8 NEXT_HOP (a collector peering over loopback); never for routers. */
  acceptLoopbackNextHop?: boolean;
  password?: string;
  gracefulRestart: { enabled: boolean; restartTimeSeconds: number };
  passive?: boolean;
  communities: string[];
  largeCommunities: string[];
  localPreference?: number;
  /** MULTI_EXIT_DISC on every route to this peer. */
  med?: number;
  /** Extra copies of the local AS on every route to this eBGP peer. */
  asPathPrepend?: number;
  /** First reconnect delay after a failure (default PEER_DEFAULTS.idleHoldBaseMs). */
  idleHoldBaseMs?: number;
}

/** A session the speaker runs: a router whose AS is known (the collector accepts any). */
export interface PeerConfig extends SessionConfig {
  peerASN: number;
}

/** The speaker's name for a peer: the address, with ":port" unless it is the BGP port. */
export function peerId(address: string, port: number): string {
  return port === BGP_PORT ? address : `${address}:${port}`;
}

/** RFC 5082 GTSM: send with TTL 255, accept 254 and up (one hop). */
export const GTSM_TTL = 255;
export const GTSM_MIN_TTL = 254;
/** RFC 4271 eBGP: one hop unless eBGPMultihopTTL says otherwise. */
export const EBGP_TTL = 1;

/** How to dial a peer: TTL 255 + minimum TTL with GTSM, the eBGP TTL on eBGP, the TCP-MD5 key. */
export function dialOptions(c: SessionConfig): DialOptions {
  const ttl = c.gtsm
    ? GTSM_TTL
    : c.localASN !== c.peerASN && c.peerASN !== undefined
      ? (c.eBGPMultihopTTL ?? EBGP_TTL)
      : undefined;
  return {
    host: c.peerAddress,
    port: c.peerPort,
    ...(c.localAddress ? { localAddress: c.localAddress } : {}),
    ...(ttl !== undefined ? { ttl } : {}),
    ...(c.gtsm ? { minTtl: GTSM_MIN_TTL } : {}),
    ...(c.password ? { password: c.password } : {}),
  };
}

/** The FSM's part of a peer config. */
export function fsmConfig(c: SessionConfig): FsmConfig {
  return {
    holdTimeSeconds: c.holdTimeSeconds,
    keepAliveTimeSeconds: c.keepAliveTimeSeconds,
    connectRetryTimeSeconds: c.connectRetryTimeSeconds,
    passive: !!c.passive,
    ...(c.idleHoldBaseMs !== undefined ? { idleHoldBaseMs: c.idleHoldBaseMs } : {}),
  };
}
