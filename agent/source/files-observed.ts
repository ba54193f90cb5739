/**
 * PURE. The files source's observed state: the loaded manifest objects with the status the state
 * file holds for them, the Services this node handles, and this node (always the leader).
 */
import type { EndpointSliceObject, NodeObject, ServiceObject } from '../api/core.ts';
import { serviceKey } from '../api/core.ts';
import {
  type BGPPeeringPolicy,
  type Condition,
  DEFAULT_LOAD_BALANCER_CLASS,
  type L2AnnouncementPolicy,
  type LoadBalancerIPPool,
} from '../api/v1alpha1.ts';
import type { LoadedObject } from './files-manifests.ts';
import type { StatusStore } from './files-status.ts';
import type { ObservedState } from './types.ts';

/** L2AnnouncementPolicy status in the state file's policies section: a key no BGP policy name can take. */
export const l2StatusKey = (name: string) => `L2AnnouncementPolicy/${name}`;

/** The status the state file holds, as the observed state reads it. */
export type StatusLookup = Pick<StatusStore, 'pool' | 'policyConditions' | 'service'>;

/** The Services handed to the loop: type LoadBalancer, of our class (or of none, when claimed). */
export function ownedServices(
  objects: readonly LoadedObject[],
  loadBalancerClass: string | undefined,
  claimServicesWithoutClass: boolean | undefined,
): ServiceObject[] {
  const cls = loadBalancerClass ?? DEFAULT_LOAD_BALANCER_CLASS;
  const noClass = claimServicesWithoutClass ?? true;
  const out: ServiceObject[] = [];
  for (const o of objects) {
    if (o.object.kind !== 'Service') continue;
    const s = o.object.value;
    if (s.spec.type !== 'LoadBalancer') continue;
    if (s.spec.loadBalancerClass === undefined ? !noClass : s.spec.loadBalancerClass !== cls) continue;
    out.push(s);
  }
  return out;
}

/** This node as a Node object (its labels and InternalIP from the options). */
export function nodeObject(
  nodeName: string,
  nodeLabels: Record<string, string>,
  nodeAddress?: string,
): NodeObject {
  return {
    metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, ...nodeLabels } },
    status: { addresses: nodeAddress ? [{ type: 'InternalIP', address: nodeAddress }] : [] },
  };
}

function withStatus(store: StatusLookup, s: ServiceObject): ServiceObject {
  const st = store.service(serviceKey(s));
  if (!st) return { ...s, status: { loadBalancer: {} } };
  const condition: Condition = { ...st.condition, lastTransitionTime: st.lastTransitionTime };
  return {
    ...s,
    status: {
      loadBalancer: st.ips.length ? { ingress: st.ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) } : {},
      conditions: [condition],
    },
  };
}

/** The observed state of `objects`, `owned` their Services handed to the loop. */
export function buildObserved(
  objects: readonly LoadedObject[],
  owned: readonly ServiceObject[],
  store: StatusLookup,
  node: NodeObject,
  synced: boolean,
): ObservedState {
  const pick = <K extends LoadedObject['object']['kind']>(kind: K) =>
    objects
      .filter((o) => o.object.kind === kind)
      .map((o) => o.object.value as Extract<LoadedObject['object'], { kind: K }>['value']);
  const pools: LoadBalancerIPPool[] = pick('LoadBalancerIPPool').map((p) => {
    const st = store.pool(p.metadata.name);
    return st ? { ...p, status: structuredClone(st) } : { ...p, status: {} };
  });
  const policies: BGPPeeringPolicy[] = pick('BGPPeeringPolicy').map((p) => ({
    ...p,
    status: { conditions: structuredClone(store.policyConditions(p.metadata.name) ?? []) },
  }));
  const l2Policies: L2AnnouncementPolicy[] = pick('L2AnnouncementPolicy').map((p) => ({
    ...p,
    status: {
      conditions: structuredClone(store.policyConditions(l2StatusKey(p.metadata.name)) ?? []),
    },
  }));
  const services = owned.map((s) => withStatus(store, s));
  const endpointSlices: EndpointSliceObject[] = pick('EndpointSlice');
  const secrets = new Map<string, Record<string, string>>();
  for (const s of pick('Secret')) secrets.set(`${s.namespace}/${s.name}`, { ...s.data });
  // Files mode: the Namespace objects of the folder (a namespace without one has no labels).
  const namespaces = pick('Namespace');
  return {
    synced,
    node,
    pools,
    policies,
    l2Policies,
    nodes: [node],
    bfdProfiles: pick('BFDProfile'),
    services,
    endpointSlices,
    secrets,
    namespaces,
  };
}
