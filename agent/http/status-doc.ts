/** PURE. The /status document (shape fixed by DESIGN.md) and how health is judged from it. */
export interface PeerDoc {
  address: string;
  port: number;
  localASN: number;
  peerASN: number;
  state: string;
  uptimeSeconds: number;
  advertised: number;
  holdTimeSeconds?: number;
  capabilities?: string[];
  messagesIn?: number;
  messagesOut?: number;
  lastNotificationSent?: string;
  lastNotificationReceived?: string;
  /** BFD guarding this session (absent: the neighbor names no BFDProfile, or it is missing). */
  bfd?: BfdDoc;
  /** The connect is held until BFD is Up (bounded wait). */
  waitingForBfd?: boolean;
  /** The peer never answered BFD within the bounded wait: BGP runs without it. */
  bfdProblem?: string;
  /** Why the session is not Established (last connect error or NOTIFICATION, in words) and since when (ISO). */
  lastError?: { message: string; at: string };
  /** Prefixes this peer should get but cannot, for want of a next hop of their family. */
  unannounceable?: string[];
}

export interface BfdDoc {
  profile?: string;
  multihop?: boolean;
  /** AdminDown, Down, Init or Up. */
  state: string;
  /** Negotiated intervals, milliseconds. */
  txIntervalMs: number;
  rxIntervalMs: number;
  multiplier: number;
  /** Why it last went down, in words ("Control Detection Time Expired"). */
  lastDiagnostic: string;
  flaps: number;
}

export interface PoolDoc {
  name: string;
  total: string;
  used: string;
  available: string;
  conditions: { type: string; status: string; reason: string; message: string }[];
  /** Addresses held for deleted Services (absent when none). */
  held?: number;
}

/** L2 mode on this node: the IPs it answers ARP/NDP for, per interface. */
export interface L2Doc {
  /** An L2AnnouncementPolicy exists and the ownership runs. */
  active: boolean;
  /** since: ISO time this node started answering the IP on that interface. */
  owned: { ip: string; interface: string; since: string }[];
  /** Owned IPs not answered, each sentence naming the IP (not a /readyz failure). */
  problems: string[];
  /** kubernetes mode: the heartbeat view. */
  ownership?: {
    /** This node's heartbeat is renewed (false: fenced, answering nothing). */
    live: boolean;
    liveNodes: string[];
    /** Claimed, waiting for the previous owner to drop or expire. */
    pending: string[];
    /** When this node fences itself unless a renewal succeeds ("" when fenced). */
    fenceAt: string;
    heartbeatWrites: number;
    lastError: string;
  };
}

/** Announcement truth on this node (agent/reconcile/plan/announce-reasons.ts). */
export interface AnnouncementsDoc {
  /** Allocated IPs a policy sends to a peer here that no peer carries, the first BLOCKED_LISTED. */
  blocked: { ip: string; code: string; message: string }[];
  blockedTotal: number;
}

/** Blocked IPs listed in /status and the EdgeLBNode (the total says how many more). */
export const BLOCKED_LISTED = 100;

export interface StatusDoc {
  node: string;
  version: string;
  ready: boolean;
  problems: string[];
  leader: { isLeader: boolean; holder: string };
  source: { kind: string; synced: boolean };
  allocations: { namespace: string; name: string; ips: string[]; pool: string }[];
  /** Services that asked for an IP and did not get one, with the reason. */
  pending: { namespace: string; name: string; reason: string; message: string }[];
  pools: PoolDoc[];
  bgp: {
    routerId: string;
    peers: PeerDoc[];
    advertised: string[];
    /**
     * Services announced by this node whose edgelb.io/bgp-* annotations (honoured by their
     * advertisement) are bad: announced with the advertisement's attributes. Absent: none.
     */
    invalidServiceAttributes?: { service: string; problems: string[] }[];
  };
  /** Absent from agents without L2 mode. */
  l2?: L2Doc;
  /** Absent from agents older than the announcement check. */
  announcements?: AnnouncementsDoc;
  /** Planned maintenance: whether this node announces at all, and why not (issue 20). */
  maintenance?: MaintenanceDoc;
}

/** This node's maintenance state: "active" announces; the others announce nothing (BGP and L2). */
export interface MaintenanceDoc {
  /** active, drained, shutting-down, excluded or cordoned (the strongest reason). */
  state: string;
  /** `edgelb drain` in effect (kept across restarts until `edgelb undrain`). */
  drained: boolean;
  /** Every reason in effect: NodeDrained, NodeShuttingDown, NodeExcluded, NodeCordoned. */
  reasons: { reason: string; message: string }[];
}

export function emptyStatus(node: string, version: string, sourceKind: string): StatusDoc {
  return {
    node,
    version,
    ready: false,
    problems: [],
    leader: { isLeader: false, holder: '' },
    source: { kind: sourceKind, synced: false },
    allocations: [],
    pending: [],
    pools: [],
    bgp: { routerId: '', peers: [], advertised: [] },
  };
}

/** Healthy: ready, no problems (L2's included), and every configured peer Established. */
export function isHealthy(s: StatusDoc): boolean {
  return (
    s.ready &&
    s.problems.length === 0 &&
    (s.l2?.problems.length ?? 0) === 0 &&
    s.bgp.peers.every((p) => p.state === 'Established')
  );
}
