/**
 * PURE. Path attributes (RFC 4271 §5, RFC 4760, RFC 1997, RFC 8092, RFC 6793) with the
 * RFC 7606 error handling per attribute. Encoding writes MP_REACH/MP_UNREACH first and the
 * rest in ascending type code (RFC 7606 §5.1), extended length only when needed.
 */
import { formatIPv4, parseIPv4 } from './address.ts';
import { decodeSegments, encodeSegments } from './as-path.ts';
import {
  Attr,
  type AttributeContext,
  be32,
  EXTENDED,
  encodeAttribute,
  KNOWN,
  OPTIONAL,
  PARTIAL,
  type PathAttributes,
  TRANSITIVE,
  u32,
} from './attribute-types.ts';
import { decodeCommunities, decodeLargeCommunities } from './communities.ts';
import { ErrorCode, type Handling, UpdateSubcode, WireError } from './errors.ts';
import { decodeMPReach, decodeMPUnreach, encodeMPReach, encodeMPUnreach } from './mp-nlri.ts';
import { AS_TRANS } from './open.ts';

/** Martian next hops a router refuses (FRR resets with 3/8): 0/8, 127/8, 224/4 and up. */
export function invalidNextHopV4(b: Uint8Array, o = 0, loopbackOk = false): boolean {
  const a = b[o]!;
  return a === 0 || (a === 127 && !loopbackOk) || a >= 224;
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
      case Attr.COMMUNITIES: {
        const cs = decodeCommunities(v);
        if (!cs) lengthError();
        else a.communities = cs;
        break;
      }
      case Attr.LARGE_COMMUNITY: {
        const ls = decodeLargeCommunities(v);
        if (!ls) lengthError();
        else a.largeCommunities = ls;
        break;
      }
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
