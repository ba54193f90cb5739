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

/** Scans hex groups separated by ':' with at most one '::'; no embedded IPv4, no zone. */
function fastParse6(s: string): bigint | undefined {
  const head: number[] = [];
  const tail: number[] = [];
  let cur = head;
  let gap = false;
  let i = 0;
  const n = s.length;
  if (n >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    gap = true;
    cur = tail;
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
    if (digits === 0 || digits > 4) return undefined;
    cur.push(w);
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (gap) return undefined;
      gap = true;
      cur = tail;
      i++;
      if (i === n) break;
    } else if (i === n) return undefined;
  }
  const count = head.length + tail.length;
  if (gap ? count > 7 : count !== 8) return undefined;
  const words = new Array<number>(8).fill(0);
  for (let k = 0; k < head.length; k++) words[k] = head[k] ?? 0;
  for (let k = 0; k < tail.length; k++) words[8 - tail.length + k] = tail[k] ?? 0;
  // Four 32-bit quarters: numbers stay exact.
  let v = 0n;
  for (let k = 0; k < 8; k += 2) v = (v << 32n) | BigInt((words[k] ?? 0) * 65536 + (words[k + 1] ?? 0));
  return v;
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
  const words: number[] = new Array(8);
  let v = ip.value;
  for (let i = 3; i >= 0; i--) {
    const q = Number(v & 0xffffffffn);
    words[i * 2] = q >>> 16;
    words[i * 2 + 1] = q & 0xffff;
    v >>= 32n;
  }
  // IPv4-mapped and similar special forms are rare for LoadBalancer IPs: let ip.ts decide them.
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0)
    return formatIP(ip);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number, b: number) =>
    words
      .slice(a, b)
      .map((w) => w.toString(16))
      .join(':');
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}
