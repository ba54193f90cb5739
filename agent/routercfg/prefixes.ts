/**
 * PURE. The pools' blocks as CIDRs per family, for the router's import filter: a `cidr` block
 * as it is, a `start`/`stop` range split into the fewest aligned CIDRs that cover exactly it.
 * The filter then accepts only host routes (/32, /128) inside them: what edgelb announces.
 */
import type { LoadBalancerIPPool } from '../api/v1alpha1.ts';
import { BITS, type Cidr, type Family, formatCidr, type IPRange, parseCidr, parseIP } from '../net/ip.ts';
import type { PoolPrefixes } from './types.ts';

/** The fewest CIDRs covering exactly first..last (greedy: the largest aligned block each step). */
export function rangeToCidrs(r: IPRange): Cidr[] {
  const bits = BITS[r.family];
  const out: Cidr[] = [];
  let at = r.first;
  while (at <= r.last) {
    let size = bits;
    // Grow the block while it stays aligned at `at` and inside the range.
    while (size > 0) {
      const next = size - 1;
      const span = 1n << BigInt(bits - next);
      if (at % span !== 0n || at + span - 1n > r.last) break;
      size = next;
    }
    out.push({ family: r.family, base: at, prefixLength: size });
    at += 1n << BigInt(bits - size);
  }
  return out;
}

function blockCidrs(b: { cidr?: string; start?: string; stop?: string }): Cidr[] {
  if (b.cidr !== undefined) {
    const c = parseCidr(b.cidr);
    return c.ok ? [c.value] : [];
  }
  const s = parseIP(b.start ?? '');
  const e = parseIP(b.stop ?? '');
  if (!s.ok || !e.ok || s.value.family !== e.value.family) return [];
  return rangeToCidrs({ family: s.value.family, first: s.value.value, last: e.value.value });
}

/** Every pool's blocks (disabled pools too: the IPs they gave out are still announced). */
export function poolPrefixes(pools: readonly LoadBalancerIPPool[]): PoolPrefixes {
  const seen: Record<Family, Set<string>> = { 4: new Set(), 6: new Set() };
  const sorted = [...pools].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const p of sorted) {
    for (const b of p.spec.blocks) for (const c of blockCidrs(b)) seen[c.family].add(formatCidr(c));
  }
  return { 4: [...seen[4]], 6: [...seen[6]] };
}

/** Prefix length of a CIDR text ("172.198.1.0/30" -> 30). */
export function lengthOf(cidr: string): number {
  return Number(cidr.slice(cidr.indexOf('/') + 1));
}

/** Host-route length of a family: 32 or 128. */
export const hostLength = (f: Family): number => BITS[f];
