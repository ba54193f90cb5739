/**
 * PURE. Packs prefixes that share one attribute set into as few UPDATEs as the negotiated
 * maximum size allows (4096, or 65535 with RFC 8654). IPv4 uses the NLRI / Withdrawn
 * Routes fields; IPv6 uses MP_REACH_NLRI (first attribute, 16-byte global next hop) and
 * MP_UNREACH_NLRI. The attribute block is encoded once and copied into each message.
 */
import {
  AFI_IPV6,
  Attr,
  EXTENDED,
  HEADER_LENGTH,
  MessageType,
  newMessage,
  OPTIONAL,
  SAFI_UNICAST,
  type WirePrefix,
  writePrefix,
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

/** Splits prefixes into runs whose encoded size fits `room` bytes each. */
function chunks(prefixes: readonly WirePrefix[], room: number): WirePrefix[][] {
  const out: WirePrefix[][] = [];
  let cur: WirePrefix[] = [];
  let used = 0;
  for (const p of prefixes) {
    const n = 1 + p.bytes.length;
    if (used + n > room && cur.length) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(p);
    used += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

function size(ps: readonly WirePrefix[]): number {
  let n = 0;
  for (const p of ps) n += 1 + p.bytes.length;
  return n;
}

/** IPv4 announcements: attrs must contain NEXT_HOP. */
export function packIPv4Announce(
  attrs: Uint8Array,
  prefixes: readonly WirePrefix[],
  maxLength: number,
): Uint8Array[] {
  const room = maxLength - BASE - attrs.length;
  if (room < 5) throw new Error('attribute block too large for one UPDATE');
  return chunks(prefixes, room).map((run) => {
    const msg = newMessage(MessageType.UPDATE, BASE + attrs.length + size(run));
    msg[ATTRS_LENGTH_AT] = attrs.length >> 8;
    msg[ATTRS_LENGTH_AT + 1] = attrs.length & 255;
    msg.set(attrs, ATTRS_AT);
    let o = ATTRS_AT + attrs.length;
    for (const p of run) o = writePrefix(msg, o, p);
    return msg;
  });
}

export function packIPv4Withdraw(prefixes: readonly WirePrefix[], maxLength: number): Uint8Array[] {
  return chunks(prefixes, maxLength - BASE).map((run) => {
    const n = size(run);
    const msg = newMessage(MessageType.UPDATE, BASE + n);
    msg[WITHDRAWN_LENGTH_AT] = n >> 8;
    msg[WITHDRAWN_LENGTH_AT + 1] = n & 255;
    let o = WITHDRAWN_AT;
    for (const p of run) o = writePrefix(msg, o, p);
    return msg;
  });
}

/** IPv6 announcements: MP_REACH_NLRI (extended length) first, then `attrs` (which has no NEXT_HOP). */
export function packIPv6Announce(
  attrs: Uint8Array,
  nextHop: Uint8Array,
  prefixes: readonly WirePrefix[],
  maxLength: number,
): Uint8Array[] {
  const mpHead = 4 + 5 + nextHop.length; // flags code len(2) + afi safi nhlen nh reserved
  const room = maxLength - BASE - attrs.length - mpHead;
  if (room < 17) throw new Error('attribute block too large for one UPDATE');
  return chunks(prefixes, room).map((run) => {
    const n = size(run);
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
    for (const p of run) o = writePrefix(msg, o, p);
    msg.set(attrs, o);
    return msg;
  });
}

export function packIPv6Withdraw(prefixes: readonly WirePrefix[], maxLength: number): Uint8Array[] {
  return chunks(prefixes, maxLength - BASE - MP_UNREACH_HEAD).map((run) => {
    const n = size(run);
    const mpLen = 3 + n;
    const alen = 4 + mpLen;
    const msg = newMessage(MessageType.UPDATE, BASE + alen);
    msg[ATTRS_LENGTH_AT] = alen >> 8;
    msg[ATTRS_LENGTH_AT + 1] = alen & 255;
    msg.set([MP_FLAGS, Attr.MP_UNREACH_NLRI, mpLen >> 8, mpLen & 255, 0, AFI_IPV6, SAFI_UNICAST], ATTRS_AT);
    let o = ATTRS_AT + MP_UNREACH_HEAD;
    for (const p of run) o = writePrefix(msg, o, p);
    return msg;
  });
}
