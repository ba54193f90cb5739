/**
 * PURE. The few fields edgelb reads from core Kubernetes objects, as plain JSON shapes.
 * Both sources produce these (the API server, or YAML manifests in files mode), so the
 * reconcile loop has one input format. Everything else on the objects is ignored.
 */
import type { Condition, ObjectMeta } from './v1alpha1.ts';

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: 'VIP' | 'Proxy';
}

export interface ServiceObject {
  apiVersion?: 'v1';
  kind?: 'Service';
  metadata: ObjectMeta & { namespace: string };
  spec: {
    type?: string;
    loadBalancerClass?: string;
    loadBalancerIP?: string;
    ports?: ServicePort[];
    selector?: Record<string, string>;
    externalTrafficPolicy?: 'Cluster' | 'Local';
    ipFamilies?: ('IPv4' | 'IPv6')[];
    ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  };
  status?: {
    loadBalancer?: { ingress?: LoadBalancerIngress[] };
    conditions?: Condition[];
  };
}

export interface EndpointObject {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
}

export interface EndpointSliceObject {
  apiVersion?: 'discovery.k8s.io/v1';
  kind?: 'EndpointSlice';
  metadata: ObjectMeta & { namespace: string; labels?: Record<string, string> };
  addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: EndpointObject[];
}

/** A Namespace: its name and labels (a pool's namespaceSelector reads them). */
export interface NamespaceObject {
  metadata: ObjectMeta;
}

export interface NodeObject {
  metadata: ObjectMeta;
  /** unschedulable: the Node is cordoned (kubectl cordon / drain). */
  spec?: { unschedulable?: boolean };
  status?: { addresses?: { type: string; address: string }[] };
}

/** Label on an EndpointSlice naming its Service. */
export const SERVICE_NAME_SLICE_LABEL = 'kubernetes.io/service-name';

export function serviceKey(o: { metadata: { namespace?: string; name: string } }): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
