/**
 * PURE. The fixed IPv6 header (RFC 8200 §3), the ICMPv6 checksum over the pseudo-header
 * (RFC 4443 §2.3, RFC 8200 §8.1), solicited-node multicast groups (RFC 4291 §2.7.1) and the
 * Ethernet MAC of an IPv6 multicast group (RFC 2464 §7: 33:33 + the group's last 32 bits).
 */
import { type IP, ipFromBytes, ipToBytes } from '../../net/ip.ts';
import type { Mac } from './mac.ts';
import { type Decoded, fail } from './result.ts';

export const IPV6_HEADER_LENGTH = 40;
export const IPV6_VERSION = 6;
/** Next Header value of ICMPv6 (IANA "Assigned Internet Protocol Numbers"). */
export const NEXT_HEADER_ICMPV6 = 58;

export interface IPv6Header {
  trafficClass: number;
  flowLabel: number;
  nextHeader: number;
  hopLimit: number;
  source: IP;
  destination: IP;
}

export interface IPv6Packet {
  header: IPv6Header;
  /** Exactly Payload Length bytes (Ethernet padding dropped). */
  payload: Uint8Array;
}

export function encodeIPv6(header: IPv6Header, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(IPV6_HEADER_LENGTH + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(
    0,
    ((IPV6_VERSION << 28) | ((header.trafficClass & 0xff) << 20) | (header.flowLabel & 0xfffff)) >>> 0,
  );
  dv.setUint16(4, payload.length);
  out[6] = header.nextHeader;
  out[7] = header.hopLimit;
  out.set(ipToBytes(header.source), 8);
  out.set(ipToBytes(header.destination), 24);
  out.set(payload, IPV6_HEADER_LENGTH);
  return out;
}

export function decodeIPv6(b: Uint8Array): Decoded<IPv6Packet> {
  if (b.length < IPV6_HEADER_LENGTH) return fail('truncated', `IPv6 packet of ${b.length} bytes (need 40)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const first = dv.getUint32(0);
  if (first >>> 28 !== IPV6_VERSION)
    return fail('bad-ipv6-header', `IP version ${first >>> 28} in an IPv6 frame`);
  const length = dv.getUint16(4);
  if (IPV6_HEADER_LENGTH + length > b.length)
    return fail(
      'truncated',
      `IPv6 payload length ${length} exceeds the ${b.length - IPV6_HEADER_LENGTH} bytes received`,
    );
  return {
    ok: true,
    value: {
      header: {
        trafficClass: (first >>> 20) & 0xff,
        flowLabel: first & 0xfffff,
        nextHeader: b[6]!,
        hopLimit: b[7]!,
        source: ipFromBytes(b.subarray(8, 24), 6),
        destination: ipFromBytes(b.subarray(24, 40), 6),
      },
      payload: b.slice(IPV6_HEADER_LENGTH, IPV6_HEADER_LENGTH + length),
    },
  };
}

/** One's-complement sum of the pseudo-header (source, destination, length, next header 58) and the message. */
export function icmpv6Checksum(source: IP, destination: IP, message: Uint8Array): number {
  let sum = 0;
  const add = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  };
  add(ipToBytes(source));
  add(ipToBytes(destination));
  sum += (message.length >>> 16) + (message.length & 0xffff) + NEXT_HEADER_ICMPV6;
  add(message);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const SOLICITED_NODE_PREFIX = 0xff020000000000000000000000000000n | (0x1ffn << 24n);

/** ff02::1:ffXX:XXXX for the low 24 bits of ip. */
export function solicitedNodeGroup(ip: IP): IP {
  return { family: 6, value: SOLICITED_NODE_PREFIX | (ip.value & 0xffffffn) };
}

export const ALL_NODES: IP = { family: 6, value: 0xff020000000000000000000000000001n };
export const UNSPECIFIED6: IP = { family: 6, value: 0n };

export function isMulticast6(ip: IP): boolean {
  return ip.family === 6 && ip.value >> 120n === 0xffn;
}

/** 33:33 followed by the group's last four bytes (RFC 2464 §7). */
export function multicastMac(group: IP): Mac {
  const b = ipToBytes(group);
  return Uint8Array.of(0x33, 0x33, b[12]!, b[13]!, b[14]!, b[15]!);
}
