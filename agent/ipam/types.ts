/**
 * PURE. The IPAM's own small types: what it needs to know about a pool and a Service, and what
 * it answers. Kubernetes objects are turned into these in agent/kube/to-domain, never here.
 */
import type { LabelSelector } from '../api/v1alpha1.ts';

export type IPFamilyName = 'IPv4' | 'IPv6';
export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export type PoolBlock = { cidr: string } | { start: string; stop: string };

export interface PoolSpec {
  name: string;
  /** ISO creationTimestamp; older pools win overlaps. Ties are broken by name. */
  creationOrder: string;
  blocks: PoolBlock[];
  disabled: boolean;
  allowFirstLastIPs: boolean;
  autoAssign: boolean;
  /** Absent: every Service. */
  serviceSelector?: LabelSelector;
  /**
   * Seconds a deleted Service's address stays held for its namespace/name (holds.ts); absent or
   * 0: freed at once. The API's default (600) is applied before the IPAM sees the pool.
   */
  releaseDelaySeconds?: number;
}

/** An address held for a deleted Service, as pool status lists it (and restore() reads it). */
export interface HoldRecord {
  namespace: string;
  name: string;
  ip: string;
  /** The pool that owned the address when the hold began. */
  pool: string;
  /** RFC 3339: when the address goes back to the pool. */
  expires: string;
  /** RFC 3339: when the Service was deleted (the oldest hold goes first); absent = unknown. */
  since?: string;
}

/** A hold taken over by automatic allocation because the pool was otherwise full (for an Event). */
export interface TookHold {
  ip: string;
  /** "namespace/name" the address was held for. */
  heldFor: string;
  expires: string;
}

export interface ServicePort {
  port: number;
  /** TCP (default), UDP or SCTP. */
  protocol: string;
}

export interface ServiceView {
  /** "namespace/name". */
  key: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** spec.loadBalancerIP (deprecated upstream, still honoured). */
  loadBalancerIP?: string;
  ipFamilies: IPFamilyName[];
  ipFamilyPolicy: IPFamilyPolicy;
  ports: ServicePort[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  /** spec.selector: Local Services may share an IP only when they select the same pods. */
  podSelector: Record<string, string>;
  /** ISO creationTimestamp; older Services win. Ties are broken by key. */
  creationOrder: string;
  /** The IPs status.loadBalancer.ingress holds now: the input of restore(). */
  statusIPs: string[];
}

export type FailureReason =
  | 'invalid-request'
  | 'no-pool-for-ip'
  | 'ip-in-use'
  | 'no-matching-pool'
  | 'pool-exhausted'
  | 'sharing-conflict'
  | 'dual-stack-unavailable'
  /** The explicitly requested address is held for a deleted Service until its hold expires. */
  | 'ip-held';

export interface Replaced {
  /** The IPs the Service held (or had in status) and lost. */
  ips: string[];
  why: string;
}

export type ServiceResult =
  | {
      key: string;
      ok: true;
      /** Canonical text, in the Service's family order. */
      ips: string[];
      /** Pool of each IP, aligned with ips. */
      pools: string[];
      /** The pools' names joined with ", " (one name in the common case). */
      pool: string;
      message: string;
      /** Set by the call that dropped them (for an Event); result() keeps it until the Service is next reconciled. */
      replaced?: Replaced;
      /** Set by the call that gave this Service a held address (pool otherwise full), for an Event. */
      tookHold?: TookHold[];
    }
  | {
      key: string;
      ok: false;
      reason: FailureReason;
      message: string;
      replaced?: Replaced;
    };

/** Whether a pool hands out new addresses, and if not, the first reason why not. */
export type PoolState = 'ready' | 'conflict' | 'invalid' | 'disabled';

/** What the IPAM knows of a pool; the Kubernetes conditions are built from it elsewhere. */
export interface PoolFacts {
  name: string;
  /** Decimal strings: an IPv6 pool exceeds 2^53. */
  total: string;
  used: string;
  available: string;
  state: PoolState;
  /** The state as a phrase after "the pool": "is disabled", "is available"... */
  why: string;
  /** The overlap with an older pool, when there is one. */
  conflict?: string;
  /** Addresses held for deleted Services (counted in used). */
  held?: number;
}
