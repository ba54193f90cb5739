/**
 * PURE. Path attribute vocabulary (RFC 4271 §4.3, §5): type codes, flag bits, the decoded
 * shapes, the expected flags and RFC 7606 handling per type, and the TLV encoding.
 */
import type { Handling } from './errors.ts';

export const Attr = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITY: 32,
} as const;

/** Attribute flag bits (RFC 4271 §4.3). */
export const OPTIONAL = 0x80;
export const TRANSITIVE = 0x40;
export const PARTIAL = 0x20;
export const EXTENDED = 0x10;

export interface ASPathSegment {
  /** 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET. */
  type: number;
  asns: number[];
}

export interface MPReach {
  afi: number;
  safi: number;
  /** Raw next hop: 4 bytes (IPv4), 16 (IPv6 global) or 32 (global + link-local). */
  nextHop: Uint8Array;
  /** Decoded NLRI for IPv4/IPv6 unicast; raw bytes for other AFI/SAFI. */
  nlri: string[];
  nlriRaw?: Uint8Array;
}

export interface MPUnreach {
  afi: number;
  safi: number;
  withdrawn: string[];
  withdrawnRaw?: Uint8Array;
}

export interface RawAttribute {
  flags: number;
  code: number;
  value: Uint8Array;
}

export interface PathAttributes {
  origin?: number;
  asPath?: ASPathSegment[];
  nextHop?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { asn: number; address: string };
  communities?: number[];
  largeCommunities?: [number, number, number][];
  mpReach?: MPReach;
  mpUnreach?: MPUnreach;
  as4Path?: ASPathSegment[];
  as4Aggregator?: { asn: number; address: string };
  /** Attributes edgelb does not interpret, by type code. */
  other?: RawAttribute[];
}

export interface AttributeContext {
  /** 4-octet AS negotiated: AS_PATH and AGGREGATOR carry 4-byte ASNs. */
  as4: boolean;
  /** Accept a 127/8 NEXT_HOP: only for a collector peering over loopback (the demo, tests). */
  loopbackNextHop?: boolean;
}

// Expected (optional, transitive) flags and the RFC 7606 handling of a malformed instance.
export const KNOWN: Record<number, { flags: number; onError: Handling }> = {
  [Attr.ORIGIN]: { flags: TRANSITIVE, onError: 'withdraw' },
  [Attr.AS_PATH]: { flags: TRANSITIVE, onError: 'withdraw' },
  [Attr.NEXT_HOP]: { flags: TRANSITIVE, onError: 'withdraw' },
  [Attr.MULTI_EXIT_DISC]: { flags: OPTIONAL, onError: 'withdraw' },
  [Attr.LOCAL_PREF]: { flags: TRANSITIVE, onError: 'withdraw' },
  [Attr.ATOMIC_AGGREGATE]: { flags: TRANSITIVE, onError: 'discard' },
  [Attr.AGGREGATOR]: { flags: OPTIONAL | TRANSITIVE, onError: 'discard' },
  [Attr.COMMUNITIES]: { flags: OPTIONAL | TRANSITIVE, onError: 'withdraw' },
  [Attr.MP_REACH_NLRI]: { flags: OPTIONAL, onError: 'reset' },
  [Attr.MP_UNREACH_NLRI]: { flags: OPTIONAL, onError: 'reset' },
  [Attr.AS4_PATH]: { flags: OPTIONAL | TRANSITIVE, onError: 'discard' },
  [Attr.AS4_AGGREGATOR]: { flags: OPTIONAL | TRANSITIVE, onError: 'discard' },
  [Attr.LARGE_COMMUNITY]: { flags: OPTIONAL | TRANSITIVE, onError: 'withdraw' },
};

/** Handling for an attribute-level error on type `code` (unknown optional ones are discarded). */
export function handlingFor(code: number): Handling {
  return KNOWN[code]?.onError ?? 'discard';
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

/** One attribute TLV with canonical flags; extended length only above 255 bytes (or if forced). */
export function encodeAttribute(
  flags: number,
  code: number,
  value: Uint8Array,
  forceExtended = false,
): Uint8Array {
  const ext = forceExtended || value.length > 255;
  const out = new Uint8Array((ext ? 4 : 3) + value.length);
  out[0] = (flags & ~EXTENDED) | (ext ? EXTENDED : 0);
  out[1] = code;
  if (ext) {
    out[2] = value.length >> 8;
    out[3] = value.length & 255;
  } else out[2] = value.length;
  out.set(value, ext ? 4 : 3);
  return out;
}
