/**
 * PURE. A pool's blocks turned into sorted address ranges, and the rules between pools:
 * older pools (creationOrder, then name) win overlaps, and every address has at most one
 * owner, the oldest pool whose usable ranges contain it.
 */
import { cidrRange, type Family, type IPRange, parseCidr, rangeSize } from '../net/ip.ts';
import { formatAddr, parseAddr } from './addr.ts';
import { compileSelector, type Matcher } from './selector.ts';
import type { PoolFacts, PoolSpec } from './types.ts';

export interface CompiledPool {
  spec: PoolSpec;
  name: string;
  /** Block ranges as written (used for overlap detection). */
  blockRanges: IPRange[];
  /** Allocatable ranges per family: sorted, merged, network/broadcast removed unless allowed. */
  ranges: Record<Family, IPRange[]>;
  total: bigint;
  /** undefined when the selector is invalid (see problems). */
  matches: Matcher | undefined;
  /** Invalid blocks or selector: the pool then behaves as disabled. */
  problems: string[];
  /** Set when the pool's blocks overlap an older pool's. */
  conflict?: { pool: string; message: string };
}

export function poolOrder(a: PoolSpec, b: PoolSpec): number {
  if (a.creationOrder !== b.creationOrder) return a.creationOrder < b.creationOrder ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function merge(ranges: IPRange[]): IPRange[] {
  const sorted = [...ranges].sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
  const out: IPRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1n) {
      if (r.last > prev.last) out[out.length - 1] = { ...prev, last: r.last };
    } else out.push(r);
  }
  return out;
}

/** RFC 6164: an IPv6 /127 is a point-to-point link, no subnet-router anycast address in it. */
const IPV6_P2P_PREFIX = 127;
/** The interface identifier: the low 64 bits of an IPv6 address (RFC 4291 §2.5.1). */
const IPV6_IID_MASK = (1n << 64n) - 1n;

/**
 * The addresses of a CIDR no host should get: IPv4 network and broadcast (subnets with more
 * than two addresses); IPv6 subnet-router anycast (RFC 4291 §2.6.1: the all-zero interface ID
 * of a /64), i.e. the CIDR's first address when its interface ID is zero (fd00:50::/126 starts
 * with it, fd00:50::200/126 does not).
 */
function withoutReserved(r: IPRange, prefixLength: number): IPRange {
  if (r.family === 4) return prefixLength < 31 ? { ...r, first: r.first + 1n, last: r.last - 1n } : r;
  const anycast = prefixLength < IPV6_P2P_PREFIX && (r.first & IPV6_IID_MASK) === 0n;
  return anycast ? { ...r, first: r.first + 1n } : r;
}

export function compilePool(spec: PoolSpec): CompiledPool {
  const problems: string[] = [];
  const blockRanges: IPRange[] = [];
  const usable: IPRange[] = [];
  for (const [i, b] of spec.blocks.entries()) {
    if ('cidr' in b) {
      const c = parseCidr(b.cidr);
      if (!c.ok) {
        problems.push(`blocks[${i}].cidr: ${c.error}`);
        continue;
      }
      const r = cidrRange(c.value);
      blockRanges.push(r);
      usable.push(spec.allowFirstLastIPs ? r : withoutReserved(r, c.value.prefixLength));
    } else {
      const start = parseAddr(b.start);
      const stop = parseAddr(b.stop);
      if (!start || !stop) {
        problems.push(
          `blocks[${i}]: ${!start ? `start "${b.start}"` : `stop "${b.stop}"`} is not an IP address`,
        );
        continue;
      }
      if (start.family !== stop.family) {
        problems.push(`blocks[${i}]: start and stop are of different families`);
        continue;
      }
      if (start.value > stop.value) {
        problems.push(`blocks[${i}]: start ${b.start} is after stop ${b.stop}`);
        continue;
      }
      const r = { family: start.family, first: start.value, last: stop.value };
      blockRanges.push(r);
      usable.push(r);
    }
  }
  if (spec.blocks.length === 0) problems.push('spec.blocks is empty');
  const sel = compileSelector(spec.serviceSelector);
  if (!sel.ok) problems.push(`spec.serviceSelector: ${sel.error}`);
  const ranges = {
    4: merge(usable.filter((r) => r.family === 4)),
    6: merge(usable.filter((r) => r.family === 6)),
  };
  let total = 0n;
  for (const r of [...ranges[4], ...ranges[6]]) total += rangeSize(r);
  return {
    spec,
    name: spec.name,
    blockRanges,
    ranges,
    total,
    matches: sel.ok ? sel.matches : undefined,
    problems,
  };
}

const text = (r: IPRange) =>
  r.first === r.last
    ? formatAddr({ family: r.family, value: r.first })
    : `${formatAddr({ family: r.family, value: r.first })}-${formatAddr({ family: r.family, value: r.last })}`;

const bigMax = (x: bigint, y: bigint) => (x > y ? x : y);
const bigMin = (x: bigint, y: bigint) => (x < y ? x : y);

/** Two ranges share an address. */
export function rangesOverlap(a: IPRange, b: IPRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** Sets `conflict` on every pool whose blocks overlap a block of any older pool. `ordered` is in poolOrder. */
export function markConflicts(ordered: CompiledPool[]): void {
  for (const [i, p] of ordered.entries()) {
    delete p.conflict;
    outer: for (const older of ordered.slice(0, i)) {
      for (const a of p.blockRanges)
        for (const b of older.blockRanges)
          if (rangesOverlap(a, b)) {
            const lo = bigMax(a.first, b.first);
            const hi = bigMin(a.last, b.last);
            p.conflict = {
              pool: older.name,
              message: `blocks overlap older pool ${older.name} at ${text({ family: a.family, first: lo, last: hi })}`,
            };
            break outer;
          }
    }
  }
}

/** True when the pool may hand out new addresses. */
export function usable(p: CompiledPool): boolean {
  return !p.spec.disabled && !p.conflict && p.problems.length === 0;
}

/** Why a pool hands out no new address ("is disabled"...); "is available" when it does. */
export function unusableWhy(p: CompiledPool): string {
  if (p.conflict) return `is in conflict (${p.conflict.message})`;
  if (p.problems.length > 0) return `is invalid (${p.problems.join('; ')})`;
  if (p.spec.disabled) return 'is disabled';
  return 'is available';
}

/** The pool's figures and state, with `used` addresses held. */
export function poolFacts(p: CompiledPool, used: bigint): PoolFacts {
  const available = p.total > used ? p.total - used : 0n;
  const state = usable(p)
    ? 'ready'
    : p.conflict
      ? 'conflict'
      : p.problems.length > 0
        ? 'invalid'
        : 'disabled';
  return {
    name: p.name,
    total: p.total.toString(),
    used: used.toString(),
    available: available.toString(),
    state,
    why: unusableWhy(p),
    ...(p.conflict ? { conflict: p.conflict.message } : {}),
  };
}

export function contains(p: CompiledPool, family: Family, v: bigint): boolean {
  const rs = p.ranges[family];
  let lo = 0;
  let hi = rs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = rs[mid] as IPRange;
    if (v < r.first) hi = mid - 1;
    else if (v > r.last) lo = mid + 1;
    else return true;
  }
  return false;
}
