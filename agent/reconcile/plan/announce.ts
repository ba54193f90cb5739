/**
 * PURE. What this node announces, to whom: a function of the peering policies that select
 * this node, each virtual router's serviceSelector, the IPs in Service status, and (for
 * externalTrafficPolicy: Local) this node's endpoints. Every node computes the same thing
 * from the same observed state, so followers announce exactly what the leader wrote.
 */

import type { BFDProfile } from '../../api/bfd-profile.ts';
import {
  type EndpointSliceObject,
  SERVICE_NAME_SLICE_LABEL,
  type ServiceObject,
  serviceKey,
} from '../../api/core.ts';
import type { BGPNeighbor, BGPPeeringPolicy, LabelSelector, LoadBalancerIPPool } from '../../api/v1alpha1.ts';
import { PEER_DEFAULTS, type PeerConfig, peerId } from '../../bgp/peer.ts';
import { type RouteAttributes, routeAttributesKey } from '../../bgp/rib/route-attributes.ts';
import { compileSelector, matchesAll, serviceLabels } from '../../ipam/selector.ts';
import { isCanonicalIPv4 } from '../../net/fast.ts';
import { hostPrefix, parseCidr, parseIP } from '../../net/ip.ts';
import { type AdvertiseContext, advertisedRoutes, poolLookup } from './advertisements.ts';
import { type BfdPlan, bfdFor, profilesByName } from './bfd-profiles.ts';
import { healthGate, type Withheld, withheldReasons } from './health-gate.ts';
import type { NodeWithhold } from './node-state.ts';
import { mergeRouteAttributes, type ServiceAttributes, serviceAttributes } from './route-attributes.ts';

/** The peer a plan asks for: the speaker's one peer type (agent/bgp/peer.ts). */
export type PeerPlan = PeerConfig;

export interface AnnounceInput {
  nodeName: string;
  nodeLabels: Readonly<Record<string, string>>;
  policies: readonly BGPPeeringPolicy[];
  services: readonly ServiceObject[];
  endpointSlices: readonly EndpointSliceObject[];
  secrets: ReadonlyMap<string, Record<string, string>>;
  /** Namespace of a Secret whose authSecretRef names none. */
  defaultSecretNamespace: string;
  /** BFDProfiles that neighbors may name (absent = none). */
  bfdProfiles?: readonly BFDProfile[];
  /** Node-level reasons to announce nothing (plan/node-state.ts); the sessions stay up. */
  withheld?: readonly NodeWithhold[];
  /**
   * The pools: for advertisements limited to some (absent = none: such advertisements announce
   * nothing), and for the addresses their status holds for deleted Services.
   */
  pools?: readonly LoadBalancerIPPool[];
}

export interface AnnouncePlan {
  peers: PeerPlan[];
  /** peer id -> sorted host prefixes */
  advertisements: Map<string, string[]>;
  /** Problems per policy name (for the policy's Valid condition and /status). */
  problems: Map<string, string[]>;
  /** BFD sessions: one per peer whose neighbor names an existing BFDProfile. */
  bfd: BfdPlan[];
  /** Why this node announces nothing (empty: it announces); every peer then gets no prefix. */
  withheld: NodeWithhold[];
  /** Services intentionally not announced, and why (health gate, held addresses); absent = none. */
  withheldServices?: Withheld[];
  /** peer id -> prefix -> the route's attributes beyond the neighbor's (only routes that have some). */
  attributes: Map<string, Map<string, RouteAttributes>>;
  /** Service key -> its bad edgelb.io/bgp-* annotations (where an advertisement honours them). */
  serviceProblems: Map<string, string[]>;
}

export const DEFAULT_SECRET_KEY = 'password';

export { peerId };

/** "192.168.2.1/32" (Cilium's form) or "192.168.2.1" -> "192.168.2.1". */
export function peerAddressOf(text: string): string | undefined {
  const c = parseCidr(text, { allowBare: true });
  if (!c.ok) return undefined;
  const full = c.value.family === 4 ? 32 : 128;
  if (c.value.prefixLength !== full) return undefined;
  return hostPrefix({ family: c.value.family, value: c.value.base }).split('/')[0];
}

export function serviceSelectorLabels(svc: ServiceObject): Record<string, string> {
  return serviceLabels(svc.metadata.namespace, svc.metadata.name, svc.metadata.labels ?? {});
}

/** An invalid selector matches nothing (validation reports it). */
function matches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  const c = compileSelector(selector);
  return c.ok && c.matches(labels);
}

/** The host prefixes for a Service's status IPs (hostnames and junk are skipped). */
export function statusPrefixes(svc: ServiceObject): string[] {
  const out: string[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (!ing.ip) continue;
    // A plan reads every Service's status: the common case costs one string, no parse.
    if (isCanonicalIPv4(ing.ip)) {
      out.push(`${ing.ip}/32`);
      continue;
    }
    const ip = parseIP(ing.ip);
    if (ip.ok) out.push(hostPrefix(ip.value));
  }
  return out;
}

