/**
 * What `edgelb status --cluster` and `edgelb explain --cluster` read through the kubeconfig:
 * the EdgeLBNode objects, Nodes, policies, one Service and its EndpointSlices.
 */
import {
  type EndpointSliceObject,
  type NodeObject,
  SERVICE_NAME_SLICE_LABEL,
  type ServiceObject,
} from '../api/core.ts';
import type { EdgeLBNode } from '../api/edgelb-node.ts';
import { GROUP, PLURALS, VERSION } from '../api/v1alpha1.ts';
import { loadConfig } from '../config/load.ts';
import { UserError } from '../lib/errors.ts';
import { kubeClientFor } from './kube-client.ts';
import type { ListClient } from './router-config-inputs.ts';

export const CLUSTER_OPTIONS = {
  cluster: { type: 'boolean' },
  kubeconfig: { type: 'string' },
  config: { type: 'string' },
} as const;

export const CLUSTER_HELP = `  --cluster          read the cluster (EdgeLBNode objects) through the kubeconfig
  --kubeconfig PATH  with --cluster: the kubeconfig (default: the config's, $KUBECONFIG, ~/.kube/config)
  --config PATH      with --cluster: the agent config whose kubernetes.kubeconfig to use`;

export async function clusterClient(o: { kubeconfig?: string; config?: string }): Promise<ListClient> {
  let path = o.kubeconfig ?? '';
  if (!path && o.config) {
    const loaded = loadConfig(o.config);
    if (!loaded.ok) throw new UserError(`invalid configuration in ${o.config}`, 2);
    path = loaded.config.kubernetes.kubeconfig;
  }
  return kubeClientFor(path, { logLevel: 'error', timeoutMs: 10_000 });
}

interface List<T> {
  items?: T[];
}

export async function listEdgeLBNodes(client: ListClient): Promise<EdgeLBNode[]> {
  const r = await client.request<List<EdgeLBNode>>('GET', `/apis/${GROUP}/${VERSION}/${PLURALS.EdgeLBNode}`);
  return (r.items ?? []).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

export async function listNodes(client: ListClient): Promise<NodeObject[]> {
  return (await client.request<List<NodeObject>>('GET', '/api/v1/nodes')).items ?? [];
}

export async function getService(client: ListClient, ns: string, name: string): Promise<ServiceObject> {
  return client.request<ServiceObject>(
    'GET',
    `/api/v1/namespaces/${encodeURIComponent(ns)}/services/${encodeURIComponent(name)}`,
  );
}

export async function listSlices(
  client: ListClient,
  ns: string,
  name: string,
): Promise<EndpointSliceObject[]> {
  const sel = encodeURIComponent(`${SERVICE_NAME_SLICE_LABEL}=${name}`);
  const r = await client.request<List<EndpointSliceObject>>(
    'GET',
    `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/endpointslices?labelSelector=${sel}`,
  );
  return r.items ?? [];
}
