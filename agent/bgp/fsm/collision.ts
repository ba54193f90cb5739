/**
 * PURE. Connection collision resolution (RFC 4271 §6.8): of two connections to one peer,
 * keep the one initiated by the speaker with the higher BGP Identifier (compared as
 * unsigned 32-bit integers); the other is closed with Cease 6/7.
 */
import type { StateName } from './types.ts';

function idValue(id: string): number {
  const p = id.split('.').map(Number);
  return (((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0) as number;
}

/** Which connection survives: the one we initiated ('outgoing') or the peer's ('incoming'). */
export function collisionWinner(localId: string, remoteId: string): 'outgoing' | 'incoming' {
  return idValue(localId) > idValue(remoteId) ? 'outgoing' : 'incoming';
}

/** What the session knows when the peer opens a connection to us. */
export interface IncomingView {
  state: StateName;
  /** ManualStop seen. */
  stopped: boolean;
  /** We hold a connection (in Connect: our dial is under way). */
  hasConnection: boolean;
  /** An earlier incoming connection already waits for its OPEN. */
  holding: boolean;
  /** Graceful restart was negotiated on the Established session. */
  gracefulRestart: boolean;
}

/**
 * - 'take-over': we have no usable connection: continue on the new one.
 * - 'hold': RFC 4271 §6.8, keep it until its OPEN names the peer's identifier.
 * - 'replace': RFC 4724 §4.2, a restarted peer reconnects; the old connection is dead.
 * - 'reject': Cease/Connection Collision Resolution on the new connection.
 */
export type IncomingDecision = 'take-over' | 'hold' | 'replace' | 'reject';

export function onIncoming(v: IncomingView): IncomingDecision {
  const s = v.state;
  const dialing = s === 'Connect' && v.hasConnection;
  if (!dialing && (s === 'Connect' || s === 'Active' || (s === 'Idle' && !v.stopped))) return 'take-over';
  if ((dialing || s === 'OpenSent' || s === 'OpenConfirm') && !v.holding) return 'hold';
  if (s === 'Established' && v.gracefulRestart) return 'replace';
  return 'reject';
}

/** What the session knows when the held connection's OPEN arrives. */
export interface HeldOpenView {
  state: StateName;
  hasConnection: boolean;
  /** Our current connection was dialled by us (undefined: none). */
  ourOutgoing: boolean | undefined;
  localId: string;
  remoteId: string;
}

/**
 * - 'take-over': our connection went away meanwhile: continue on the new one.
 * - 'dump-ours': close ours with Cease/Collision (OpenCollisionDump), continue on the new one.
 * - 'drop-dialing': our dial sent nothing yet: drop it silently, continue on the new one.
 * - 'reject-new': ours wins: the new one gets Cease/Collision.
 */
export type HeldOpenDecision = 'take-over' | 'dump-ours' | 'drop-dialing' | 'reject-new';

export function onHeldOpen(v: HeldOpenView): HeldOpenDecision {
  const s = v.state;
  if (s !== 'OpenSent' && s !== 'OpenConfirm' && !(s === 'Connect' && v.hasConnection)) return 'take-over';
  // Two connections both from the peer are no collision: the peer gave up the older one
  // (a silent or half-open socket must not lock the router out), so the newer one wins.
  if (v.hasConnection && !v.ourOutgoing) return 'dump-ours';
  // Keep the connection initiated by the higher identifier.
  const ours = v.ourOutgoing ? 'outgoing' : 'incoming';
  if (collisionWinner(v.localId, v.remoteId) === ours) return 'reject-new';
  return s === 'Connect' ? 'drop-dialing' : 'dump-ours';
}
