/**
 * The Kubernetes source's informers, one per resource it reads: this edgelb's Services (class
 * filter, projected), this Node, the EndpointSlices of Services, the edgelb CRDs, every Node's
 * labels (L2 eligibility) and the Namespaces' labels (pools' namespaceSelector).
 */
import type { BFDProfile } from '../api/bfd-profile.ts';
import type { EndpointSliceObject, NamespaceObject, NodeObject, ServiceObject } from '../api/core.ts';
import { SERVICE_NAME_SLICE_LABEL } from '../api/core.ts';
import type { BGPPeeringPolicy, L2AnnouncementPolicy, LoadBalancerIPPool } from '../api/v1alpha1.ts';
import { GROUP, PLURALS, VERSION } from '../api/v1alpha1.ts';
import { Informer, type InformerOptions } from '../kube/informer.ts';
import { projectEndpointSlice, projectNodeLabels, projectService } from '../kube/projection.ts';
import { type ClassConfig, ownsService } from '../kube/service-class.ts';

export type Any = { metadata: { name: string; namespace?: string; resourceVersion?: string } };

/** What every informer of the source shares: client, clock, logging, metrics, change callback, timings. */
export type InformerCommon = Pick<
  InformerOptions<never>,
  | 'client'
  | 'clock'
  | 'random'
  | 'log'
  | 'restarts'
  | 'malformed'
  | 'onChange'
  | 'silenceMs'
  | 'backoff'
  | 'requestTimeoutMs'
  | 'watchTimeoutSeconds'
>;

export interface SourceInformers {
  services: Informer<ServiceObject & Any>;
  nodes: Informer<NodeObject & Any>;
  slices: Informer<EndpointSliceObject & Any>;
  pools: Informer<LoadBalancerIPPool & Any>;
  policies: Informer<BGPPeeringPolicy & Any>;
  l2Policies: Informer<L2AnnouncementPolicy & Any>;
  /** Every Node, reduced to name and labels (L2 eligibility needs the other nodes' labels). */
  allNodes: Informer<NodeObject & Any>;
  bfdProfiles: Informer<BFDProfile & Any>;
  /** Namespaces reduced to name and labels (pools' namespaceSelector). */
  namespaces: Informer<NamespaceObject & Any>;
}

/** The informers (not started) for the node `nodeName` and the Service classes it serves. */
export function createInformers(
  common: InformerCommon,
  nodeName: string,
  classes: ClassConfig,
): SourceInformers {
  return {
    services: new Informer({
      ...common,
      kind: 'Service',
      resource: 'services',
      path: '/api/v1/services',
      filter: (s) => ownsService(s, classes),
      project: (s, previous) => projectService(s, previous) as ServiceObject & Any,
      trackChanges: true,
    }),
    nodes: new Informer({
      ...common,
      kind: 'Node',
      resource: 'nodes',
      path: '/api/v1/nodes',
      fieldSelector: `metadata.name=${nodeName}`,
    }),
    slices: new Informer({
      ...common,
      kind: 'EndpointSlice',
      resource: 'endpointslices',
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      labelSelector: SERVICE_NAME_SLICE_LABEL,
      project: (sl) => projectEndpointSlice(sl) as EndpointSliceObject & Any,
    }),
    pools: new Informer({
      ...common,
      kind: 'LoadBalancerIPPool',
      resource: PLURALS.LoadBalancerIPPool,
      path: `/apis/${GROUP}/${VERSION}/${PLURALS.LoadBalancerIPPool}`,
    }),
    policies: new Informer({
      ...common,
      kind: 'BGPPeeringPolicy',
      resource: PLURALS.BGPPeeringPolicy,
      path: `/apis/${GROUP}/${VERSION}/${PLURALS.BGPPeeringPolicy}`,
    }),
    l2Policies: new Informer({
      ...common,
      kind: 'L2AnnouncementPolicy',
      resource: PLURALS.L2AnnouncementPolicy,
      path: `/apis/${GROUP}/${VERSION}/${PLURALS.L2AnnouncementPolicy}`,
    }),
    allNodes: new Informer({
      ...common,
      kind: 'Node',
      resource: 'nodes-labels',
      path: '/api/v1/nodes',
      project: (n, previous) => projectNodeLabels(n, previous) as NodeObject & Any,
    }),
    bfdProfiles: new Informer({
      ...common,
      kind: 'BFDProfile',
      resource: PLURALS.BFDProfile,
      path: `/apis/${GROUP}/${VERSION}/${PLURALS.BFDProfile}`,
    }),
    namespaces: new Informer({
      ...common,
      resource: 'namespaces',
      path: '/api/v1/namespaces',
      project: (n, previous) => projectNodeLabels(n, previous) as NamespaceObject & Any,
    }),
  };
}
