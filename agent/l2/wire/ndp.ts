/**
 * PURE. IPv6 Neighbor Discovery (RFC 4861) over Ethernet: Neighbor Solicitation (type 135) and
 * Neighbor Advertisement (type 136) with the Source/Target Link-Layer Address options, inside
 * a whole frame (Ethernet + IPv6 + ICMPv6, checksum computed and checked here).
 * Validation follows RFC 4861 §7.1.1/§7.1.2: hop limit 255, code 0, length ≥ 24, valid checksum,
 * target not multicast, no zero-length option, no Source LLA when the source is unspecified.
 */
import { formatIP, type IP, ipFromBytes, ipToBytes } from '../../net/ip.ts';
import { decodeEthernet, EtherType, encodeEthernet } from './ethernet.ts';
import {
  ALL_NODES,
  decodeIPv6,
  encodeIPv6,
  icmpv6Checksum,
  isMulticast6,
  multicastMac,
  NEXT_HEADER_ICMPV6,
  solicitedNodeGroup,
} from './ipv6.ts';
import { MAC_LENGTH, type Mac } from './mac.ts';
import { type Decoded, fail } from './result.ts';

export const ICMPV6_NEIGHBOR_SOLICITATION = 135;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
/** RFC 4861 §4.6: option types, in units of 8 octets. */
export const OPTION_SOURCE_LLA = 1;
export const OPTION_TARGET_LLA = 2;
export const OPTION_UNIT = 8;
/** RFC 4861 §7.1: ND messages must arrive with hop limit 255 (never forwarded). */
export const ND_HOP_LIMIT = 255;
/** ICMPv6 header (4) + reserved/flags (4) + target (16). */
export const ND_MESSAGE_LENGTH = 24;

const FLAG_ROUTER = 0x80;
const FLAG_SOLICITED = 0x40;
const FLAG_OVERRIDE = 0x20;

export interface NeighborSolicitation {
  type: 'ns';
  target: IP;
  /** Source Link-Layer Address option, when present. */
  sourceLinkLayer?: Mac;
}

export interface NeighborAdvertisement {
  type: 'na';
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: IP;
  targetLinkLayer?: Mac;
}

export type NdMessage = NeighborSolicitation | NeighborAdvertisement;

export interface NdFrame {
  destinationMac: Mac;
  sourceMac: Mac;
  source: IP;
  destination: IP;
  hopLimit: number;
  message: NdMessage;
}

function lla(type: number, mac: Mac): Uint8Array {
  const o = new Uint8Array(OPTION_UNIT);
  o[0] = type;
  o[1] = 1;
  o.set(mac, 2);
  return o;
}

/** The ICMPv6 message with a zero checksum. */
function body(m: NdMessage): Uint8Array {
  const option =
    m.type === 'ns'
      ? m.sourceLinkLayer && lla(OPTION_SOURCE_LLA, m.sourceLinkLayer)
      : m.targetLinkLayer && lla(OPTION_TARGET_LLA, m.targetLinkLayer);
  const out = new Uint8Array(ND_MESSAGE_LENGTH + (option?.length ?? 0));
  out[0] = m.type === 'ns' ? ICMPV6_NEIGHBOR_SOLICITATION : ICMPV6_NEIGHBOR_ADVERTISEMENT;
  if (m.type === 'na')
    out[4] =
      (m.router ? FLAG_ROUTER : 0) | (m.solicited ? FLAG_SOLICITED : 0) | (m.override ? FLAG_OVERRIDE : 0);
  out.set(ipToBytes(m.target), 8);
  if (option) out.set(option, ND_MESSAGE_LENGTH);
  return out;
}

export function encodeNdFrame(f: NdFrame): Uint8Array {
  const icmp = body(f.message);
  const sum = icmpv6Checksum(f.source, f.destination, icmp);
  icmp[2] = sum >> 8;
  icmp[3] = sum & 0xff;
  const packet = encodeIPv6(
    {
      trafficClass: 0,
      flowLabel: 0,
      nextHeader: NEXT_HEADER_ICMPV6,
      hopLimit: f.hopLimit,
      source: f.source,
      destination: f.destination,
    },
    icmp,
  );
  return encodeEthernet({
    destination: f.destinationMac,
    source: f.sourceMac,
    etherType: EtherType.IPv6,
    payload: packet,
  });
}

