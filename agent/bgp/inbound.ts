/**
 * PURE. What the session learns from the peer's messages: an OPEN checked against the
 * configuration and negotiated; the FSM event for a NOTIFICATION or a wire error; the family a
 * ROUTE-REFRESH asks for. The session only applies the results.
 */
import type { Family } from './adj-rib-out.ts';
import type { FsmEvent } from './fsm/types.ts';
import type { SessionConfig } from './peer.ts';
import {
  AFI_IPV4,
  AFI_IPV6,
  CAP_FQDN,
  type Capability,
  checkTypeLength,
  type DecodeContext,
  ErrorCode,
  MAX_EXTENDED_MESSAGE,
  MAX_MESSAGE,
  MessageType,
  messageTypeOf,
  type Negotiated,
  type NotificationMessage,
  negotiate,
  type OpenMessage,
  OpenSubcode,
  peerASNOf,
  type RouteRefreshMessage,
  RouteRefreshSubtype,
  SAFI_UNICAST,
  validateOpen,
  type WireError,
} from './wire/index.ts';

export interface OpenResult {
  remoteId: string;
  remoteASN: number;
  remoteHostname: string | undefined;
  negotiated: Negotiated;
  /** How to decode the peer's next messages. */
  ctx: DecodeContext;
}

/** RFC 4271 §6.2 checks, then capability negotiation (RFC 5492); a WireError is the NOTIFICATION. */
export function openReceived(
  m: OpenMessage,
  config: SessionConfig,
  routerId: string,
  local: Capability[],
): OpenResult | WireError {
  const err = validateOpen(m, {
    peerASN: config.peerASN ?? peerASNOf(m),
    localASN: config.localASN,
    localBgpId: routerId,
  });
  if (err) return err;
  const fq = m.capabilities.find((c) => c.code === CAP_FQDN && !('unknown' in c)) as
    | { hostname: string }
    | undefined;
  const negotiated = negotiate(local, m.capabilities);
  return {
    remoteId: m.bgpId,
    remoteASN: peerASNOf(m),
    remoteHostname: fq?.hostname,
    negotiated,
    ctx: {
      as4: negotiated.as4,
      maxLength: negotiated.extendedMessage ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE,
      ...(config.acceptLoopbackNextHop ? { loopbackNextHop: true } : {}),
    },
  };
}

/** The FSM event for a message the decoder refused (RFC 4271 §6.1-6.3). */
export function wireErrorEvent(e: WireError): FsmEvent {
  const ev = { code: e.code, subcode: e.subcode, data: e.data };
  if (e.code === ErrorCode.MessageHeader) return { type: 'BGPHeaderErr', ...ev };
  if (e.code === ErrorCode.OpenMessage) return { type: 'BGPOpenMsgErr', ...ev };
  return { type: 'UpdateMsgErr', ...ev };
}

/** RFC 4271 §8.2.1: Event 24 for a version error, Event 25 for any other NOTIFICATION. */
export function notificationEvent(m: NotificationMessage): FsmEvent {
  const versionError = m.code === ErrorCode.OpenMessage && m.subcode === OpenSubcode.UnsupportedVersion;
  return { type: versionError ? 'NotifMsgVerErr' : 'NotifMsg' };
}

/**
 * The family to send again for a ROUTE-REFRESH, or undefined. RFC 2918 §5: ignore a refresh
 * for a family that was not negotiated; RFC 7313 §5: BoRR/EoRR only frame the peer's own
 * re-send, and other subtypes are ignored.
 */
export function refreshFamily(
  m: RouteRefreshMessage,
  negotiated: Negotiated | undefined,
): Family | undefined {
  if (m.subtype !== RouteRefreshSubtype.Normal || m.safi !== SAFI_UNICAST) return undefined;
  const fam = m.afi === AFI_IPV4 ? 'ipv4' : m.afi === AFI_IPV6 ? 'ipv6' : undefined;
  return fam && negotiated?.families.includes(fam) ? fam : undefined;
}

/**
 * RFC 6608: an OPEN after OpenSent is an FSM error whatever its body; only the header checks
 * (the framer's marker and length, and the OPEN minimum length, which throws) come first.
 * Returns the FSM event, or undefined when the message is decoded as usual.
 */
export function openOutOfState(m: Uint8Array, state: string): FsmEvent | undefined {
  if (messageTypeOf(m) !== MessageType.OPEN || state === 'OpenSent') return undefined;
  checkTypeLength(MessageType.OPEN, m.length);
  return { type: 'BGPOpen', holdTime: 0 };
}
