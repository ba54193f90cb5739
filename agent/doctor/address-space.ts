/**
 * PURE. Public address space: everything outside the IANA special-purpose blocks that are
 * not globally reachable (RFC 6890 registries). A pool there is announced as addresses
 * that belong to someone on the Internet unless this network owns them.
 */
import { cidrRange, type IPRange, parseCidr } from '../net/ip.ts';

const NOT_GLOBAL = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '240.0.0.0/4',
  '::/127',
  '64:ff9b:1::/48',
  '100::/64',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
].map((c) => {
  const p = parseCidr(c);
  if (!p.ok) throw new Error(p.error);
  return cidrRange(p.value);
});

/** True when some address of r is covered by no non-global block. */
function uncovered(r: IPRange): boolean {
  // Walk r from its start; each covering block moves the start past its end.
  let first = r.first;
  for (let guard = 0; guard <= NOT_GLOBAL.length; guard++) {
    const cover = NOT_GLOBAL.find((b) => b.family === r.family && b.first <= first && first <= b.last);
    if (!cover) return true;
    if (cover.last >= r.last) return false;
    first = cover.last + 1n;
  }
  return true;
}

/** True when any address of the range is public (globally reachable) space. */
export function inPublicSpace(r: IPRange): boolean {
  return r.first <= r.last && uncovered(r);
}
