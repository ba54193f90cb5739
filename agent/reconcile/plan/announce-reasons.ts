/**
 * PURE. Why an allocated IP is or is not announced on this node, in one open vocabulary.
 *
 * Two kinds of reasons, kept apart:
 * - intended: edgelb chose not to announce here (the policy does not select this node, the
 *   Service is not selected, externalTrafficPolicy: Local without a local endpoint, the node is
 *   drained or excluded, the Service is health-gated, the IP is held after delete). Shown by
 *   `edgelb explain`, never a problem.
 * - blocked: a policy selects this node and the Service, yet no peer gets the IP. A /status
 *   problem, a /readyz reason, `edgelb status` exit 1 and edgelb_announcements_blocked{reason}.
 *
 * The list is open: a feature that adds a reason adds one row to ANNOUNCE_REASONS (code, kind,
 * what it means) and builds its reasons with `announceReason`; every surface picks it up.
 */

export type ReasonKind = 'intended' | 'blocked';

export interface AnnounceReason {
  /** CamelCase, stable: tests, metric labels and scripts match on it. */
  code: string;
  kind: ReasonKind;
  /** The facts of this case, in words ("policy edge selects no Node with these labels"). */
  message: string;
}

/** Every reason code, its kind and what it means (README "Why is my IP not announced?"). */
export const ANNOUNCE_REASONS = {
  NoPeeringPolicy: { kind: 'intended', meaning: 'no BGPPeeringPolicy exists' },
  NodeNotSelected: { kind: 'intended', meaning: "the policy's nodeSelector does not select this node" },
  ServiceNotSelected: {
    kind: 'intended',
    meaning: "the virtual router's serviceSelector is absent or does not match the Service",
  },
  NoLocalEndpoint: {
    kind: 'intended',
    meaning: 'externalTrafficPolicy: Local and no ready endpoint of the Service runs on this node',
  },
  NodeExcluded: { kind: 'intended', meaning: 'the node is excluded from announcing (maintenance)' },
  NodeCordoned: { kind: 'intended', meaning: 'the node is cordoned and announcing is stopped on it' },
  NodeDrained: { kind: 'intended', meaning: 'the node is drained: its announcements are withdrawn' },
  NodeShuttingDown: {
    kind: 'intended',
    meaning: 'the machine is shutting down: announcements are withdrawn first',
  },
  HealthGated: { kind: 'intended', meaning: 'the Service has no ready endpoint: its IP is health-gated' },
  HeldAfterDelete: {
    kind: 'intended',
    meaning: 'the Service is gone; its IP is held for it and not announced',
  },
  FamilyNotNegotiated: {
    kind: 'blocked',
    meaning: "the session is Established but the IP's address family was not negotiated",
  },
  NoNextHop: { kind: 'blocked', meaning: "this node has no next hop of the IP's address family" },
  PeersDown: { kind: 'blocked', meaning: 'every BGP session to a peer meant to get the IP is down' },
} as const satisfies Record<string, { kind: ReasonKind; meaning: string }>;

export type KnownReasonCode = keyof typeof ANNOUNCE_REASONS;

/** A reason of a known code (its kind from the table). */
export function announceReason(code: KnownReasonCode, message: string): AnnounceReason {
  return { code, kind: ANNOUNCE_REASONS[code].kind, message };
}

/** What the announcement check needs to know of one BGP session (the speaker's PeerStatus fits). */
export interface PeerFacts {
  id: string;
  state: string;
  /** Negotiated capability names: mp-ipv4-unicast, mp-ipv6-unicast... (absent: unknown, assumed negotiated). */
  capabilities?: readonly string[];
  lastError?: { message: string; at: string };
  /** Prefixes left out for want of a next hop of their family. */
  unannounceable?: readonly string[];
}

/** One peer's verdict on one prefix: announced, or the blocked reason. */
export type PeerVerdict =
  | { peer: string; announced: true }
  | { peer: string; announced: false; reason: AnnounceReason };

const familyOf = (prefix: string): 4 | 6 => (prefix.includes(':') ? 6 : 4);
export const ipOf = (prefix: string): string => prefix.replace(/\/(32|128)$/, '');

