/**
 * PURE. BGP capabilities (RFC 5492) as typed values. Unknown capabilities, and known ones
 * whose value does not parse, are kept raw and ignored (RFC 5492 §3): refusing them would
 * only break interop.
 */
import { AFI_IPV4, AFI_IPV6, SAFI_UNICAST } from './address.ts';

export type Capability =
  | { code: 1; afi: number; safi: number } // Multiprotocol (RFC 4760)
  | { code: 2 } // Route Refresh (RFC 2918)
  | { code: 128 } // Route Refresh, pre-standard Cisco code
  | { code: 6 } // Extended Message (RFC 8654)
  | { code: 65; asn: number } // 4-octet AS (RFC 6793)
  | { code: 70 } // Enhanced Route Refresh (RFC 7313)
  | {
      code: 64; // Graceful Restart (RFC 4724, N bit RFC 8538)
      restarting: boolean;
      notification: boolean;
      restartTime: number;
      families: { afi: number; safi: number; forwarding: boolean }[];
    }
  | { code: 73; hostname: string; domain: string } // FQDN (draft-walton-bgp-hostname-capability)
  | { code: number; raw: Uint8Array; unknown: true };

export const CAP_MP = 1;
export const CAP_ROUTE_REFRESH = 2;
export const CAP_EXTENDED_MESSAGE = 6;
export const CAP_GRACEFUL_RESTART = 64;
export const CAP_AS4 = 65;
export const CAP_ENHANCED_ROUTE_REFRESH = 70;
export const CAP_FQDN = 73;
export const CAP_ROUTE_REFRESH_OLD = 128;

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** A capability's value length is one octet (RFC 5492 §4). */
export const MAX_CAPABILITY_VALUE = 255;

