/**
 * PURE. Addresses and prefixes as network-order bytes, without bigint (the BGP codec's hot
 * path encodes 100k prefixes). Text in: the shared scanners (scan.ts); text out: RFC 5952.
 */
import type { Family } from './ip.ts';
import { format6, scan4, scan6, scratch } from './scan.ts';

/** A prefix as it travels to the wire: family, length, and the significant bytes (host bits zero). */
export interface BytePrefix {
  family: Family;
  length: number;
  bytes: Uint8Array;
}

export function parseIPv4Bytes(text: string): Uint8Array | undefined {
  const v = scan4(text);
  if (v < 0) return undefined;
  return new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
}

/** IPv6 text (a zone suffix "%eth0" is ignored; an IPv4 tail is allowed). */
export function parseIPv6Bytes(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  if (!scan6(zone >= 0 ? text.slice(0, zone) : text, true)) return undefined;
  return new Uint8Array(scratch.buffer.slice(0));
}

export function parseBytes(text: string): { family: Family; bytes: Uint8Array } | undefined {
  if (text.includes(':')) {
    const b = parseIPv6Bytes(text);
    return b ? { family: 6, bytes: b } : undefined;
  }
  const b = parseIPv4Bytes(text);
  return b ? { family: 4, bytes: b } : undefined;
}

export function formatIPv4Bytes(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

export function formatIPv6Bytes(b: Uint8Array, off = 0): string {
  for (let i = 0; i < 16; i++) scratch.setUint8(i, b[off + i]!);
  return format6();
}

export function formatBytes(family: Family, b: Uint8Array, off = 0): string {
  return family === 6 ? formatIPv6Bytes(b, off) : formatIPv4Bytes(b, off);
}

/**
 * Parses "a.b.c.d/n" or "x::y/n" (a bare address is a host route) into out[at, at + 16): the
 * address with host bits cleared, zero-filled. Returns (family << 8) | length, or -1.
 */
export function parsePrefixInto(text: string, out: Uint8Array, at: number): number {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  let family: Family;
  if (addr.includes(':')) {
    const zone = addr.indexOf('%');
    if (!scan6(zone >= 0 ? addr.slice(0, zone) : addr, true)) return -1;
    for (let i = 0; i < 16; i++) out[at + i] = scratch.getUint8(i);
    family = 6;
  } else {
    const v = scan4(addr);
    if (v < 0) return -1;
    out[at] = v >>> 24;
    out[at + 1] = (v >>> 16) & 255;
    out[at + 2] = (v >>> 8) & 255;
    out[at + 3] = v & 255;
    out.fill(0, at + 4, at + 16);
    family = 4;
  }
  const max = family === 4 ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(l)) return -1;
    length = Number(l);
    if (length > max) return -1;
  }
  const n = (length + 7) >> 3;
  if (length & 7) out[at + n - 1]! &= (0xff << (8 - (length & 7))) & 0xff;
  out.fill(0, at + n, at + 16);
  return (family << 8) | length;
}

/** "a.b.c.d/n" or "x::y/n" (bare address = host route); host bits are cleared. */
export function parsePrefixBytes(text: string): BytePrefix | undefined {
  const full = new Uint8Array(16);
  const r = parsePrefixInto(text, full, 0);
  if (r < 0) return undefined;
  const length = r & 255;
  return { family: (r >> 8) as Family, length, bytes: full.slice(0, (length + 7) >> 3) };
}

export function formatPrefixBytes(p: BytePrefix): string {
  const full = new Uint8Array(p.family === 4 ? 4 : 16);
  full.set(p.bytes.subarray(0, Math.min(p.bytes.length, full.length)));
  return `${formatBytes(p.family, full)}/${p.length}`;
}
