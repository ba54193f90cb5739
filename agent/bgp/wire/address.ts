/**
 * PURE. Compact address <-> bytes conversions for the codec (no bigint: the hot path
 * encodes 100k prefixes). IPv6 text follows RFC 5952 (lower case, longest zero run).
 */
export type AFI = 1 | 2;
export const AFI_IPV4 = 1;
export const AFI_IPV6 = 2;
export const SAFI_UNICAST = 1;

export function parseIPv4(text: string): Uint8Array | undefined {
  // Hand-rolled (hot path): four decimal octets, no leading zeros, nothing else.
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return undefined; // leading zero
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else return undefined;
  }
  return part === 4 ? out : undefined;
}

export function parseIPv6(text: string): Uint8Array | undefined {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const words: number[][] = [];
  for (const half of halves) {
    const ws: number[] = [];
    if (half !== '') {
      const parts = half.split(':');
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (p.includes('.')) {
          if (i !== parts.length - 1) return undefined;
          const v4 = parseIPv4(p);
          if (!v4) return undefined;
          ws.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        } else {
          if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
          ws.push(Number.parseInt(p, 16));
        }
      }
    }
    words.push(ws);
  }
  let all: number[];
  if (words.length === 2) {
    const fill = 8 - words[0]!.length - words[1]!.length;
    if (fill < 1) return undefined;
    all = [...words[0]!, ...new Array<number>(fill).fill(0), ...words[1]!];
  } else {
    all = words[0]!;
  }
  if (all.length !== 8) return undefined;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >> 8;
    out[2 * i + 1] = all[i]! & 255;
  }
  return out;
}

export function parseAddress(text: string): { afi: AFI; bytes: Uint8Array } | undefined {
  if (text.includes(':')) {
    const b = parseIPv6(text);
    return b ? { afi: AFI_IPV6, bytes: b } : undefined;
  }
  const b = parseIPv4(text);
  return b ? { afi: AFI_IPV4, bytes: b } : undefined;
}

export function formatIPv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

export function formatIPv6(b: Uint8Array, off = 0): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(w);
  return `${hex(w.slice(0, bestStart))}::${hex(w.slice(bestStart + bestLen))}`;
}

export function formatAddress(afi: number, b: Uint8Array, off = 0): string {
  return afi === AFI_IPV6 ? formatIPv6(b, off) : formatIPv4(b, off);
}

/** A prefix on the wire: family, length, and the significant bytes (host bits zero). */
export interface WirePrefix {
  afi: AFI;
  length: number;
  bytes: Uint8Array;
}

/** "a.b.c.d/n" or "x::y/n" (bare address = host route); host bits are cleared. */
export function parsePrefix(text: string): WirePrefix | undefined {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.afi === AFI_IPV4 ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(l)) return undefined;
    length = Number(l);
    if (length > max) return undefined;
  }
  const n = (length + 7) >> 3;
  const bytes = addr.bytes.slice(0, n);
  if (length & 7) bytes[n - 1]! &= (0xff << (8 - (length & 7))) & 0xff;
  return { afi: addr.afi, length, bytes };
}

export function formatPrefix(p: WirePrefix): string {
  const full = new Uint8Array(p.afi === AFI_IPV4 ? 4 : 16);
  full.set(p.bytes.subarray(0, Math.min(p.bytes.length, full.length)));
  return `${formatAddress(p.afi, full)}/${p.length}`;
}

/** Canonical text of a prefix string, or undefined. */
export function canonicalPrefix(text: string): string | undefined {
  const p = parsePrefix(text);
  return p ? formatPrefix(p) : undefined;
}
