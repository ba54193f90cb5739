/**
 * PURE. A pool's status.held[] and heldCount from the IPAM's holds: the oldest first, capped so
 * a mass delete cannot grow the object past etcd's limit. Absent while nothing is held, so
 * pools without holds keep their status exactly as before.
 */

import type { LoadBalancerIPPool } from '../../api/pool.ts';
import { type HeldIP, MAX_HELD_LISTED } from '../../api/pool.ts';
import type { HoldRecord } from '../../ipam/types.ts';

export function heldList(
  holds: readonly HoldRecord[],
  max = MAX_HELD_LISTED,
): { held?: HeldIP[]; heldCount?: number } {
  if (holds.length === 0) return {};
  return {
    held: holds.slice(0, max).map((h) => ({
      namespace: h.namespace,
      name: h.name,
      ip: h.ip,
      expires: h.expires,
      ...(h.since !== undefined ? { since: h.since } : {}),
    })),
    heldCount: holds.length,
  };
}

/** The held part of pool `name`'s status. */
export function heldStatus(ipam: { holds(pool?: string): HoldRecord[] }, name: string) {
  return heldList(ipam.holds(name));
}

/** The holds the pools' status lists (the previous leader's, or the state file's). */
export function heldIn(pools: readonly LoadBalancerIPPool[]): HoldRecord[] {
  const out: HoldRecord[] = [];
  for (const p of pools) for (const h of p.status?.held ?? []) out.push({ ...h, pool: p.metadata.name });
  return out;
}
