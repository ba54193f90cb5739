/**
 * PURE. `edgelb explain` for one Service on one node: where its IPs came from, then for every
 * IP and every peering policy, virtual router and neighbor, whether this node announces it and
 * why not (announce-reasons.ts). The same rules as plan/announce.ts, one Service at a time, so
 * the answer names the policy and the selector instead of only the result. Runs on the agent
 * (/explain, with its own sessions) and in `edgelb explain --cluster` (with the sessions an
 * EdgeLBNode reports).
 */
import { type EndpointSliceObject, type ServiceObject, serviceKey } from '../../api/core.ts';
import {
  type BGPPeeringPolicy,
  IPS_ANNOTATIONS,
  type LabelSelector,
  POOL_ANNOTATIONS,
  SHARING_KEY_ANNOTATIONS,
} from '../../api/v1alpha1.ts';
import { PEER_DEFAULTS, peerId } from '../../bgp/peer.ts';
import { compileSelector } from '../../ipam/selector.ts';
import { hasLocalEndpoint, peerAddressOf, serviceSelectorLabels, statusPrefixes } from './announce.ts';
import {
  type AnnounceReason,
  announceReason,
  ipOf,
  type PeerFacts,
  peerVerdict,
} from './announce-reasons.ts';

export interface ExplainInput {
  nodeName: string;
  nodeLabels: Readonly<Record<string, string>>;
  policies: readonly BGPPeeringPolicy[];
  service: ServiceObject;
  endpointSlices: readonly EndpointSliceObject[];
  peers: readonly PeerFacts[];
  /** The pool the IPs came from, when known (the leader's IPAM, or the pool ranges). */
  pool?: string;
  /** L2 mode: the IPs this node answers ARP/NDP for, and on which interface. */
  l2Owned?: readonly { ip: string; interface: string }[];
  /**
   * Intended reasons that hold for every IP of this Service on this node, from features outside
   * the announcement plan (maintenance: NodeDrained...; sticky IPs: HeldAfterDelete...).
   */
  extraReasons?: readonly AnnounceReason[];
}

export interface ExplainFact {
  ip: string;
  policy?: string;
  peer?: string;
  /** L2 mode: the interface this node answers the IP on. */
  interface?: string;
  announced: boolean;
  reason?: AnnounceReason;
}

export interface Explanation {
  service: string;
  node: string;
  ips: string[];
  /** Where the IPs came from, one line each ("pool blue", "requested by edgelb.io/ips: ..."). */
  origin: string[];
  facts: ExplainFact[];
}

function matches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  const c = compileSelector(selector);
  return c.ok && c.matches(labels);
}

function firstAnnotation(svc: ServiceObject, names: readonly string[]): [string, string] | undefined {
  const a = svc.metadata.annotations ?? {};
  for (const n of names) if (a[n] !== undefined) return [n, a[n]!];
  return undefined;
}

export function ipOrigin(svc: ServiceObject, pool: string | undefined): string[] {
  const out: string[] = [];
  if (pool) out.push(`pool ${pool}`);
  const req = firstAnnotation(svc, IPS_ANNOTATIONS);
  if (req) out.push(`requested by annotation ${req[0]}: ${req[1]}`);
  else if (svc.spec.loadBalancerIP) out.push(`requested by spec.loadBalancerIP: ${svc.spec.loadBalancerIP}`);
  const p = firstAnnotation(svc, POOL_ANNOTATIONS);
  if (p) out.push(`pool asked for by annotation ${p[0]}: ${p[1]}`);
  const s = firstAnnotation(svc, SHARING_KEY_ANNOTATIONS);
  if (s) out.push(`sharing key ${s[1]} (annotation ${s[0]})`);
  return out;
}

export function explainService(input: ExplainInput): Explanation {
  const svc = input.service;
  const prefixes = statusPrefixes(svc);
  const facts: ExplainFact[] = [];
  const byId = new Map(input.peers.map((p) => [p.id, p]));
  const policies = [...input.policies].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const labels = serviceSelectorLabels(svc);
  let local: boolean | undefined;
  const localOk = () => {
    local ??= hasLocalEndpoint(svc, input.endpointSlices, input.nodeName);
    return local;
  };
  for (const prefix of prefixes) {
    const ip = ipOf(prefix);
    for (const r of input.extraReasons ?? []) facts.push({ ip, announced: false, reason: r });
    for (const o of input.l2Owned ?? [])
      if (o.ip === ip) facts.push({ ip, interface: o.interface, announced: true });
    if (policies.length === 0)
      facts.push({
        ip,
        announced: false,
        reason: announceReason(
          'NoPeeringPolicy',
          'no BGPPeeringPolicy exists: nothing is announced over BGP',
        ),
      });
    for (const policy of policies) {
      const name = policy.metadata.name;
      if (!matches(policy.spec.nodeSelector, { ...input.nodeLabels })) {
        facts.push({
          ip,
          policy: name,
          announced: false,
          reason: announceReason(
            'NodeNotSelected',
            `policy ${name}: its nodeSelector does not select node ${input.nodeName}`,
          ),
        });
        continue;
      }
      for (const vr of policy.spec.virtualRouters) {
        for (const n of vr.neighbors) {
          const address = peerAddressOf(n.peerAddress);
          if (!address) continue; // reported as a policy problem
          const peer = peerId(address, n.peerPort ?? PEER_DEFAULTS.peerPort);
          const at = { ip, policy: name, peer };
          if (!vr.serviceSelector || !matches(vr.serviceSelector, labels)) {
            const why = vr.serviceSelector
              ? 'its serviceSelector does not match the Service'
              : 'it has no serviceSelector, so it announces no Service ({} would select all)';
            facts.push({
              ...at,
              announced: false,
              reason: announceReason(
                'ServiceNotSelected',
                `policy ${name}, virtual router AS ${vr.localASN}: ${why}`,
              ),
            });
            continue;
          }
          if (svc.spec.externalTrafficPolicy === 'Local' && !localOk()) {
            facts.push({
              ...at,
              announced: false,
              reason: announceReason(
                'NoLocalEndpoint',
                `externalTrafficPolicy: Local and no ready endpoint of ${serviceKey(svc)} runs on node ${input.nodeName}`,
              ),
            });
            continue;
          }
          const v = peerVerdict(peer, prefix, byId.get(peer));
          facts.push(
            v.announced ? { ...at, announced: true } : { ...at, announced: false, reason: v.reason },
          );
        }
      }
    }
  }
  return {
    service: serviceKey(svc),
    node: input.nodeName,
    ips: prefixes.map(ipOf),
    origin: ipOrigin(svc, input.pool),
    facts,
  };
}

/** One line per fact, in the words of the resources. */
export function formatExplanation(e: Explanation): string[] {
  const lines: string[] = [];
  for (const f of e.facts) {
    const where = [
      `node ${e.node}`,
      ...(f.peer ? [`peer ${f.peer}`] : []),
      ...(f.interface ? [`L2 on ${f.interface}`] : []),
    ].join(', ');
    lines.push(
      f.announced
        ? `${f.ip}: announced (${where})`
        : `${f.ip}: not announced (${where}): ${f.reason!.kind} ${f.reason!.code}: ${f.reason!.message}`,
    );
  }
  return lines;
}
