/**
 * PURE. Which session a received datagram belongs to, or why it is discarded: the
 * reception checks and TTL rule first, then Your Discriminator, or (peer, mode) when it
 * is 0 (RFC 5880 §6.3, RFC 5881 §3), then the expected local address and, for multihop,
 * the session's minimum TTL (RFC 5883 §5).
 */
import { checkDatagram, type DiscardReason, SINGLE_HOP_TTL } from './checks.ts';
import type { ControlPacket } from './packet.ts';

/** The parts of a received datagram routing looks at (transport.ts's BfdDatagram has them). */
export interface RoutedDatagram {
  bytes: Uint8Array;
  /** Source address. */
  peer: string;
  /** Destination address, '' if unknown. */
  local: string;
  /** Received TTL / Hop Limit. */
  ttl: number;
  multihop: boolean;
}

/** The parts of a session routing looks at (canonical addresses). */
export interface Routable {
  spec: { peer: string; local?: string; multihop?: boolean; profile: { minimumTtl: number } };
}

/** The session a datagram belongs to, or why it is discarded. */
export function routeDatagram<E extends Routable>(
  d: RoutedDatagram,
  byDiscr: ReadonlyMap<number, E>,
  byPeer: ReadonlyMap<string, E>,
): { entry: E; packet: ControlPacket } | DiscardReason {
  // Single hop: TTL must be 255 (RFC 5881 §5); multihop: checked against the session's minimum below.
  const r = checkDatagram(d.bytes, d.ttl, d.multihop ? 0 : SINGLE_HOP_TTL);
  if (!r.ok) return r.reason;
  const p = r.packet;
  let e: E | undefined;
  if (p.yourDiscriminator !== 0) {
    e = byDiscr.get(p.yourDiscriminator);
    if (!e) return 'unknown-your-discriminator';
    // A known discriminator from another address or mode is a spoof or a stale peer.
    if (e.spec.peer !== d.peer || (e.spec.multihop === true) !== d.multihop) return 'address-mismatch';
  } else {
    e = byPeer.get(d.peer);
    if (!e || (e.spec.multihop === true) !== d.multihop) return 'no-session';
  }
  if (e.spec.local && d.local && e.spec.local !== d.local) return 'address-mismatch';
  if (d.multihop && d.ttl < e.spec.profile.minimumTtl) return 'bad-ttl';
  return { entry: e, packet: p };
}
