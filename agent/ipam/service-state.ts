/**
 * PURE. What the IPAM keeps per Service: its view, its parsed request, what it holds and its
 * last result, and the small questions asked of it.
 */
import type { Family } from '../net/ip.ts';
import { type Holding, NO_HOLDINGS } from './holdings.ts';
import { creationKey } from './order.ts';
import { type ParsedRequest, parseRequest } from './request.ts';
import type { ServiceResult, ServiceView } from './types.ts';

export interface SvcState {
  view: ServiceView;
  /** creationKey(view.creationOrder): sorts without string comparisons. */
  ord: number;
  parsed: ParsedRequest;
  held: Holding[];
  result: ServiceResult;
}

/** Replaced by the first reconcile, before any caller can see it; shared so it costs nothing. */
const NOT_PROCESSED: ServiceResult = Object.freeze({
  key: '',
  ok: false,
  reason: 'no-matching-pool',
  message: 'not processed yet',
});

export function newState(view: ServiceView): SvcState {
  return {
    view,
    ord: creationKey(view.creationOrder),
    parsed: parseRequest(view),
    held: NO_HOLDINGS,
    result: NOT_PROCESSED,
  };
}

/** Takes a new view of the same Service. */
export function updateState(st: SvcState, view: ServiceView): void {
  st.view = view;
  st.ord = creationKey(view.creationOrder);
  st.parsed = parseRequest(view);
}

export const famName = (f: Family) => (f === 6 ? 'IPv6' : 'IPv4');

/** The Service's sharing key, when its request is valid and has one. */
export function sharingKeyOf(st: SvcState): string | undefined {
  return st.parsed.ok ? st.parsed.request.sharingKey : undefined;
}

export function holdsText(st: SvcState, text: string): boolean {
  for (const h of st.held) if (h.text === text) return true;
  return false;
}

export function holdsFamily(st: SvcState, fam: Family): boolean {
  for (const h of st.held) if (h.family === fam) return true;
  return false;
}

export function sameResult(a: ServiceResult | undefined, b: ServiceResult): boolean {
  if (!a || a.ok !== b.ok || a.message !== b.message) return false;
  if (a.ok && b.ok) return a.ips.join() === b.ips.join() && a.pools.join() === b.pools.join();
  return !a.ok && !b.ok && a.reason === b.reason;
}
