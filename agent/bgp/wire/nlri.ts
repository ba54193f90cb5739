/** PURE. NLRI encoding: one length byte, then ceil(length/8) prefix bytes (RFC 4271 §4.3, RFC 4760 §5). */
import { type AFI, formatPrefix, parsePrefix, type WirePrefix } from './address.ts';

/** Decodes a run of prefixes; returns undefined on a length beyond the family or an overrun. */
export function decodePrefixes(b: Uint8Array, start: number, end: number, afi: AFI): string[] | undefined {
  const max = afi === 1 ? 32 : 128;
  const out: string[] = [];
  let o = start;
  while (o < end) {
    const len = b[o]!;
    if (len > max) return undefined;
    const n = (len + 7) >> 3;
    if (o + 1 + n > end) return undefined;
    const bytes = b.slice(o + 1, o + 1 + n);
    if (len & 7) bytes[n - 1]! &= (0xff << (8 - (len & 7))) & 0xff;
    out.push(formatPrefix({ afi, length: len, bytes }));
    o += 1 + n;
  }
  return out;
}

export function prefixWireLength(p: WirePrefix): number {
  return 1 + p.bytes.length;
}

export function writePrefix(out: Uint8Array, off: number, p: WirePrefix): number {
  out[off] = p.length;
  out.set(p.bytes, off + 1);
  return off + 1 + p.bytes.length;
}

/** Parses prefix strings of one family; throws a plain Error for a bad one (caller input, not peer input). */
export function toWirePrefixes(prefixes: readonly string[], afi: AFI): WirePrefix[] {
  return prefixes.map((s) => {
    const p = parsePrefix(s);
    if (!p || p.afi !== afi) throw new Error(`not an IPv${afi === 1 ? 4 : 6} prefix: ${s}`);
    return p;
  });
}

export function encodePrefixes(prefixes: readonly WirePrefix[]): Uint8Array {
  const out = new Uint8Array(prefixes.reduce((n, p) => n + prefixWireLength(p), 0));
  let o = 0;
  for (const p of prefixes) o = writePrefix(out, o, p);
  return out;
}
