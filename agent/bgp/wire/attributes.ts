/**
 * PURE. Path attributes (RFC 4271 §5, RFC 4760, RFC 1997, RFC 8092, RFC 6793) with the
 * RFC 7606 error handling per attribute. Encoding writes MP_REACH/MP_UNREACH first and the
 * rest in ascending type code (RFC 7606 §5.1), extended length only when needed.
 */
import { AFI_IPV4, AFI_IPV6, formatIPv4, parseIPv4 } from './address.ts';
import { ErrorCode, type Handling, UpdateSubcode, WireError } from './errors.ts';
import { decodePrefixes, encodePrefixes, toWirePrefixes } from './nlri.ts';
import { AS_TRANS } from './open.ts';

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

const OPTIONAL = 0x80;
const TRANSITIVE = 0x40;
const PARTIAL = 0x20;
const EXTENDED = 0x10;

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
const KNOWN: Record<number, { flags: number; onError: Handling }> = {
  1: { flags: TRANSITIVE, onError: 'withdraw' },
  2: { flags: TRANSITIVE, onError: 'withdraw' },
  3: { flags: TRANSITIVE, onError: 'withdraw' },
  4: { flags: OPTIONAL, onError: 'withdraw' },
  5: { flags: TRANSITIVE, onError: 'withdraw' },
  6: { flags: TRANSITIVE, onError: 'discard' },
  7: { flags: OPTIONAL | TRANSITIVE, onError: 'discard' },
  8: { flags: OPTIONAL | TRANSITIVE, onError: 'withdraw' },
  14: { flags: OPTIONAL, onError: 'reset' },
  15: { flags: OPTIONAL, onError: 'reset' },
  17: { flags: OPTIONAL | TRANSITIVE, onError: 'discard' },
  18: { flags: OPTIONAL | TRANSITIVE, onError: 'discard' },
  32: { flags: OPTIONAL | TRANSITIVE, onError: 'withdraw' },
};

