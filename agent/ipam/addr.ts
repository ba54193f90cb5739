/**
 * PURE. Fast paths for the text <-> bigint conversions the IPAM does per Service. They agree
 * with agent/net/ip.ts (a test checks it) but avoid building ip-address objects, which cost
 * ~3 µs per call: 100,000 Services would spend a second there. Anything the fast parser does
 * not recognise falls back to parseIP, so the accepted syntax is exactly ip.ts's.
 */
import { formatIP, type IP, parseIP } from '../net/ip.ts';

/** Canonical dotted quad only (no leading zeros, 0-255 each): the value, or -1. */
function fastParse4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || (digits === 1 && part === 0)) return -1;
    part = part * 10 + d;
    digits++;
    if (part > 255) return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return v * 256 + part;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Scratch space for the 8 words of an IPv6 address: one 16-byte buffer reused by every call
 * (calls never overlap), so parsing and formatting allocate only the BigInts they return.
 */
const scratch = new DataView(new ArrayBuffer(16));
const HI = 0;
const LO = 8;

/** Scans hex groups separated by ':' with at most one '::'; no embedded IPv4, no zone. */
function fastParse6(s: string): bigint | undefined {
  // Words before the '::' go to 0, 1, ...; after it, they are shifted to the end at the close.
  let count = 0;
  let gapAt = -1;
  let i = 0;
  const n = s.length;
  if (n >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    gapAt = 0;
    i = 2;
    if (i === n) return 0n;
  }
  while (i < n) {
    let w = 0;
    let digits = 0;
    while (i < n && digits <= 4) {
      const d = hexDigit(s.charCodeAt(i));
      if (d < 0) break;
      w = w * 16 + d;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 4 || count === 8) return undefined;
    scratch.setUint16(count * 2, w);
    count++;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (gapAt >= 0) return undefined;
      gapAt = count;
      i++;
      if (i === n) break;
    } else if (i === n) return undefined;
  }
  if (gapAt >= 0 ? count > 7 : count !== 8) return undefined;
  if (gapAt >= 0) {
    // Move the words after the gap to the end and zero the gap.
    const tail = count - gapAt;
    for (let k = tail - 1; k >= 0; k--)
      scratch.setUint16((8 - tail + k) * 2, scratch.getUint16((gapAt + k) * 2));
    for (let k = gapAt; k < 8 - tail; k++) scratch.setUint16(k * 2, 0);
  }
  return (scratch.getBigUint64(HI) << 64n) | scratch.getBigUint64(LO);
}

/** parseIP with a fast path for the usual spellings; undefined when the text is not an address. */
export function parseAddr(text: string): IP | undefined {
  const s = text.trim();
  if (s.includes(':')) {
    const fast = fastParse6(s);
    if (fast !== undefined) return { family: 6, value: fast };
  } else {
    const fast = fastParse4(s);
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
    const fast = fastParse4(input);
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
  // RFC 5952: the longest run of two or more zero words (the first of equal ones) becomes '::'.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (scratch.getUint16(i * 2) !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && scratch.getUint16(j * 2) === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestAt + bestLen) out += ':';
    out += scratch.getUint16(i * 2).toString(16);
  }
  return out;
}
