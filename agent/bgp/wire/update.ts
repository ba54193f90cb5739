/** PURE. UPDATE (RFC 4271 §4.3) decode with RFC 7606 handling, and a generic encoder. */
import { AFI_IPV4, AFI_IPV6 } from './address.ts';
import { Attr, type AttributeContext, type PathAttributes } from './attribute-types.ts';
import { decodeAttributes, encodeAttributes } from './attributes.ts';
import { ErrorCode, UpdateSubcode, WireError } from './errors.ts';
import { HEADER_LENGTH, MessageType, newMessage } from './header.ts';
import { decodePrefixes, encodePrefixes, toWirePrefixes } from './nlri.ts';

export interface UpdateMessage {
  type: 'update';
  /** IPv4 withdrawn routes (Withdrawn Routes field). */
  withdrawn: string[];
  attributes: PathAttributes;
  /** IPv4 NLRI field. */
  nlri: string[];
  /** Set when RFC 7606 asks to treat this UPDATE's NLRI as withdrawn. */
  error?: WireError;
  /** Attributes dropped under RFC 7606 attribute-discard. */
  discarded?: WireError[];
}

function malformed(why: string): WireError {
  return new WireError(ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, why);
}

export function decodeUpdate(msg: Uint8Array, ctx: AttributeContext): UpdateMessage {
  const end = msg.length;
  let o = HEADER_LENGTH;
  const wlen = (msg[o]! << 8) | msg[o + 1]!;
  o += 2;
  if (o + wlen + 2 > end) throw malformed(`withdrawn routes length ${wlen} overruns`);
  const withdrawn = decodePrefixes(msg, o, o + wlen, AFI_IPV4);
  if (!withdrawn)
    throw new WireError(ErrorCode.UpdateMessage, UpdateSubcode.InvalidNetworkField, 'bad withdrawn prefix');
  o += wlen;
  const alen = (msg[o]! << 8) | msg[o + 1]!;
  o += 2;
  if (o + alen > end) throw malformed(`total path attribute length ${alen} overruns`);
  const decoded = decodeAttributes(msg, o, o + alen, ctx);
  o += alen;
  const nlri = decodePrefixes(msg, o, end, AFI_IPV4);
  if (!nlri)
    throw new WireError(ErrorCode.UpdateMessage, UpdateSubcode.InvalidNetworkField, 'bad NLRI prefix');
  const a = decoded.attributes;
  let error = decoded.withdraw;
  // Missing well-known attributes (RFC 4271 §6.3) only matter when something is announced.
  const reach = a.mpReach && a.mpReach.nlri.length + (a.mpReach.nlriRaw?.length ?? 0) > 0;
  if (!error && (nlri.length > 0 || reach)) {
    const need: number[] = [Attr.ORIGIN, Attr.AS_PATH];
    if (nlri.length > 0) need.push(Attr.NEXT_HOP);
    const have: Record<number, unknown> = { 1: a.origin, 2: a.asPath, 3: a.nextHop };
    const missing = need.find((c) => have[c] === undefined);
    if (missing !== undefined)
      error = new WireError(
        ErrorCode.UpdateMessage,
        UpdateSubcode.MissingWellKnownAttribute,
        `missing attribute ${missing}`,
        new Uint8Array([missing]),
        'withdraw',
      );
  }
  const u: UpdateMessage = { type: 'update', withdrawn, attributes: a, nlri };
  if (error) u.error = error;
  if (decoded.discarded.length) u.discarded = decoded.discarded;
  return u;
}

/** Encodes any UPDATE value (tests, the collector, round trips). The speaker's hot path packs in rib/. */
export function encodeUpdate(
  u: Pick<UpdateMessage, 'withdrawn' | 'attributes' | 'nlri'>,
  ctx: AttributeContext,
): Uint8Array {
  const w = encodePrefixes(toWirePrefixes(u.withdrawn, AFI_IPV4));
  const attrs = encodeAttributes(u.attributes, ctx);
  const n = encodePrefixes(toWirePrefixes(u.nlri, AFI_IPV4));
  const msg = newMessage(MessageType.UPDATE, HEADER_LENGTH + 4 + w.length + attrs.length + n.length);
  let o = HEADER_LENGTH;
  msg[o++] = w.length >> 8;
  msg[o++] = w.length & 255;
  msg.set(w, o);
  o += w.length;
  msg[o++] = attrs.length >> 8;
  msg[o++] = attrs.length & 255;
  msg.set(attrs, o);
  o += attrs.length;
  msg.set(n, o);
  return msg;
}

/** End-of-RIB (RFC 4724 §2): empty UPDATE for IPv4, empty MP_UNREACH for others. */
export function encodeEndOfRib(family: 'ipv4' | 'ipv6'): Uint8Array {
  if (family === 'ipv4') return encodeUpdate({ withdrawn: [], attributes: {}, nlri: [] }, { as4: true });
  return encodeUpdate(
    { withdrawn: [], attributes: { mpUnreach: { afi: AFI_IPV6, safi: 1, withdrawn: [] } }, nlri: [] },
    { as4: true },
  );
}

/** The family an UPDATE marks End-of-RIB for, if it is one. */
export function endOfRibFamily(u: UpdateMessage): 'ipv4' | 'ipv6' | undefined {
  if (u.withdrawn.length || u.nlri.length) return undefined;
  const keys = Object.keys(u.attributes);
  if (keys.length === 0) return 'ipv4';
  const m = u.attributes.mpUnreach;
  if (keys.length === 1 && m && m.withdrawn.length === 0 && !m.withdrawnRaw?.length && m.safi === 1)
    return m.afi === AFI_IPV6 ? 'ipv6' : m.afi === AFI_IPV4 ? 'ipv4' : undefined;
  return undefined;
}