/**
 * externalTrafficPolicy: Local — announce only where a ready endpoint runs on this node.
 * When no endpoint anywhere is ready, serving-but-terminating ones count (as kube-proxy does).
 */
export function hasLocalEndpoint(
  svc: ServiceObject,
  slices: readonly EndpointSliceObject[],
  nodeName: string,
): boolean {
  const mine = slices.filter(
    (s) =>
      s.metadata.namespace === svc.metadata.namespace &&
      s.metadata.labels?.[SERVICE_NAME_SLICE_LABEL] === svc.metadata.name,
  );
  return localEndpointIn(mine, nodeName);
}

/** hasLocalEndpoint over the slices already known to belong to the Service. */
function localEndpointIn(mine: readonly EndpointSliceObject[], nodeName: string): boolean {
  const endpoints = mine.flatMap((s) => s.endpoints ?? []);
  const ready = (e: (typeof endpoints)[number]) => e.conditions?.ready !== false;
  if (endpoints.some((e) => e.nodeName === nodeName && ready(e))) return true;
  if (endpoints.some(ready)) return false;
  return endpoints.some(
    (e) =>
      e.nodeName === nodeName &&
      e.conditions?.terminating === true &&
      (e.conditions?.serving ?? e.conditions?.ready) !== false,
  );
}

function peerFrom(
  localASN: number,
  n: BGPNeighbor,
  input: AnnounceInput,
  problems: string[],
): PeerPlan | undefined {
  const address = peerAddressOf(n.peerAddress);
  if (!address) {
    problems.push(`neighbor ${n.peerAddress}: peerAddress must be an IP address or a /32 or /128`);
    return undefined;
  }
  const port = n.peerPort ?? PEER_DEFAULTS.peerPort;
  let password: string | undefined;
  if (n.authSecretRef) {
    const ns = n.authSecretRef.namespace ?? input.defaultSecretNamespace;
    const key = n.authSecretRef.key ?? DEFAULT_SECRET_KEY;
    const data = input.secrets.get(`${ns}/${n.authSecretRef.name}`);
    password = data?.[key];
    if (password === undefined) {
      problems.push(
        `neighbor ${address}: authSecretRef ${ns}/${n.authSecretRef.name} ${data ? `has no key "${key}"` : 'not found'}; session not started`,
      );
      return undefined;
    }
  }
  const attrs = n.advertisedPathAttributes;
  return {
    id: peerId(address, port),
    peerAddress: address,
    peerPort: port,
    localASN,
    peerASN: n.peerASN,
    holdTimeSeconds: n.holdTimeSeconds ?? PEER_DEFAULTS.holdTimeSeconds,
    keepAliveTimeSeconds: n.keepAliveTimeSeconds ?? PEER_DEFAULTS.keepAliveTimeSeconds,
    connectRetryTimeSeconds: n.connectRetryTimeSeconds ?? PEER_DEFAULTS.connectRetryTimeSeconds,
    ...(n.eBGPMultihopTTL !== undefined ? { eBGPMultihopTTL: n.eBGPMultihopTTL } : {}),
    ...(n.gtsm ? { gtsm: true } : {}),
    ...(password !== undefined ? { password } : {}),
    gracefulRestart: {
      enabled: n.gracefulRestart?.enabled ?? PEER_DEFAULTS.gracefulRestart.enabled,
      restartTimeSeconds:
        n.gracefulRestart?.restartTimeSeconds ?? PEER_DEFAULTS.gracefulRestart.restartTimeSeconds,
    },
    communities: attrs?.communities?.standard ?? [],
    largeCommunities: attrs?.communities?.large ?? [],
    ...(attrs?.localPreference !== undefined ? { localPreference: attrs.localPreference } : {}),
    ...(attrs?.med !== undefined ? { med: attrs.med } : {}),
    ...(attrs?.asPathPrepend ? { asPathPrepend: attrs.asPathPrepend } : {}),
  };
}

