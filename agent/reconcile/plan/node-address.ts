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

/** One host interface and its addresses (node:os networkInterfaces, loopback left out). */
export interface HostInterface {
  name: string;
  addresses: readonly string[];
}

/**
 * The host's own next hop of a family when none is pinned or given by the session: an
 * address of that family on the interface holding one of `anchors` (the session's local
 * address in files mode, the Node's addresses in kubernetes mode), inside `cidr` when set;
 * with `anywhere`, any interface's address after those (files mode: the host is the node).
 */
export function hostNextHop(
  interfaces: readonly HostInterface[],
  family: Family,
  opts: { anchors: readonly string[]; cidr?: string; anywhere: boolean },
): string | undefined {
  const same = (a: string, b: string) => {
    const x = parseIP(a.replace(/^::ffff:/, ''));
    const y = parseIP(b.replace(/^::ffff:/, ''));
    return x.ok && y.ok && x.value.family === y.value.family && x.value.value === y.value.value;
  };
  const holding = interfaces.filter((i) => i.addresses.some((a) => opts.anchors.some((x) => same(a, x))));
  const order = opts.anywhere ? [...holding, ...interfaces.filter((i) => !holding.includes(i))] : holding;
  return pickAddress(
    order.flatMap((i) => i.addresses.filter((a) => !a.startsWith('169.254.'))),
    family,
    opts.cidr ?? '',
  );
}