export function decodeNdFrame(b: Uint8Array): Decoded<NdFrame> {
  const eth = decodeEthernet(b);
  if (!eth.ok) return eth;
  if (eth.value.etherType !== EtherType.IPv6)
    return fail('bad-ethertype', `EtherType 0x${eth.value.etherType.toString(16)} is not IPv6`);
  const ip = decodeIPv6(eth.value.payload);
  if (!ip.ok) return ip;
  const h = ip.value.header;
  // Extension headers (e.g. MLD's Hop-by-Hop) are not followed: NS and NA never carry them.
  if (h.nextHeader !== NEXT_HEADER_ICMPV6)
    return fail('not-icmpv6', `next header ${h.nextHeader} is not ICMPv6`);
  const m = ip.value.payload;
  if (m.length < 4) return fail('truncated', `ICMPv6 message of ${m.length} bytes`);
  if (m[0] !== ICMPV6_NEIGHBOR_SOLICITATION && m[0] !== ICMPV6_NEIGHBOR_ADVERTISEMENT)
    return fail('not-neighbor-discovery', `ICMPv6 type ${m[0]} is not NS (135) or NA (136)`);
  if (m.length < ND_MESSAGE_LENGTH) return fail('truncated', `ND message of ${m.length} bytes (need 24)`);
  if (icmpv6Checksum(h.source, h.destination, m) !== 0)
    return fail('bad-checksum', 'ICMPv6 checksum does not match the pseudo-header and message');
  if (h.hopLimit !== ND_HOP_LIMIT) return fail('bad-hop-limit', `hop limit ${h.hopLimit} (ND needs 255)`);
  if (m[1] !== 0) return fail('bad-code', `ICMPv6 code ${m[1]} (ND needs 0)`);
  const target = ipFromBytes(m.subarray(8, 24), 6);
  if (isMulticast6(target)) return fail('bad-target', `target ${formatIP(target)} is multicast`);
  let sourceLinkLayer: Mac | undefined;
  let targetLinkLayer: Mac | undefined;
  for (let at = ND_MESSAGE_LENGTH; at < m.length; ) {
    if (at + 2 > m.length) return fail('bad-option', `option header cut at byte ${at}`);
    const len = m[at + 1]! * OPTION_UNIT;
    if (len === 0) return fail('bad-option', `option type ${m[at]} has length 0`);
    if (at + len > m.length) return fail('bad-option', `option type ${m[at]} runs past the message`);
    // Link-layer address options on Ethernet are one unit: type, length, 6 bytes (RFC 2464 §6).
    if ((m[at] === OPTION_SOURCE_LLA || m[at] === OPTION_TARGET_LLA) && len >= 2 + MAC_LENGTH) {
      const mac = m.slice(at + 2, at + 2 + MAC_LENGTH);
      if (m[at] === OPTION_SOURCE_LLA) sourceLinkLayer = mac;
      else targetLinkLayer = mac;
    }
    at += len;
  }
  const base = {
    destinationMac: eth.value.destination,
    sourceMac: eth.value.source,
    source: h.source,
    destination: h.destination,
    hopLimit: h.hopLimit,
  };
  if (m[0] === ICMPV6_NEIGHBOR_SOLICITATION) {
    if (h.source.value === 0n && sourceLinkLayer)
      return fail('bad-option', 'NS from the unspecified address carries a Source Link-Layer Address');
    const message: NeighborSolicitation = { type: 'ns', target };
    if (sourceLinkLayer) message.sourceLinkLayer = sourceLinkLayer;
    return { ok: true, value: { ...base, message } };
  }
  const flags = m[4]!;
  const message: NeighborAdvertisement = {
    type: 'na',
    router: (flags & FLAG_ROUTER) !== 0,
    solicited: (flags & FLAG_SOLICITED) !== 0,
    override: (flags & FLAG_OVERRIDE) !== 0,
    target,
  };
  if (message.solicited && isMulticast6(h.destination))
    return fail('bad-option', 'NA to a multicast destination has the Solicited flag set');
  if (targetLinkLayer) message.targetLinkLayer = targetLinkLayer;
  return { ok: true, value: { ...base, message } };
}

/**
 * The solicited NA answering `ns` for a target we own (RFC 4861 §7.2.4): S=1, O=1 (we own the
 * address), Target LLA = our MAC, from the target address itself. To the soliciting address and
 * its MAC (Source LLA, else the frame's source); a DAD probe (source ::) gets S=0 to all-nodes.
 */
export function neighborAdvertisementFor(
  ns: NdFrame & { message: NeighborSolicitation },
  ourMac: Mac,
): NdFrame {
  const dad = ns.source.value === 0n;
  return {
    destinationMac: dad ? multicastMac(ALL_NODES) : (ns.message.sourceLinkLayer ?? ns.sourceMac),
    sourceMac: ourMac,
    source: ns.message.target,
    destination: dad ? ALL_NODES : ns.source,
    hopLimit: ND_HOP_LIMIT,
    message: {
      type: 'na',
      router: false,
      solicited: !dad,
      override: true,
      target: ns.message.target,
      targetLinkLayer: ourMac,
    },
  };
}

/** Unsolicited NA (RFC 4861 §7.2.6): to all-nodes ff02::1, S=0, O=1, Target LLA = our MAC. */
export function unsolicitedNeighborAdvertisement(ip: IP, mac: Mac): NdFrame {
  return {
    destinationMac: multicastMac(ALL_NODES),
    sourceMac: mac,
    source: ip,
    destination: ALL_NODES,
    hopLimit: ND_HOP_LIMIT,
    message: {
      type: 'na',
      router: false,
      solicited: false,
      override: true,
      target: ip,
      targetLinkLayer: mac,
    },
  };
}

/** The multicast NS a resolving host sends for `target`: to its solicited-node group, with Source LLA. */
export function neighborSolicitation(target: IP, source: IP, sourceMac: Mac): NdFrame {
  const group = solicitedNodeGroup(target);
  return {
    destinationMac: multicastMac(group),
    sourceMac,
    source,
    destination: group,
    hopLimit: ND_HOP_LIMIT,
    message: { type: 'ns', target, sourceLinkLayer: sourceMac },
  };
}
