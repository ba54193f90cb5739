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
  | 'dual-stack-unavailable';

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
}