/** The longest prefix of `b` of at most `max` bytes that ends on a UTF-8 character boundary. */
function utf8Prefix(b: Uint8Array, max: number): Uint8Array {
  if (b.length <= max) return b;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

export function encodeCapability(c: Capability): Uint8Array {
  let v: Uint8Array;
  if ('unknown' in c) v = c.raw;
  else
    switch (c.code) {
      case 1:
        v = new Uint8Array([c.afi >> 8, c.afi & 255, 0, c.safi]);
        break;
      case 65:
        v = new Uint8Array([(c.asn >>> 24) & 255, (c.asn >>> 16) & 255, (c.asn >>> 8) & 255, c.asn & 255]);
        break;
      case 64: {
        v = new Uint8Array(2 + 4 * c.families.length);
        const head = (c.restarting ? 0x8000 : 0) | (c.notification ? 0x4000 : 0) | (c.restartTime & 0xfff);
        v[0] = head >> 8;
        v[1] = head & 255;
        c.families.forEach((f, i) => {
          v.set([f.afi >> 8, f.afi & 255, f.safi, f.forwarding ? 0x80 : 0], 2 + 4 * i);
        });
        break;
      }
      case 73: {
        // Both lengths and the capability's own length are one octet: the hostname keeps up to
        // 253 bytes and the domain what is left, each cut on a UTF-8 character boundary.
        const h = utf8Prefix(utf8.encode(c.hostname), MAX_CAPABILITY_VALUE - 2);
        const d = utf8Prefix(utf8.encode(c.domain), MAX_CAPABILITY_VALUE - 2 - h.length);
        v = new Uint8Array(2 + h.length + d.length);
        v[0] = h.length;
        v.set(h, 1);
        v[1 + h.length] = d.length;
        v.set(d, 2 + h.length);
        break;
      }
      default:
        v = new Uint8Array(0);
    }
  const out = new Uint8Array(2 + v.length);
  out[0] = c.code;
  out[1] = v.length;
  out.set(v, 2);
  return out;
}

/** Decodes one capability value (never throws: a malformed known one comes back raw). */
export function decodeCapability(code: number, v: Uint8Array): Capability {
  const raw = (): Capability => ({ code, raw: v.slice(), unknown: true });
  switch (code) {
    case 1:
      return v.length === 4 ? { code: 1, afi: (v[0]! << 8) | v[1]!, safi: v[3]! } : raw();
    case 2:
    case 128:
    case 6:
    case 70:
      return v.length === 0 ? ({ code } as Capability) : raw();
    case 65:
      return v.length === 4
        ? { code: 65, asn: ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0 }
        : raw();
    case 64: {
      if (v.length < 2 || (v.length - 2) % 4 !== 0) return raw();
      const head = (v[0]! << 8) | v[1]!;
      if (head & 0x3000) return raw(); // reserved bits set: keep bytes exact
      const families: { afi: number; safi: number; forwarding: boolean }[] = [];
      for (let o = 2; o < v.length; o += 4) {
        if (v[o + 3]! & 0x7f) return raw();
        families.push({
          afi: (v[o]! << 8) | v[o + 1]!,
          safi: v[o + 2]!,
          forwarding: (v[o + 3]! & 0x80) !== 0,
        });
      }
      return {
        code: 64,
        restarting: (head & 0x8000) !== 0,
        notification: (head & 0x4000) !== 0,
        restartTime: head & 0xfff,
        families,
      };
    }
    case 73: {
      if (v.length < 2) return raw();
      const hl = v[0]!;
      if (1 + hl + 1 > v.length) return raw();
      const dl = v[1 + hl]!;
      if (2 + hl + dl !== v.length) return raw();
      const hostname = utf8d.decode(v.subarray(1, 1 + hl));
      const domain = utf8d.decode(v.subarray(2 + hl));
      // Only keep the typed form when it re-encodes to the same bytes.
      if (utf8.encode(hostname).length !== hl || utf8.encode(domain).length !== dl) return raw();
      return { code: 73, hostname, domain };
    }
    default:
      return raw();
  }
}

/** What two OPENs agreed on. */
export interface Negotiated {
  as4: boolean;
  extendedMessage: boolean;
  routeRefresh: boolean;
  families: ('ipv4' | 'ipv6')[];
  /** The peer's graceful-restart capability, if it sent one. */
  peerGracefulRestart?: Extract<Capability, { code: 64 }>;
  gracefulRestart: boolean;
  names: string[];
}

function familyKey(afi: number, safi: number): 'ipv4' | 'ipv6' | undefined {
  if (safi !== SAFI_UNICAST) return undefined;
  return afi === AFI_IPV4 ? 'ipv4' : afi === AFI_IPV6 ? 'ipv6' : undefined;
}

/** RFC 4760 §8: without any MP capability on a side, IPv4 unicast is implied. */
function familiesOf(caps: Capability[]): Set<string> {
  const mp = caps.filter((c): c is Extract<Capability, { code: 1 }> => c.code === 1 && !('unknown' in c));
  if (mp.length === 0) return new Set(['ipv4']);
  return new Set(mp.map((c) => familyKey(c.afi, c.safi)).filter((x): x is 'ipv4' | 'ipv6' => !!x));
}

export function negotiate(local: Capability[], remote: Capability[]): Negotiated {
  const has = (caps: Capability[], code: number) => caps.some((c) => c.code === code && !('unknown' in c));
  const as4 = has(local, 65) && has(remote, 65);
  const extendedMessage = has(local, 6) && has(remote, 6);
  const routeRefresh = has(local, 2) && (has(remote, 2) || has(remote, 128));
  const lf = familiesOf(local);
  const rf = familiesOf(remote);
  const families = (['ipv4', 'ipv6'] as const).filter((f) => lf.has(f) && rf.has(f));
  const peerGracefulRestart = remote.find(
    (c): c is Extract<Capability, { code: 64 }> => c.code === 64 && !('unknown' in c),
  );
  const gracefulRestart = has(local, 64) && !!peerGracefulRestart;
  const names: string[] = [...families.map((f) => `mp-${f}-unicast`)];
  if (routeRefresh) names.push('route-refresh');
  if (as4) names.push('4-octet-as');
  if (gracefulRestart) names.push('graceful-restart');
  if (extendedMessage) names.push('extended-message');
  if (has(local, 73) && has(remote, 73)) names.push('hostname');
  return { as4, extendedMessage, routeRefresh, families, peerGracefulRestart, gracefulRestart, names };
}
