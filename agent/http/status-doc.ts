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
}

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
  bgp: { routerId: string; peers: PeerDoc[]; advertised: string[] };
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

/** Healthy: ready, no problems, and every configured peer Established. */
export function isHealthy(s: StatusDoc): boolean {
  return s.ready && s.problems.length === 0 && s.bgp.peers.every((p) => p.state === 'Established');
}
