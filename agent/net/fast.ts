/**
 * PURE. Fast paths for the text <-> bigint conversions the IPAM and the announcement plan do
 * per Service. They agree with ip.ts (test/net checks it) but avoid building ip-address objects,
 * which cost ~3 µs per call: 100,000 Services would spend a second there. Anything the fast
 * scanners do not recognise falls back to parseIP, so the accepted syntax is exactly ip.ts's.
 */
import { formatIP, type IP, parseIP } from './ip.ts';
import { format6, scan4, scan6, scratch } from './scan.ts';

const HI = 0;
const LO = 8;

/** True for dotted-quad text that is already canonical ("10.0.0.1", not "010.0.0.1"). */
export function isCanonicalIPv4(text: string): boolean {
  return scan4(text) >= 0;
}

/** parseIP with a fast path for the usual spellings; undefined when the text is not an address. */
export function parseAddr(text: string): IP | undefined {
  const s = text.trim();
  if (s.includes(':')) {
    if (scan6(s)) return { family: 6, value: (scratch.getBigUint64(HI) << 64n) | scratch.getBigUint64(LO) };
  } else {
    const fast = scan4(s);
    if (fast >= 0) return { family: 4, value: BigInt(fast) };
  }
  const slow = parseIP(s);
  return slow.ok ? slow.value : undefined;
}

export interface AddrText extends IP {
  /** Canonical text: formatAddr of the address. */
  text: string;
}

/**
 * parseAddr and formatAddr in one step. When the input already is canonical (what a status
 * written by the IPAM holds), the text returned is the input string itself: no new string is
 * built, and the allocator's state shares it with the Service.
 */
export function parseAddrText(input: string): AddrText | undefined {
  if (!input.includes(':')) {
    const fast = scan4(input);
    if (fast >= 0) return { family: 4, value: BigInt(fast), text: input };
  }
  const ip = parseAddr(input);
  if (!ip) return undefined;
  const text = formatAddr(ip);
  return { family: ip.family, value: ip.value, text: text === input ? input : text };
}

/** Canonical text (RFC 5952 for IPv6), identical to ip.ts formatIP. */
export function formatAddr(ip: IP): string {
  if (ip.family === 4) {
    const v = Number(ip.value);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const v = ip.value;
  if (v < 0n || v >> 128n !== 0n) return formatIP(ip);
  scratch.setBigUint64(HI, v >> 64n);
  scratch.setBigUint64(LO, BigInt.asUintN(64, v));
  // IPv4-mapped and similar special forms are rare for LoadBalancer IPs: let ip.ts decide them.
  if (scratch.getUint32(0) === 0 && scratch.getUint32(4) === 0 && scratch.getUint16(8) === 0)
    return formatIP(ip);
  return format6();
}
