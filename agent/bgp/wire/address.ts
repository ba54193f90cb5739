/**
 * PURE. Addresses and prefixes in the codec's terms (AFI instead of family). Parsing and
 * formatting are agent/net's (bytes.ts); this file only names the families the BGP way.
 */
import {
  type BytePrefix,
  formatBytes,
  formatIPv4Bytes,
  formatIPv6Bytes,
  formatPrefixBytes,
  parseBytes,
  parseIPv4Bytes,
  parseIPv6Bytes,
  parsePrefixBytes,
} from '../../net/bytes.ts';
import type { Family } from '../../net/ip.ts';

export type AFI = 1 | 2;
/** IANA Address Family Numbers. */
export const AFI_IPV4 = 1;
export const AFI_IPV6 = 2;
/** IANA SAFI: unicast. */
export const SAFI_UNICAST = 1;

export const afiOf = (f: Family): AFI => (f === 4 ? AFI_IPV4 : AFI_IPV6);
export const familyOfAfi = (afi: number): Family => (afi === AFI_IPV6 ? 6 : 4);

export const parseIPv4 = parseIPv4Bytes;
export const parseIPv6 = parseIPv6Bytes;
export const formatIPv4 = formatIPv4Bytes;
export const formatIPv6 = formatIPv6Bytes;

export function parseAddress(text: string): { afi: AFI; bytes: Uint8Array } | undefined {
  const a = parseBytes(text);
  return a ? { afi: afiOf(a.family), bytes: a.bytes } : undefined;
}

export function formatAddress(afi: number, b: Uint8Array, off = 0): string {
  return formatBytes(familyOfAfi(afi), b, off);
}

/** A prefix on the wire: family, length, and the significant bytes (host bits zero). */
export interface WirePrefix {
  afi: AFI;
  length: number;
  bytes: Uint8Array;
}

/** "a.b.c.d/n" or "x::y/n" (bare address = host route); host bits are cleared. */
export function parsePrefix(text: string): WirePrefix | undefined {
  const p = parsePrefixBytes(text);
  return p ? toWirePrefix(p) : undefined;
}

export function toWirePrefix(p: BytePrefix): WirePrefix {
  return { afi: afiOf(p.family), length: p.length, bytes: p.bytes };
}

export function formatPrefix(p: WirePrefix): string {
  return formatPrefixBytes({ family: familyOfAfi(p.afi), length: p.length, bytes: p.bytes });
}

/** Canonical text of a prefix string, or undefined. */
export function canonicalPrefix(text: string): string | undefined {
  const p = parsePrefix(text);
  return p ? formatPrefix(p) : undefined;
}
