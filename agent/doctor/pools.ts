/**
 * PURE. Pool findings: a pool in public address space (a warning: the blog's 172.198.1.0/30
 * is someone's), a pool that overlaps a subnet of this node's own interfaces (fine where an
 * L2AnnouncementPolicy selects it, since L2 mode answers ARP/NDP there; else a warning: the
 * routers already reach that subnet directly, so BGP routes to it are ignored or conflict).
 */
import type { L2AnnouncementPolicy } from '../api/l2-announcement-policy.ts';
import type { IPBlock, LoadBalancerIPPool } from '../api/pool.ts';
import { matchesSelector } from '../ipam/selector.ts';
import { cidrRange, formatCidr, type IPRange, parseCidr, parseIP, rangesOverlap } from '../net/ip.ts';
import { inPublicSpace } from './address-space.ts';
import { type Finding, ok, warn } from './findings.ts';

export function blockRange(b: IPBlock): IPRange | undefined {
  if (b.cidr !== undefined) {
    const c = parseCidr(b.cidr);
    return c.ok ? cidrRange(c.value) : undefined;
  }
  const [s, e] = [parseIP(b.start ?? ''), parseIP(b.stop ?? '')];
  if (!s.ok || !e.ok || s.value.family !== e.value.family) return undefined;
  return { family: s.value.family, first: s.value.value, last: e.value.value };
}

const describeBlock = (b: IPBlock) => b.cidr ?? `${b.start}-${b.stop}`;

/** True when an L2AnnouncementPolicy that selects this node names the pool (absent pools = all). */
export function l2Selects(
  pool: string,
  policies: L2AnnouncementPolicy[],
  nodeLabels: Record<string, string> | undefined,
): boolean {
  return policies.some(
    (p) =>
      (p.spec.pools === undefined || p.spec.pools.includes(pool)) &&
      (nodeLabels === undefined || matchesSelector(p.spec.nodeSelector, nodeLabels)),
  );
}

export interface PoolInput {
  pools: LoadBalancerIPPool[];
  l2Policies: L2AnnouncementPolicy[];
  /** The node's interface addresses with their prefix length ("192.168.2.7/24"). */
  nodeSubnets: string[];
  /** The Node's labels when known (nodeSelector of L2 policies); undefined = not known. */
  nodeLabels?: Record<string, string>;
}

export function poolFindings(input: PoolInput): Finding[] {
  const subnets = input.nodeSubnets.flatMap((s) => {
    const c = parseCidr(s);
    // Host routes (/32, /128) are not a subnet the routers reach through this node's link.
    return c.ok && c.value.prefixLength < (c.value.family === 4 ? 32 : 128) ? [c.value] : [];
  });
  const out: Finding[] = [];
  for (const pool of input.pools) {
    const name = pool.metadata.name;
    const subject = `pool ${name}`;
    const before = out.length;
    for (const b of pool.spec.blocks) {
      const r = blockRange(b);
      if (!r) continue;
      if (inPublicSpace(r))
        out.push(
          warn(
            subject,
            `${describeBlock(b)} is public address space; announce it only if this network owns it (private: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`,
          ),
        );
      const mine = subnets.find((s) => rangesOverlap(cidrRange(s), r));
      if (!mine) continue;
      if (l2Selects(name, input.l2Policies, input.nodeLabels))
        out.push(
          ok(subject, `${describeBlock(b)} is on this node's subnet ${formatCidr(mine)}, announced by L2`),
        );
      else
        out.push(
          warn(
            subject,
            `${describeBlock(b)} overlaps this node's subnet ${formatCidr(mine)} and no L2AnnouncementPolicy selects the pool; routers reach that subnet directly, so BGP routes into it do not work (use L2 mode or a separate range)`,
          ),
        );
    }
    if (out.length === before) out.push(ok(subject, pool.spec.blocks.map(describeBlock).join(', ')));
  }
  return out;
}
