/**
 * PURE. The connect gate of a BGP session coupled to a path liveness detector (BFD,
 * RFC 5882 §4.3): after the path failed, or before it was ever seen alive, the session
 * does not (re)connect until the detector says the path is Up, or, if the peer never
 * answers the detector at all, until a bounded wait has passed (then BGP runs without it
 * and /status says so).
 *
 * bgp never imports bfd: the detector is behind `LivenessGate`, implemented by the
 * composition layer (reconcile/bfd-coupling.ts).
 */

/** How long a session waits for BFD to come Up before connecting without it. */
export const DEFAULT_LIVENESS_WAIT_MS = 30_000;

/** 'up': the path is alive; 'down': not (yet); undefined: no detector for this peer (never gated). */
export type LivenessState = 'up' | 'down' | undefined;

/** What the speaker asks about a peer (by its address). */
export interface LivenessGate {
  state(peerAddress: string): LivenessState;
  /** Bounded wait before connecting without the detector (default DEFAULT_LIVENESS_WAIT_MS). */
  maxWaitMs?: number;
}

export interface GateView {
  liveness: LivenessState;
  /** When the session first wanted to connect while the path was not Up (undefined: not waiting yet). */
  waitingSince: number | undefined;
  /** The bounded wait ran out once and the detector has not been Up since: do not wait again. */
  waitedOut: boolean;
  maxWaitMs: number;
}

export type GateDecision =
  | { type: 'connect'; withoutLiveness: boolean }
  /** Hold the connect; look again after `ms` (or as soon as the detector says Up). */
  | { type: 'wait'; ms: number };

export function gateDecision(v: GateView, now: number): GateDecision {
  if (v.liveness === undefined || v.liveness === 'up') return { type: 'connect', withoutLiveness: false };
  if (v.waitedOut) return { type: 'connect', withoutLiveness: true };
  const since = v.waitingSince ?? now;
  const left = since + v.maxWaitMs - now;
  if (left <= 0) return { type: 'connect', withoutLiveness: true };
  return { type: 'wait', ms: left };
}
