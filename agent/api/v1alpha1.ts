/**
 * PURE. edgelb's resources (group edgelb.io, version v1alpha1, cluster-scoped) and the
 * annotation names it honours. Field names mirror Cilium's v2alpha1 API so the blog's
 * manifests convert one to one.
 */
export const GROUP = 'edgelb.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const DEFAULT_LOAD_BALANCER_CLASS = 'edgelb.io/bgp';
export const SERVICE_CONDITION = 'edgelb.io/IPAMRequestSatisfied';

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

export interface IPBlock {
  cidr?: string;
  start?: string;
  stop?: string;
}

export interface LoadBalancerIPPool {
  apiVersion: typeof API_VERSION;
  kind: 'LoadBalancerIPPool';
  metadata: ObjectMeta;
  spec: {
    blocks: IPBlock[];
    disabled?: boolean;
    serviceSelector?: LabelSelector;
    allowFirstLastIPs?: boolean;
    autoAssign?: boolean;
  };
  status?: {
    conditions?: Condition[];
    ipsTotal?: string;
    ipsUsed?: string;
    ipsAvailable?: string;
  };
}

export interface BGPNeighbor {
  peerAddress: string;
  peerPort?: number;
  peerASN: number;
  eBGPMultihopTTL?: number;
  connectRetryTimeSeconds?: number;
  holdTimeSeconds?: number;
  keepAliveTimeSeconds?: number;
  gracefulRestart?: { enabled?: boolean; restartTimeSeconds?: number };
  advertisedPathAttributes?: {
    communities?: { standard?: string[]; large?: string[] };
    localPreference?: number;
  };
  authSecretRef?: { name: string; namespace?: string; key?: string };
}

export interface BGPVirtualRouter {
  localASN: number;
  serviceSelector?: LabelSelector;
  neighbors: BGPNeighbor[];
}

export interface BGPPeeringPolicy {
  apiVersion: typeof API_VERSION;
  kind: 'BGPPeeringPolicy';
  metadata: ObjectMeta;
  spec: {
    nodeSelector?: LabelSelector;
    virtualRouters: BGPVirtualRouter[];
  };
  status?: { conditions?: Condition[] };
}

/** Requested-IP annotations, in precedence order (first present wins; a different value in a later one is a contradiction). */
export const IPS_ANNOTATIONS = [
  'edgelb.io/ips',
  'lbipam.cilium.io/ips',
  'io.cilium/lb-ipam-ips',
  'metallb.io/loadBalancerIPs',
  'metallb.universe.tf/loadBalancerIPs',
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