function samePeer(a: PeerPlan, b: PeerPlan): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function planAnnouncements(input: AnnounceInput): AnnouncePlan {
  const peers = new Map<string, { plan: PeerPlan; policy: string }>();
  const adverts = new Map<string, Set<string>>();
  const problems = new Map<string, string[]>();
  const profiles = profilesByName(input.bfdProfiles);
  const bfd: BfdPlan[] = [];
  const policies = [...input.policies].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  // The order of Services does not matter (prefixes are collected in sets, then sorted), and
  // each Service's prefixes are computed at most once: no per-Service garbage beyond them.
  const services = input.services;
  const prefixesOf = new Map<ServiceObject, string[]>();
  const prefixes = (svc: ServiceObject): string[] => {
    let p = prefixesOf.get(svc);
    if (p === undefined) {
      p = statusPrefixes(svc);
      prefixesOf.set(svc, p);
    }
    return p;
  };
  const localOk = new Map<ServiceObject, boolean>();
  let slicesOf: Map<string, EndpointSliceObject[]> | undefined;
  const healthy = healthGate(input.endpointSlices);
  const announceable = (svc: ServiceObject): boolean => {
    if (!healthy(svc)) return false;
    if (svc.spec.externalTrafficPolicy !== 'Local') return true;
    let ok = localOk.get(svc);
    if (ok === undefined) {
      if (!slicesOf) {
        // Indexed once per plan: the slices of a Service, by "namespace/service-name".
        slicesOf = new Map();
        for (const sl of input.endpointSlices) {
          const owner = sl.metadata.labels?.[SERVICE_NAME_SLICE_LABEL];
          if (owner === undefined) continue;
          const k = `${sl.metadata.namespace}/${owner}`;
          const list = slicesOf.get(k);
          if (list) list.push(sl);
          else slicesOf.set(k, [sl]);
        }
      }
      ok = localEndpointIn(slicesOf.get(serviceKey(svc)) ?? [], input.nodeName);
      localOk.set(svc, ok);
    }
    return ok;
  };

  const attributes = new Map<string, Map<string, RouteAttributes>>();
  const serviceProblems = new Map<string, string[]>();
  const ownAttributes = new Map<ServiceObject, ServiceAttributes>();
  const ctx: AdvertiseContext = {
    services,
    prefixes,
    labels: serviceSelectorLabels,
    announceable,
    poolOf: poolLookup(input.pools ?? []),
    serviceAttributes(svc) {
      let a = ownAttributes.get(svc);
      if (a === undefined) {
        a = serviceAttributes(svc);
        ownAttributes.set(svc, a);
      }
      return a;
    },
    serviceProblems,
  };

  for (const policy of policies) {
    const name = policy.metadata.name;
    const own: string[] = [];
    problems.set(name, own);
    if (!matches(policy.spec.nodeSelector, { ...input.nodeLabels })) continue;
    for (const vr of policy.spec.virtualRouters) {
      const targets: Set<string>[] = [];
      const targetIds: string[] = [];
      for (const n of vr.neighbors) {
        const plan = peerFrom(vr.localASN, n, input, own);
        if (!plan) continue;
        const existing = peers.get(plan.id);
        if (existing && !samePeer(existing.plan, plan)) {
          own.push(
            `neighbor ${plan.id} is already configured by policy ${existing.policy} with different settings; this one is ignored`,
          );
          continue;
        }
        if (!existing) {
          peers.set(plan.id, { plan, policy: name });
          const b = bfdFor(n, plan, profiles);
          if (b) bfd.push(b);
        }
        let set = adverts.get(plan.id);
        if (!set) {
          set = new Set<string>();
          adverts.set(plan.id, set);
        }
        targets.push(set);
        targetIds.push(plan.id);
      }
      if (vr.advertisements?.length && targets.length) {
        const routes = advertisedRoutes(vr.advertisements, ctx);
        for (const [i, set] of targets.entries()) {
          const id = targetIds[i]!;
          let own = attributes.get(id);
          for (const [p, a] of routes) {
            const before = own?.get(p);
            // A prefix the peer already gets from another advertisement or policy: merged.
            const merged = before ? mergeRouteAttributes(before, a) : a;
            set.add(p);
            if (routeAttributesKey(merged) === '') continue;
            if (!own) {
              own = new Map();
              attributes.set(id, own);
            }
            own.set(p, merged);
          }
        }
      }
      // Absent serviceSelector announces nothing; {} announces everything (as in Cilium).
      if (!vr.serviceSelector || targets.length === 0) continue;
      const sel = compileSelector(vr.serviceSelector);
      if (!sel.ok) continue; // an invalid selector matches nothing (validation reports it)
      const all = sel.matches === matchesAll;
      for (const s of services) {
        if (s.status?.loadBalancer?.ingress === undefined) continue; // nothing to announce
        if (!all && !sel.matches(serviceSelectorLabels(s))) continue;
        if (!announceable(s)) continue;
        for (const p of prefixes(s)) for (const set of targets) set.add(p);
      }
    }
  }
  const withheld = [...(input.withheld ?? [])];
  const advertisements = new Map<string, string[]>();
  // A withheld node keeps its sessions (and their BFD) but announces nothing on them.
  for (const [id, set] of adverts) advertisements.set(id, withheld.length ? [] : [...set].sort());
  const plan: AnnouncePlan = {
    peers: [...peers.values()].map((p) => p.plan),
    advertisements,
    problems,
    bfd,
    withheld,
    attributes,
    serviceProblems,
  };
  const withheldServices = withheldReasons(services, input.endpointSlices, input.pools);
  if (withheldServices.length > 0) plan.withheldServices = withheldServices;
  return plan;
}
