/**
 * PURE. Importing a Service's status IPs (restore and reconcile, allocation.ts): each address the
 * Service's status names and it does not hold yet is claimed when still valid for it, and noted
 * lost (with why) when not.
 */
import type { Family } from '../net/ip.ts';
import { parseAddrText } from './addr.ts';
import type { CallLog } from './call-log.ts';
import { type ClaimWorld, invalidFor } from './claim-rules.ts';
import type { Holding } from './holdings.ts';
import { famName, holdsFamily, holdsText, type SvcState } from './service-state.ts';

/** What importing needs of the Allocation. */
export interface StatusImporter extends ClaimWorld {
  readonly log: CallLog;
  create(family: Family, value: bigint, text?: string): Holding;
  claim(st: SvcState, h: Holding): void;
}

/** Claims the Service's status IPs it does not hold yet, when still valid. */
export function importStatus(a: StatusImporter, st: SvcState): void {
  const key = st.view.key;
  if (!st.parsed.ok) {
    for (const t of st.view.statusIPs) a.log.noteLost(key, t, 'the request is invalid');
    return;
  }
  const r = st.parsed.request;
  for (const t of st.view.statusIPs) {
    if (holdsText(st, t)) continue;
    const ip = parseAddrText(t);
    if (!ip) continue;
    const text = ip.text;
    if (text !== t && holdsText(st, text)) continue;
    if (holdsFamily(st, ip.family)) {
      a.log.noteLost(key, text, `the Service already holds an ${famName(ip.family)} address`);
      continue;
    }
    const h = a.index.get(text);
    const why = invalidFor(a, st, r, ip, text, h);
    if (why) {
      a.log.noteLost(key, text, why);
      continue;
    }
    a.claim(st, h ?? a.create(ip.family, ip.value, text));
  }
}