/** Would this peer carry the prefix now? (peer undefined: its session is not running.) */
export function peerVerdict(id: string, prefix: string, peer: PeerFacts | undefined): PeerVerdict {
  if (!peer)
    return {
      peer: id,
      announced: false,
      reason: announceReason('PeersDown', `BGP peer ${id}: no session (the BGP speaker is not running yet)`),
    };
  if (peer.state !== 'Established') {
    const why = peer.lastError ? `: ${peer.lastError.message} (since ${peer.lastError.at})` : '';
    return {
      peer: id,
      announced: false,
      reason: announceReason('PeersDown', `BGP peer ${id} is ${peer.state}${why}`),
    };
  }
  const f = familyOf(prefix);
  if (peer.capabilities && !peer.capabilities.includes(`mp-ipv${f}-unicast`))
    return {
      peer: id,
      announced: false,
      reason: announceReason(
        'FamilyNotNegotiated',
        `BGP peer ${id} did not negotiate IPv${f} unicast (configure the family on the router)`,
      ),
    };
  if ((peer.unannounceable ?? []).includes(prefix))
    return {
      peer: id,
      announced: false,
      reason: announceReason(
        'NoNextHop',
        `no IPv${f} next hop for BGP peer ${id} (this node has no global IPv${f} address usable as one; see bgp.nodeAddressCIDRs)`,
      ),
    };
  return { peer: id, announced: true };
}

export interface BlockedIP {
  ip: string;
  /** The reason of the first peer (by id) meant to get it. */
  reason: AnnounceReason;
  peers: PeerVerdict[];
}

/**
 * The IPs this node's plan sends to at least one peer, none of which carries it now.
 * `advertisements`: the plan (peer id -> host prefixes); `peers`: the running sessions.
 */
export function blockedAnnouncements(
  advertisements: ReadonlyMap<string, readonly string[]>,
  peers: readonly PeerFacts[],
): BlockedIP[] {
  const byId = new Map(peers.map((p) => [p.id, p]));
  const meantFor = new Map<string, string[]>();
  for (const [id, list] of advertisements)
    for (const prefix of list) {
      const ids = meantFor.get(prefix);
      if (ids) ids.push(id);
      else meantFor.set(prefix, [id]);
    }
  const out: BlockedIP[] = [];
  for (const [prefix, ids] of meantFor) {
    const verdicts = ids.sort().map((id) => peerVerdict(id, prefix, byId.get(id)));
    const first = verdicts[0];
    if (!first || verdicts.some((v) => v.announced) || first.announced) continue;
    out.push({ ip: ipOf(prefix), reason: first.reason, peers: verdicts });
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip));
}

/** Blocked IPs per reason code (edgelb_announcements_blocked{reason}). */
export function blockedCounts(blocked: readonly BlockedIP[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of blocked) counts.set(b.reason.code, (counts.get(b.reason.code) ?? 0) + 1);
  return counts;
}

/** IPs named per problem line: the rest are counted. */
export const BLOCKED_IPS_SHOWN = 5;

/**
 * One /status problem (and /readyz reason) per blocked reason code, naming the first IPs, the
 * count and the first case's words. NoNextHop is left to the per-peer next-hop lines
 * (reconcile/status.ts unannounceableReasons), which already name every IP.
 */
export function blockedProblems(blocked: readonly BlockedIP[]): string[] {
  const groups = new Map<string, BlockedIP[]>();
  for (const b of blocked) {
    if (b.reason.code === 'NoNextHop') continue;
    const g = groups.get(b.reason.code);
    if (g) g.push(b);
    else groups.set(b.reason.code, [b]);
  }
  return [...groups].map(([code, list]) => {
    const ips = list.slice(0, BLOCKED_IPS_SHOWN).map((b) => b.ip);
    const more = list.length > ips.length ? ` and ${list.length - ips.length} more` : '';
    return `${list.length} IP(s) not announced (${code}): ${ips.join(', ')}${more}: ${list[0]!.reason.message}`;
  });
}
