/** PURE. COMMUNITIES (RFC 1997) and LARGE_COMMUNITY (RFC 8092): text forms and value lists. */
import { u32 } from './attribute-types.ts';

/** The COMMUNITIES value: 4-octet communities; undefined when the length is not a positive multiple of 4. */
export function decodeCommunities(v: Uint8Array): number[] | undefined {
  if (v.length === 0 || v.length % 4 !== 0) return undefined;
  const cs: number[] = [];
  for (let i = 0; i < v.length; i += 4) cs.push(u32(v, i));
  return cs;
}

/** The LARGE_COMMUNITY value: 12-octet triples; undefined when the length is not a positive multiple of 12. */
export function decodeLargeCommunities(v: Uint8Array): [number, number, number][] | undefined {
  if (v.length === 0 || v.length % 12 !== 0) return undefined;
  const ls: [number, number, number][] = [];
  for (let i = 0; i < v.length; i += 12) ls.push([u32(v, i), u32(v, i + 4), u32(v, i + 8)]);
  return ls;
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
