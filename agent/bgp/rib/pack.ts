/**
 * PURE. Packs prefixes that share one attribute set into as few UPDATEs as the negotiated
 * maximum size allows (4096, or 65535 with RFC 8654). IPv4 uses the NLRI / Withdrawn
 * Routes fields; IPv6 uses MP_REACH_NLRI (first attribute, 16-byte global next hop) and
 * MP_UNREACH_NLRI. The attribute block is encoded once and copied into each message.
 * The *Nlri forms take the prefixes already encoded back to back (length octet, then the
 * significant bytes: what an Adj-RIB-Out writes straight from its columns, no object per prefix).
 */
import {
  AFI_IPV6,
  Attr,
  EXTENDED,
  encodePrefixes,
  HEADER_LENGTH,
  MessageType,
  newMessage,
  OPTIONAL,
  SAFI_UNICAST,
  type WirePrefix,
} from '../wire/index.ts';

const BASE = HEADER_LENGTH + 4; // header + withdrawn length + total attribute length
/** UPDATE layout (RFC 4271 §4.3): the Withdrawn Routes Length, then the routes. */
const WITHDRAWN_LENGTH_AT = HEADER_LENGTH;
const WITHDRAWN_AT = HEADER_LENGTH + 2;
/** With no withdrawn routes: the Total Path Attribute Length, then the attributes. */
const ATTRS_LENGTH_AT = HEADER_LENGTH + 2;
const ATTRS_AT = HEADER_LENGTH + 4;
/** MP_* attributes are optional, with a two-octet (extended) length. */
const MP_FLAGS = OPTIONAL | EXTENDED;
/** flags, code, 2-octet length, AFI (2), SAFI. */
const MP_UNREACH_HEAD = 7;

/** Splits encoded NLRI (the first `used` bytes) into [start, end) runs of at most `room` bytes each. */
function runs(nlri: Uint8Array, used: number, room: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  let o = 0;
  while (o < used) {
    const n = 1 + ((nlri[o]! + 7) >> 3);
    if (o + n - start > room && o > start) {
      out.push([start, o]);
      start = o;
    }
    o += n;
  }
  if (o > start) out.push([start, o]);
  return out;
}

/** IPv4 announcements: attrs must contain NEXT_HOP. */
export function packIPv4AnnounceNlri(
  attrs: Uint8Array,
  nlri: Uint8Array,
  used: number,
  maxLength: number,
): Uint8Array[] {
  const room = maxLength - BASE - attrs.length;
  if (room < 5) throw new Error('attribute block too large for one UPDATE');
  return runs(nlri, used, room).map(([a, b]) => {
    const msg = newMessage(MessageType.UPDATE, BASE + attrs.length + (b - a));
    msg[ATTRS_LENGTH_AT] = attrs.length >> 8;
    msg[ATTRS_LENGTH_AT + 1] = attrs.length & 255;
    msg.set(attrs, ATTRS_AT);
    msg.set(nlri.subarray(a, b), ATTRS_AT + attrs.length);
    return msg;
  });
}

export function packIPv4WithdrawNlri(nlri: Uint8Array, used: number, maxLength: number): Uint8Array[] {
  return runs(nlri, used, maxLength - BASE).map(([a, b]) => {
    const n = b - a;
    const msg = newMessage(MessageType.UPDATE, BASE + n);
    msg[WITHDRAWN_LENGTH_AT] = n >> 8;
    msg[WITHDRAWN_LENGTH_AT + 1] = n & 255;
    msg.set(nlri.subarray(a, b), WITHDRAWN_AT);
    return msg;
  });
}

/** IPv6 announcements: MP_REACH_NLRI (extended length) first, then `attrs` (which has no NEXT_HOP). */
export function packIPv6AnnounceNlri(
  attrs: Uint8Array,
  nextHop: Uint8Array,
  nlri: Uint8Array,
  used: number,
  maxLength: number,
): Uint8Array[] {
  const mpHead = 4 + 5 + nextHop.length; // flags code len(2) + afi safi nhlen nh reserved
  const room = maxLength - BASE - attrs.length - mpHead;
  if (room < 17) throw new Error('attribute block too large for one UPDATE');
  return runs(nlri, used, room).map(([a, b]) => {
    const n = b - a;
    const mpLen = 5 + nextHop.length + n;
    const alen = 4 + mpLen + attrs.length;
    const msg = newMessage(MessageType.UPDATE, BASE + alen);
    msg[ATTRS_LENGTH_AT] = alen >> 8;
    msg[ATTRS_LENGTH_AT + 1] = alen & 255;
    let o = ATTRS_AT;
    msg.set(
      [MP_FLAGS, Attr.MP_REACH_NLRI, mpLen >> 8, mpLen & 255, 0, AFI_IPV6, SAFI_UNICAST, nextHop.length],
      o,
    );
    o += 8;
    msg.set(nextHop, o);
    o += nextHop.length;
    msg[o++] = 0;
    msg.set(nlri.subarray(a, b), o);
    msg.set(attrs, o + n);
    return msg;
  });
}

export function packIPv6WithdrawNlri(nlri: Uint8Array, used: number, maxLength: number): Uint8Array[] {
  return runs(nlri, used, maxLength - BASE - MP_UNREACH_HEAD).map(([a, b]) => {
    const n = b - a;
    const mpLen = 3 + n;
    const alen = 4 + mpLen;
    const msg = newMessage(MessageType.UPDATE, BASE + alen);
    msg[ATTRS_LENGTH_AT] = alen >> 8;
    msg[ATTRS_LENGTH_AT + 1] = alen & 255;
    msg.set([MP_FLAGS, Attr.MP_UNREACH_NLRI, mpLen >> 8, mpLen & 255, 0, AFI_IPV6, SAFI_UNICAST], ATTRS_AT);
    msg.set(nlri.subarray(a, b), ATTRS_AT + MP_UNREACH_HEAD);
    return msg;
  });
}

/** IPv4 announcements of typed prefixes: attrs must contain NEXT_HOP. */
export function packIPv4Announce(
  attrs: Uint8Array,
  prefixes: readonly WirePrefix[],
  maxLength: number,
): Uint8Array[] {
  const nlri = encodePrefixes(prefixes);
  return packIPv4AnnounceNlri(attrs, nlri, nlri.length, maxLength);
}

export function packIPv4Withdraw(prefixes: readonly WirePrefix[], maxLength: number): Uint8Array[] {
  const nlri = encodePrefixes(prefixes);
  return packIPv4WithdrawNlri(nlri, nlri.length, maxLength);
}

export function packIPv6Announce(
  attrs: Uint8Array,
  nextHop: Uint8Array,
  prefixes: readonly WirePrefix[],
  maxLength: number,
): Uint8Array[] {
  const nlri = encodePrefixes(prefixes);
  return packIPv6AnnounceNlri(attrs, nextHop, nlri, nlri.length, maxLength);
}

export function packIPv6Withdraw(prefixes: readonly WirePrefix[], maxLength: number): Uint8Array[] {
  const nlri = encodePrefixes(prefixes);
  return packIPv6WithdrawNlri(nlri, nlri.length, maxLength);
}
