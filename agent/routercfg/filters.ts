/**
 * PURE. The import filter every target writes: the pools' CIDRs, of which only host routes
 * (/32, /128) are accepted, and which families each session carries. edgelb announces every
 * family over every session (MP-BGP); a node with a session per family is accepted in each
 * family on its own session only, so the router does not see each route twice from it.
 */
import type { Family } from '../net/ip.ts';
import { families } from './common.ts';
import { hostLength, lengthOf } from './prefixes.ts';
import type { RouterPlan, Session } from './types.ts';

export interface HostRouteCidr {
  cidr: string;
  /** 32 or 128. */
  host: number;
  /** The block is itself a host route. */
  exact: boolean;
}

export function hostRouteCidrs(plan: RouterPlan, f: Family): HostRouteCidr[] {
  const host = hostLength(f);
  return plan.prefixes[f].map((cidr) => ({ cidr, host, exact: lengthOf(cidr) === host }));
}

export function acceptedFamilies(plan: RouterPlan, s: Session): Family[] {
  return families(plan).filter(
    (f) => s.family === f || !plan.sessions.some((o) => o.node === s.node && o.family === f),
  );
}
