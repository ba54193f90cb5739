/**
 * The seam between where state comes from (the API server, or files on disk) and the
 * reconcile loop. A source keeps an observed snapshot, tells the loop when it changed,
 * and carries out the leader's writes. In files mode the node is always the leader and
 * "Service status" is the state file.
 */

import type { BFDProfile } from '../api/bfd-profile.ts';
import type { EndpointSliceObject, NamespaceObject, NodeObject, ServiceObject } from '../api/core.ts';
import type { StatusWriter } from '../api/status.ts';
import type { BGPPeeringPolicy, L2AnnouncementPolicy, LoadBalancerIPPool } from '../api/v1alpha1.ts';

/** The writer interface lives with the API types (api/status.ts); re-exported for the source's users. */
export type { EventKind, PoolStatusWrite, ServiceStatusWrite, StatusWriter } from '../api/status.ts';

export interface ObservedState {
  /** True once the first full list of every resource is in. */
  synced: boolean;
  /** This node (its labels select peering policies; its InternalIP is the default router ID). */
  node: NodeObject | undefined;
  pools: LoadBalancerIPPool[];
  policies: BGPPeeringPolicy[];
  /** L2AnnouncementPolicies (absent: a source that has none). */
  l2Policies?: L2AnnouncementPolicy[];
  /**
   * Every node, reduced to name and labels (L2 eligibility); files mode: this node only.
   * Absent: only `node` is known.
   */
  nodes?: NodeObject[];
  /**
   * Namespaces (name and labels), for pools with a namespaceSelector. Absent: not known (yet),
   * and such pools serve no Service rather than every one.
   */
  namespaces?: NamespaceObject[];
  /** Services this edgelb owns (type LoadBalancer, and a class it handles), with their status. */
  services: ServiceObject[];
  endpointSlices: EndpointSliceObject[];
  /** BFD profiles that neighbors name in bfdProfile (absent = none). */
  bfdProfiles?: BFDProfile[];
  /** Secrets named by authSecretRef: "namespace/name" -> decoded data. */
  secrets: Map<string, Record<string, string>>;
}

export interface Leadership {
  isLeader(): boolean;
  /** Identity of the current holder as last observed ("" when none). */
  holder(): string;
  /**
   * Counts this node's terms as leader (absent: one endless term, as in files mode). The IPAM
   * built in one term is never used in the next: a term lost and regained inside one long
   * reconcile pass must not keep state from before the gap.
   */
  term?(): number;
}

export interface Source {
  readonly kind: 'kubernetes' | 'files';
  /** Starts watching; onChange is called (possibly often) whenever observe() may differ. */
  start(onChange: () => void): Promise<void>;
  observe(): ObservedState;
  readonly writer: StatusWriter;
  readonly leadership: Leadership;
  /** Problems a user must fix (bad manifest, unreachable API), for /readyz and /status. */
  problems(): string[];
  /** The resources not listed in full yet, when the source has several (for /readyz). */
  unsynced?(): string[];
  /** Stops watching; releases leadership if held. Called after BGP has withdrawn. */
  stop(): Promise<void>;
}
