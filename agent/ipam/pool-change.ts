/**
 * PURE. Which pools a pool change touches: the pools whose holders must be revalidated when one
 * pool is added, changed or removed (the Allocation's poolsChanged, allocation.ts).
 */
import type { IPRange } from '../net/ip.ts';
import { type CompiledPool, rangesOverlap } from './pools.ts';

function overlaps(xs: IPRange[], ys: IPRange[]): boolean {
  return xs.some((a) => ys.some((b) => rangesOverlap(a, b)));
}

/** True when every address of `before` is still in `after` under the same selector. */
function keepsHolders(before: CompiledPool, after: CompiledPool): boolean {
  if (
    JSON.stringify(before.spec.serviceSelector ?? null) !== JSON.stringify(after.spec.serviceSelector ?? null)
  )
    return false;
  for (const fam of [4, 6] as const)
    for (const r of before.ranges[fam])
      if (!after.ranges[fam].some((n) => n.first <= r.first && r.last <= n.last)) return false;
  return true;
}

/**
 * The names of the pools whose holders may no longer be valid after `changed` ([before, after] of
 * one pool; either may be missing): the changed pool itself unless it only widened or changed
 * disabled/autoAssign, every pool whose conflict changed (`oldConflicts`: each pool's conflicting
 * pool before the change; `ordered`: the pools after it, conflicts marked), and every other pool
 * overlapping the changed one, since its holdings may change owner.
 */
export function affectedPools(
  changed: (CompiledPool | undefined)[],
  oldConflicts: Map<string, string | undefined>,
  ordered: readonly CompiledPool[],
): Set<string> {
  const affected = new Set<string>();
  const [before, after] = changed;
  // Widening a pool or changing only disabled/autoAssign leaves every holder valid.
  if (!(before && after && keepsHolders(before, after))) for (const c of changed) if (c) affected.add(c.name);
  for (const p of ordered) if (oldConflicts.get(p.name) !== p.conflict?.pool) affected.add(p.name);
  // Holdings in any other pool overlapping a changed one may change owner.
  for (const c of changed) {
    if (!c) continue;
    for (const p of ordered)
      if (p.name !== c.name && overlaps(p.blockRanges, c.blockRanges)) affected.add(p.name);
  }
  return affected;
}
