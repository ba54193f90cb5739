/**
 * PURE. `edgelb plan`'s core: what a pool or policy edit would move, computed with the agent's
 * own allocator and planner. The IPAM is restored from the current state exactly as a new
 * leader restores it (Service status, held addresses), then the edited pools are applied as
 * the leader applies a pool event (upsertPool); every Service whose IPs differ is listed, and
 * every node's announcements are planned before and after, per peer.
 */

import type { BFDProfile } from '../../api/bfd-profile.ts';
import type { EndpointSliceObject, NamespaceObject, NodeObject, ServiceObject } from '../../api/core.ts';
import type { BGPPeeringPolicy, LoadBalancerIPPool } from '../../api/v1alpha1.ts';
import { rfc3339 } from '../../ipam/holds.ts';
import { Ipam } from '../../ipam/ipam.ts';
import type { ServiceResult } from '../../ipam/types.ts';
import { planAnnouncements } from './announce.ts';
import { heldIn } from './held-status.ts';
import { ipamPoolSpec, serviceView } from './to-domain.ts';

export interface WhatIfState {
  pools: readonly LoadBalancerIPPool[];
  policies: readonly BGPPeeringPolicy[];
  services: readonly ServiceObject[];
  endpointSlices: readonly EndpointSliceObject[];
  /** Every node (files mode: this one), for the announcements. */
  nodes: readonly NodeObject[];
  bfdProfiles?: readonly BFDProfile[];
  /** Namespaces, for pools with a namespaceSelector (absent: such pools serve no Service). */
  namespaces?: readonly NamespaceObject[];
  /** Epoch milliseconds (holds that expired by then are not restored). */
  now: number;
}

export interface WhatIfEdit {
  /** Replace the pools of the same name, or are added. */
  pools: readonly LoadBalancerIPPool[];
  /** Replace the policies of the same name, or are added. */
  policies: readonly BGPPeeringPolicy[];
}

export interface IPChange {
  /** "namespace/name". */
  service: string;
  before: string[];
  after: string[];
  /** 'change' (a new address), 'release' (left without one), 'gain' (a waiting Service gets one). */
  kind: 'change' | 'release' | 'gain';
  why: string;
}

export interface AnnounceChange {
  node: string;
  /** Peer id ("address" or "address:port"). */
  peer: string;
  announce: string[];
  withdraw: string[];
}

export interface WhatIf {
  ips: IPChange[];
  announcements: AnnounceChange[];
}

const ipsOf = (r: ServiceResult | undefined): string[] => (r?.ok ? r.ips : []);

function replaceByName<T extends { metadata: { name: string; creationTimestamp?: string } }>(
  current: readonly T[],
  edit: readonly T[],
  now: number,
): T[] {
  const byName = new Map(current.map((o) => [o.metadata.name, o]));
  for (const o of edit) {
    const old = byName.get(o.metadata.name);
    // An edit keeps the object's identity: creation time (pool age decides overlaps) and status.
    byName.set(
      o.metadata.name,
      old
        ? {
            ...o,
            metadata: {
              ...old.metadata,
              ...o.metadata,
              creationTimestamp: old.metadata.creationTimestamp ?? o.metadata.creationTimestamp,
            },
            ...('status' in old ? { status: old.status } : {}),
          }
        : // A new object is the newest: it loses overlaps to every existing pool.
          {
            ...o,
            metadata: { ...o.metadata, creationTimestamp: o.metadata.creationTimestamp ?? rfc3339(now) },
          },
    );
  }
  return [...byName.values()];
}

function withIPs(svc: ServiceObject, ips: string[]): ServiceObject {
  return {
    ...svc,
    status: { ...svc.status, loadBalancer: ips.length ? { ingress: ips.map((ip) => ({ ip })) } : {} },
  };
}

function diff(before: readonly string[], after: readonly string[]) {
  const b = new Set(before);
  const a = new Set(after);
  return { announce: after.filter((p) => !b.has(p)), withdraw: before.filter((p) => !a.has(p)) };
}

export function whatIf(state: WhatIfState, edit: WhatIfEdit): WhatIf {
  const ipam = new Ipam({ now: () => state.now });
  const views = state.services.map(serviceView);
  const spec = (p: LoadBalancerIPPool) => ipamPoolSpec(p, state.namespaces);
  ipam.restore(state.pools.map(spec), views, heldIn(state.pools));
  const before = new Map(views.map((v) => [v.key, ipsOf(ipam.result(v.key))]));
  const pools = replaceByName(state.pools, edit.pools, state.now);
  for (const p of edit.pools) ipam.upsertPool(spec(pools.find((x) => x.metadata.name === p.metadata.name)!));
  const ips: IPChange[] = [];
  const afterSvcs: ServiceObject[] = [];
  const beforeSvcs: ServiceObject[] = [];
  for (let i = 0; i < views.length; i++) {
    const v = views[i]!;
    const svc = state.services[i]!;
    const r = ipam.result(v.key);
    const was = before.get(v.key) ?? [];
    const now = ipsOf(r);
    beforeSvcs.push(withIPs(svc, was));
    afterSvcs.push(withIPs(svc, now));
    if (was.join() === now.join()) continue;
    const kind = now.length === 0 ? 'release' : was.length === 0 ? 'gain' : 'change';
    const why = r?.replaced?.why ?? r?.message ?? '';
    ips.push({ service: v.key, before: was, after: now, kind, why });
  }
  ips.sort((a, b) => (a.service < b.service ? -1 : 1));
  const policies = replaceByName(state.policies, edit.policies, state.now);
  const announcements: AnnounceChange[] = [];
  for (const node of state.nodes) {
    const plan = (
      p: readonly BGPPeeringPolicy[],
      services: ServiceObject[],
      poolList: readonly LoadBalancerIPPool[],
    ) =>
      planAnnouncements({
        nodeName: node.metadata.name,
        nodeLabels: node.metadata.labels ?? {},
        policies: p,
        services,
        endpointSlices: state.endpointSlices,
        secrets: new Map(),
        defaultSecretNamespace: '',
        ...(state.bfdProfiles ? { bfdProfiles: state.bfdProfiles } : {}),
        pools: poolList,
      }).advertisements;
    const a = plan(state.policies, beforeSvcs, state.pools);
    const b = plan(policies, afterSvcs, pools);
    for (const peer of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const d = diff(a.get(peer) ?? [], b.get(peer) ?? []);
      if (d.announce.length + d.withdraw.length > 0)
        announcements.push({ node: node.metadata.name, peer, ...d });
    }
  }
  return { ips, announcements };
}
