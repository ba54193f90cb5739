/**
 * PURE. The RFC 5880 §6.8.6 reception checks that need no session, in the RFC's order, plus
 * the RFC 5881 §5 / RFC 5883 §5 TTL rule. Each failure is a named reason (counted by the
 * shell), never an exception. The session lookup (Your Discriminator, then addresses) is the
 * shell's; its failures use the same vocabulary.
 */
import {
  BFD_VERSION,
  BfdCodecError,
  CONTROL_LENGTH,
  CONTROL_LENGTH_WITH_AUTH,
  type ControlPacket,
  decodeControl,
} from './packet.ts';

/** RFC 5881 §5: without authentication, a single-hop packet must arrive with TTL/Hop Limit 255. */
export const SINGLE_HOP_TTL = 255;

export type DiscardReason =
  | 'truncated'
  | 'bad-version'
  | 'bad-length'
  | 'zero-detect-mult'
  | 'multipoint'
  | 'zero-my-discriminator'
  | 'unknown-your-discriminator'
  | 'your-discriminator-zero-not-down'
  | 'authentication-mismatch'
  | 'bad-ttl'
  | 'no-session'
  | 'address-mismatch';

export const DISCARD_REASONS: readonly DiscardReason[] = [
  'truncated',
  'bad-version',
  'bad-length',
  'zero-detect-mult',
  'multipoint',
  'zero-my-discriminator',
  'unknown-your-discriminator',
  'your-discriminator-zero-not-down',
  'authentication-mismatch',
  'bad-ttl',
  'no-session',
  'address-mismatch',
];

export type CheckResult = { ok: true; packet: ControlPacket } | { ok: false; reason: DiscardReason };

/**
 * Decodes a datagram's payload and applies the session-independent checks. `ttl` is the
 * received TTL/Hop Limit; `minTtl` is 255 for single hop and the profile's minimum for multihop.
 */
export function checkDatagram(payload: Uint8Array, ttl: number, minTtl: number): CheckResult {
  let p: ControlPacket;
  try {
    p = decodeControl(payload);
  } catch (e) {
    if (e instanceof BfdCodecError) return { ok: false, reason: 'truncated' };
    throw e;
  }
  // RFC 5880 §6.8.6, in order.
  if (p.version !== BFD_VERSION) return { ok: false, reason: 'bad-version' };
  // Length below the minimum (26 when the A bit announces an authentication section), or past the datagram.
  if (p.length < (p.authentication ? CONTROL_LENGTH_WITH_AUTH : CONTROL_LENGTH) || p.length > payload.length)
    return { ok: false, reason: 'bad-length' };
  if (p.detectMult === 0) return { ok: false, reason: 'zero-detect-mult' };
  if (p.multipoint) return { ok: false, reason: 'multipoint' };
  if (p.myDiscriminator === 0) return { ok: false, reason: 'zero-my-discriminator' };
  // Your Discriminator = 0 is only valid while the sender does not know us yet.
  if (p.yourDiscriminator === 0 && p.state !== 'Down' && p.state !== 'AdminDown')
    return { ok: false, reason: 'your-discriminator-zero-not-down' };
  // edgelb configures no authentication: a packet that carries it does not match our config.
  if (p.authentication) return { ok: false, reason: 'authentication-mismatch' };
  // RFC 5881 §5 / RFC 5883 §5: the TTL (GTSM-style) check, since no authentication is in use.
  if (ttl < minTtl) return { ok: false, reason: 'bad-ttl' };
  return { ok: true, packet: p };
}
