/**
 * PURE. MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760): decoding checks the next-hop length
 * for the family (RFC 2545 / RFC 8950) and that the NLRI parse; any error resets (RFC 7606 §5.3).
 */
import { AFI_IPV4, AFI_IPV6, SAFI_UNICAST } from './address.ts';
import { Attr, encodeAttribute, type MPReach, type MPUnreach, OPTIONAL } from './attribute-types.ts';
import { ErrorCode, UpdateSubcode, WireError } from './errors.ts';
import { decodePrefixes, encodePrefixes, toWirePrefixes } from './nlri.ts';

function mpNextHopOk(afi: number, len: number): boolean {
  if (afi === AFI_IPV6) return len === 16 || len === 32;
  if (afi === AFI_IPV4) return len === 4 || len === 16 || len === 32;
  return true;
}

function optErr(why: string, data: Uint8Array): WireError {
  return new WireError(ErrorCode.UpdateMessage, UpdateSubcode.OptionalAttributeError, why, data, 'reset');
}

export function decodeMPReach(v: Uint8Array, whole: Uint8Array): MPReach {
  if (v.length < 5) throw optErr(`MP_REACH_NLRI length ${v.length}`, whole);
  const afi = (v[0]! << 8) | v[1]!;
  const safi = v[2]!;
  const nhLen = v[3]!;
  if (4 + nhLen + 1 > v.length) throw optErr(`MP_REACH_NLRI next hop length ${nhLen} overruns`, whole);
  if (!mpNextHopOk(afi, nhLen)) throw optErr(`MP_REACH_NLRI next hop length ${nhLen} for AFI ${afi}`, whole);
  const nextHop = v.slice(4, 4 + nhLen);
  const nstart = 4 + nhLen + 1;
  if ((afi === AFI_IPV4 || afi === AFI_IPV6) && safi === SAFI_UNICAST) {
    const nlri = decodePrefixes(v, nstart, v.length, afi);
    if (!nlri) throw optErr('MP_REACH_NLRI NLRI malformed', whole);
    return { afi, safi, nextHop, nlri };
  }
  return { afi, safi, nextHop, nlri: [], nlriRaw: v.slice(nstart) };
}

export function decodeMPUnreach(v: Uint8Array, whole: Uint8Array): MPUnreach {
  if (v.length < 3) throw optErr(`MP_UNREACH_NLRI length ${v.length}`, whole);
  const afi = (v[0]! << 8) | v[1]!;
  const safi = v[2]!;
  if ((afi === AFI_IPV4 || afi === AFI_IPV6) && safi === SAFI_UNICAST) {
    const withdrawn = decodePrefixes(v, 3, v.length, afi);
    if (!withdrawn) throw optErr('MP_UNREACH_NLRI withdrawn routes malformed', whole);
    return { afi, safi, withdrawn };
  }
  return { afi, safi, withdrawn: [], withdrawnRaw: v.slice(3) };
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
