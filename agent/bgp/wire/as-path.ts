/** PURE. AS_PATH and AS4_PATH segments (RFC 4271 §4.3, RFC 6793 §4.2.2): 2- or 4-octet ASNs. */
import type { ASPathSegment } from './attribute-types.ts';
import { u32 } from './attribute-types.ts';
import { AS_TRANS } from './open.ts';

/** Segment types (RFC 4271 §4.3, RFC 5065 §3). */
export const SegmentType = { AS_SET: 1, AS_SEQUENCE: 2, AS_CONFED_SEQUENCE: 3, AS_CONFED_SET: 4 } as const;
/** At most 255 ASNs per segment (one-octet count). */
const MAX_SEGMENT = 255;

export function decodeSegments(v: Uint8Array, width: 2 | 4): ASPathSegment[] | undefined {
  const out: ASPathSegment[] = [];
  let o = 0;
  while (o < v.length) {
    if (o + 2 > v.length) return undefined;
    const type = v[o]!;
    const count = v[o + 1]!;
    if (type < SegmentType.AS_SET || type > SegmentType.AS_CONFED_SET || count === 0) return undefined;
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

export function encodeSegments(segs: ASPathSegment[], width: 2 | 4): Uint8Array {
  const parts: number[] = [];
  for (const s of segs) {
    for (let i = 0; i < s.asns.length; i += MAX_SEGMENT) {
      const chunk = s.asns.slice(i, i + MAX_SEGMENT);
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
