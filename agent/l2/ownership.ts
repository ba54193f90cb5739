/**
 * PURE. Who answers ARP/NDP for each L2 IP. Every node runs the same function over the same
 * heartbeat Leases, so every node reaches the same answer without talking to the others.
 *
 * Two steps, kept apart on purpose:
 * - decideOwners: who SHOULD own each IP (the claim each node writes into its heartbeat Lease);
 * - answerable: which of its claims THIS node may answer now. Claiming is not answering: a node
 *   answers only an IP that it claimed in a write it has seen come back through its watch, and
 *   that no other live node claims. So the later of two claimants always sees the earlier one's
 *   claim and waits for it to be dropped or to expire: never two answering nodes.
 */

/** One IP to place. IPs with the same `group` (a dual-stack Service) move together. */
export interface OwnershipCandidate {
  ip: string;
  /** Nodes that may answer: the policy matches, not drained, a ready local endpoint under ETP=Local. */
  eligibleNodes: ReadonlySet<string> | readonly string[];
  /** Usually "namespace/name" of the Service; the group's first IP (as given) is its hash key. */
  group?: string;
}

/** A node this observer judges live, and the IPs its heartbeat Lease claims. */
export interface LiveNode {
  owned: ReadonlySet<string>;
}

export interface OwnershipInput {
  ips: readonly OwnershipCandidate[];
  live: ReadonlyMap<string, LiveNode>;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * A well-spread 32-bit score for (node, key): FNV-1a over the UTF-16 units of `node#key`, then
 * murmur3's fmix32 finalizer (FNV alone clusters on inputs that differ in the last characters,
 * such as 192.168.2.200 and .201). Same inputs, same score, on every node and every run.
 */
export function rendezvousScore(node: string, key: string): number {
  const s = `${node}#${key}`;
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The highest-scoring node for `key` (ties: the smaller name), or undefined for no nodes. */
export function rendezvousWinner(nodes: Iterable<string>, key: string): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const n of nodes) {
    const s = rendezvousScore(n, key);
    if (s > bestScore || (s === bestScore && best !== undefined && n < best)) {
      best = n;
      bestScore = s;
    }
  }
  return best;
}

interface Group {
  key: string;
  ips: string[];
  eligible: Set<string>;
}

function groups(ips: readonly OwnershipCandidate[]): Group[] {
  const byName = new Map<string, Group>();
  const out: Group[] = [];
  for (const c of ips) {
    const name = c.group ?? `ip:${c.ip}`;
    let g = byName.get(name);
    if (!g) {
      g = { key: c.ip, ips: [], eligible: new Set(c.eligibleNodes) };
      byName.set(name, g);
      out.push(g);
    } else {
      // a node must be eligible for every IP of the group to carry it
      const e = new Set(c.eligibleNodes);
      for (const n of g.eligible) if (!e.has(n)) g.eligible.delete(n);
    }
    if (!g.ips.includes(c.ip)) g.ips.push(c.ip);
  }
  return out;
}

/**
 * The owner each IP should have, the same on every node that sees the same Leases:
 * - only live eligible nodes count (a claimant that lost eligibility, e.g. its ETP=Local
 *   endpoint went away, no longer holds the IP);
 * - a live eligible claimant keeps it (sticky: a returning or new node never takes an IP from
 *   a live owner, so only a dead node's IPs move);
 * - several claimants (two nodes took it at once from different views): the rendezvous winner
 *   among the claimants keeps it, the others drop it;
 * - nobody claims it: the rendezvous winner among the live eligible nodes;
 * - no live eligible node: undefined (nobody answers).
 */
export function decideOwners(input: OwnershipInput): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const g of groups(input.ips)) {
    const liveEligible = [...g.eligible].filter((n) => input.live.has(n)).sort();
    const claimants = liveEligible.filter((n) => g.ips.some((ip) => input.live.get(n)?.owned.has(ip)));
    const owner =
      claimants.length > 0 ? rendezvousWinner(claimants, g.key) : rendezvousWinner(liveEligible, g.key);
    for (const ip of g.ips) out.set(ip, owner);
  }
  return out;
}

/** The IPs `self` should claim: those decideOwners gives it. */
export function claimsOf(owners: ReadonlyMap<string, string | undefined>, self: string): Set<string> {
  const out = new Set<string>();
  for (const [ip, owner] of owners) if (owner === self) out.add(ip);
  return out;
}

export interface AnswerInput {
  self: string;
  /** What self claims now (decided, maybe not yet written). */
  claims: ReadonlySet<string>;
  /** The claims of self's latest write that its own watch has delivered back. */
  confirmed: ReadonlySet<string>;
  /** Every other node that is not provably dead, with its claims, eligible or not. */
  live: ReadonlyMap<string, LiveNode>;
}

/**
 * The IPs self may answer now: claimed, confirmed through the watch, and claimed by no other
 * live node (whether or not that node is still eligible: it answers until it drops the claim).
 */
export function answerable(a: AnswerInput): Set<string> {
  const out = new Set<string>();
  for (const ip of a.claims) {
    if (!a.confirmed.has(ip)) continue;
    let contested = false;
    for (const [node, v] of a.live) {
      if (node !== a.self && v.owned.has(ip)) {
        contested = true;
        break;
      }
    }
    if (!contested) out.add(ip);
  }
  return out;
}