/** Handling for an attribute-level error on type `code` (unknown optional ones are discarded). */
export function handlingFor(code: number): Handling {
  return KNOWN[code]?.onError ?? 'discard';
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function decodeSegments(v: Uint8Array, width: 2 | 4): ASPathSegment[] | undefined {
  const out: ASPathSegment[] = [];
  let o = 0;
  while (o < v.length) {
    if (o + 2 > v.length) return undefined;
    const type = v[o]!;
    const count = v[o + 1]!;
    if (type < 1 || type > 4 || count === 0) return undefined;
    if (o + 2 + count * width > v.length) return undefined;
    const asns: number[] = [];
    for (let i = 0; i < count; i++) {
      const p = o + 2 + i * width;
      asns.push(width === 4 ? u32(v, p) : (v[p]! << 8) | v[p + 1]!);
    }
    out.push({ type, asns });
    o += 2 + count * width;
  }
  return out;
}

function encodeSegments(segs: ASPathSegment[], width: 2 | 4): Uint8Array {
  const parts: number[] = [];
  for (const s of segs) {
    for (let i = 0; i < s.asns.length; i += 255) {
      const chunk = s.asns.slice(i, i + 255);
      parts.push(s.type, chunk.length);
      for (const a of chunk) {
        if (width === 4) parts.push((a >>> 24) & 255, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
        else {
          const x = a > 0xffff ? AS_TRANS : a;
          parts.push(x >> 8, x & 255);
        }
      }
    }
  }
  return new Uint8Array(parts);
}

/** Martian next hops a router refuses (FRR resets with 3/8): 0/8, 127/8, 224/4 and up. */
export function invalidNextHopV4(b: Uint8Array, o = 0, loopbackOk = false): boolean {
  const a = b[o]!;
  return a === 0 || (a === 127 && !loopbackOk) || a >= 224;
}

function mpNextHopOk(afi: number, len: number): boolean {
  if (afi === AFI_IPV6) return len === 16 || len === 32;
  if (afi === AFI_IPV4) return len === 4 || len === 16 || len === 32;
  return true;
}

export interface DecodedAttributes {
  attributes: PathAttributes;
  /** First error calling for treat-as-withdraw, if any. */
  withdraw?: WireError;
  discarded: WireError[];
}

/**
 * Decodes the path-attribute block b[start, end). Throws WireError only for 'reset' errors;
 * withdraw/discard errors come back as values (RFC 7606).
 */
export function decodeAttributes(
  b: Uint8Array,
  start: number,
  end: number,
  ctx: AttributeContext,
): DecodedAttributes {
  const a: PathAttributes = {};
  const seen = new Set<number>();
  const discarded: WireError[] = [];
  let withdraw: WireError | undefined;
  const fail = (code: number, subcode: number, why: string, data: Uint8Array, handling: Handling) => {
    const e = new WireError(ErrorCode.UpdateMessage, subcode, why, data, handling);
    void code;
    if (handling === 'reset') throw e;
    if (handling === 'withdraw') withdraw ??= e;
    else discarded.push(e);
  };
  let o = start;
  while (o < end) {
    if (end - o < 3 || ((b[o]! & EXTENDED) !== 0 && end - o < 4)) {
      // RFC 7606 §4: too few octets left for an attribute header.
      fail(
        0,
        UpdateSubcode.MalformedAttributeList,
        'truncated attribute header',
        b.slice(o, end),
        'withdraw',
      );
      break;
    }
    const flags = b[o]!;
    const code = b[o + 1]!;
    const ext = (flags & EXTENDED) !== 0;
    const len = ext ? (b[o + 2]! << 8) | b[o + 3]! : b[o + 2]!;
    const vstart = o + (ext ? 4 : 3);
    if (vstart + len > end) {
      const h = code === Attr.MP_REACH_NLRI || code === Attr.MP_UNREACH_NLRI ? 'reset' : 'withdraw';
      fail(
        code,
        UpdateSubcode.AttributeLengthError,
        `attribute ${code} length ${len} overruns`,
        b.slice(o, end),
        h,
      );
      break;
    }
    const v = b.subarray(vstart, vstart + len);
    const whole = b.slice(o, vstart + len);
    o = vstart + len;
    const known = KNOWN[code];
    if (seen.has(code)) {
      // RFC 7606 §3 (g): duplicate MP_* resets; any other duplicate is discarded.
      const h = code === Attr.MP_REACH_NLRI || code === Attr.MP_UNREACH_NLRI ? 'reset' : 'discard';
      fail(code, UpdateSubcode.MalformedAttributeList, `duplicate attribute ${code}`, whole, h);
      continue;
    }
    seen.add(code);
    if (!known) {
      if ((flags & OPTIONAL) === 0) {
        fail(
          code,
          UpdateSubcode.UnrecognizedWellKnownAttribute,
          `unknown well-known attribute ${code}`,
          whole,
          'withdraw',
        );
        continue;
      }
      a.other ??= [];
      a.other.push({ flags: flags & ~EXTENDED, code, value: v.slice() });
      continue;
    }
    const flagsBad =
      (flags & (OPTIONAL | TRANSITIVE)) !== known.flags ||
      ((flags & PARTIAL) !== 0 && (known.flags & (OPTIONAL | TRANSITIVE)) !== (OPTIONAL | TRANSITIVE));
    if (flagsBad) {
      fail(
        code,
        UpdateSubcode.AttributeFlagsError,
        `attribute ${code} flags 0x${flags.toString(16)}`,
        whole,
        known.onError,
      );
      continue;
    }
    const lengthError = () =>
      fail(code, UpdateSubcode.AttributeLengthError, `attribute ${code} length ${len}`, whole, known.onError);
    switch (code) {
      case Attr.ORIGIN:
        if (len !== 1) lengthError();
        else if (v[0]! > 2) fail(code, UpdateSubcode.InvalidOrigin, `ORIGIN ${v[0]}`, whole, 'withdraw');
        else a.origin = v[0]!;
        break;
      case Attr.AS_PATH: {
        const segs = decodeSegments(v, ctx.as4 ? 4 : 2);
        if (!segs)
          fail(code, UpdateSubcode.MalformedASPath, 'malformed AS_PATH', new Uint8Array(0), 'withdraw');
        else a.asPath = segs;
        break;
      }
      case Attr.NEXT_HOP:
        if (len !== 4) lengthError();
        else if (invalidNextHopV4(v, 0, ctx.loopbackNextHop))
          fail(code, UpdateSubcode.InvalidNextHop, `NEXT_HOP ${formatIPv4(v)}`, whole, 'withdraw');
        else a.nextHop = formatIPv4(v);
        break;
      case Attr.MULTI_EXIT_DISC:
        if (len !== 4) lengthError();
        else a.med = u32(v, 0);
        break;
      case Attr.LOCAL_PREF:
        if (len !== 4) lengthError();
        else a.localPref = u32(v, 0);
        break;
      case Attr.ATOMIC_AGGREGATE:
        if (len !== 0) lengthError();
        else a.atomicAggregate = true;
        break;
      case Attr.AGGREGATOR:
      case Attr.AS4_AGGREGATOR: {
        const w = code === Attr.AS4_AGGREGATOR || ctx.as4 ? 4 : 2;
        if (len !== w + 4) lengthError();
        else {
          const agg = { asn: w === 4 ? u32(v, 0) : (v[0]! << 8) | v[1]!, address: formatIPv4(v, w) };
          if (code === Attr.AGGREGATOR) a.aggregator = agg;
          else a.as4Aggregator = agg;
        }
        break;
      }
      case Attr.COMMUNITIES:
        if (len === 0 || len % 4 !== 0) lengthError();
        else {
          const cs: number[] = [];
          for (let i = 0; i < len; i += 4) cs.push(u32(v, i));
          a.communities = cs;
        }
        break;
      case Attr.LARGE_COMMUNITY:
        if (len === 0 || len % 12 !== 0) lengthError();
        else {
          const ls: [number, number, number][] = [];
          for (let i = 0; i < len; i += 12) ls.push([u32(v, i), u32(v, i + 4), u32(v, i + 8)]);
          a.largeCommunities = ls;
        }
        break;
      case Attr.AS4_PATH: {
        const segs = decodeSegments(v, 4);
        if (!segs) fail(code, UpdateSubcode.MalformedASPath, 'malformed AS4_PATH', whole, 'discard');
        else a.as4Path = segs;
        break;
      }
      case Attr.MP_REACH_NLRI:
        a.mpReach = decodeMPReach(v, whole);
        break;
      case Attr.MP_UNREACH_NLRI:
        a.mpUnreach = decodeMPUnreach(v, whole);
        break;
    }
  }
  // Canonical order (the encoder writes by type code): decode(encode(decode(x))) == decode(x).
  a.other?.sort((x, y) => x.code - y.code);
  return withdraw ? { attributes: a, withdraw, discarded } : { attributes: a, discarded };
}

function optErr(why: string, data: Uint8Array): WireError {
  return new WireError(ErrorCode.UpdateMessage, UpdateSubcode.OptionalAttributeError, why, data, 'reset');
}

function decodeMPReach(v: Uint8Array, whole: Uint8Array): MPReach {
  if (v.length < 5) throw optErr(`MP_REACH_NLRI length ${v.length}`, whole);
  const afi = (v[0]! << 8) | v[1]!;
  const safi = v[2]!;
  const nhLen = v[3]!;
  if (4 + nhLen + 1 > v.length) throw optErr(`MP_REACH_NLRI next hop length ${nhLen} overruns`, whole);
  if (!mpNextHopOk(afi, nhLen)) throw optErr(`MP_REACH_NLRI next hop length ${nhLen} for AFI ${afi}`, whole);
  const nextHop = v.slice(4, 4 + nhLen);
  const nstart = 4 + nhLen + 1;
  if ((afi === AFI_IPV4 || afi === AFI_IPV6) && safi === 1) {
    const nlri = decodePrefixes(v, nstart, v.length, afi);
    if (!nlri) throw optErr('MP_REACH_NLRI NLRI malformed', whole);
    return { afi, safi, nextHop, nlri };
  }
  return { afi, safi, nextHop, nlri: [], nlriRaw: v.slice(nstart) };
}

function decodeMPUnreach(v: Uint8Array, whole: Uint8Array): MPUnreach {
  if (v.length < 3) throw optErr(`MP_UNREACH_NLRI length ${v.length}`, whole);
  const afi = (v[0]! << 8) | v[1]!;
  const safi = v[2]!;
  if ((afi === AFI_IPV4 || afi === AFI_IPV6) && safi === 1) {
    const withdrawn = decodePrefixes(v, 3, v.length, afi);
    if (!withdrawn) throw optErr('MP_UNREACH_NLRI withdrawn routes malformed', whole);
    return { afi, safi, withdrawn };
  }
  return { afi, safi, withdrawn: [], withdrawnRaw: v.slice(3) };
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

function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

export function encodeMPReach(m: MPReach): Uint8Array {
  const nlri = m.nlriRaw ?? encodePrefixes(toWirePrefixes(m.nlri, m.afi as 1 | 2));
  const v = new Uint8Array(5 + m.nextHop.length + nlri.length);
  v.set([m.afi >> 8, m.afi & 255, m.safi, m.nextHop.length]);
  v.set(m.nextHop, 4);
  v.set(nlri, 5 + m.nextHop.length);
  return encodeAttribute(OPTIONAL, Attr.MP_REACH_NLRI, v, v.length > 255);
}

export function encodeMPUnreach(m: MPUnreach): Uint8Array {
  const w = m.withdrawnRaw ?? encodePrefixes(toWirePrefixes(m.withdrawn, m.afi as 1 | 2));
  const v = new Uint8Array(3 + w.length);
  v.set([m.afi >> 8, m.afi & 255, m.safi]);
  v.set(w, 3);
  return encodeAttribute(OPTIONAL, Attr.MP_UNREACH_NLRI, v);
}

/** Encodes every attribute in `a` (MP_* first, then by type code). */
export function encodeAttributes(a: PathAttributes, ctx: AttributeContext): Uint8Array {
  const parts: { code: number; bytes: Uint8Array }[] = [];
  const add = (flags: number, code: number, value: number[] | Uint8Array) =>
    parts.push({
      code,
      bytes: encodeAttribute(flags, code, value instanceof Uint8Array ? value : new Uint8Array(value)),
    });
  if (a.origin !== undefined) add(TRANSITIVE, Attr.ORIGIN, [a.origin]);
  if (a.asPath) add(TRANSITIVE, Attr.AS_PATH, encodeSegments(a.asPath, ctx.as4 ? 4 : 2));
  if (a.nextHop !== undefined) add(TRANSITIVE, Attr.NEXT_HOP, parseIPv4(a.nextHop) ?? new Uint8Array(4));
  if (a.med !== undefined) add(OPTIONAL, Attr.MULTI_EXIT_DISC, be32(a.med));
  if (a.localPref !== undefined) add(TRANSITIVE, Attr.LOCAL_PREF, be32(a.localPref));
  if (a.atomicAggregate) add(TRANSITIVE, Attr.ATOMIC_AGGREGATE, []);
  const agg = (g: { asn: number; address: string }, w: 2 | 4) => [
    ...(w === 4
      ? be32(g.asn)
      : [(g.asn > 0xffff ? AS_TRANS : g.asn) >> 8, (g.asn > 0xffff ? AS_TRANS : g.asn) & 255]),
    ...(parseIPv4(g.address) ?? [0, 0, 0, 0]),
  ];
  if (a.aggregator) add(OPTIONAL | TRANSITIVE, Attr.AGGREGATOR, agg(a.aggregator, ctx.as4 ? 4 : 2));
  if (a.communities?.length) add(OPTIONAL | TRANSITIVE, Attr.COMMUNITIES, a.communities.flatMap(be32));
  if (a.as4Path) add(OPTIONAL | TRANSITIVE, Attr.AS4_PATH, encodeSegments(a.as4Path, 4));
  if (a.as4Aggregator) add(OPTIONAL | TRANSITIVE, Attr.AS4_AGGREGATOR, agg(a.as4Aggregator, 4));
  if (a.largeCommunities?.length)
    add(
      OPTIONAL | TRANSITIVE,
      Attr.LARGE_COMMUNITY,
      a.largeCommunities.flatMap((l) => l.flatMap(be32)),
    );
  for (const r of a.other ?? [])
    parts.push({ code: r.code, bytes: encodeAttribute(r.flags, r.code, r.value) });
  parts.sort((x, y) => x.code - y.code);
  const mp: Uint8Array[] = [];
  if (a.mpReach) mp.push(encodeMPReach(a.mpReach));
  if (a.mpUnreach) mp.push(encodeMPUnreach(a.mpUnreach));
  const all = [...mp, ...parts.map((p) => p.bytes)];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of all) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** "65000:100" -> 32-bit community; undefined when malformed. */
export function parseCommunity(s: string): number | undefined {
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(s.trim());
  if (!m) return undefined;
  const hi = Number(m[1]);
  const lo = Number(m[2]);
  if (hi > 0xffff || lo > 0xffff) return undefined;
  return ((hi << 16) | lo) >>> 0;
}

export function formatCommunity(c: number): string {
  return `${c >>> 16}:${c & 0xffff}`;
}

/** "65000:1:2" -> large community; undefined when malformed. */
export function parseLargeCommunity(s: string): [number, number, number] | undefined {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(s.trim());
  if (!m) return undefined;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (v.some((x) => x > 0xffffffff)) return undefined;
  return v as [number, number, number];
}

export function formatLargeCommunity(l: [number, number, number]): string {
  return l.join(':');
}

export { AFI_IPV4, AFI_IPV6 };
