/**
 * PURE. Chooses this node's address for the BGP router ID and next hop: the Node's
 * InternalIPs first (ExternalIPs after), or the host's interface addresses in files mode,
 * restricted to bgp.nodeAddressCIDR when set.
 */
import type { NodeObject } from '../../api/core.ts';
import { cidrRange, type Family, formatIP, inRange, parseCidr, parseIP } from '../../net/ip.ts';

export function nodeAddresses(node: NodeObject | undefined): string[] {
  const addrs = node?.status?.addresses ?? [];
  const rank = (t: string) => (t === 'InternalIP' ? 0 : t === 'ExternalIP' ? 1 : 2);
  return [...addrs]
    .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .sort((a, b) => rank(a.type) - rank(b.type))
    .map((a) => a.address);
}

export function pickAddress(candidates: readonly string[], family: Family, cidr = ''): string | undefined {
  const within = cidr ? parseCidr(cidr) : undefined;
  for (const c of candidates) {
    const ip = parseIP(c);
    if (!ip.ok || ip.value.family !== family) continue;
    if (within?.ok && !inRange(ip.value, cidrRange(within.value))) continue;
    if (family === 6 && ip.value.value >> 118n === 0x3fan) continue; // fe80::/10 is no next hop
    return formatIP(ip.value);
  }
  return undefined;
}
