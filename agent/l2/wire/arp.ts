/**
 * PURE. ARP (RFC 826) for IPv4 over Ethernet: request/reply packets, whole frames, and
 * gratuitous ARP (sender IP = target IP, broadcast; RFC 5227 §3 calls it an ARP Announcement).
 */
import { formatIP, type IP, ipFromBytes } from '../../net/ip.ts';
import { decodeEthernet, EtherType, encodeEthernet } from './ethernet.ts';
import { BROADCAST_MAC, MAC_LENGTH, type Mac, ZERO_MAC } from './mac.ts';
import { type Decoded, fail } from './result.ts';

/** ARP hardware type Ethernet (IANA "Hardware Types"). */
export const HTYPE_ETHERNET = 1;
export const IPV4_LENGTH = 4;
/** 8-byte fixed header + two (MAC, IPv4) pairs. */
export const ARP_PACKET_LENGTH = 8 + 2 * (MAC_LENGTH + IPV4_LENGTH);

export const ArpOperation = { Request: 1, Reply: 2 } as const;
export type ArpOperation = (typeof ArpOperation)[keyof typeof ArpOperation];

export interface ArpPacket {
  operation: ArpOperation;
  senderMac: Mac;
  senderIP: IP;
  targetMac: Mac;
  targetIP: IP;
}

export interface ArpFrame {
  destination: Mac;
  source: Mac;
  arp: ArpPacket;
}

export function encodeArp(p: ArpPacket): Uint8Array {
  if (p.senderIP.family !== 4 || p.targetIP.family !== 4)
    throw new RangeError('ARP carries IPv4 addresses only');
  // Byte by byte: no DataView (reading .buffer gives a small array its own ArrayBuffer) and no
  // temporary arrays, as this runs for every announcement of every owned IP.
  const out = new Uint8Array(ARP_PACKET_LENGTH);
  out[0] = HTYPE_ETHERNET >> 8;
  out[1] = HTYPE_ETHERNET & 0xff;
  out[2] = EtherType.IPv4 >> 8;
  out[3] = EtherType.IPv4 & 0xff;
  out[4] = MAC_LENGTH;
  out[5] = IPV4_LENGTH;
  out[6] = p.operation >> 8;
  out[7] = p.operation & 0xff;
  out.set(p.senderMac, 8);
  putIPv4(out, 14, p.senderIP);
  out.set(p.targetMac, 18);
  putIPv4(out, 24, p.targetIP);
  return out;
}

function putIPv4(out: Uint8Array, at: number, ip: IP): void {
  const n = Number(ip.value & 0xffffffffn);
  out[at] = Math.floor(n / 16777216);
  out[at + 1] = (n >>> 16) & 0xff;
  out[at + 2] = (n >>> 8) & 0xff;
  out[at + 3] = n & 0xff;
}

export function decodeArp(b: Uint8Array): Decoded<ArpPacket> {
  if (b.length < ARP_PACKET_LENGTH) return fail('truncated', `ARP packet of ${b.length} bytes (need 28)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const htype = dv.getUint16(0);
  const ptype = dv.getUint16(2);
  if (htype !== HTYPE_ETHERNET || ptype !== EtherType.IPv4 || b[4] !== MAC_LENGTH || b[5] !== IPV4_LENGTH)
    return fail(
      'bad-arp-header',
      `ARP for hardware ${htype}/${b[4]} and protocol 0x${ptype.toString(16)}/${b[5]} is not IPv4 over Ethernet`,
    );
  const op = dv.getUint16(6);
  if (op !== ArpOperation.Request && op !== ArpOperation.Reply)
    return fail('bad-arp-header', `ARP operation ${op} is neither request (1) nor reply (2)`);
  return {
    ok: true,
    value: {
      operation: op,
      senderMac: b.slice(8, 14),
      senderIP: ipFromBytes(b.subarray(14, 18), 4),
      targetMac: b.slice(18, 24),
      targetIP: ipFromBytes(b.subarray(24, 28), 4),
    },
  };
}

export function encodeArpFrame(f: ArpFrame): Uint8Array {
  return encodeEthernet({
    destination: f.destination,
    source: f.source,
    etherType: EtherType.ARP,
    payload: encodeArp(f.arp),
  });
}

export function decodeArpFrame(b: Uint8Array): Decoded<ArpFrame> {
  const eth = decodeEthernet(b);
  if (!eth.ok) return eth;
  if (eth.value.etherType !== EtherType.ARP)
    return fail('bad-ethertype', `EtherType 0x${eth.value.etherType.toString(16)} is not ARP`);
  const arp = decodeArp(eth.value.payload);
  if (!arp.ok) return arp;
  return {
    ok: true,
    value: { destination: eth.value.destination, source: eth.value.source, arp: arp.value },
  };
}

/** The reply to a request for an IP we own: our MAC, sent to the requester (RFC 826 "swap"). */
export function arpReply(request: ArpPacket, ourMac: Mac): ArpFrame {
  return {
    destination: request.senderMac,
    source: ourMac,
    arp: {
      operation: ArpOperation.Reply,
      senderMac: ourMac,
      senderIP: request.targetIP,
      targetMac: request.senderMac,
      targetIP: request.senderIP,
    },
  };
}

/**
 * Gratuitous ARP for `ip` at `mac`: a broadcast request and a broadcast reply, both with sender IP =
 * target IP. Hosts differ in which one they honour (Linux updates an existing entry from either);
 * sending both is what MetalLB and keepalived do. Target MAC: zero in the request, ours in the reply.
 */
export function gratuitousArp(ip: IP, mac: Mac): [ArpFrame, ArpFrame] {
  const frame = (operation: ArpOperation, targetMac: Mac): ArpFrame => ({
    destination: BROADCAST_MAC,
    source: mac,
    arp: { operation, senderMac: mac, senderIP: ip, targetMac, targetIP: ip },
  });
  return [frame(ArpOperation.Request, ZERO_MAC), frame(ArpOperation.Reply, mac)];
}

export function describeArp(p: ArpPacket): string {
  const op = p.operation === ArpOperation.Request ? 'who-has' : 'is-at';
  return `ARP ${op} ${formatIP(p.targetIP)} from ${formatIP(p.senderIP)}`;
}
