/**
 * PURE. The result a reconciled Service gets (allocation.ts's reconcileOne): its addresses and
 * pools, or why it has none, with the per-family failures spelled out.
 */
import type { Family } from '../net/ip.ts';
import { type Failure, fail } from './claim-rules.ts';
import type { Holding } from './holdings.ts';
import type { Request } from './request.ts';
import { famName } from './service-state.ts';
import type { ServiceResult } from './types.ts';

/** One address family the Service could not get an address in, and why. */
export interface FamilyFailure {
  family: Family;
  f: Failure;
}

/** [name] per pool name, shared by every result from that pool (frozen: results are read-only). */
export class PoolLists {
  private readonly lists = new Map<string, string[]>();

  one(name: string): string[] {
    let list = this.lists.get(name);
    if (!list) {
      list = Object.freeze([name]) as unknown as string[];
      this.lists.set(name, list);
    }
    return list;
  }

  clear(): void {
    this.lists.clear();
  }
}

/** The common case: one address, one pool. */
export function oneAddressResult(key: string, h: Holding, pools: PoolLists): ServiceResult {
  return {
    key,
    ok: true,
    ips: [h.text],
    pools: pools.one(h.pool),
    pool: h.pool,
    message: `${h.text} from pool ${h.pool}`,
  };
}

/** "IPv4: ...; IPv6: ..." */
export function failureDetail(failures: readonly FamilyFailure[]): string {
  return failures.map((x) => `${famName(x.family)}: ${x.f.message}`).join('; ');
}

/** RequireDualStack and a family failed: the Service gets nothing (its addresses are let go). */
export function dualStackRefused(
  key: string,
  r: Request,
  failures: readonly FamilyFailure[],
  detail: string,
): ServiceResult {
  const reason = r.ips.length > 0 ? (failures[0] as { f: Failure }).f.reason : 'dual-stack-unavailable';
  return { key, ok: false, reason, message: `RequireDualStack: ${detail}` };
}

/**
 * The Service keeps what it `held` (sorted in place into the request's family order), with the
 * failed families named; or, holding nothing, fails with the first failure's reason.
 */
export function heldResult(
  key: string,
  r: Request,
  held: Holding[],
  failures: readonly FamilyFailure[],
  detail: string,
): ServiceResult {
  if (held.length === 0) {
    const first = failures[0]?.f ?? fail('no-matching-pool', 'no address family requested');
    return {
      key,
      ok: false,
      reason: first.reason,
      message: failures.length > 1 ? detail : first.message,
    };
  }
  held.sort((a, b) => r.families.indexOf(a.family) - r.families.indexOf(b.family));
  const ips = held.map((h) => h.text);
  const pools = held.map((h) => h.pool);
  const names = [...new Set(pools)].join(', ');
  let message = `${ips.join(', ')} from pool ${names}`;
  if (failures.length > 0) message += `; ${detail}`;
  return { key, ok: true, ips, pools, pool: names, message };
}
