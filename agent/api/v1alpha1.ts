/**
 * PURE. edgelb's API group (edgelb.io, version v1alpha1, cluster-scoped resources), the
 * types the resources share, and the annotation names it honours. Field names mirror Cilium's v2alpha1 API so the blog's
 * manifests convert one to one.
 */
export const GROUP = 'edgelb.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const DEFAULT_LOAD_BALANCER_CLASS = 'edgelb.io/bgp';
export const SERVICE_CONDITION = 'edgelb.io/IPAMRequestSatisfied';

/** Resource (plural) names of the kinds, as in API paths and RBAC rules. */
export const PLURALS = {
  LoadBalancerIPPool: 'loadbalancerippools',
  BGPPeeringPolicy: 'bgppeeringpolicies',
  BFDProfile: 'bfdprofiles',
  L2AnnouncementPolicy: 'l2announcementpolicies',
  EdgeLBNode: 'edgelbnodes',
} as const;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

// The resources themselves: one file each, type and definition together.
export type { BFDProfile } from './bfd-profile.ts';
export type { EdgeLBNode, EdgeLBNodeStatus } from './edgelb-node.ts';
export type { L2AnnouncementPolicy } from './l2-announcement-policy.ts';
export type {
  BGPAdvertisement,
  BGPNeighbor,
  BGPPathAttributes,
  BGPPeeringPolicy,
  BGPVirtualRouter,
} from './peering-policy.ts';
export type { IPBlock, LoadBalancerIPPool } from './pool.ts';

/** Requested-IP annotations, in precedence order (first present wins; a different value in a later one is a contradiction). */
/** "true": announce the Service only while it has a ready endpoint somewhere in the cluster (issue 21). */
export const ANNOUNCE_ONLY_WITH_ENDPOINTS_ANNOTATION = 'edgelb.io/announce-only-with-endpoints';

export const IPS_ANNOTATIONS = [
  'edgelb.io/ips',
  'lbipam.cilium.io/ips',
  'io.cilium/lb-ipam-ips',
  'metallb.io/loadBalancerIPs',
  'metallb.universe.tf/loadBalancerIPs',
  // kube-vip's request annotation (its migration guide in the README).
  'kube-vip.io/loadbalancerIPs',
] as const;

export const POOL_ANNOTATIONS = [
  'edgelb.io/pool',
  'metallb.io/address-pool',
  'metallb.universe.tf/address-pool',
] as const;

export const SHARING_KEY_ANNOTATIONS = [
  'edgelb.io/sharing-key',
  'lbipam.cilium.io/sharing-key',
  'io.cilium/lb-ipam-sharing-key',
  'metallb.io/allow-shared-ip',
  'metallb.universe.tf/allow-shared-ip',
] as const;

export const SHARING_CROSS_NAMESPACE_ANNOTATIONS = [
  'edgelb.io/sharing-cross-namespace',
  'lbipam.cilium.io/sharing-cross-namespace',
] as const;

/** Pseudo-labels a pool's serviceSelector can match. */
export const SERVICE_NAMESPACE_LABEL = 'io.kubernetes.service.namespace';
export const SERVICE_NAME_LABEL = 'io.kubernetes.service.name';
