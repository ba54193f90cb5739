/**
 * PURE. What the reconcile loop asks a source to write back: Service, pool and policy
 * status, and Events. The kubernetes source writes them to the API server
 * (kube/status-writer.ts), files mode to its state file; both implement StatusWriter.
 */
import type { ServiceObject } from './core.ts';
import type { HeldIP } from './pool.ts';
import type { BGPPeeringPolicy, Condition, L2AnnouncementPolicy, LoadBalancerIPPool } from './v1alpha1.ts';

export interface ServiceStatusWrite {
  ips: string[];
  /** The edgelb.io/IPAMRequestSatisfied condition; lastTransitionTime is kept by the writer when status is unchanged. */
  condition: Omit<Condition, 'lastTransitionTime'>;
}

export interface PoolStatusWrite {
  conditions: Omit<Condition, 'lastTransitionTime'>[];
  ipsTotal: string;
  ipsUsed: string;
  ipsAvailable: string;
  /** Addresses held for deleted Services, oldest first, capped (pool.ts MAX_HELD_LISTED). */
  held?: HeldIP[];
  /** How many are held in all. */
  heldCount?: number;
  /** The blocks in one line (pool.ts blocksSummary), for the Blocks column; absent: not written. */
  blocks?: string;
}

export type EventKind =
  | 'Allocated'
  | 'Released'
  | 'Conflict'
  /** A Service without an IP: the condition's reason (reconcile/plan/reasons.ts). */
  | 'InvalidRequest'
  | 'NoPoolForIp'
  | 'IpInUse'
  | 'NoMatchingPool'
  | 'PoolExhausted'
  | 'SharingConflict'
  | 'DualStackUnavailable'
  /** The requested IP is held for a deleted Service until its hold expires (the condition says until when). */
  | 'IpHeld'
  /** The pool was otherwise full: this Service got the oldest address held for a deleted one. */
  | 'HeldIPTaken'
  /** L2 mode: this node started answering ARP/NDP for one of the Service's IPs. */
  | 'L2Announcing';

export interface StatusWriter {
  /** Writes only when something changed; retries conflicts; resolves false if the Service is gone. */
  writeServiceStatus(svc: ServiceObject, status: ServiceStatusWrite): Promise<boolean>;
  /**
   * Persists what the writes of this pass buffered (files mode: one state-file write per pass);
   * called before anything is announced. Absent: every write is already persisted.
   */
  flush?(): Promise<void>;
  writePoolStatus(pool: LoadBalancerIPPool, status: PoolStatusWrite): Promise<void>;
  writePolicyStatus(policy: BGPPeeringPolicy, valid: Omit<Condition, 'lastTransitionTime'>): Promise<void>;
  /** The Valid condition of an L2AnnouncementPolicy (absent: a writer that keeps none). */
  writeL2PolicyStatus?(
    policy: L2AnnouncementPolicy,
    valid: Omit<Condition, 'lastTransitionTime'>,
  ): Promise<void>;
  /**
   * An Event any node may record, leader or not (L2: "announcing IP from node N on IF").
   * Absent: a writer that records only the leader's Events.
   */
  nodeEvent?(svc: ServiceObject, kind: EventKind, type: 'Normal' | 'Warning', message: string): void;
  /**
   * Sets one more condition on a Service's status (edgelb.io/BGPAttributesValid), leaving its
   * IPs and other conditions alone. Absent: a writer that keeps only the IPAM condition.
   */
  writeServiceCondition?(
    svc: ServiceObject,
    condition: Omit<Condition, 'lastTransitionTime'>,
  ): Promise<boolean>;
  /** Records an Event on the Service; aggregated so a loop cannot flood. */
  event(svc: ServiceObject, kind: EventKind, type: 'Normal' | 'Warning', message: string): void;
}
